"""XLSX (one sheet per table) and CSV (for Swedish Excel) of a report; no personal data."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.core.exports import append_row, csv_writer
from tracker.reports.formatting import export_value
from tracker.reports.tables import Period, Section
from tracker.timesheets.rounding import ROUNDING_RULE_TEXT

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", title)[:28].strip() or "Tabell"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def report_xlsx(
    project_name: str, period: Period, sections: list[Section], masked: bool, threshold: int
) -> bytes:
    workbook = Workbook()
    info = workbook.active
    info.title = "Om rapporten"
    append_row(info, [f"Rapport: {project_name}"])
    append_row(info, [f"Period: {period.label}"])
    append_row(info, [ROUNDING_RULE_TEXT])
    if masked:
        append_row(info, [f"Antal under {threshold} visas som <{threshold}."])
    info["A1"].font = Font(bold=True)
    used = {info.title.lower()}
    for section in sections:
        for table in section.tables:
            sheet = workbook.create_sheet(_sheet_title(table.title, used))
            append_row(sheet, [table.title])
            sheet["A1"].font = Font(bold=True)
            append_row(sheet, table.columns)
            for row in table.rows:
                append_row(sheet, [row.label] + [export_value(c, masked, threshold) for c in row.cells])
            if table.note:
                sheet.append([])
                append_row(sheet, [table.note])
            sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_csv(
    project_name: str, period: Period, sections: list[Section], masked: bool, threshold: int
) -> bytes:
    """UTF-8 with BOM and semicolons, so Excel with Swedish settings opens it right."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([f"Rapport: {project_name}", f"Period: {period.label}"])
    for section in sections:
        for table in section.tables:
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow([row.label] + [export_value(c, masked, threshold) for c in row.cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
