"""Form helpers shared by the domains."""

from datetime import date
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

from tracker.core.errors import ValidationError

REQUIRED = "Fältet måste fyllas i."
# The same bounds as the API's `Day` (tracker/api/schemas.py).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
DATE_RANGE = "Ange ett datum mellan 1900-01-01 och 2199-12-31."


class PulsForm(FlaskForm):
    """Base form: WTForms' built-in messages in Swedish (WTF_I18N_ENABLED is off).

    Every date in every form must lie in 1900–2199: year 0001 or 9999 parses as a date, but
    is never meant and overflows date arithmetic (`+ timedelta`) further on.
    """

    class Meta:
        locales = ["sv"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            value = field.data
            if isinstance(value, date) and not EARLIEST_DATE <= value <= LATEST_DATE:
                field.errors = list(field.errors) + [DATE_RANGE]
                valid = False
        return valid


class Required:
    """DataRequired with a Swedish message."""

    field_flags = {"required": True}

    def __init__(self, message: str = REQUIRED):
        self.message = message

    def __call__(self, form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError messages on the matching form fields."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def is_safe_next(target: str | None) -> bool:
    """Only local paths: no scheme, no host, no protocol-relative //."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class ValidPersonnummer:
    """Checks format, date and check digit while the rest of the form is validated."""

    def __call__(self, form, field):
        from tracker.core.personnummer import InvalidPersonnummer, normalise

        if field.data:
            try:
                normalise(field.data)
            except InvalidPersonnummer as exc:
                raise StopValidation(str(exc)) from exc
