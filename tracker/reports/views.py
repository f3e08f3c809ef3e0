"""The period report: page, free texts, drill-down, XLSX/CSV/print exports and the SUS export."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_each
from tracker.auth.models import Role
from tracker.consent.policy import deny
from tracker.core.errors import ValidationError
from tracker.core.forms import PulsForm
from tracker.core.panels import home_panel
from tracker.core.timeutil import today_local
from tracker.referrals.queries import projects_for
from tracker.reports import exports, services, sus
from tracker.reports.charts import table_chart
from tracker.reports.drill import DRILL_SETS, drill_columns, drill_rows
from tracker.reports.formatting import PERIOD_CHOICES, display, is_masked, parse_period
from tracker.reports.models import TextSection
from tracker.reports.queries import AGGREGATE_ROLES, get_report_project_or_404
from tracker.reports.registry import build_report, load_sections
from tracker.reports.tables import ReportContext
from tracker.timesheets.rounding import ROUNDING_RULE_TEXT

bp = Blueprint("reports", __name__, url_prefix="/rapporter")

PERIOD_ARGS = ("typ", "ar", "fran", "till")


def _period():
    try:
        return parse_period(request.args, today_local()), None
    except ValidationError as error:
        return parse_period({}, today_local()), " ".join(error.errors.values())


def _period_args() -> dict:
    return {k: request.args[k] for k in PERIOD_ARGS if k in request.args}


def _threshold() -> int:
    return int(current_app.config.get("REPORT_MASK_THRESHOLD", 5))


@bp.route("/")
def index():
    if current_user.role not in AGGREGATE_ROLES + (Role.SAMORDNARE, Role.REHABKOORDINATOR):
        deny("role", details="reports")
    return render_template("reports/index.html", projects=projects_for(current_user))


@bp.route("/<int:project_id>")
def show(project_id: int):
    project = get_report_project_or_404(project_id)
    period, period_error = _period()
    sections = build_report(project, period)
    external_print = request.args.get("utskrift") == "1" and request.args.get("extern") == "1"
    # Chart bars show exact values, so the external (masked) print has none.
    charts = {} if external_print else {t.key: table_chart(t) for s in sections for t in s.tables if t.chart}
    audit_record(AuditAction.VIEW, object_type="Report", object_id=project.id, details=period.label)
    period_args = _period_args()

    def drill_link(params: dict) -> str:
        extra = {k: v for k, v in params.items() if k != "set"}
        return url_for("reports.drill", project_id=project.id, kind=params["set"], **period_args, **extra)

    template = "reports/print.html" if request.args.get("utskrift") == "1" else "reports/show.html"
    external = template == "reports/print.html" and request.args.get("extern") == "1"
    threshold = _threshold()
    may_drill = current_user.role not in AGGREGATE_ROLES

    def shown(cell) -> str:
        return f"<{threshold}" if external and is_masked(cell, threshold) else display(cell)

    links = may_drill and template == "reports/show.html"
    # Each table's rows with their cells as (text, drill link or None), worked out here rather
    # than cell by cell in the template.
    shown_rows = {
        table.key: [
            (
                row,
                [
                    (shown(cell), drill_link(cell.drill) if links and cell.drill and cell.value else None)
                    for cell in row.cells
                ],
            )
            for row in table.rows
        ]
        for section in sections
        for table in section.tables
    }

    return render_template(
        template,
        project=project,
        period=period,
        period_error=period_error,
        sections=sections,
        charts=charts,
        texts=services.report_texts(project, period),
        TextSection=TextSection,
        shown_rows=shown_rows,
        external=external,
        may_drill=may_drill,
        period_args=period_args,
        period_choices=PERIOD_CHOICES,
        args=request.args,
        rounding_rule=ROUNDING_RULE_TEXT,
        form=PulsForm(),
        threshold=threshold,
    )


@bp.route("/<int:project_id>/texter", methods=["POST"])
def save_texts(project_id: int):
    project = get_report_project_or_404(project_id)
    period, period_error = _period()
    form = PulsForm()
    if period_error or not form.validate_on_submit():
        flash(period_error or "Formuläret har gått ut. Ladda om sidan och försök igen.", "error")
        return redirect(url_for("reports.show", project_id=project.id, **_period_args()))
    try:
        services.save_texts(project, period, request.form, current_user)
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
        return redirect(url_for("reports.show", project_id=project.id, **_period_args()))
    flash("Texterna är sparade.", "success")
    return redirect(url_for("reports.show", project_id=project.id, **_period_args()) + "#texter")


@bp.route("/<int:project_id>/rapport.<fmt>")
def export(project_id: int, fmt: str):
    project = get_report_project_or_404(project_id)
    if fmt not in ("xlsx", "csv"):
        return render_template(
            "errors/error.html", title="Okänt format", text="Välj XLSX eller CSV.", status=404
        ), 404
    period, _ = _period()
    masked = request.args.get("extern") == "1"
    sections = build_report(project, period)
    builder = exports.report_xlsx if fmt == "xlsx" else exports.report_csv
    body = builder(project.name, period, sections, masked, _threshold())
    audit_record(
        AuditAction.EXPORT,
        object_type="Report",
        object_id=project.id,
        details=f"{fmt} {period.label} masked={masked}",
    )
    mime = exports.XLSX_MIME if fmt == "xlsx" else "text/csv; charset=utf-8"
    filename = f"rapport-{project.id}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/<int:project_id>/underlag/<kind>")
def drill(project_id: int, kind: str):
    project = get_report_project_or_404(project_id)
    if current_user.role in AGGREGATE_ROLES:
        deny("aggregates_only", details=f"drill project={project.id}")
    load_sections()  # sections' modules register their drill sets
    if kind not in DRILL_SETS:
        return render_template(
            "errors/error.html", title="Finns inte", text="Okänt underlag.", status=404
        ), 404
    period, _ = _period()
    rows, total = drill_rows(ReportContext(project, period), kind, request.args)
    audit_record(
        AuditAction.LIST,
        object_type="Report",
        object_id=project.id,
        details=f"drill {kind} shown={len(rows)}",
    )
    # And each person listed, so the read is in their own trail (loggkontroll, registerutdrag).
    record_each(
        AuditAction.LIST,
        (person.id for _record, person in rows),
        object_type="ReportDrill",
        object_id=project.id,
        details=f"{kind} {period.label}",
    )
    return render_template(
        "reports/drill.html",
        project=project,
        period=period,
        kind=kind,
        title=DRILL_SETS[kind],
        columns=drill_columns(kind),
        rows=rows,
        total=total,
        hidden=total - len(rows),
        period_args=_period_args(),
    )


@bp.route("/<int:project_id>/sus.csv")
def sus_export(project_id: int):
    project = get_report_project_or_404(project_id)
    if current_user.role in AGGREGATE_ROLES:
        deny("aggregates_only", details=f"sus project={project.id}")
    period, _ = _period()
    body, count = sus.sus_csv(ReportContext(project, period))
    audit_record(
        AuditAction.EXPORT,
        object_type="Report",
        object_id=project.id,
        details=f"sus {period.label} rows={count}",
    )
    filename = f"sus-{project.id}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@home_panel("reports")
def reports_panel(user):
    if user.role not in AGGREGATE_ROLES + (Role.SAMORDNARE,):
        return {}
    return {"projects": projects_for(user)}
