"""Forms for certificates, FK decisions and bevakningar."""

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation

from tracker.benefits.models import (
    CERTIFICATE_TYPE_LABELS,
    FOLLOW_UP_REASON_LABELS,
    LEVEL_LABELS,
    OUTCOME_LABELS,
)
from tracker.core.forms import PulsForm, Required

DATE_HINT = "ÅÅÅÅ-MM-DD"


def ChoiceField(*args, **kwargs):
    """A select whose value the service validates (with a Swedish message), not WTForms."""
    return SelectField(*args, validate_choice=False, **kwargs)


DATE_ERROR = "Ange ett datum som ÅÅÅÅ-MM-DD."


class SwedishDateField(DateField):
    """A date field whose parse error is in Swedish."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATE_ERROR) from exc


class RequiredDate(Required):
    """Required, but an unreadable date says so instead of "must be filled in"."""

    def __call__(self, form, field):
        if field.data is None and field.raw_data and str(field.raw_data[0]).strip():
            field.errors[:] = []
            raise StopValidation(DATE_ERROR)
        super().__call__(form, field)


def date_field(label: str, required: bool = False):
    validators = [RequiredDate()] if required else [Optional()]
    return SwedishDateField(label, validators=validators, description=DATE_HINT)


class CertificateForm(PulsForm):
    issued_on = date_field("Utfärdat", required=True)
    clinic_id = ChoiceField("Utfärdande mottagning", coerce=str, validators=[Required()])
    doctor = StringField("Läkare", validators=[Length(max=200, message="Högst 200 tecken.")])
    certificate_type = ChoiceField("Typ", choices=[(k.value, v) for k, v in CERTIFICATE_TYPE_LABELS.items()])
    sent_to_fk_on = date_field("Skickat till FK")
    note = TextAreaField("Anteckning", validators=[Length(max=2000, message="Högst 2000 tecken.")])
    version = HiddenField()


class DecisionForm(PulsForm):
    outcome = ChoiceField("Utfall", choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()])
    decided_on = date_field("Beslutsdatum")
    # Optional selects: the service validates them (a missing value means "none").
    level = ChoiceField(
        "Nivå",
        choices=[("", "– ingen –")] + [(k.value, v) for k, v in LEVEL_LABELS.items()],
    )
    period_start = date_field("Periodens början")
    period_end = date_field("Periodens slut")
    officer_id = ChoiceField("Ansvarig handläggare", coerce=str, validators=[Required()])
    certificate_id = ChoiceField("Besvarar läkarutlåtande", coerce=str)
    note = TextAreaField("Anteckning", validators=[Length(max=2000, message="Högst 2000 tecken.")])
    version = HiddenField()


class FollowUpForm(PulsForm):
    owner_id = ChoiceField("Ägare (handläggare)", coerce=str, validators=[Required()])
    due_on = date_field("Förfallodag", required=True)
    reason = ChoiceField("Orsak", choices=[(k.value, v) for k, v in FOLLOW_UP_REASON_LABELS.items()])
    reason_text = StringField("Beskrivning", validators=[Length(max=500, message="Högst 500 tecken.")])
    clinic_id = ChoiceField("Mottagning", coerce=str, validators=[Required()])
    coordinator_id = ChoiceField("Rehabkoordinator", coerce=str)


class FollowUpDoneForm(PulsForm):
    done_on = date_field("Klar datum", required=True)
    done_note = TextAreaField("Anteckning", validators=[Length(max=1000, message="Högst 1000 tecken.")])
    version = HiddenField()
