"""Time reporting (weekly grid), corrections, project hours, month locks, invoicing basis and keys."""

import io
from datetime import date, timedelta
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.consent.policy import require_role
from tracker.core.errors import ValidationError
from tracker.core.exports import append_row
from tracker.core.forms import EARLIEST_DATE, LATEST_DATE, PulsForm, apply_errors
from tracker.core.panels import home_panel
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.referrals.queries import get_project_or_404, is_project_lead, is_project_staff, projects_for
from tracker.reports.exports import XLSX_MIME
from tracker.timesheets import services
from tracker.timesheets.forms import CATEGORY_CHOICES, AdjustmentForm, HourlyCostForm, KeyForm
from tracker.timesheets.invoicing import get_invoice_project_or_404, invoicing_basis
from tracker.timesheets.models import AllocationKey, HourlyCost, MonthLock, TimeCategory, TimeEntry

bp = Blueprint("timesheets", __name__, url_prefix="/tid")

REPORTING_ROLES = (Role.SAMORDNARE, Role.REHABKOORDINATOR, Role.LEDNING)
BLANK_ROWS = 3
WEEKDAYS = ["Mån", "Tis", "Ons", "Tor", "Fre", "Lör", "Sön"]


def _my_projects():
    return [p for p in projects_for(current_user) if is_project_staff(current_user, p)]


def _parse_date(value, default: date) -> date:
    """A date from the URL; anything unreadable or out of bounds (0001, 9999) means `default`."""
    try:
        parsed = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return parsed if EARLIEST_DATE <= parsed <= LATEST_DATE else default


def _grid_rows(entries) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for e in entries:
        if e.is_adjustment:
            continue
        key = (e.project_id, e.category.value, e.clinic_id)
        row = rows.setdefault(
            key,
            {
                "project_id": e.project_id,
                "category": e.category.value,
                "clinic_id": e.clinic_id,
                "hours": [""] * 7,
            },
        )
        row["hours"][e.work_date.weekday()] = format(e.hours.normalize(), "f").replace(".", ",")
    return list(rows.values())


def _posted_rows() -> list[services.GridRow]:
    rows = []
    try:
        count = max(0, min(int(request.form.get("rows", 0) or 0), 60))
    except ValueError:
        count = 0
    for i in range(count):
        project_id = request.form.get(f"r{i}-project", "")
        hours = [request.form.get(f"r{i}-d{d}", "") for d in range(7)]
        if not project_id and not any(h.strip() for h in hours):
            continue
        try:
            pid = int(project_id)
        except ValueError:
            pid = -1
        clinic = request.form.get(f"r{i}-clinic", "")
        rows.append(
            services.GridRow(
                pid, request.form.get(f"r{i}-category", ""), int(clinic) if clinic.isdigit() else None, hours
            )
        )
    return rows


@bp.route("/vecka", methods=["GET", "POST"])
def week():
    require_role(current_user, *REPORTING_ROLES)
    monday = services.week_start(_parse_date(request.args.get("vecka"), today_local()))
    projects = _my_projects()
    errors, status = {}, 200
    if request.method == "POST":
        form = PulsForm()
        rows = _posted_rows()
        try:
            if not form.validate_on_submit():
                raise ValidationError({"form": "Formuläret har gått ut. Ladda om sidan."})
            changed = services.save_week(current_user, monday, rows, {p.id for p in projects})
        except ValidationError as error:
            errors, status = error.errors, 422
            grid = [
                {
                    "project_id": r.project_id,
                    "category": r.category,
                    "clinic_id": r.clinic_id,
                    "hours": r.hours,
                }
                for r in rows
            ]
        else:
            flash(f"Veckan är sparad ({changed} ändringar).", "success")
            return redirect(url_for("timesheets.week", vecka=monday.isoformat()))
    else:
        grid = _grid_rows(services.week_entries(current_user, monday))
    grid += [{"project_id": None, "category": "", "clinic_id": None, "hours": [""] * 7}] * BLANK_ROWS
    entries = services.week_entries(current_user, monday)
    clinics = db.session.scalars(
        select(Organisation).where(Organisation.org_type == OrgType.REGION_CLINIC).order_by(Organisation.name)
    ).all()
    return render_template(
        "timesheets/week.html",
        monday=monday,
        days=[monday + timedelta(days=i) for i in range(7)],
        weekdays=WEEKDAYS,
        grid=grid,
        projects=projects,
        clinics=clinics,
        categories=CATEGORY_CHOICES,
        adjustments=[e for e in entries if e.is_adjustment],
        errors=errors,
        form=PulsForm(),
        prev_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
    ), status


@bp.route("/korrigering", methods=["GET", "POST"])
def adjustment():
    require_role(current_user, *REPORTING_ROLES)
    projects = _my_projects()
    form = AdjustmentForm()
    form.project_id.choices = [(str(p.id), p.name) for p in projects]
    if form.validate_on_submit():
        project = get_project_or_404(int(form.project_id.data))
        try:
            services.add_adjustment(
                current_user,
                project,
                form.work_date.data,
                form.category.data,
                form.hours.data,
                form.note.data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Korrigeringen är registrerad.", "success")
            return redirect(url_for("timesheets.week"))
    return render_template("timesheets/adjustment.html", form=form), 422 if form.is_submitted() else 200


def _month_arg() -> tuple[int, int]:
    today = today_local()
    try:
        year, month = (int(x) for x in request.args.get("manad", "").split("-"))
        if EARLIEST_DATE <= date(year, month, 1) < LATEST_DATE:  # 9999-12 would overflow the month end
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@bp.route("/projekt/<int:project_id>")
def project_hours(project_id: int):
    project = get_project_or_404(project_id)
    year, month = _month_arg()
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    lead = is_project_lead(current_user, project)
    query = (
        select(User.full_name, TimeEntry.category, func.sum(TimeEntry.hours))
        .join(User, User.id == TimeEntry.user_id)
        .where(TimeEntry.project_id == project.id, TimeEntry.booked_on.between(start, end))
        .group_by(User.full_name, TimeEntry.category)
        .order_by(User.full_name)
    )
    if not lead:
        query = query.where(TimeEntry.user_id == current_user.id)
    sums: dict[str, dict] = {}
    for name, category, hours in db.session.execute(query):
        sums.setdefault(name, {})[category.value] = hours
    locked = bool(services.locked_months([project.id], start, start))
    return render_template(
        "timesheets/project.html",
        project=project,
        month=services.month_label(year, month),
        sums=sums,
        categories=list(TimeCategory),
        lead=lead,
        locked=locked,
        form=PulsForm(),
        year=year,
        month_number=month,
    )


@bp.route("/projekt/<int:project_id>/las", methods=["POST"])
def lock(project_id: int):
    project = get_project_or_404(project_id, lead=True)
    form = PulsForm()
    try:
        year, month = (int(x) for x in request.form.get("manad", "").split("-"))
        if not form.validate_on_submit():
            raise ValueError
        services.lock_month(project, year, month, current_user)
    except ValueError:
        flash("Välj en giltig månad.", "error")
        return redirect(url_for("timesheets.project_hours", project_id=project.id))
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash(f"Månaden {services.month_label(year, month)} är låst.", "success")
    return redirect(url_for("timesheets.project_hours", project_id=project.id, manad=f"{year}-{month:02d}"))


def _invoice_project(project_id: int):
    project = get_invoice_project_or_404(project_id)
    today = today_local()
    start = _parse_date(request.args.get("fran"), date(today.year, today.month, 1))
    end = _parse_date(request.args.get("till"), today)
    if end < start:
        start, end = end, start
    return project, start, end


@bp.route("/projekt/<int:project_id>/fakturaunderlag")
def invoice(project_id: int):
    project, start, end = _invoice_project(project_id)
    basis = invoicing_basis(project, start, end)
    audit_record(AuditAction.VIEW, object_type="InvoiceBasis", object_id=project.id, details=f"{start}–{end}")
    return render_template("timesheets/invoice.html", basis=basis)


@bp.route("/projekt/<int:project_id>/fakturaunderlag.xlsx")
def invoice_xlsx(project_id: int):
    project, start, end = _invoice_project(project_id)
    basis = invoicing_basis(project, start, end)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Underlag"
    append_row(sheet, [f"Fakturaunderlag {project.name}", f"{start.isoformat()} – {end.isoformat()}"])
    append_row(sheet, ["Medarbetare", "Timkostnad (kr)", "Timmar", "Belopp (kr)"])
    for line in basis.lines:
        append_row(
            sheet,
            [
                line.user_name,
                float(line.rate) if line.rate is not None else None,
                float(line.hours),
                float(line.amount),
            ],
        )
    append_row(sheet, ["Totalt", None, float(basis.total_hours), basis.total])
    split = workbook.create_sheet("Per förbund")
    append_row(split, ["Förbund", "Belopp (kr)"])
    for part in basis.parts:
        append_row(split, [part.name, part.amount])
    append_row(split, ["Totalt", basis.total])
    out = io.BytesIO()
    workbook.save(out)
    audit_record(
        AuditAction.EXPORT, object_type="InvoiceBasis", object_id=project.id, details=f"xlsx {start}–{end}"
    )
    filename = f"fakturaunderlag-{project.id}-{start.isoformat()}-{end.isoformat()}.xlsx"
    return Response(
        out.getvalue(),
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/projekt/<int:project_id>/admin", methods=["GET", "POST"])
def admin_project(project_id: int):
    require_role(current_user, Role.ADMIN)
    project = get_project_or_404(project_id, staff=False)
    forbund = db.session.scalars(
        select(Organisation).where(Organisation.org_type == OrgType.FORBUND).order_by(Organisation.name)
    ).all()
    key_form, cost_form = KeyForm(prefix="k"), HourlyCostForm(prefix="c")
    users = [m.user for m in project.members]
    cost_form.user_id.choices = [("", "– hela projektet –")] + [(str(u.id), u.full_name) for u in users]
    key_errors, status = {}, 200
    if request.method == "POST" and request.form.get("what") == "key" and key_form.validate_on_submit():
        shares = {f.id: request.form.get(f"share-{f.id}", "") for f in forbund}
        try:
            services.save_allocation_key(project, key_form.valid_from.data, shares, current_user)
        except ValidationError as error:
            key_errors, status = error.errors, 422
        else:
            flash("Fördelningsnyckeln är sparad.", "success")
            return redirect(url_for("timesheets.admin_project", project_id=project.id))
    elif request.method == "POST" and request.form.get("what") == "cost":
        if cost_form.validate_on_submit():
            try:
                user_id = int(cost_form.user_id.data) if cost_form.user_id.data else None
                services.save_hourly_cost(
                    project, user_id, cost_form.valid_from.data, cost_form.amount.data, current_user
                )
            except ValidationError as error:
                apply_errors(cost_form, error)
            else:
                flash("Timkostnaden är sparad.", "success")
                return redirect(url_for("timesheets.admin_project", project_id=project.id))
        status = 422
    elif request.method == "POST":
        status = 422
        key_errors = key_errors or {"valid_from": "Ange datum som ÅÅÅÅ-MM-DD."}
    keys = db.session.scalars(
        select(AllocationKey).where(AllocationKey.project_id == project.id).order_by(AllocationKey.valid_from)
    ).all()
    costs = db.session.scalars(
        select(HourlyCost).where(HourlyCost.project_id == project.id).order_by(HourlyCost.valid_from)
    ).all()
    locks = db.session.scalars(
        select(MonthLock).where(MonthLock.project_id == project.id).order_by(MonthLock.year, MonthLock.month)
    ).all()
    return render_template(
        "timesheets/admin_project.html",
        project=project,
        forbund=forbund,
        keys=keys,
        costs=costs,
        locks=locks,
        key_form=key_form,
        cost_form=cost_form,
        key_errors=key_errors,
        form_values=request.form,
    ), status


@home_panel("timesheets")
def timesheets_panel(user):
    if user.role not in REPORTING_ROLES:
        return {}
    monday = services.week_start(today_local())
    hours = db.session.scalar(
        select(func.coalesce(func.sum(TimeEntry.hours), 0)).where(
            TimeEntry.user_id == user.id, TimeEntry.work_date.between(monday, monday + timedelta(days=6))
        )
    )
    return {"hours": format(Decimal(hours).normalize(), "f").replace(".", ",")}
