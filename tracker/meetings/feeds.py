"""Personal calendar subscription tokens: issue, rotate, revoke, resolve.

A token is `<selector>.<verifier>`: the selector (random, stored in clear)
finds the row, the verifier (≥128 random bits) is stored only as a SHA-256
hash and compared in constant time. One token per user; issuing a new one
replaces the old, which stops working at once.
"""

import hashlib
import hmac
import secrets
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select, update

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, User
from tracker.core.prepared import plain_rows
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.meetings.models import CalendarFeedToken
from tracker.meetings.queries import viewer_values

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


class ResolvedToken(NamedTuple):
    """What a feed request needs of a current token and its (active) user."""

    id: int
    alarm_minutes: int | None
    feed_etag: str | None
    feed_changed_at: datetime | None
    # The user's `queries.visibility_values`.
    visibility: dict


@cache
def _by_selector():
    """Built once: every feed request (a calendar polling) looks a token up.

    The columns a feed needs, its user's included, in one row: no ORM objects
    (loading the token, its user and the user's organisation was a third of a
    polled feed's time)."""
    return (
        select(
            CalendarFeedToken.id,
            CalendarFeedToken.verifier_hash,
            CalendarFeedToken.alarm_minutes,
            CalendarFeedToken.feed_etag,
            CalendarFeedToken.feed_changed_at,
            User.id.label("user_id"),
            User.organisation_id,
            User.is_active.label("user_is_active"),
            Organisation.parent_id,
        )
        .join(User, User.id == CalendarFeedToken.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(CalendarFeedToken.selector == bindparam("selector"))
    )


def resolve_token(token: str) -> ResolvedToken | None:
    """The token's row if it is current and its user active; else None."""
    selector, _, verifier = (token or "").partition(".")
    if not selector or not verifier or len(token) > 100:
        return None
    # Plain rows on the session's connection: a Core statement needs none of the ORM's execution.
    rows = plain_rows(_by_selector(), {"selector": selector})  # the selector is unique
    row = rows[0] if rows else None
    if row is None or not hmac.compare_digest(row.verifier_hash, _hash(verifier)):
        return None
    if not row.user_is_active:
        return None
    return ResolvedToken(
        row.id,
        row.alarm_minutes,
        row.feed_etag,
        row.feed_changed_at,
        viewer_values(row.user_id, row.organisation_id, row.parent_id),
    )


def record_feed_change(token_id: int, etag: str, changed_at: datetime) -> None:
    """The feed's bytes differ from its previous response: a new ETag and Last-Modified."""
    db.session.execute(
        update(CalendarFeedToken)
        .where(CalendarFeedToken.id == token_id)
        .values(feed_etag=etag, feed_changed_at=changed_at)
    )
