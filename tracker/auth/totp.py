"""TOTP two-factor (RFC 6238): secrets encrypted at rest, codes never accepted twice.

Services flush; views commit.
"""

import base64
import hashlib
import hmac

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import or_, update

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role, User
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.extensions import db

STEP_SECONDS = 30
DIGITS = 6
# Accept the previous and the next step too: clocks on phones drift.
DRIFT_STEPS = 1
BAD_CODE = "Koden stämmer inte. Kontrollera klockan i din app och försök igen."


def _fernet() -> Fernet:
    key = current_app.config.get("TOTP_ENCRYPTION_KEY")
    if not key:
        digest = hashlib.sha256(b"puls-totp-secret:" + current_app.config["SECRET_KEY"].encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:  # the key changed: the user must enrol again
        raise ValueError("TOTP secret cannot be decrypted with the configured key") from exc


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI (an <img>, allowed by the CSP; no JavaScript)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def current_step() -> int:
    return int(now_utc().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time-step the code belongs to, or None; steps at or before last_step are refused."""
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def required_for(user: User) -> bool:
    return user.role == Role.ADMIN and bool(current_app.config["TOTP_REQUIRED_FOR_ADMIN"])


def must_enrol(user: User) -> bool:
    return required_for(user) and not user.totp_enabled


# ---------------------------------------------------------------- services


def enrol(user: User, secret: str, code: str) -> None:
    """Switch two-factor on once the user proves their app shows the right codes."""
    step = matching_step(secret, code, None)
    if step is None:
        raise ValidationError({"code": BAD_CODE})
    user.totp_secret_enc = encrypt_secret(secret)
    user.totp_enabled_at = now_utc()
    user.totp_last_step = step
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=user, details="totp enrolled")


def check_login_code(user: User, code: str) -> bool:
    """Verify a login code and burn its time-step (no replay within the window)."""
    if not user.totp_enabled:
        return False
    try:
        secret = decrypt_secret(user.totp_secret_enc)
    except ValueError:
        current_app.logger.error("TOTP secret of user %s cannot be decrypted", user.id)
        return False
    step = matching_step(secret, code, user.totp_last_step)
    if step is None:
        return False
    # Burn the step with a conditional UPDATE: of two app instances racing
    # with the same code, the row lock lets exactly one of them succeed.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_last_step"])
    return result.rowcount == 1


def disable(user: User, by: User, details: str) -> None:
    """Remove the second factor (own choice, or an admin reset); ends the user's sessions."""
    from tracker.auth.services import end_all_sessions

    user.totp_secret_enc = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    keep = by.current_session_token if by.id == user.id else None
    end_all_sessions(user, "totp_reset", keep_token=keep)
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=user, details=details)
