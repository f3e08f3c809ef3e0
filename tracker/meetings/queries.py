"""Who sees which meetings, and the lists built on that."""

from datetime import date, datetime, timedelta
from functools import cache

from flask import abort
from flask_login import current_user
from sqlalchemy import Enum, String, and_, bindparam, exists, false, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import NullType

from tracker.auth.models import Role, User
from tracker.consent.policy import deny
from tracker.core.prepared import plain_rows
from tracker.core.timeutil import STOCKHOLM, now_utc
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.meetings.ical import EVENT_COLUMNS, FeedMeeting, meeting_from_stored
from tracker.meetings.models import Meeting, MeetingInvitation, MeetingStatus

ORGANISER_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE, Role.LEDNING)


def user_org_ids(user: User) -> list[int]:
    ids = [user.organisation_id]
    if user.organisation.parent_id:
        ids.append(user.organisation.parent_id)
    return ids


def _visible_to(viewer_id, viewer_org_ids, viewer_organisation_id):
    """The visibility rule, over values or bind parameters."""
    invited = exists().where(
        MeetingInvitation.meeting_id == Meeting.id,
        or_(MeetingInvitation.user_id == viewer_id, MeetingInvitation.organisation_id.in_(viewer_org_ids)),
    )
    same_org_organiser = Meeting.organiser_id.in_(
        select(User.id).where(User.organisation_id == viewer_organisation_id)
    )
    return or_(Meeting.organiser_id == viewer_id, same_org_organiser, invited)


def viewer_values(user_id: int, organisation_id: int, parent_organisation_id: int | None) -> dict:
    """The visibility rule's values for an active user, from its ids (see `user_org_ids`)."""
    org_ids = [organisation_id, parent_organisation_id] if parent_organisation_id else [organisation_id]
    return {"viewer_id": user_id, "viewer_org_ids": org_ids, "viewer_organisation_id": organisation_id}


def visibility_values(user: User) -> dict | None:
    """What the visibility rule needs of a user; None for one who sees no meetings."""
    if user is None or not user.is_active:
        return None
    return viewer_values(user.id, user.organisation_id, user.organisation.parent_id)


def visible_meetings(user: User):
    """SQL: meetings the user organises or is invited to (directly or through the organisation)."""
    values = visibility_values(user)
    return false() if values is None else _visible_to(**values)


def may_view_meeting(user: User, meeting: Meeting) -> bool:
    if not user.is_active:
        return False
    if user.id == meeting.organiser_id or user.organisation_id == meeting.organiser.organisation_id:
        return True
    return user.id in meeting.invited_user_ids or bool(meeting.invited_org_ids & set(user_org_ids(user)))


def may_manage_meeting(user: User, meeting: Meeting) -> bool:
    return user.is_active and (
        user.id == meeting.organiser_id
        or (user.role in ORGANISER_ROLES and user.organisation_id == meeting.organiser.organisation_id)
    )


def get_meeting_or_404(meeting_id: int, manage: bool = False) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    allowed = may_manage_meeting(current_user, meeting) if manage else may_view_meeting(current_user, meeting)
    if not allowed:
        deny("meeting", details=f"meeting:{meeting.id}")
    return meeting


def meetings_query(user: User, upcoming: bool = True):
    now = now_utc()
    query = select(Meeting).where(visible_meetings(user))
    if upcoming:
        return query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at, Meeting.id)
    return query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=STOCKHOLM)
    end = datetime.combine(following, datetime.min.time(), tzinfo=STOCKHOLM)
    return start, end


def meetings_in_month(user: User, year: int, month: int) -> list[Meeting]:
    start, end = month_bounds(year, month)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(visible_meetings(user), Meeting.starts_at >= start, Meeting.starts_at < end)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


class utc_as_stored(FunctionElement):
    """A UTCDateTime column's value as stored, untouched by the type: SQLite's text;
    on PostgreSQL the naive UTC timestamp. (psycopg would build an aware datetime in
    the session's zone, where the two instants of the autumn's repeated hour compare
    equal: as a memo key they would share one event's bytes.)"""

    name = "utc_as_stored"
    type = NullType()
    inherit_cache = True


@compiles(utc_as_stored)
def _utc_as_stored(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(utc_as_stored, "postgresql")
def _utc_as_stored_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


def _stored(column):
    """A column as the database stores it (see `ical.meeting_from_stored`)."""
    if isinstance(column.type, UTCDateTime):
        return utc_as_stored(column).label(column.key)
    if isinstance(column.type, Enum):
        return type_coerce(column, String()).label(column.key)
    return column


@cache
def _feed_statement():
    """The feed's query, built once with bind parameters (building it was a third of its time)."""
    return (
        select(*(_stored(Meeting.__table__.c[name]) for name in EVENT_COLUMNS))
        .where(
            _visible_to(
                bindparam("viewer_id"),
                bindparam("viewer_org_ids", expanding=True),
                bindparam("viewer_organisation_id"),
            ),
            Meeting.starts_at >= bindparam("since", type_=UTCDateTime()),
            or_(
                Meeting.status != MeetingStatus.CANCELLED,
                and_(Meeting.ends_at >= bindparam("now", type_=UTCDateTime())),
            ),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )


def stored_feed_rows(values: dict | None, past_months: int = 3) -> list[tuple]:
    """A feed's meetings as stored rows (`ical.stored_feed_calendar` writes them), for
    a viewer's `visibility_values`: from `past_months` back; cancelled ones only until
    their date has passed.

    Just the columns a calendar event is built from, not `Meeting`s: the
    feed needs no relationships and no identity map (loading the invitations
    and organisers every `Meeting` brings along was most of a request).
    """
    if values is None:
        return []
    now = now_utc()
    since = now - timedelta(days=31 * past_months)
    # Plain rows on the session's connection: a Core statement needs none of the ORM's execution.
    rows = plain_rows(_feed_statement(), {**values, "since": since, "now": now})
    return [tuple(row) for row in rows]


def feed_meetings(user: User, past_months: int = 3) -> list[FeedMeeting]:
    """A user's feed meetings (see `stored_feed_rows`), typed as the ORM types them."""
    return [meeting_from_stored(row) for row in stored_feed_rows(visibility_values(user), past_months)]
