"""Reviewing the audit log (loggkontroll) and exporting it as CSV."""

import io
from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.models import ACTION_LABELS, AuditAction, AuditEvent
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role, User
from tracker.consent.policy import require_role
from tracker.core.exports import csv_writer
from tracker.core.forms import EARLIEST_DATE, LATEST_DATE
from tracker.core.pagination import paginate, parse_page
from tracker.core.timeutil import STOCKHOLM, format_datetime
from tracker.extensions import db
from tracker.people.models import Individual

bp = Blueprint("audit", __name__, url_prefix="/admin/logg")


@bp.before_request
def admins_only():
    require_role(current_user, Role.ADMIN)


def _parse_date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    # 9999-12-31 would overflow `+ timedelta(days=1)`: out-of-bounds dates are invalid filters.
    return day if day is None or EARLIEST_DATE <= day <= LATEST_DATE else None


def _filtered_query():
    """Filters from the query string; invalid values are reported, not guessed."""
    args = request.args
    errors = []
    query = select(AuditEvent).options(selectinload(AuditEvent.user), selectinload(AuditEvent.individual))
    if args.get("user_id"):
        query = query.where(AuditEvent.user_id == _int(args["user_id"]))
    if args.get("individual"):
        # The opaque public id, never a personnummer, so URLs stay clean.
        query = query.where(
            AuditEvent.individual_id.in_(
                select(Individual.id).where(Individual.public_id == args["individual"])
            )
        )
    if args.get("action"):
        if args["action"] in {a.value for a in AuditAction}:
            query = query.where(AuditEvent.action == args["action"])
        else:
            errors.append("Okänd händelsetyp.")
    start, end = _parse_date(args.get("from")), _parse_date(args.get("to"))
    if args.get("from") and start is None or args.get("to") and end is None:
        errors.append("Ange datum som ÅÅÅÅ-MM-DD.")
    if start and end and end < start:
        errors.append("Slutdatum ligger före startdatum.")
    elif start or end:
        if start:
            query = query.where(AuditEvent.occurred_at >= _local_midnight(start))
        if end:
            query = query.where(AuditEvent.occurred_at < _local_midnight(end + timedelta(days=1)))
    return query.order_by(AuditEvent.id.desc()), errors


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=STOCKHOLM)


@bp.route("/")
def index():
    query, errors = _filtered_query()
    page = paginate(query, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"] * 2)
    users = db.session.scalars(select(User).order_by(User.full_name)).all()
    audit_record(AuditAction.LIST, object_type="AuditEvent", details="audit review")
    return render_template(
        "audit/index.html", page=page, errors=errors, users=users, actions=ACTION_LABELS, args=request.args
    ), (422 if errors else 200)


CSV_COLUMNS = [
    "id",
    "tid (Europe/Stockholm)",
    "användare",
    "organisation_id",
    "roll",
    "händelse",
    "objekttyp",
    "objekt_id",
    "person (internt id)",
    "skäl",
    "detaljer",
    "adress",
    "hash",
]


@bp.route("/export.csv")
def export_csv():
    query, errors = _filtered_query()
    if errors:
        return render_template(
            "errors/error.html", title="Felaktigt filter", text=" ".join(errors), status=422
        ), 422
    audit_record(AuditAction.EXPORT, object_type="AuditEvent", details="audit csv")
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in db.session.scalars(query.limit(100_000)):
        writer.writerow(
            [
                event.id,
                format_datetime(event.occurred_at),
                event.user_label or "",
                event.organisation_id or "",
                event.role or "",
                event.action,
                event.object_type or "",
                event.object_id or "",
                event.individual.public_id if event.individual else "",
                event.reason or "",
                event.details or "",
                event.remote_addr or "",
                event.row_hash,
            ]
        )
    # BOM so Swedish Excel opens the UTF-8 file with å, ä and ö intact.
    body = "\ufeff" + buffer.getvalue()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=puls-logg.csv"},
    )
