"""Forms for consents, withdrawals, spärrar, the consent check and emergency access."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.models import AUTHORITY_LABELS
from tracker.consent.categories import CATEGORY_LABELS
from tracker.consent.models import PURPOSE_LABELS, ConsentForm
from tracker.core.forms import PulsForm, Required, ValidPersonnummer


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsentEntryForm(PulsForm):
    authorities = MultiCheckboxField(
        "Myndigheter/parter (hela myndigheten)", choices=[(k.value, v) for k, v in AUTHORITY_LABELS.items()]
    )
    organisation_ids = SelectMultipleField("Namngivna organisationer", coerce=int)
    purposes = MultiCheckboxField("Ändamål", choices=[(k.value, v) for k, v in PURPOSE_LABELS.items()])
    purpose_other = StringField("Annat ändamål", validators=[Length(max=500)])
    categories = MultiCheckboxField(
        "Uppgifter som får delas", choices=[(k.value, v) for k, v in CATEGORY_LABELS.items()]
    )
    form = SelectField("Form", choices=[(f.value, f.label) for f in ConsentForm])
    given_on = DateField("Gäller från", validators=[Required()])
    valid_until = DateField(
        "Gäller till och med", validators=[Optional()], description="Lämna tomt om inget slutdatum."
    )
    note = TextAreaField("Anteckning", validators=[Length(max=2000)])
    document = FileField("Inskannad blankett (PDF, PNG eller JPEG)")


class WithdrawForm(PulsForm):
    withdrawn_on = DateField("Återkallat den", validators=[Required()])
    reason = TextAreaField("Skäl / hur återkallelsen gjordes", validators=[Required(), Length(max=1000)])


class BlockForm(PulsForm):
    category = SelectField(
        "Kategori", choices=[("", "– alla kategorier –")] + [(k.value, v) for k, v in CATEGORY_LABELS.items()]
    )
    organisation_id = SelectField("Mot organisation", coerce=str, default="")
    starts_on = DateField("Gäller från", validators=[Required()])
    ends_on = DateField("Gäller till och med", validators=[Optional()])
    note = TextAreaField("Anteckning", validators=[Length(max=1000)])


class LiftBlockForm(PulsForm):
    individual_asked = BooleanField("Personen har själv begärt att spärren hävs")
    note = TextAreaField("När och hur begärde personen det?", validators=[Required(), Length(max=1000)])


class ConsentCheckForm(PulsForm):
    personnummer = StringField(
        "Personnummer",
        validators=[Required(), ValidPersonnummer(), Length(max=20)],
        description="ÅÅÅÅMMDD-NNNN",
    )


class EmergencyAccessForm(PulsForm):
    personnummer = StringField("Personnummer", validators=[Required(), ValidPersonnummer(), Length(max=20)])
    reason = TextAreaField("Skäl till nödöppningen", validators=[Required(), Length(max=1000)])
