"""Forms for the vårdplan/SIP and its insatser."""

from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from tracker.benefits.forms import ChoiceField, date_field
from tracker.core.forms import PulsForm, Required
from tracker.plans.models import INSATS_STATUS_LABELS, InsatsStatus


class PlanForm(PulsForm):
    established_on = date_field("Upprättad", required=True)
    goals = TextAreaField("Mål", validators=[Required(), Length(max=5000, message="Högst 5000 tecken.")])
    follow_up_on = date_field("Uppföljning")
    is_sip = BooleanField("Planen är en SIP (samordnad individuell plan)")
    sip_meeting_on = date_field("Datum för SIP-mötet")
    sip_organisation_ids = SelectMultipleField("Organisationer som deltar i SIP:en", coerce=str)
    version = HiddenField()


class InsatsForm(PulsForm):
    what = StringField("Insats", validators=[Required(), Length(max=300, message="Högst 300 tecken.")])
    organisation_id = ChoiceField("Ansvarig organisation", coerce=str, validators=[Required()])
    starts_on = date_field("Start", required=True)
    ends_on = date_field("Slut")
    status = ChoiceField(
        "Status",
        choices=[(s.value, INSATS_STATUS_LABELS[s]) for s in (InsatsStatus.PLANNED, InsatsStatus.ONGOING)],
    )


class InsatsStatusForm(PulsForm):
    status = ChoiceField("Ny status", coerce=str)
    changed_on = date_field("Datum", required=True)
    reason = TextAreaField(
        "Orsak (krävs om insatsen avbryts)", validators=[Length(max=1000, message="Högst 1000 tecken.")]
    )
    version = HiddenField()
