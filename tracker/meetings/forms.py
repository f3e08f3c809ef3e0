"""Forms for meetings, agendas, minutes and calendar links."""

from datetime import date, datetime, time

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from tracker.core.errors import ValidationError
from tracker.core.forms import DATE_RANGE, EARLIEST_DATE, LATEST_DATE, PulsForm, Required
from tracker.meetings.models import KIND_LABELS, MeetingMode


class _Form(PulsForm):
    """Form-level messages live in `form_errors` only, not under an empty key in `errors`
    (wtforms files them under "" there, which the shared error summary cannot render)."""

    @property
    def errors(self):
        return {name: messages for name, messages in super().errors.items() if name}


MODE_CHOICES = [(m.value, m.label) for m in MeetingMode]
REPEAT_CHOICES = [
    ("", "Upprepas inte"),
    ("monthly_weekday", "Samma veckodag i månaden (t.ex. första torsdagen)"),
    ("weekly", "Med några veckors mellanrum"),
]
SCOPE_CHOICES = [("this", "Bara det här tillfället"), ("following", "Det här och alla följande tillfällen")]


class MeetingForm(_Form):
    title = StringField(
        "Rubrik",
        validators=[Required(), Length(max=200, message="Högst 200 tecken.")],
        description="Syns i deltagarnas kalendrar: skriv inga namn på personer eller personnummer.",
    )
    kind = SelectField(
        "Typ av möte", choices=[(k.value, v) for k, v in KIND_LABELS.items()], validate_choice=False
    )
    day = StringField("Datum", validators=[Required()], description="ÅÅÅÅ-MM-DD", render_kw={"type": "date"})
    start_time = StringField(
        "Starttid", validators=[Required()], description="TT:MM", render_kw={"type": "time"}
    )
    end_time = StringField(
        "Sluttid", validators=[Required()], description="TT:MM", render_kw={"type": "time"}
    )
    mode = SelectField("Mötesform", choices=MODE_CHOICES, validate_choice=False)
    meeting_link = StringField("Möteslänk", description="https://… (för digitala möten)")
    address = StringField("Adress", description="För möten på plats")
    organisation_ids = SelectMultipleField("Inbjudna organisationer", coerce=int, validate_choice=False)
    user_ids = SelectMultipleField("Inbjudna personer", coerce=int, validate_choice=False)
    repeat = SelectField("Upprepning", choices=REPEAT_CHOICES, validate_choice=False)
    interval = StringField(
        "Intervall", description="Antal månader eller veckor mellan mötena, t.ex. 2 för varannan månad"
    )
    until_on = StringField("Slutdatum", description="ÅÅÅÅ-MM-DD", render_kw={"type": "date"})
    count = StringField("Antal tillfällen", description="I stället för slutdatum")
    scope = RadioField("Ändringen gäller", choices=SCOPE_CHOICES, default="this")
    version = HiddenField()


class CancelForm(_Form):
    reason = TextAreaField("Anledning", validators=[Required(), Length(max=500, message="Högst 500 tecken.")])
    scope = RadioField("Inställningen gäller", choices=SCOPE_CHOICES, default="this")


class PointForm(_Form):
    text = StringField("Ny punkt", validators=[Required(), Length(max=500, message="Högst 500 tecken.")])


class CaseForm(_Form):
    individual = SelectField(
        "Ärende att ta upp", coerce=str, validators=[Required("Välj ett ärende.")], validate_choice=False
    )


class CaseNoteForm(_Form):
    individual = SelectField(
        "Ärende", coerce=str, validators=[Required("Välj ett ärende.")], validate_choice=False
    )
    note = TextAreaField(
        "Anteckning", validators=[Required(), Length(max=5000, message="Högst 5000 tecken.")]
    )
    next_steps = TextAreaField(
        "Överenskomna nästa steg", validators=[Optional(), Length(max=2000, message="Högst 2000 tecken.")]
    )


class HeldForm(_Form):
    present = SelectMultipleField("Närvarande", coerce=int, validate_choice=False)
    other_attendees = StringField("Övriga deltagare", description="Till exempel organisationer utan konto")
    general_notes = TextAreaField("Allmänna anteckningar")
    decisions = TextAreaField("Beslut")


class AlarmForm(_Form):
    alarm = SelectField(
        "Påminnelse i kalendern",
        choices=[
            ("", "Ingen"),
            ("15", "15 minuter före"),
            ("30", "30 minuter före"),
            ("60", "1 timme före"),
            ("1440", "1 dag före"),
        ],
    )


def parse_date(value: str | None, field: str, required: bool = True) -> date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: "Ange datum (ÅÅÅÅ-MM-DD)."})
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: "Ogiltigt datum, skriv ÅÅÅÅ-MM-DD."}) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError({field: DATE_RANGE})
    return day


def parse_time(value: str | None, field: str) -> time:
    value = (value or "").strip()
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError:
        raise ValidationError({field: "Ogiltig tid, skriv TT:MM."}) from None


def parse_int(value: str | None, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: "Ange ett heltal."}) from None
