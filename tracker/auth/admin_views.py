"""Administration of organisations and users (admin role only)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth import services, totp
from tracker.auth.forms import ConfirmForm, OrganisationForm, PasswordResetForm, UserForm
from tracker.auth.models import Organisation, OrgType, Role, User
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


@bp.route("/anvandare", methods=["GET", "POST"])
def users():
    rows = db.session.scalars(select(User).order_by(User.full_name)).all()
    form = UserForm()
    form.organisation_id.choices = [(str(o.id), o.name) for o in _organisations()]
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
    status = 422 if form.is_submitted() else 200
    return render_template("admin/users.html", users=rows, form=form, confirm=ConfirmForm()), status


@bp.route("/anvandare/<int:user_id>", methods=["GET"])
def user_detail(user_id: int):
    user = _get_user_or_404(user_id)
    audit_record(AuditAction.VIEW, obj=user)
    return render_template(
        "admin/user_detail.html",
        user=user,
        confirm=ConfirmForm(),
        reset_form=PasswordResetForm(),
        tokens=tokens_of(user),
    )


@bp.route("/anvandare/<int:user_id>/avaktivera", methods=["POST"])
def deactivate_user(user_id: int):
    user = _get_user_or_404(user_id)
    if user.id == current_user.id:
        flash("Du kan inte avaktivera ditt eget konto.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    services.set_user_active(user, False)
    flash("Användaren är avaktiverad och utloggad överallt.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/anvandare/<int:user_id>/aktivera", methods=["POST"])
def activate_user(user_id: int):
    user = _get_user_or_404(user_id)
    services.set_user_active(user, True)
    flash("Användaren är aktiverad.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/anvandare/<int:user_id>/losenord", methods=["POST"])
def reset_password(user_id: int):
    user = _get_user_or_404(user_id)
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
    return render_template("admin/user_detail.html", user=user, confirm=ConfirmForm(), reset_form=form), 422


@bp.route("/anvandare/<int:user_id>/tvastegs/aterstall", methods=["POST"])
def reset_totp(user_id: int):
    user = _get_user_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit() and user.totp_enabled:
        totp.disable(user, current_user._get_current_object(), "totp reset by admin")
        flash("Tvåstegsverifieringen är återställd. Användaren får aktivera den igen.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))
