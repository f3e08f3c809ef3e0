"""Swedish personnummer and samordningsnummer: validation and normalisation.

Validation is delegated to the `personnummer` library, which checks the
format, the date (day + 60 for samordningsnummer) and the Luhn check digit.
Numbers are stored as 12 digits (YYYYMMDDNNNN) and shown as YYYYMMDD-NNNN.
"""

import re
from datetime import date

from personnummer import personnummer as _lib

# 12 digits with or without hyphen, or the 10-digit form where "-" means
# under 100 years old and "+" 100 or older (the library resolves the century).
_ACCEPTED = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


# Anything that looks like an identity number inside free text (with or
# without century, separator or a space), for fields that leave Puls.
PERSONNUMMER_LIKE = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")


class InvalidPersonnummer(ValueError):
    """Raised with a Swedish message that is safe to show (no number in it)."""


def normalise(raw: str) -> str:
    """Return the 12-digit form, or raise InvalidPersonnummer."""
    text = (raw or "").strip().replace(" ", "")
    match = _ACCEPTED.match(text)
    if not match:
        raise InvalidPersonnummer("Ange personnummer eller samordningsnummer som ÅÅÅÅMMDD-NNNN.")
    try:
        parsed = _lib.parse(text)
    except _lib.PersonnummerException as exc:
        raise InvalidPersonnummer("Personnumret är ogiltigt: kontrollera datum och kontrollsiffra.") from exc
    return parsed.format(True)


def is_valid(raw: str) -> bool:
    try:
        normalise(raw)
    except InvalidPersonnummer:
        return False
    return True


def is_coordination_number(normalised: str) -> bool:
    return int(normalised[6:8]) > 60


def birth_date(normalised: str) -> date | None:
    """The birth date in a stored 12-digit number (a samordningsnummer's day is the birth day + 60);
    None for anything else, such as the placeholder of an anonymised individual."""
    if not _TWELVE_DIGITS.fullmatch(normalised or ""):
        return None
    day = int(normalised[6:8]) - (60 if is_coordination_number(normalised) else 0)
    try:
        return date(int(normalised[:4]), int(normalised[4:6]), day)
    except ValueError:
        return None


def age_on(born: date, on: date) -> int:
    """Completed years on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def display(normalised: str) -> str:
    return f"{normalised[:8]}-{normalised[8:]}"


def looks_like_personnummer(text: str) -> bool:
    """True for search terms that should be matched as an identity number."""
    return bool(_ACCEPTED.match((text or "").strip().replace(" ", "")))
