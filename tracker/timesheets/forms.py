"""Forms for adjustments, hourly costs and month locks (the week grid is parsed by hand)."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.core.forms import PulsForm, Required
from tracker.timesheets.models import TIME_CATEGORY_LABELS

CATEGORY_CHOICES = [(k.value, v) for k, v in TIME_CATEGORY_LABELS.items()]


class AdjustmentForm(PulsForm):
    project_id = SelectField("Projekt", coerce=str, validate_choice=False, validators=[Required()])
    work_date = DateField(
        "Dag som korrigeras", format="%Y-%m-%d", validators=[Required("Ange datum som ÅÅÅÅ-MM-DD.")]
    )
    category = SelectField("Kategori", choices=CATEGORY_CHOICES)
    hours = StringField("Timmar (negativt för att dra av)", validators=[Required()])
    note = StringField("Anledning", validators=[Required(), Length(max=500, message="Högst 500 tecken.")])


class HourlyCostForm(PulsForm):
    user_id = SelectField("Medarbetare (tomt = hela projektet)", coerce=str, validate_choice=False)
    valid_from = DateField(
        "Gäller från", format="%Y-%m-%d", validators=[Required("Ange datum som ÅÅÅÅ-MM-DD.")]
    )
    amount = StringField("Timkostnad (kr)", validators=[Required()])


class KeyForm(PulsForm):
    valid_from = DateField("Gäller från", format="%Y-%m-%d", validators=[Optional()])
