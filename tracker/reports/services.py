"""Saving the free-text sections of a report (per project and period)."""

from sqlalchemy import bindparam, select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.core.errors import ValidationError
from tracker.core.prepared import plain_rows, prepared
from tracker.extensions import db
from tracker.reports.models import ReportText, TextSection
from tracker.reports.tables import Period

MAX_TEXT = 20_000


@prepared
def _texts_statement():
    return select(ReportText.section, ReportText.body).where(
        ReportText.project_id == bindparam("project_id"),
        ReportText.period_start == bindparam("start"),
        ReportText.period_end == bindparam("end"),
    )


def report_texts(project, period: Period) -> dict[TextSection, str]:
    rows = plain_rows(
        _texts_statement(), {"project_id": project.id, "start": period.start, "end": period.end}
    )
    return dict(rows)


def save_texts(project, period: Period, values: dict[str, str], user) -> None:
    errors = {
        s.value: f"Högst {MAX_TEXT} tecken." for s in TextSection if len(values.get(s.value) or "") > MAX_TEXT
    }
    if errors:
        raise ValidationError(errors)
    existing = {
        row.section: row
        for row in db.session.scalars(
            select(ReportText).where(
                ReportText.project_id == project.id,
                ReportText.period_start == period.start,
                ReportText.period_end == period.end,
            )
        )
    }
    for section in TextSection:
        body = (values.get(section.value) or "").strip()
        row = existing.get(section)
        if row is None and not body:
            continue
        if row is None:
            row = ReportText(
                project_id=project.id,
                period_start=period.start,
                period_end=period.end,
                section=section,
                created_by_id=user.id,
            )
            db.session.add(row)
        row.body, row.updated_by_id = body, user.id
    db.session.flush()
    audit_record(AuditAction.UPDATE, object_type="ReportText", object_id=project.id, details=period.label)
