"""Accounts, logins and server-side sessions. Services flush; views commit."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth import tokens
from tracker.auth.models import (
    ROLE_ORG_TYPES,
    LoginAttempt,
    Organisation,
    OrgType,
    Role,
    User,
    UserSession,
)
from tracker.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_dummy,
    verify_password,
)
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.meetings import feeds

_LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# ---------------------------------------------------------------- sessions


def start_session(user: User, remote_addr: str | None) -> str:
    token = secrets.token_urlsafe(32)
    now = now_utc()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            authenticated_at=now,
            last_seen_at=now,
            remote_addr=remote_addr,
        )
    )
    db.session.flush()
    user.current_session_token = token
    return token


# Built once: every request looks its session up.
_LIVE_SESSION = select(UserSession).where(
    UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None)
)


def session_row(token: str | None) -> UserSession | None:
    if not token:
        return None
    return db.session.scalar(_LIVE_SESSION, {"token_hash": _token_hash(token)})


def load_session_user(token: str) -> User | None:
    """The user of a live session, or None (and the session ended) if stale."""
    if not token:
        return None
    row = session_row(token)
    if row is None:
        return None
    now = now_utc()
    config = current_app.config
    if not row.user.is_active:
        _end(row, "deactivated")
        return None
    if now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        _end(row, "idle")
        return None
    if now - row.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]):
        _end(row, "max_age")
        return None
    if now - row.last_seen_at > _LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    row.user.current_session_token = token
    return row.user


def _end(row: UserSession, reason: str) -> None:
    row.ended_at = now_utc()
    row.end_reason = reason


def end_session(token: str | None, reason: str = "logout") -> None:
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=now_utc(), end_reason=reason)
    )


def end_all_sessions(user: User, reason: str, keep_token: str | None = None) -> None:
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        query = query.where(UserSession.token_hash != _token_hash(keep_token))
    db.session.execute(query.values(ended_at=now_utc(), end_reason=reason))


# ---------------------------------------------------------------- login


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


BAD_CREDENTIALS = "Fel e-postadress eller lösenord."
LOCKED = "För många misslyckade inloggningar. Vänta en stund och försök igen."


def _recent_failures(column, value) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.attempted_at > now_utc() - window)
    )


def is_locked_out(email: str, remote_addr: str) -> bool:
    config = current_app.config
    return (
        _recent_failures(LoginAttempt.email, email) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.remote_addr, remote_addr) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def record_failure(email: str, remote_addr: str, user: User | None, why: str) -> None:
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, attempted_at=now_utc()))
    audit_record(
        AuditAction.LOGIN_FAILED,
        object_type="User" if user else None,
        object_id=user.id if user else None,
        details=why,
    )


def authenticate(email: str, password: str, remote_addr: str) -> User:
    """Check credentials and lock-out; raise LoginRefused with a Swedish message.

    The login itself is audited by `complete_login` (after the second factor,
    when the user has one). Failures are flushed into the session; the caller commits them even
    though the login fails, so lock-out counts survive the request.
    """
    email = normalise_email(email)
    remote_addr = remote_addr or "unknown"
    user = db.session.scalar(select(User).where(User.email == email))
    if is_locked_out(email, remote_addr):
        verify_dummy(password)
        record_failure(email, remote_addr, user, "locked_out")
        raise LoginRefused(LOCKED)
    if user is None:
        verify_dummy(password)
        record_failure(email, remote_addr, None, "unknown_account")
        raise LoginRefused(BAD_CREDENTIALS)
    if not verify_password(user.password_hash, password):
        record_failure(email, remote_addr, user, "wrong_password")
        raise LoginRefused(BAD_CREDENTIALS)
    if not user.is_active:
        record_failure(email, remote_addr, user, "deactivated")
        raise LoginRefused(BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def complete_login(user: User, remote_addr: str | None, details: str | None = None) -> str:
    """Every factor checked: clear the failure count, audit, open the server-side session."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    audit_record(AuditAction.LOGIN, obj=user, user=user, details=details)
    return start_session(user, remote_addr)


# ---------------------------------------------------------------- accounts


def check_password(password: str, field: str = "password") -> None:
    problems = password_problems(password)
    if problems:
        raise ValidationError({field: " ".join(problems)})


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now_utc()


@dataclass(frozen=True)
class Revoked:
    """What a password change took away besides the browser sessions."""

    api_tokens: int
    calendar_link: bool

    def sentence(self) -> str:
        parts = []
        if self.api_tokens:
            parts.append("1 API-nyckel" if self.api_tokens == 1 else f"{self.api_tokens} API-nycklar")
        if self.calendar_link:
            parts.append("kalenderlänken")
        if not parts:
            return "Det fanns inga API-nycklar eller kalenderlänk att återkalla."
        several = self.api_tokens + self.calendar_link > 1
        text = " och ".join(parts) + (" är återkallade." if several else " är återkallad.")
        return text[0].upper() + text[1:]


def revoke_account_access(user: User, reason: str) -> Revoked:
    """End every way into the account that does not ask for its password:
    browser sessions, API tokens and the calendar feed link."""
    end_all_sessions(user, reason)
    api_tokens = tokens.revoke_all(user)
    calendar_link = feeds.token_for(user) is not None
    if calendar_link:
        feeds.revoke_tokens(user)
    return Revoked(api_tokens, calendar_link)


def change_password(user: User, new: str) -> Revoked:
    """The user's own change. The caller has checked the current password with
    `reauth.password_refusal`, which counts wrong guesses.

    A user often changes the password because it may have leaked, so every way
    in that outlives the old password ends too, as on an admin's reset."""
    check_password(new, "new_password")
    _set_password(user, new)
    revoked = revoke_account_access(user, "password_change")
    audit_record(AuditAction.PASSWORD_CHANGE, obj=user)
    return revoked


def create_organisation(
    name: str, org_type: OrgType, parent: Organisation | None = None, municipality: str | None = None
) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Ange ett namn."})
    if db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())):
        raise ValidationError({"name": "Det finns redan en organisation med det namnet."})
    org = Organisation(
        name=name, org_type=org_type, parent=parent, municipality=(municipality or "").strip() or None
    )
    db.session.add(org)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=org)
    return org


def create_user(email: str, full_name: str, role: Role, organisation: Organisation, password: str) -> User:
    email = normalise_email(email)
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Ange en giltig e-postadress."
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "Det finns redan en användare med den e-postadressen."
    if not (full_name or "").strip():
        errors["full_name"] = "Ange namn."
    if organisation.org_type not in ROLE_ORG_TYPES[role]:
        errors["role"] = (
            f"Rollen {role.label} kan inte tillhöra en organisation av typen {organisation.org_type.label}."
        )
    problems = password_problems(password)
    if problems:
        errors["password"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
        password_changed_at=now_utc(),
    )
    db.session.add(user)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=user)
    return user


def set_user_active(user: User, active: bool) -> None:
    if user.is_active_account == active:
        return
    user.is_active_account = active
    user.deactivated_at = None if active else now_utc()
    if not active:
        end_all_sessions(user, "deactivated")
    audit_record(AuditAction.UPDATE, obj=user, details="activated" if active else "deactivated")


def admin_reset_password(user: User, new_password: str) -> Revoked:
    """An admin sets a new password: the old one may be in someone else's hands."""
    check_password(new_password, "password")
    _set_password(user, new_password)
    revoked = revoke_account_access(user, "password_reset")
    audit_record(AuditAction.PASSWORD_CHANGE, obj=user, details="reset by admin")
    return revoked
