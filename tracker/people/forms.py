"""Forms for individuals and their case contacts."""

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from tracker.core.forms import PulsForm, Required, ValidPersonnummer
from tracker.people.models import GENDER_LABELS

MAX_100 = Length(max=100, message="Högst 100 tecken.")


class IndividualForm(PulsForm):
    personnummer = StringField(
        "Personnummer eller samordningsnummer",
        validators=[Required(), ValidPersonnummer(), Length(max=20, message="För långt.")],
        description="ÅÅÅÅMMDD-NNNN",
    )
    first_name = StringField("Förnamn", validators=[Required(), MAX_100])
    last_name = StringField("Efternamn", validators=[Required(), MAX_100])
    gender = SelectField("Kön", choices=[(k.value, v) for k, v in GENDER_LABELS.items()])
    home_municipality = StringField("Hemkommun", validators=[Required(), MAX_100])
    clinic_id = SelectField("Ansvarig mottagning/enhet", coerce=str)
    coordinator_id = SelectField("Ansvarig rehabkoordinator/samordnare", coerce=str)
    fk_officer_id = SelectField("Handläggare på Försäkringskassan", coerce=str)
    version = HiddenField()


class SearchForm(PulsForm):
    q = StringField(
        "Sök på namn eller personnummer",
        validators=[
            Required("Skriv något att söka på."),
            Length(min=2, max=100, message="Skriv 2–100 tecken."),
        ],
    )


class ContactForm(PulsForm):
    organisation_id = SelectField("Organisation", coerce=str, validators=[Required()])
    contact_person = StringField("Kontaktperson", validators=[Length(max=200, message="Högst 200 tecken.")])
    note = StringField("Anteckning", validators=[Length(max=500, message="Högst 500 tecken.")])


class CloseCaseForm(PulsForm):
    closed_on = DateField("Avslutat den", validators=[Required("Ange ett giltigt datum (ÅÅÅÅ-MM-DD).")])
    reason = TextAreaField(
        "Skäl till avslut", validators=[Required(), Length(max=500, message="Högst 500 tecken.")]
    )
