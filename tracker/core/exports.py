"""The one place that writes spreadsheet cells: CSV (Swedish Excel) and XLSX rows, never formulas.

A text cell that starts with = + - @ (or a tab/carriage return that Excel skips) is read by
spreadsheet programs as a formula — `=HYPERLINK(...)` in a name would run when the file is
opened (CSV/formula injection, OWASP). Such text gets a leading apostrophe; numbers, dates and
empty cells pass unchanged, so a negative number stays a number.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def csv_cell(value: Any) -> str:
    """Text for a CSV cell: numbers with a decimal comma (checked after, so -1,5 stays a number)."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def append_row(sheet: Worksheet, row: Iterable[Any]) -> None:
    """`sheet.append` that never stores text as a formula (openpyxl treats '=…' strings as formulas)."""
    sheet.append(safe_row(row))


def csv_writer(buffer: io.StringIO, **kwargs) -> "SafeCsvWriter":
    """A `;`-separated CSV writer (Swedish Excel) whose rows are neutralised."""
    kwargs.setdefault("delimiter", ";")
    kwargs.setdefault("lineterminator", "\r\n")
    return SafeCsvWriter(csv.writer(buffer, **kwargs))


class SafeCsvWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
