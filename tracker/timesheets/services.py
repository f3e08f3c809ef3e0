"""Allocation keys, hourly costs, the weekly time grid, month locks and adjustments."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, OrgType, User
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc, today_local
from tracker.extensions import db
from tracker.referrals.models import Project
from tracker.timesheets.models import (
    AllocationKey,
    AllocationShare,
    HourlyCost,
    MonthLock,
    TimeCategory,
    TimeEntry,
)

QUARTER = Decimal("0.25")
LOCKED_MESSAGE = (
    "Månaden {month} är låst efter fakturering och kan inte ändras. Registrera en korrigering i stället."
)


def parse_decimal(raw) -> Decimal | None:
    text = str(raw or "").strip().replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


# ---------------------------------------------------------------- allocation keys and costs


def save_allocation_key(
    project: Project, valid_from: date | None, shares: dict[int, str], user
) -> AllocationKey:
    """A new key from a date: percent per förbund, summing to exactly 100."""
    errors: dict[str, str] = {}
    if valid_from is None:
        errors["valid_from"] = "Ange från vilket datum fördelningsnyckeln gäller."
    elif db.session.scalar(
        select(AllocationKey.id).where(
            AllocationKey.project_id == project.id, AllocationKey.valid_from == valid_from
        )
    ):
        errors["valid_from"] = "Det finns redan en fördelningsnyckel från det datumet."
    parsed: dict[int, Decimal] = {}
    forbund_ids = set(
        db.session.scalars(select(Organisation.id).where(Organisation.org_type == OrgType.FORBUND))
    )
    for forbund_id, raw in shares.items():
        try:
            value = parse_decimal(raw)
        except ValueError:
            errors["shares"] = "Andelarna måste vara tal (procent)."
            continue
        if value is None or value == 0:
            continue
        if forbund_id not in forbund_ids:
            errors["shares"] = "Bara samordningsförbund kan finansiera projektet."
        elif value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
            errors["shares"] = "Varje andel ska vara mellan 0 och 100 med högst två decimaler."
        parsed[forbund_id] = value
    if not errors.get("shares"):
        total = sum(parsed.values(), Decimal(0))
        if total != 100:
            errors["shares"] = (
                f"Andelarna ska summera till exakt 100 % (nu {str(total).replace('.', ',')} %)."
            )
    if errors:
        raise ValidationError(errors)
    key = AllocationKey(project_id=project.id, valid_from=valid_from, created_by_id=user.id)
    key.shares = [AllocationShare(forbund_id=f, percent=p) for f, p in sorted(parsed.items())]
    db.session.add(key)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=key, details=f"project={project.id}")
    return key


def save_hourly_cost(
    project: Project, user_id: int | None, valid_from: date | None, amount, actor
) -> HourlyCost:
    errors: dict[str, str] = {}
    if valid_from is None:
        errors["valid_from"] = "Ange från vilket datum timkostnaden gäller."
    try:
        value = parse_decimal(amount)
    except ValueError:
        value = None
    if value is None or value < 0 or value > 100_000:
        errors["amount"] = "Ange timkostnaden i kronor (0–100 000)."
    if user_id and db.session.get(User, user_id) is None:
        errors["user_id"] = "Välj medarbetare i listan."
    if errors:
        raise ValidationError(errors)
    row = db.session.scalar(
        select(HourlyCost).where(
            HourlyCost.project_id == project.id,
            HourlyCost.user_id.is_(None) if user_id is None else HourlyCost.user_id == user_id,
            HourlyCost.valid_from == valid_from,
        )
    )
    row = row or HourlyCost(
        project_id=project.id, user_id=user_id, valid_from=valid_from, created_by_id=actor.id
    )
    row.amount = value.quantize(Decimal("0.01"))
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=row, details=f"project={project.id}")
    return row


# ---------------------------------------------------------------- locks


def month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def locked_months(project_ids, start: date, end: date) -> set[tuple[int, int, int]]:
    rows = db.session.execute(
        select(MonthLock.project_id, MonthLock.year, MonthLock.month).where(
            MonthLock.project_id.in_(list(project_ids)),
            MonthLock.year * 100 + MonthLock.month >= start.year * 100 + start.month,
            MonthLock.year * 100 + MonthLock.month <= end.year * 100 + end.month,
        )
    )
    return {tuple(r) for r in rows}


class AlreadyLocked(ValidationError):
    """The month is locked already (the page shows the message; the API answers 409)."""


def lock_month(project: Project, year: int, month: int, user) -> MonthLock:
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValidationError({"month": "Välj en giltig månad."})
    if date(year, month, 1) > today_local():
        raise ValidationError({"month": "En månad som inte har börjat kan inte låsas."})
    if locked_months([project.id], date(year, month, 1), date(year, month, 1)):
        raise AlreadyLocked({"month": f"Månaden {month_label(year, month)} är redan låst."})
    lock = MonthLock(project_id=project.id, year=year, month=month, locked_at=now_utc(), locked_by_id=user.id)
    db.session.add(lock)
    db.session.flush()
    audit_record(
        AuditAction.UPDATE, obj=lock, details=f"lock project={project.id} {month_label(year, month)}"
    )
    return lock


# ---------------------------------------------------------------- the weekly grid


@dataclass
class GridRow:
    project_id: int
    category: str
    clinic_id: int | None
    hours: list  # seven raw values, Monday first


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _parse_hours(raw, errors: dict, field: str) -> Decimal:
    try:
        value = parse_decimal(raw)
    except ValueError:
        errors[field] = "Ange timmar som ett tal, t.ex. 1,5."
        return Decimal(0)
    if value is None:
        return Decimal(0)
    if value < 0 or value > 24:
        errors[field] = "Timmar per dag ska vara mellan 0 och 24."
    elif value % QUARTER != 0:
        errors[field] = "Ange timmar i kvartar (0,25, 0,5, 0,75 …)."
    return value


def save_week(user: User, monday: date, rows: list[GridRow], allowed_project_ids: set[int]) -> int:
    """Replace the user's ordinary entries of the week with the grid; locked months refuse changes."""
    errors: dict[str, str] = {}
    days = [monday + timedelta(days=i) for i in range(7)]
    wanted: dict[tuple, Decimal] = {}
    clinic_ids = set(
        db.session.scalars(
            select(Organisation.id).where(
                Organisation.org_type.in_((OrgType.REGION_CLINIC, OrgType.REGION_OTHER))
            )
        )
    )
    for index, row in enumerate(rows):
        if row.clinic_id is not None and row.clinic_id not in clinic_ids:
            errors[f"row-{index}"] = "Välj mottagning i listan."
            continue
        if row.project_id not in allowed_project_ids:
            errors[f"row-{index}"] = "Du kan bara rapportera tid på projekt du arbetar i."
            continue
        try:
            category = TimeCategory(row.category)
        except ValueError:
            errors[f"row-{index}"] = "Välj kategori i listan."
            continue
        for day, raw in zip(days, row.hours, strict=True):
            value = _parse_hours(raw, errors, f"h-{index}-{day.weekday()}")
            if value:
                key = (row.project_id, category, row.clinic_id, day)
                wanted[key] = wanted.get(key, Decimal(0)) + value
    for day in days:
        day_total = sum((v for k, v in wanted.items() if k[3] == day), Decimal(0))
        if day_total > 24:
            errors[f"day-{day.weekday()}"] = f"Mer än 24 timmar den {day.isoformat()}."
    existing = list(
        db.session.scalars(
            select(TimeEntry).where(
                TimeEntry.user_id == user.id,
                TimeEntry.is_adjustment.is_(False),
                TimeEntry.work_date.between(days[0], days[-1]),
            )
        )
    )
    rows_by_key: dict[tuple, list[TimeEntry]] = {}
    for entry in existing:
        rows_by_key.setdefault(
            (entry.project_id, entry.category, entry.clinic_id, entry.work_date), []
        ).append(entry)
    have = {k: sum((e.hours for e in v), Decimal(0)) for k, v in rows_by_key.items()}
    changed = {k for k in set(have) | set(wanted) if have.get(k, Decimal(0)) != wanted.get(k, Decimal(0))}
    locks = locked_months({k[0] for k in changed}, days[0], days[-1])
    for project_id, _cat, _clinic, day in changed:
        if (project_id, day.year, day.month) in locks:
            errors["locked"] = LOCKED_MESSAGE.format(month=month_label(day.year, day.month))
    if errors:
        raise ValidationError(errors)
    # Only the changed cells are rewritten: rows of a locked month stay untouched.
    for key in sorted(changed, key=str):
        for entry in rows_by_key.get(key, []):
            db.session.delete(entry)
        if key in wanted:
            project_id, category, clinic_id, day = key
            db.session.add(
                TimeEntry(
                    user_id=user.id,
                    project_id=project_id,
                    category=category,
                    clinic_id=clinic_id,
                    work_date=day,
                    booked_on=day,
                    hours=wanted[key],
                    created_by_id=user.id,
                )
            )
    db.session.flush()
    audit_record(AuditAction.UPDATE, object_type="TimeEntry", details=f"week={days[0].isoformat()}")
    return len(changed)


class CellChange(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def set_day_hours(
    user: User,
    project_id: int,
    work_date: date | None,
    category: str,
    clinic_id: int | None,
    hours,
    allowed_project_ids: set[int],
) -> CellChange:
    """Set one cell of the user's grid (project, category, clinic, day) to `hours`.

    The rules of save_week apply (own projects, quarter hours, at most 24 hours
    a day, locked months refuse changes); an equal value changes nothing, so
    importing the same hours again is harmless. Zero hours removes the cell.
    """
    errors: dict[str, str] = {}
    if work_date is None:
        errors["work_date"] = "Ange ett datum (ÅÅÅÅ-MM-DD)."
    if project_id not in allowed_project_ids:
        errors["project_id"] = "Du kan bara rapportera tid på projekt du arbetar i."
    try:
        cat = TimeCategory(category)
    except ValueError:
        errors["category"] = "Välj kategori i listan."
    if clinic_id is not None and not db.session.scalar(
        select(Organisation.id).where(
            Organisation.id == clinic_id,
            Organisation.org_type.in_((OrgType.REGION_CLINIC, OrgType.REGION_OTHER)),
        )
    ):
        errors["clinic_id"] = "Välj mottagning i listan."
    value = _parse_hours(hours, errors, "hours")
    if errors:
        raise ValidationError(errors)
    day_entries = list(
        db.session.scalars(
            select(TimeEntry).where(
                TimeEntry.user_id == user.id,
                TimeEntry.is_adjustment.is_(False),
                TimeEntry.work_date == work_date,
            )
        )
    )
    cell = [e for e in day_entries if (e.project_id, e.category, e.clinic_id) == (project_id, cat, clinic_id)]
    have = sum((e.hours for e in cell), Decimal(0))
    if have == value:
        return CellChange.UNCHANGED
    others = sum((e.hours for e in day_entries if e not in cell), Decimal(0))
    if others + value > 24:
        errors["hours"] = f"Mer än 24 timmar den {work_date.isoformat()}."
    if locked_months([project_id], work_date, work_date):
        errors["work_date"] = LOCKED_MESSAGE.format(month=month_label(work_date.year, work_date.month))
    if errors:
        raise ValidationError(errors)
    for entry in cell:
        db.session.delete(entry)
    if value:
        db.session.add(
            TimeEntry(
                user_id=user.id,
                project_id=project_id,
                category=cat,
                clinic_id=clinic_id,
                work_date=work_date,
                booked_on=work_date,
                hours=value,
                created_by_id=user.id,
            )
        )
    db.session.flush()
    audit_record(
        AuditAction.UPDATE if cell else AuditAction.CREATE,
        object_type="TimeEntry",
        details=f"day={work_date.isoformat()} project={project_id}",
    )
    return CellChange.UPDATED if cell else CellChange.CREATED


def add_adjustment(user: User, project: Project, work_date: date | None, category: str, hours, note: str):
    """An explicit correction of a locked month, booked today (in the open month)."""
    errors: dict[str, str] = {}
    try:
        cat = TimeCategory(category)
    except ValueError:
        errors["category"] = "Välj kategori i listan."
    try:
        value = parse_decimal(hours)
    except ValueError:
        value = None
    if value is None or value == 0 or abs(value) > 24 or value % QUARTER != 0:
        errors["hours"] = "Ange korrigeringen i kvartar, t.ex. 1,5 eller -0,75 (högst 24)."
    if work_date is None:
        errors["work_date"] = "Ange vilken dag korrigeringen gäller."
    elif not locked_months([project.id], work_date, work_date):
        errors["work_date"] = "Månaden är inte låst: ändra i veckorapporten i stället."
    note = " ".join((note or "").split())
    if not note:
        errors["note"] = "Ange varför tiden korrigeras."
    booked_on = today_local()
    if locked_months([project.id], booked_on, booked_on):
        errors["work_date"] = "Innevarande månad är låst; kontakta projektledaren."
    if errors:
        raise ValidationError(errors)
    entry = TimeEntry(
        user_id=user.id,
        project_id=project.id,
        category=cat,
        work_date=work_date,
        booked_on=booked_on,
        hours=value,
        is_adjustment=True,
        note=note[:500],
        created_by_id=user.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=entry, details=f"adjustment project={project.id}")
    return entry


def week_entries(user: User, monday: date) -> list[TimeEntry]:
    return list(
        db.session.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.user_id == user.id,
                TimeEntry.work_date.between(monday, monday + timedelta(days=6)),
            )
            .order_by(TimeEntry.project_id, TimeEntry.category, TimeEntry.work_date)
        )
    )
