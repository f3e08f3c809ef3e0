"""The certificate list for FK as CSV (Swedish Excel) and XLSX. Pure functions returning bytes.

No personnummer: named rows carry the name only; the rest are counted per clinic.
"""

import io

from openpyxl import Workbook

from tracker.benefits.queries import CertificateList
from tracker.core.exports import append_row, csv_writer

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
    writer = csv_writer(buffer)
    writer.writerow([_title(data)])
    writer.writerow(HEADER)
    writer.writerows(_rows(data))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def certificates_xlsx(data: CertificateList) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Läkarutlåtanden"
    append_row(sheet, [_title(data)])
    append_row(sheet, HEADER)
    for row in _rows(data):
        append_row(sheet, row)
    for column, width in zip("ABCDE", (12, 34, 40, 16, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
