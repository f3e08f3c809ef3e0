"""API: month locks, corrections of locked months and the invoicing basis of a project
(same services and access rules as tracker/timesheets/views.py and its XLSX export)."""

from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from pydantic import Field
from sqlalchemy import select

from tracker.api.core import ApiError, ApiModel, all_items, operation, roles
from tracker.api.schemas import Day, DbId
from tracker.api.timesheets import REPORTING_ROLES, TimeEntryOut
from tracker.api.timesheets import _out as entry_out
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.referrals.models import Project
from tracker.referrals.queries import get_project_or_404
from tracker.timesheets import services
from tracker.timesheets.invoicing import get_invoice_project_or_404, invoicing_basis
from tracker.timesheets.models import MonthLock, TimeCategory


class LockIn(ApiModel):
    month: str = Field(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", description="ÅÅÅÅ-MM")


class LockOut(ApiModel):
    project_id: int
    month: str
    locked_at: datetime
    locked_by_id: int | None


class LockQuery(ApiModel):
    year: int = Field(ge=2000, le=2100)


class AdjustmentIn(ApiModel):
    project_id: DbId
    work_date: Day = Field(description="Dagen i den låsta månaden som korrigeras")
    category: TimeCategory
    hours: Decimal = Field(ge=-24, le=24, description="Kvartar; negativt minskar")
    note: str = Field(min_length=1, max_length=500, description="Varför tiden korrigeras")


class InvoiceQuery(ApiModel):
    start: Day | None = Field(None, description="Utelämnad: första dagen i innevarande månad")
    end: Day | None = Field(None, description="Utelämnad: i dag")


class InvoiceLineOut(ApiModel):
    user_name: str
    rate: float | None
    hours: float
    amount: float


class InvoicePartOut(ApiModel):
    forbund_id: int | None
    name: str
    amount: int
    exact: float


class InvoiceOut(ApiModel):
    project_id: int
    start: date
    end: date
    lines: list[InvoiceLineOut]
    parts: list[InvoicePartOut]
    total_hours: float
    exact_total: float
    total: int = Field(description="Hela kronor; delarna summerar exakt till totalen")
    hours_without_cost: float


def _lead_project(project_id: int, **_):
    return {"project": get_project_or_404(project_id, lead=True)}


def _staff_project(project_id: int, **_):
    return {"project": get_project_or_404(project_id)}


def _lock_out(lock: MonthLock) -> dict:
    return {
        "project_id": lock.project_id,
        "month": services.month_label(lock.year, lock.month),
        "locked_at": lock.locked_at,
        "locked_by_id": lock.locked_by_id,
    }


def _invoice_project(project_id: int, **_):
    return {"project": get_invoice_project_or_404(project_id)}


@operation(
    "/projects/<int:project_id>/month-locks",
    "POST",
    summary="Lås en månad (projektledaren; därefter bara korrigeringar)",
    tag="Tid",
    body=LockIn,
    response=LockOut,
    status=201,
    errors=(409,),
    access=_lead_project,
)
def lock_month(project_id: int, body: LockIn, project: Project):
    year, month = (int(x) for x in body.month.split("-"))
    try:
        lock = services.lock_month(project, year, month, current_user)
    except services.AlreadyLocked as locked:
        raise ApiError(409, "Redan låst", locked.errors["month"], locked.errors) from locked
    return _lock_out(lock)


@operation(
    "/projects/<int:project_id>/month-locks",
    "GET",
    summary="Låsta månader ett år (projektets personal)",
    tag="Tid",
    query=LockQuery,
    response=LockOut,
    many=True,
    access=_staff_project,
)
def list_month_locks(project_id: int, query: LockQuery, project: Project):
    locks = db.session.scalars(
        select(MonthLock)
        .where(MonthLock.project_id == project.id, MonthLock.year == query.year)
        .order_by(MonthLock.month)
    )
    return all_items(_lock_out(lock) for lock in locks)


@operation(
    "/time-adjustments",
    "POST",
    summary="Korrigera tid i en låst månad (bokas i dag, i den öppna månaden)",
    tag="Tid",
    body=AdjustmentIn,
    response=TimeEntryOut,
    status=201,
    errors=(404,),
    access=roles(*REPORTING_ROLES),
)
def add_adjustment(body: AdjustmentIn):
    project = get_project_or_404(body.project_id)
    entry = services.add_adjustment(
        current_user, project, body.work_date, body.category.value, str(body.hours), body.note
    )
    return entry_out(entry)


@operation(
    "/projects/<int:project_id>/invoicing-basis",
    "GET",
    summary="Fakturaunderlaget för en period (samma beräkning som sidan och XLSX-filen)",
    tag="Tid",
    query=InvoiceQuery,
    response=InvoiceOut,
    access=_invoice_project,
)
def invoicing(project_id: int, query: InvoiceQuery, project: Project):
    today = today_local()
    start = query.start or date(today.year, today.month, 1)
    end = query.end or today
    if end < start:
        start, end = end, start
    basis = invoicing_basis(project, start, end)
    audit_record(
        AuditAction.VIEW, object_type="InvoiceBasis", object_id=project.id, details=f"api {start}–{end}"
    )
    return {
        "project_id": project.id,
        "start": start,
        "end": end,
        "lines": [
            {
                "user_name": line.user_name,
                "rate": float(line.rate) if line.rate is not None else None,
                "hours": float(line.hours),
                "amount": float(line.amount),
            }
            for line in basis.lines
        ],
        "parts": [
            {"forbund_id": p.forbund_id, "name": p.name, "amount": p.amount, "exact": float(p.exact)}
            for p in basis.parts
        ],
        "total_hours": float(basis.total_hours),
        "exact_total": float(basis.exact_total),
        "total": basis.total,
        "hours_without_cost": float(basis.hours_without_cost),
    }
