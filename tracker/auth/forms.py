"""Login, password and admin forms for accounts and organisations."""

from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.auth.models import ORG_TYPE_LABELS, ROLE_LABELS
from tracker.core.forms import PulsForm, Required


class LoginForm(PulsForm):
    email = EmailField("E-postadress", validators=[Required(), Length(max=254)])
    password = PasswordField("Lösenord", validators=[Required(), Length(max=256)])


class PasswordChangeForm(PulsForm):
    current_password = PasswordField("Nuvarande lösenord", validators=[Required()])
    new_password = PasswordField("Nytt lösenord", validators=[Required()])
    confirm = PasswordField("Upprepa nytt lösenord", validators=[Required()])

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            from wtforms.validators import ValidationError

            raise ValidationError("Lösenorden är inte lika.")


class OrganisationForm(PulsForm):
    name = StringField("Namn", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    org_type = SelectField(
        "Typ", choices=[(k.value, v) for k, v in ORG_TYPE_LABELS.items()], validators=[Required()]
    )
    parent_id = SelectField("Överordnad organisation", coerce=str, default="")
    municipality = StringField("Kommun", validators=[Length(max=100, message="Högst 100 tecken.")])


class UserForm(PulsForm):
    full_name = StringField("Namn", validators=[Required(), Length(max=200, message="Högst 200 tecken.")])
    email = EmailField("E-postadress", validators=[Required(), Length(max=254)])
    role = SelectField("Roll", choices=[(k.value, v) for k, v in ROLE_LABELS.items()])
    organisation_id = SelectField("Organisation", coerce=str)
    password = PasswordField("Startlösenord", validators=[Required()])


class PasswordResetForm(PulsForm):
    password = PasswordField("Nytt lösenord", validators=[Required()])


class ConfirmForm(PulsForm):
    """An empty form: a POST button with CSRF protection."""


class ApiTokenForm(PulsForm):
    name = StringField(
        "Namn på nyckeln", validators=[Required(), Length(max=100, message="Högst 100 tecken.")]
    )
    scope = SelectField(
        "Behörighet", choices=[("read", "Endast läsning"), ("write", "Läsning och skrivning")]
    )
    expires_on = DateField(
        "Gäller till och med", validators=[Optional()], description="Lämna tomt för ingen slutdag."
    )
    password = PasswordField("Ditt lösenord (bekräftar att det är du)", validators=[Required()])


class CodeForm(PulsForm):
    code = StringField(
        "Engångskod (6 siffror)",
        validators=[Required(), Length(max=10, message="Högst 10 tecken.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ReauthForm(PulsForm):
    password = PasswordField("Ditt lösenord", validators=[Required(), Length(max=256)])
