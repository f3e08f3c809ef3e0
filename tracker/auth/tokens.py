"""Personal API tokens: create (shown once), authenticate, revoke."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import ApiToken, TokenScope, User
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.extensions import db

TOKEN_PREFIX = "puls_"
_LAST_USED_RESOLUTION_SECONDS = 60


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    user: User, name: str, scope: str, expires_at: datetime | None, by: User
) -> tuple[ApiToken, str]:
    """Return the token row and the secret, which is never shown again."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Ge nyckeln ett namn, t.ex. systemet som ska använda den."
    elif len(name) > 100:
        errors["name"] = "Högst 100 tecken."
    try:
        scope_value = TokenScope(scope)
    except ValueError:
        errors["scope"] = "Välj behörighet i listan."
        scope_value = None
    if expires_at is not None and expires_at <= now_utc():
        errors["expires_at"] = "Utgångsdatum måste ligga i framtiden."
    if not user.is_active:
        errors["name"] = "Användaren är avaktiverad."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_hash(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scope=scope_value,
        created_at=now_utc(),
        created_by_id=by.id,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=token, user=by)
    return token, secret


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token for this secret, or None (unknown, revoked, expired, user inactive)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = now_utc()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
    ):
        token.last_used_at = now
    return token


def revoke_token(token: ApiToken, by: User | None) -> None:
    """`by` None: the signed-in user, if any."""
    if token.revoked_at is None:
        token.revoked_at = now_utc()
        db.session.flush()
        audit_record(AuditAction.UPDATE, obj=token, details="revoked", user=by)


def revoke_all(user: User) -> int:
    """Revoke the user's live tokens (each audited); the number revoked."""
    live = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in live:
        revoke_token(token, None)
    return len(live)


def tokens_of(user: User) -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()
