"""Turning raw cells (CSV text or XLSX values) into Python values, with Swedish errors.

Messages never repeat the cell's value: it may be a personnummer in the
wrong column.
"""

import re
from datetime import date, datetime
from decimal import Decimal

MAX_CELL_LENGTH = 2000
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
LIST_SEPARATORS = re.compile(r"[;,/+|\n]+")


class CellError(ValueError):
    """A Swedish message about one cell."""


def key(text: str) -> str:
    """The form choices and headers are compared in: case-folded, single spaces."""
    return " ".join(str(text).casefold().replace("*", " ").split())


def text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise CellError("Skriv text, inte sant/falskt.")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    value = " ".join(str(raw).split())
    if len(value) > MAX_CELL_LENGTH:
        raise CellError(f"Cellen är för lång (högst {MAX_CELL_LENGTH} tecken).")
    return value


def long_text(raw, max_length: int) -> str:
    value = "" if raw is None else str(raw).strip()
    if len(value) > max_length:
        raise CellError(f"Högst {max_length} tecken.")
    return value


def parse_date(raw) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = text(raw)
    if not value:
        return None
    match = _DATE.match(value) or _COMPACT_DATE.match(value)
    try:
        if match is None:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError("Ange datum som ÅÅÅÅ-MM-DD.") from None


def decimal_text(raw) -> str:
    """Hours as text the services parse ('1,5' and '1.5' both work)."""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return format(Decimal(str(raw)).normalize(), "f")
    return text(raw)


def choice(raw, choices: dict[str, object], what: str):
    """One value from `choices` (keys made with `key()`), or None for an empty cell."""
    value = text(raw)
    if not value:
        return None
    try:
        return choices[key(value)]
    except KeyError:
        raise CellError(f"Okänt värde. Ange {what}.") from None


def choices(raw, options: dict[str, object], what: str, separators=LIST_SEPARATORS) -> list:
    """Several values from `options`, separated by ; , / + or |, without duplicates."""
    value = text(raw)
    found: list = []
    for part in separators.split(value):
        if not part.strip():
            continue
        try:
            item = options[key(part)]
        except KeyError:
            raise CellError(f"Okänt värde. Ange {what}.") from None
        for one in item if isinstance(item, list | tuple) else [item]:
            if one not in found:
                found.append(one)
    return found


def labels_to_choices(labels: dict, extra: dict[str, object] | None = None) -> dict[str, object]:
    """Accept an enum's value, its Swedish label and any extra aliases, in any case."""
    table = {}
    for member, label in labels.items():
        table[key(member.value)] = member
        table[key(label)] = member
    for alias, member in (extra or {}).items():
        table[key(alias)] = member
    return table
