"""The downloadable templates: the kind's Swedish headers, as CSV (Swedish Excel) and XLSX."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.imports.kinds import KindSpec

TEXT_COLUMNS = {"personnummer"}  # kept as text so Excel does not turn the number into 2,0E+11


def csv_template(spec: KindSpec) -> bytes:
    """Semicolon-separated UTF-8 with BOM: Swedish Excel opens it with å, ä, ö intact."""
    return ("\ufeff" + ";".join(c.header for c in spec.columns) + "\r\n").encode("utf-8")


def xlsx_template(spec: KindSpec) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title
    sheet.append([c.header for c in spec.columns])
    for position, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(position)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
        if column.key in TEXT_COLUMNS:
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Instruktioner")
    help_sheet.append([f"Import av {spec.title.lower()}"])
    help_sheet["A1"].font = Font(bold=True)
    help_sheet.append([spec.description])
    help_sheet.append([])
    help_sheet.append(["Kolumn", "Måste fyllas i", "Beskrivning", "Exempel"])
    for cell in help_sheet[4]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        help_sheet.append([column.header, "Ja" if column.required else "Nej", column.help, column.example])
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["C"].width = 80
    help_sheet.column_dimensions["D"].width = 22
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
