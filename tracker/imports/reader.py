"""Reading an uploaded CSV or XLSX file into numbered rows of raw cells.

CSV: UTF-8 (with or without BOM), else Windows-1252 (Swedish Excel's
"CSV (semikolonavgränsad)"); the delimiter (';', ',' or tab) is chosen from
the header line. XLSX: the first sheet, read-only (openpyxl parses through
defusedxml). Row numbers are the ones Excel shows, header row included.
"""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls (and other Office 97 files)
MAX_COLUMNS = 50
# A sheet "ends" after this many empty rows in a row: formatted but empty
# rows must not make us walk a million lines.
MAX_EMPTY_RUN = 1000
# An XLSX is a zip: refuse archives that would unpack to more than this (zip bombs).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
DELIMITERS = (";", ",", "\t")


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is Swedish and safe to show."""


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list]] = field(default_factory=list)
    file_type: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None


def read_table(content: bytes, *, max_rows: int, max_bytes: int) -> Table:
    if not content:
        raise FileProblem("Filen är tom.")
    if len(content) > max_bytes:
        raise FileProblem(f"Filen är för stor (högst {max_bytes // (1024 * 1024)} MB). Dela upp den.")
    if content.startswith(OLE_MAGIC):
        raise FileProblem("Äldre Excel-filer (.xls) kan inte läsas. Spara filen som .xlsx eller CSV.")
    if content.startswith(XLSX_MAGIC):
        table = _read_xlsx(content, max_rows)
    else:
        table = _read_csv(content, max_rows)
    if not table.rows:
        raise FileProblem("Filen innehåller inga rader under rubrikraden.")
    return table


# ---------------------------------------------------------------- CSV


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 first, then Windows-1252."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                return content.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError:
                pass
    raise FileProblem(
        "Filen kunde inte läsas som text. Spara den från Excel som CSV (UTF-8 eller "
        "semikolonavgränsad) eller som XLSX."
    )


def sniff_delimiter(text: str) -> str:
    """The most frequent of ';', ',' and tab on the header line (';' on a tie)."""
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(content: bytes, max_rows: int) -> Table:
    text, encoding = decode(content)
    if "\x00" in text:
        raise FileProblem("Filen är varken en CSV- eller en XLSX-fil.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _collect(enumerate(reader, start=1), max_rows)
    except csv.Error as exc:
        raise FileProblem(
            "Filen kunde inte tolkas som CSV (kontrollera citattecken och radbrytningar)."
        ) from exc
    table.file_type, table.encoding, table.delimiter = "csv", encoding, delimiter
    return table


# ---------------------------------------------------------------- XLSX


def _unpacked_size(content: bytes) -> int:
    # zipfile never reads past a member's declared size, so the declared sizes bound the work.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(member.file_size for member in archive.infolist())


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    try:
        if _unpacked_size(content) > MAX_UNPACKED_BYTES:
            raise FileProblem("Excel-filen är för stor uppackad. Dela upp den i flera filer.")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileProblem("Filen kunde inte läsas som en Excel-fil (.xlsx).") from exc
    try:
        if not workbook.worksheets:
            raise FileProblem("Excel-filen har inget kalkylblad.")
        sheet = workbook.worksheets[0]
        rows = (
            (number, [cell.value for cell in row])
            for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1)
        )
        table = _collect(rows, max_rows)
    except FileProblem:
        raise
    except Exception as exc:  # a damaged sheet can fail in many ways inside openpyxl
        raise FileProblem("Filen kunde inte läsas som en Excel-fil (.xlsx).") from exc
    finally:
        workbook.close()
    table.file_type = "xlsx"
    return table


# ---------------------------------------------------------------- both


def _is_empty(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _collect(numbered_rows, max_rows: int) -> Table:
    table = None
    empty_run = 0
    for number, cells in numbered_rows:
        cells = list(cells)[:MAX_COLUMNS]
        if _is_empty(cells):
            empty_run += 1
            if table is not None and empty_run > MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        if table is None:
            headers = [str(c).strip() if c is not None else "" for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            table = Table(headers=headers, header_row=number)
            continue
        if len(table.rows) >= max_rows:
            raise FileProblem(
                f"Filen har fler än {max_rows} rader. Dela upp den i flera filer "
                f"med högst {max_rows} rader var."
            )
        table.rows.append((number, cells))
    if table is None:
        raise FileProblem("Filen är tom.")
    return table
