"""Forms for projects, referrals, enrolment and activities."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from tracker.core.forms import PulsForm, Required
from tracker.referrals.models import (
    DISCHARGE_LABELS,
    EDUCATION_LABELS,
    INCOME_LABELS,
    OCCUPATION_LABELS,
    REFERRAL_STATUS_LABELS,
    REFERRER_LABELS,
    ProjectKind,
    SupportDuration,
)

DATE_MESSAGE = "Ange datum som ÅÅÅÅ-MM-DD."


def _date(label: str, required: bool = True):
    validators = [Required(DATE_MESSAGE)] if required else [Optional()]
    return DateField(label, validators=validators, format="%Y-%m-%d")


def _choices(labels: dict, empty: str | None = "– uppgift saknas –"):
    choices = [(k.value, v) for k, v in labels.items()]
    return ([("", empty)] if empty else []) + choices


class ProjectForm(PulsForm):
    name = StringField("Namn", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    kind = SelectField(
        "Typ av projekt", validate_choice=False, choices=[(k.value, k.label) for k in ProjectKind]
    )
    organisation_id = SelectField("Projektets organisation (personalen)", coerce=str, validate_choice=False)
    principal_id = SelectField("Huvudman", coerce=str, validate_choice=False)
    starts_on = _date("Startdatum")
    ends_on = _date("Slutdatum", required=False)
    target_group = StringField("Målgrupp", validators=[Length(max=500, message="Högst 500 tecken.")])
    planned_participants = IntegerField(
        "Planerat antal deltagare",
        validators=[Optional(), NumberRange(0, 100_000, "Ange 0–100 000.")],
    )


class MemberForm(PulsForm):
    user_id = SelectField("Medarbetare", coerce=str, validate_choice=False, validators=[Required()])
    is_lead = BooleanField("Projektledare (ser allas tid, låser månader)")


class BudgetForm(PulsForm):
    forbund_id = SelectField("Förbund", coerce=str, validate_choice=False, validators=[Required()])
    year = IntegerField("År", validators=[Required(), NumberRange(2000, 2100, "Ange ett år 2000–2100.")])
    amount = StringField("Budget (kr)", validators=[Required()])


class ReferralForm(PulsForm):
    project_id = SelectField("Projekt", coerce=str, validate_choice=False, validators=[Required()])
    referred_on = _date("Remitterad")
    referrer_type = SelectField(
        "Typ av remittent", validate_choice=False, choices=_choices(REFERRER_LABELS, None)
    )
    referrer_org_id = SelectField("Remitterande organisation", coerce=str, validate_choice=False)
    reason = TextAreaField("Anledning", validators=[Length(max=5000, message="Högst 5000 tecken.")])


class ReferralStatusForm(PulsForm):
    status = SelectField("Ny status", validate_choice=False, choices=_choices(REFERRAL_STATUS_LABELS, None))
    status_reason = StringField("Motivering", validators=[Length(max=1000, message="Högst 1000 tecken.")])


class BackgroundFields:
    income_before = SelectField(
        "Huvudsaklig försörjning vid inskrivning", validate_choice=False, choices=_choices(INCOME_LABELS)
    )
    occupation_before = SelectField(
        "Sysselsättning vid inskrivning", validate_choice=False, choices=_choices(OCCUPATION_LABELS)
    )
    education_level = SelectField(
        "Utbildningsnivå", validate_choice=False, choices=_choices(EDUCATION_LABELS)
    )
    support_before = SelectField(
        "Tid i offentlig försörjning före inskrivning",
        validate_choice=False,
        choices=[("", "– uppgift saknas –")] + [(s.value, s.label) for s in SupportDuration],
    )
    involves_fk = BooleanField("Försäkringskassan är involverad")
    involves_region = BooleanField("Regionen är involverad")
    involves_kommun = BooleanField("Kommunen är involverad")
    involves_af = BooleanField("Arbetsförmedlingen är involverad")


class EnrolForm(BackgroundFields, PulsForm):
    enrolled_on = _date("Inskriven")
    referral_id = HiddenField()


class EnrolmentEditForm(BackgroundFields, PulsForm):
    version = HiddenField()
    income_after = SelectField(
        "Huvudsaklig försörjning vid utskrivning", validate_choice=False, choices=_choices(INCOME_LABELS)
    )
    occupation_after = SelectField(
        "Sysselsättning vid utskrivning", validate_choice=False, choices=_choices(OCCUPATION_LABELS)
    )


class DischargeForm(PulsForm):
    discharged_on = _date("Utskriven")
    discharge_reason = SelectField("Orsak", validate_choice=False, choices=_choices(DISCHARGE_LABELS, None))
    income_after = SelectField(
        "Huvudsaklig försörjning vid utskrivning", validate_choice=False, choices=_choices(INCOME_LABELS)
    )
    occupation_after = SelectField(
        "Sysselsättning vid utskrivning", validate_choice=False, choices=_choices(OCCUPATION_LABELS)
    )


class ConsultationForm(PulsForm):
    held_on = _date("Datum")
    actor_type = SelectField("Typ av aktör", validate_choice=False, choices=_choices(REFERRER_LABELS, None))
    actor = StringField("Aktör", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    topic = StringField("Ämne", validators=[Required(), Length(max=500, message="Högst 500 tecken.")])


class InfoSessionForm(PulsForm):
    held_on = _date("Datum")
    audience = StringField("Målgrupp", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    organisation = StringField(
        "Organisation", validators=[Required(), Length(max=200, message="Högst 200 tecken.")]
    )
    attendees = IntegerField(
        "Antal deltagare", validators=[Required(), NumberRange(0, 10_000, "Ange 0–10 000.")]
    )


class GroupForm(PulsForm):
    name = StringField("Gruppens namn", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    description = StringField("Beskrivning", validators=[Length(max=1000, message="Högst 1000 tecken.")])


class SessionForm(PulsForm):
    held_on = _date("Datum för träffen")
    attendees = SelectMultipleField("Närvarande", coerce=str)
