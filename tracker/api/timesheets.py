"""API: the caller's own time entries (same week-grid service, limits and month locks as the web page).

Single-entry create/update/delete are applied to the week grid and saved with
`services.save_week`, so the rules (quarters, 24 hours a day, own projects,
locked months) are exactly the page's.
"""

from datetime import date
from decimal import Decimal

from flask import abort
from flask_login import current_user
from pydantic import Field

from tracker.api.core import ApiError, ApiModel, all_items, operation, roles
from tracker.api.schemas import Day, DbId
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role
from tracker.core.errors import ValidationError
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.referrals.queries import is_project_staff, projects_for
from tracker.timesheets import services
from tracker.timesheets.models import TimeCategory, TimeEntry

REPORTING_ROLES = (Role.SAMORDNARE, Role.REHABKOORDINATOR, Role.LEDNING)
Hours = Field(ge=0, le=24, multiple_of=0.25, description="Timmar i kvartar")


class WeekQuery(ApiModel):
    week: Day | None = Field(None, description="Valfri dag i veckan; utelämnad: innevarande vecka.")
    project_id: DbId | None = None


class TimeEntryOut(ApiModel):
    id: int
    project_id: int
    work_date: date
    booked_on: date
    category: TimeCategory
    clinic_id: int | None
    hours: float
    is_adjustment: bool
    note: str | None


class WeekRowIn(ApiModel):
    project_id: DbId
    category: TimeCategory
    clinic_id: DbId | None = None
    hours: list[Decimal] = Field(min_length=7, max_length=7, description="Måndag först")


class WeekIn(ApiModel):
    week: Day
    rows: list[WeekRowIn] = Field(default_factory=list, max_length=50)


class TimeEntryIn(ApiModel):
    project_id: DbId
    category: TimeCategory
    clinic_id: DbId | None = None
    work_date: Day
    hours: Decimal = Hours


class TimeEntryUpdate(ApiModel):
    hours: Decimal = Hours


def _out(entry: TimeEntry) -> dict:
    return {
        "id": entry.id,
        "project_id": entry.project_id,
        "work_date": entry.work_date,
        "booked_on": entry.booked_on,
        "category": entry.category,
        "clinic_id": entry.clinic_id,
        "hours": float(entry.hours),
        "is_adjustment": entry.is_adjustment,
        "note": entry.note,
    }


def _allowed_projects() -> set[int]:
    return {p.id for p in projects_for(current_user) if is_project_staff(current_user, p)}


def _grid(monday: date) -> dict[tuple, list[Decimal]]:
    """The week's ordinary entries as grid cells: (project, category, clinic) -> seven day totals."""
    grid: dict[tuple, list[Decimal]] = {}
    for entry in services.week_entries(current_user, monday):
        if entry.is_adjustment:
            continue
        key = (entry.project_id, entry.category.value, entry.clinic_id)
        hours = grid.setdefault(key, [Decimal(0)] * 7)
        hours[(entry.work_date - monday).days] += entry.hours
    return grid


def _save(monday: date, grid: dict[tuple, list[Decimal]]) -> None:
    rows = [
        services.GridRow(project_id=p, category=c, clinic_id=k, hours=[str(h) for h in hours])
        for (p, c, k), hours in grid.items()
    ]
    try:
        services.save_week(current_user, monday, rows, _allowed_projects())
    except ValidationError as error:
        # The grid names cells (row-0, h-0-2, day-2, locked); one entry has fields.
        fields = {"row": "project_id", "h": "hours", "day": "hours", "locked": "work_date"}
        raise ValidationError(
            {fields.get(key.split("-")[0], key): message for key, message in error.errors.items()}
        ) from error


def _entries(monday: date) -> list[dict]:
    return [_out(e) for e in services.week_entries(current_user, monday)]


def _cell(monday: date, project_id: int, category: str, clinic_id, day: date) -> TimeEntry | None:
    for entry in services.week_entries(current_user, monday):
        if (entry.project_id, entry.category.value, entry.clinic_id, entry.work_date) == (
            project_id,
            category,
            clinic_id,
            day,
        ) and not entry.is_adjustment:
            return entry
    return None


def _own_entry(entry_id: int, **_):
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None or entry.user_id != current_user.id:
        abort(404)  # another user's entries do not exist for the caller
    if entry.is_adjustment:
        raise ApiError(422, "Ogiltiga uppgifter", errors={"hours": "En korrigering kan inte ändras."})
    return {"entry": entry}


def _access(**kwargs):
    roles(*REPORTING_ROLES)()
    return _own_entry(**kwargs) if "entry_id" in kwargs else {}


@operation(
    "/time-entries",
    "GET",
    summary="Min tid en vecka (även korrigeringar)",
    tag="Tid",
    query=WeekQuery,
    response=TimeEntryOut,
    many=True,
    access=roles(*REPORTING_ROLES),
)
def list_time_entries(query: WeekQuery):
    monday = services.week_start(query.week or today_local())
    rows = _entries(monday)
    if query.project_id:
        rows = [r for r in rows if r["project_id"] == query.project_id]
    return all_items(rows)


@operation(
    "/time-entries/week",
    "PUT",
    summary="Spara en hel vecka (ersätter veckans vanliga rader; låsta månader vägras)",
    tag="Tid",
    body=WeekIn,
    response=TimeEntryOut,
    many=True,
    access=roles(*REPORTING_ROLES),
)
def save_week(body: WeekIn):
    monday = services.week_start(body.week)
    rows = [
        services.GridRow(r.project_id, r.category.value, r.clinic_id, [str(h) for h in r.hours])
        for r in body.rows
    ]
    services.save_week(current_user, monday, rows, _allowed_projects())
    return all_items(_entries(monday))


@operation(
    "/time-entries",
    "POST",
    summary="Lägg till timmar en dag (läggs ihop med samma projekt, kategori och mottagning)",
    tag="Tid",
    body=TimeEntryIn,
    response=TimeEntryOut,
    status=201,
    access=roles(*REPORTING_ROLES),
)
def create_time_entry(body: TimeEntryIn):
    if body.hours == 0:
        raise ApiError(422, "Ogiltiga uppgifter", errors={"hours": "Ange fler än 0 timmar."})
    monday = services.week_start(body.work_date)
    grid = _grid(monday)
    key = (body.project_id, body.category.value, body.clinic_id)
    grid.setdefault(key, [Decimal(0)] * 7)[(body.work_date - monday).days] += body.hours
    _save(monday, grid)
    return _out(_cell(monday, *key, body.work_date))


@operation(
    "/time-entries/<int:entry_id>",
    "PUT",
    summary="Ändra timmarna i en rad",
    tag="Tid",
    body=TimeEntryUpdate,
    response=TimeEntryOut,
    access=_access,
)
def update_time_entry(entry_id: int, body: TimeEntryUpdate, entry: TimeEntry):
    if body.hours == 0:
        raise ApiError(422, "Ogiltiga uppgifter", errors={"hours": "Ta bort raden i stället för att ange 0."})
    monday = services.week_start(entry.work_date)
    key = (entry.project_id, entry.category.value, entry.clinic_id)
    day = entry.work_date
    grid = _grid(monday)
    grid[key][(day - monday).days] = body.hours
    _save(monday, grid)
    return _out(_cell(monday, *key, day))


@operation(
    "/time-entries/<int:entry_id>",
    "DELETE",
    summary="Ta bort en rad",
    tag="Tid",
    status=204,
    access=_access,
)
def delete_time_entry(entry_id: int, entry: TimeEntry):
    monday = services.week_start(entry.work_date)
    key = (entry.project_id, entry.category.value, entry.clinic_id)
    grid = _grid(monday)
    grid[key][(entry.work_date - monday).days] = Decimal(0)
    _save(monday, grid)
    audit_record(AuditAction.DELETE, object_type="TimeEntry", details=f"api week={monday.isoformat()}")
    return None
