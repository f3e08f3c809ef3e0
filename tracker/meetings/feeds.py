"""Personal calendar subscription tokens: issue, rotate, revoke, resolve.

A token is `<selector>.<verifier>`: the selector (random, stored in clear)
finds the row, the verifier (≥128 random bits) is stored only as a SHA-256
hash and compared in constant time. One token per user; issuing a new one
replaces the old, which stops working at once.
"""

import hashlib
import hmac
import secrets
from functools import cache

from sqlalchemy import bindparam, delete, select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import User
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.meetings.models import CalendarFeedToken

ALARM_CHOICES = (15, 30, 60, 1440)


def _hash(verifier: str) -> str:
    return hashlib.sha256(verifier.encode("utf-8")).hexdigest()


def token_for(user: User) -> CalendarFeedToken | None:
    return db.session.scalar(select(CalendarFeedToken).where(CalendarFeedToken.user_id == user.id))


def issue_token(user: User) -> str:
    """Create or rotate the user's link; returns the token (shown once in the URL)."""
    selector = secrets.token_hex(8)
    verifier = secrets.token_urlsafe(24)  # 192 bits
    row = token_for(user)
    if row is None:
        row = CalendarFeedToken(user_id=user.id)
        db.session.add(row)
    row.selector = selector
    row.verifier_hash = _hash(verifier)
    row.created_at = now_utc()
    row.feed_etag = row.feed_changed_at = None
    db.session.flush()
    audit_record(AuditAction.UPDATE, object_type="CalendarFeedToken", object_id=row.id, details="issued")
    return f"{selector}.{verifier}"


def set_alarm(user: User, minutes: int | None) -> None:
    row = token_for(user)
    if row is not None:
        row.alarm_minutes = minutes if minutes in ALARM_CHOICES else None
        db.session.flush()


def revoke_tokens(user: User) -> int:
    count = db.session.execute(delete(CalendarFeedToken).where(CalendarFeedToken.user_id == user.id)).rowcount
    audit_record(AuditAction.DELETE, object_type="CalendarFeedToken", object_id=user.id, details="revoked")
    return count


@cache
def _by_selector():
    """Built once: every feed request (a calendar polling) looks a token up."""
    return select(CalendarFeedToken).where(CalendarFeedToken.selector == bindparam("selector"))


def resolve_token(token: str) -> CalendarFeedToken | None:
    """The token's row if it is current and its user active; else None."""
    selector, _, verifier = (token or "").partition(".")
    if not selector or not verifier or len(token) > 100:
        return None
    row = db.session.scalar(_by_selector(), {"selector": selector})
    if row is None or not hmac.compare_digest(row.verifier_hash, _hash(verifier)):
        return None
    if not row.user.is_active:
        return None
    return row
