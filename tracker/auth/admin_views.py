"""Administration of organisations and users (admin role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth import services, totp
from tracker.auth.forms import ConfirmForm, OrganisationForm, PasswordResetForm, UserForm
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.auth.reauth import require_recent_auth
from tracker.auth.tokens import tokens_of
from tracker.consent.policy import require_role
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors
from tracker.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    require_role(current_user, Role.ADMIN)


def _organisations():
    return db.session.scalars(select(Organisation).order_by(Organisation.name)).all()


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/organisationer", methods=["GET", "POST"])
def organisations():
    orgs = _organisations()
    form = OrganisationForm()
    form.parent_id.choices = [("", "– ingen –")] + [(str(o.id), o.name) for o in orgs]
    if form.validate_on_submit():
        parent = db.session.get(Organisation, int(form.parent_id.data)) if form.parent_id.data else None
        try:
            services.create_organisation(
                form.name.data, OrgType(form.org_type.data), parent, form.municipality.data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Organisationen är skapad.", "success")
            return redirect(url_for("admin.organisations"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/organisations.html", orgs=orgs, form=form), status


# Every route that changes who may log in, and how, asks a session for the
# password again (`require_recent_auth`): a stale or stolen admin session must
# not hand out accounts, passwords or second factors.


@bp.route("/anvandare", methods=["GET"])
def users():
    return _users_page(_user_form())


@bp.route("/anvandare", methods=["POST"])
@require_recent_auth(back="admin.users")
def create_user():
    form = _user_form()
    if form.validate_on_submit():
        org = db.session.get(Organisation, int(form.organisation_id.data))
        try:
            services.create_user(
                form.email.data, form.full_name.data, Role(form.role.data), org, form.password.data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash("Användaren är skapad.", "success")
            return redirect(url_for("admin.users"))
    return _users_page(form, 422)


def _user_form() -> UserForm:
    form = UserForm()
    form.organisation_id.choices = [(str(o.id), o.name) for o in _organisations()]
    return form


def _users_page(form: UserForm, status: int = 200):
    rows = db.session.scalars(select(User).order_by(User.full_name)).all()
    return render_template("admin/users.html", users=rows, form=form, confirm=ConfirmForm()), status


@bp.route("/anvandare/<int:user_id>", methods=["GET"])
def user_detail(user_id: int):
    user = _get_user_or_404(user_id)
    audit_record(AuditAction.VIEW, obj=user)
    return _detail_page(user, PasswordResetForm())


def _detail_page(user: User, reset_form: PasswordResetForm, status: int = 200):
    return render_template(
        "admin/user_detail.html",
        user=user,
        confirm=ConfirmForm(),
        reset_form=reset_form,
        tokens=tokens_of(user),
        own=user.id == current_user.id,
    ), status


@bp.route("/anvandare/<int:user_id>/avaktivera", methods=["POST"])
@require_recent_auth(back="admin.user_detail")
def deactivate_user(user_id: int):
    user = _get_user_or_404(user_id)
    if user.id == current_user.id:
        flash("Du kan inte avaktivera ditt eget konto.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    services.set_user_active(user, False)
    flash("Användaren är avaktiverad och utloggad överallt.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/anvandare/<int:user_id>/aktivera", methods=["POST"])
@require_recent_auth(back="admin.user_detail")
def activate_user(user_id: int):
    user = _get_user_or_404(user_id)
    services.set_user_active(user, True)
    flash("Användaren är aktiverad.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _own_account_refused(user: User):
    """An admin's own password and second factor change on the self-service pages, which ask
    for the current password: here a stolen session could take the account over."""
    flash("Ditt eget konto ändrar du under Byt lösenord och Tvåstegsverifiering.", "error")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/anvandare/<int:user_id>/losenord", methods=["POST"])
@require_recent_auth(back="admin.user_detail")
def reset_password(user_id: int):
    user = _get_user_or_404(user_id)
    if user.id == current_user.id:
        return _own_account_refused(user)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            revoked = services.admin_reset_password(user, form.password.data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(
                f"Lösenordet är återställt och användarens sessioner avslutade. {revoked.sentence()}",
                "success",
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _detail_page(user, form, 422)


@bp.route("/anvandare/<int:user_id>/tvastegs/aterstall", methods=["POST"])
@require_recent_auth(back="admin.user_detail")
def reset_totp(user_id: int):
    user = _get_user_or_404(user_id)
    if user.id == current_user.id:
        return _own_account_refused(user)
    form = ConfirmForm()
    if form.validate_on_submit() and user.totp_enabled:
        totp.disable(user, current_user._get_current_object(), "totp reset by admin")
        flash("Tvåstegsverifieringen är återställd. Användaren får aktivera den igen.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))
