"""API: the period report as JSON (aggregates only; the same section builders as the report page)."""

from datetime import date
from decimal import Decimal

from flask import current_app
from pydantic import Field

from tracker.api.core import ApiModel, operation
from tracker.api.schemas import Day
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.core.timeutil import today_local
from tracker.referrals.models import Project
from tracker.reports.formatting import is_masked, parse_period
from tracker.reports.queries import get_report_project_or_404
from tracker.reports.registry import build_report
from tracker.reports.tables import Cell


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
    period = parse_period(
        {"typ": "fritt", "fran": query.start.isoformat(), "till": query.end.isoformat()}, today_local()
    )
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
