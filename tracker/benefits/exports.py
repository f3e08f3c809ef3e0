"""The certificate list for FK as CSV (Swedish Excel) and XLSX. Pure functions returning bytes.

No personnummer: named rows carry the name only; the rest are counted per clinic.
"""

import csv
import io

from openpyxl import Workbook

from tracker.benefits.queries import CertificateList

HEADER = ["Utfärdat", "Mottagning", "Typ", "Skickat till FK", "Namn"]


def _rows(data: CertificateList) -> list[list[str]]:
    rows = [
        [
            row.certificate.issued_on.isoformat(),
            row.certificate.clinic.name,
            row.certificate.certificate_type.label,
            row.certificate.sent_to_fk_on.isoformat() if row.certificate.sent_to_fk_on else "",
            row.individual.full_name,
        ]
        for row in data.named
    ]
    for clinic, count in sorted(data.unnamed_by_clinic.items()):
        rows.append(["", clinic, f"{count} utlåtanden utan samtycke till FK (visas inte med namn)", "", ""])
    return rows


def _title(data: CertificateList) -> str:
    return f"Utfärdade läkarutlåtanden sedan {data.since.isoformat()}"


def certificates_csv(data: CertificateList) -> bytes:
    """UTF-8 with BOM and `;` so Swedish Excel opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_title(data)])
    writer.writerow(HEADER)
    writer.writerows(_safe(r) for r in _rows(data))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe(row: list[str]) -> list[str]:
    # Spreadsheet formula injection: never start a cell with = + - @.
    return ["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in row]


def certificates_xlsx(data: CertificateList) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Läkarutlåtanden"
    sheet.append([_title(data)])
    sheet.append(HEADER)
    for row in _rows(data):
        sheet.append(_safe(row))
    for column, width in zip("ABCDE", (12, 34, 40, 16, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
