"""API: the period report as JSON (aggregates only; the same section builders as the report page)."""

from datetime import date
from decimal import Decimal

from flask import current_app
from flask_login import current_user
from pydantic import Field

from tracker.api.core import ApiModel, operation
from tracker.api.schemas import Day
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.core.errors import ValidationError
from tracker.core.timeutil import today_local
from tracker.referrals.models import Project
from tracker.reports.formatting import is_masked, parse_period
from tracker.reports.models import TEXT_SECTION_LABELS, TextSection
from tracker.reports.queries import get_report_project_or_404
from tracker.reports.registry import build_report
from tracker.reports.services import MAX_TEXT, report_texts, save_texts
from tracker.reports.tables import Cell, Period


class ReportQuery(ApiModel):
    start: Day
    end: Day
    masked: bool = Field(
        False, description="Dölj små tal (under tröskeln) som i rapporter som lämnar organisationen."
    )


class CellOut(ApiModel):
    value: int | float | str | None
    kind: str = Field(description="count, percent, money, hours, days eller text")
    masked: bool = False


class RowOut(ApiModel):
    label: str
    is_total: bool
    cells: list[CellOut]


class TableOut(ApiModel):
    key: str
    title: str
    columns: list[str]
    note: str | None
    rows: list[RowOut]


class SectionOut(ApiModel):
    key: str
    title: str
    tables: list[TableOut]


class ReportOut(ApiModel):
    project_id: int
    start: date
    end: date
    masked: bool
    sections: list[SectionOut]


def _cell(cell: Cell, masked: bool, threshold: int) -> dict:
    if masked and is_masked(cell, threshold):
        return {"value": None, "kind": cell.kind, "masked": True}
    value = cell.value
    if isinstance(value, Decimal):
        value = float(value)
    elif value is not None and not isinstance(value, int | float | str):
        value = str(value)
    return {"value": value, "kind": cell.kind, "masked": False}


# The report page's query names -> this API's, so a period error names the parameter the caller sent.
QUERY_NAMES = {"fran": "start", "till": "end"}


def _period(query: "ReportQuery | PeriodQuery") -> Period:
    args = {"typ": "fritt", "fran": query.start.isoformat(), "till": query.end.isoformat()}
    try:
        return parse_period(args, today_local())
    except ValidationError as error:
        raise ValidationError({QUERY_NAMES.get(k, k): v for k, v in error.errors.items()}) from None


def _project(project_id: int, **_):
    return {"project": get_report_project_or_404(project_id)}


@operation(
    "/projects/<int:project_id>/report",
    "GET",
    summary="Periodrapporten för ett projekt (bara aggregat, samma beräkning som rapportsidan)",
    tag="Rapporter",
    query=ReportQuery,
    response=ReportOut,
    access=_project,
)
def project_report(project_id: int, query: ReportQuery, project: Project):
    period = _period(query)
    threshold = int(current_app.config.get("REPORT_MASK_THRESHOLD", 5))
    sections = build_report(project, period)
    audit_record(
        AuditAction.VIEW,
        object_type="Report",
        object_id=project.id,
        details=f"api {period.label} masked={query.masked}",
    )
    return {
        "project_id": project.id,
        "start": period.start,
        "end": period.end,
        "masked": query.masked,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "tables": [
                    {
                        "key": table.key,
                        "title": table.title,
                        "columns": table.columns,
                        "note": table.note,
                        "rows": [
                            {
                                "label": row.label,
                                "is_total": row.is_total,
                                "cells": [_cell(c, query.masked, threshold) for c in row.cells],
                            }
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in sections
        ],
    }


class PeriodQuery(ApiModel):
    start: Day
    end: Day


class ReportTextsIn(ApiModel):
    """Every section; one left out or empty is saved empty (as in the form on the report page)."""

    goals: str | None = Field(None, max_length=MAX_TEXT, description=TEXT_SECTION_LABELS[TextSection.GOALS])
    deviations: str | None = Field(None, max_length=MAX_TEXT)
    obstacles: str | None = Field(None, max_length=MAX_TEXT)
    success_factors: str | None = Field(None, max_length=MAX_TEXT)
    steering_group: str | None = Field(None, max_length=MAX_TEXT)


class ReportTextsOut(ApiModel):
    project_id: int
    start: date
    end: date
    texts: dict[TextSection, str] = Field(description="Varje avsnitt, tomt om inget är skrivet")
    labels: dict[TextSection, str]


def _texts_out(project: Project, period) -> dict:
    texts = report_texts(project, period)
    return {
        "project_id": project.id,
        "start": period.start,
        "end": period.end,
        "texts": {s: texts.get(s, "") for s in TextSection},
        "labels": {s: s.label for s in TextSection},
    }


@operation(
    "/projects/<int:project_id>/report/texts",
    "GET",
    summary="Rapportens fritextavsnitt för en period",
    tag="Rapporter",
    query=PeriodQuery,
    response=ReportTextsOut,
    access=_project,
)
def get_report_texts(project_id: int, query: PeriodQuery, project: Project):
    period = _period(query)
    audit_record(
        AuditAction.VIEW, object_type="ReportText", object_id=project.id, details=f"api {period.label}"
    )
    return _texts_out(project, period)


@operation(
    "/projects/<int:project_id>/report/texts",
    "PUT",
    summary="Spara rapportens fritextavsnitt för en period (samma som formuläret på rapportsidan)",
    tag="Rapporter",
    query=PeriodQuery,
    body=ReportTextsIn,
    response=ReportTextsOut,
    access=_project,
)
def save_report_texts(project_id: int, query: PeriodQuery, body: ReportTextsIn, project: Project):
    period = _period(query)
    save_texts(project, period, body.model_dump(), current_user)
    return _texts_out(project, period)
