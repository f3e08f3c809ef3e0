"""Two-factor: the login code step, enrolment, switching off, and re-authentication."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth import services, totp
from tracker.auth.forms import CodeForm, ConfirmForm, ReauthForm
from tracker.auth.models import User
from tracker.auth.reauth import mark_authenticated, password_refusal, require_recent_auth
from tracker.core.errors import ValidationError
from tracker.core.forms import apply_errors, is_safe_next
from tracker.core.timeutil import now_utc
from tracker.core.web import public
from tracker.extensions import db

bp = Blueprint("twofactor", __name__)

# What an admin who must enrol may still reach.
_ENROLMENT_ENDPOINTS = {"twofactor.setup", "auth.logout", "static"}


@bp.before_app_request
def admins_enrol_first():
    if request.endpoint in _ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if totp.must_enrol(current_user):
        flash("Administratörer måste använda tvåstegsverifiering. Aktivera den nu.", "warning")
        return redirect(url_for("twofactor.setup"))
    return None


def _pending_user() -> tuple[User | None, str | None]:
    pending = session.get("pending_login")
    if not isinstance(pending, dict):
        return None, None
    age = now_utc().timestamp() - float(pending.get("at", 0))
    if age < 0 or age > current_app.config["TOTP_PENDING_MINUTES"] * 60:
        session.pop("pending_login", None)
        return None, None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.is_active or not user.totp_enabled:
        return None, None
    return user, pending.get("next")


@bp.route("/login/kod", methods=["GET", "POST"])
@public
def login_code():
    from tracker.auth.views import finish_login

    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    user, next_url = _pending_user()
    if user is None:
        flash("Logga in med e-postadress och lösenord först.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        remote_addr = request.remote_addr or "unknown"
        if services.is_locked_out(user.email, remote_addr):
            services.record_failure(user.email, remote_addr, user, "locked_out")
            db.session.commit()
            session.pop("pending_login", None)
            form.form_errors.append(services.LOCKED)
            return render_template("auth/code.html", form=form), 401
        if not totp.check_login_code(user, form.code.data):
            services.record_failure(user.email, remote_addr, user, "wrong_totp_code")
            db.session.commit()  # keep the failure count, as for a wrong password
            form.code.errors = [totp.BAD_CODE]
            return render_template("auth/code.html", form=form), 401
        session.clear()
        finish_login(user)
        return redirect(next_url if is_safe_next(next_url) else url_for("core.home"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/code.html", form=form), status


@bp.route("/konto/tvastegs", methods=["GET", "POST"])
def setup():
    user = current_user._get_current_object()
    if user.totp_enabled:
        return render_template(
            "auth/twofactor.html", user=user, required=totp.required_for(user), confirm=ConfirmForm()
        )
    form = CodeForm()
    # The secret being enrolled rides in the (signed) cookie, encrypted: a copied
    # cookie does not reveal it, and nothing is stored before it is confirmed.
    secret = None
    if request.method == "POST" and session.get("totp_enrolment"):
        try:
            secret = totp.decrypt_secret(session["totp_enrolment"])
        except ValueError:
            secret = None
    if secret is None:
        secret = totp.new_secret()
        session["totp_enrolment"] = totp.encrypt_secret(secret)
    if form.validate_on_submit():
        try:
            totp.enrol(user, secret, form.code.data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            session.pop("totp_enrolment", None)
            flash(
                "Tvåstegsverifiering är aktiverad. Nästa gång du loggar in frågar Puls efter en kod.",
                "success",
            )
            return redirect(url_for("twofactor.setup"))
    uri = totp.provisioning_uri(secret, user)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "auth/twofactor_setup.html",
        form=form,
        secret=secret,
        qr=totp.qr_svg_data_uri(uri),
        required=totp.required_for(user),
    ), status


@bp.route("/konto/tvastegs/stang-av", methods=["POST"])
@require_recent_auth(back="twofactor.setup")
def disable():
    user = current_user._get_current_object()
    if totp.required_for(user):
        flash("Administratörer måste ha tvåstegsverifiering.", "error")
        return redirect(url_for("twofactor.setup"))
    form = ConfirmForm()
    if form.validate_on_submit() and user.totp_enabled:
        totp.disable(user, user, "totp disabled by user")
        flash("Tvåstegsverifiering är avstängd.", "success")
    return redirect(url_for("twofactor.setup"))


@bp.route("/konto/bekrafta", methods=["GET", "POST"])
def reauthenticate():
    form = ReauthForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        refusal = password_refusal(form.password.data, "wrong_reauth_password")
        if refusal is None:
            mark_authenticated()
            return redirect(next_url if is_safe_next(next_url) else url_for("core.home"))
        form.password.errors = [refusal]
        return render_template("auth/reauth.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reauth.html", form=form), status
