"""Login, logout and the user's own password."""

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth import services, tokens, totp
from tracker.auth.forms import ApiTokenForm, ConfirmForm, LoginForm, PasswordChangeForm
from tracker.auth.models import ApiToken, Role
from tracker.auth.reauth import password_refusal
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors, is_safe_next
from tracker.core.timeutil import STOCKHOLM, now_utc
from tracker.core.web import public
from tracker.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except services.LoginRefused as refused:
            db.session.commit()  # keep the failure count and its audit row
            form.form_errors.append(refused.message)
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session: no fixation of an earlier cookie
        safe_next = next_url if is_safe_next(next_url) else None
        if user.totp_enabled:
            # Step two: no server-side session until the code is right.
            session["pending_login"] = {"user_id": user.id, "at": now_utc().timestamp(), "next": safe_next}
            return redirect(url_for("twofactor.login_code"))
        finish_login(user)
        if totp.must_enrol(user):
            flash("Administratörer måste använda tvåstegsverifiering. Aktivera den nu.", "warning")
            return redirect(url_for("twofactor.setup"))
        return redirect(safe_next or url_for("core.home"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def finish_login(user) -> None:
    services.complete_login(user, request.remote_addr)
    login_user(user)
    session.permanent = False


@bp.route("/logout", methods=["POST"])
def logout():
    audit_record(AuditAction.LOGOUT, obj=current_user._get_current_object())
    services.end_session(current_user.current_session_token, "logout")
    logout_user()
    session.clear()
    flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/losenord", methods=["GET", "POST"])
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        refusal = password_refusal(form.current_password.data, "wrong_password_change")
        if refusal is not None:
            form.current_password.errors = [refusal]
        else:
            try:
                revoked = services.change_password(current_user._get_current_object(), form.new_password.data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                logout_user()
                session.clear()
                flash(
                    f"Lösenordet är bytt och du är utloggad på alla enheter. {revoked.sentence()} "
                    "Logga in med det nya lösenordet.",
                    "success",
                )
                return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/konto/api-nycklar", methods=["GET", "POST"])
def api_tokens():
    user = current_user._get_current_object()
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        refusal = password_refusal(form.password.data, "wrong_password_api_token")
        if refusal is not None:
            form.password.errors = [refusal]
        else:
            expires_at = None
            if form.expires_on.data:
                expires_at = datetime.combine(
                    form.expires_on.data + timedelta(days=1), time(), tzinfo=STOCKHOLM
                )
            try:
                _, secret = tokens.create_token(user, form.name.data, form.scope.data, expires_at, user)
            except ValidationError as error:
                apply_errors(form, error)
    status = 422 if form.is_submitted() and secret is None else 200
    return render_template(
        "auth/api_tokens.html", form=form, secret=secret, tokens=tokens.tokens_of(user), confirm=ConfirmForm()
    ), status


@bp.route("/konto/api-nycklar/<int:token_id>/aterkalla", methods=["POST"])
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    tokens.revoke_token(token, current_user._get_current_object())
    flash("Nyckeln är återkallad och slutar fungera direkt.", "success")
    if token.user_id != current_user.id:
        return redirect(url_for("admin.user_detail", user_id=token.user_id))
    return redirect(url_for("auth.api_tokens"))
