"""Showing figures the Swedish way, and masking small counts in exports that leave the organisation."""

from datetime import date, timedelta
from decimal import Decimal

from tracker.core.errors import ValidationError
from tracker.reports.tables import Cell, Period

MASKED = "<{threshold}"


def _swedish_number(value: Decimal | int, decimals: int) -> str:
    if decimals == 0 and type(value) is int:
        return f"{value:,}".replace(",", " ")  # the same text as through Decimal, cheaper
    text = f"{Decimal(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def display(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return "–"
    if cell.kind == "percent":
        return f"{_swedish_number(value, 1)} %"
    if cell.kind == "money":
        return f"{_swedish_number(value, 0)} kr"
    if cell.kind == "hours":
        return _swedish_number(value, 2)
    if cell.kind == "days" and isinstance(value, float):
        return _swedish_number(Decimal(str(value)), 1)
    if isinstance(value, int | Decimal):
        return _swedish_number(value, 0)
    return str(value)


def is_masked(cell: Cell, threshold: int) -> bool:
    """Counts 1..threshold-1 (and shares built on them) are hidden in outgoing exports."""
    if cell.kind == "count" and isinstance(cell.value, int):
        return 0 < cell.value < threshold
    if cell.kind in ("percent", "days") and cell.base is not None:
        return 0 < cell.base < threshold
    return False


def export_value(cell: Cell, masked: bool, threshold: int):
    """The raw value for XLSX/CSV (numbers stay numbers), or the masked marker."""
    if masked and is_masked(cell, threshold):
        return MASKED.format(threshold=threshold)
    value = cell.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def parse_period(args, today: date) -> Period:
    """A period from the query string: free dates, a calendar year, Jan–Aug or a quarter."""
    kind = args.get("typ", "ar")
    try:
        year = int(args.get("ar", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise ValidationError({"ar": "Ange ett år mellan 2000 och 2100."})
    if kind == "ar":
        return Period(date(year, 1, 1), date(year, 12, 31))
    if kind == "delar":
        return Period(date(year, 1, 1), date(year, 8, 31))
    if kind.startswith("q") and kind[1:] in {"1", "2", "3", "4"}:
        quarter = int(kind[1:])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
        return Period(start, end)
    if kind == "fritt":
        try:
            start = date.fromisoformat(args.get("fran", ""))
            end = date.fromisoformat(args.get("till", ""))
        except ValueError:
            raise ValidationError({"fran": "Ange datum som ÅÅÅÅ-MM-DD."}) from None
        if end < start:
            raise ValidationError({"till": "Slutdatum kan inte vara före startdatum."})
        if (end - start).days > 3700:
            raise ValidationError({"till": "Perioden får vara högst tio år."})
        return Period(start, end)
    raise ValidationError({"typ": "Välj en period i listan."})


PERIOD_CHOICES = [
    ("ar", "Kalenderår"),
    ("delar", "Januari–augusti (delår)"),
    ("q1", "Kvartal 1"),
    ("q2", "Kvartal 2"),
    ("q3", "Kvartal 3"),
    ("q4", "Kvartal 4"),
    ("fritt", "Fria datum"),
]
