"""ICS built by pure functions that return bytes (see /work/shared/ICS-NOTES.md).

Only the meeting itself goes into a calendar: title, time, place or link and
a URL back into Puls. Never names, personnummer, case details or attendee
addresses (feeds are copied to Google's and Microsoft's servers). The one
exception is an e-mail invitation, which names its own recipient as ATTENDEE
so that Outlook can offer Accept/Decline.
"""

from collections import namedtuple
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from sqlalchemy import Enum

from tracker.core.timeutil import STOCKHOLM
from tracker.core.types import UTCDateTime
from tracker.meetings.models import Meeting, MeetingMode, MeetingStatus

PRODID = "-//Puls//Pulsmöten//SV"
TZID = "Europe/Stockholm"
REFRESH = timedelta(hours=1)
CANCELLED_PREFIX = "INSTÄLLT: "


def stockholm_vtimezone() -> Timezone:
    """Europe/Stockholm with RRULEs (last Sunday of March/October), no RDATE lists."""
    tz = Timezone()
    tz.add("tzid", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _calendar(name: str | None = None, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", TZID)
        # VALUE=DURATION is required; the convenience setter leaves it out.
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(stockholm_vtimezone())
    return cal


def _meeting_url(meeting_id: int, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/moten/{meeting_id}"


def meeting_url(meeting: Meeting, base_url: str) -> str:
    return _meeting_url(meeting.id, base_url)


# The Meeting columns `event_data` reads: a feed query need load nothing else.
EVENT_COLUMNS = (
    "id",
    "uid",
    "calendar_changed_at",
    "created_at",
    "sequence",
    "starts_at",
    "ends_at",
    "status",
    "title",
    "mode",
    "address",
    "meeting_link",
    "kind",
)

# A feed meeting: the calendar columns by name, read by `event_data` like a
# Meeting (a named tuple reads much faster than a Row).
FeedMeeting = namedtuple("FeedMeeting", EVENT_COLUMNS)


class EventData(NamedTuple):
    """Everything one VEVENT is built from (and nothing else), taken from a meeting.

    `_event` reads only these fields and its other arguments, so the tuple plus
    those arguments is a complete memo key for the event's bytes: a change to any
    meeting field that reaches the calendar changes the key.
    """

    uid: str
    meeting_id: int
    changed: datetime
    created: datetime
    sequence: int
    starts: datetime
    ends: datetime
    cancelled: bool
    title: str
    mode: MeetingMode
    address: str | None
    meeting_link: str | None
    kind_label: str
    # Equal aware datetimes compare equal across zones (and across folds), but are
    # written differently: their zone, its name and the fold complete the key.
    zones: tuple


def _zone(moment: datetime | None) -> tuple | None:
    return None if moment is None else (moment.tzinfo, moment.tzname(), moment.fold)


def event_data(meeting: Meeting) -> EventData:
    """A meeting's calendar fields, from a `Meeting` or anything with its EVENT_COLUMNS
    as attributes (a `FeedMeeting`)."""
    changed, created = meeting.calendar_changed_at, meeting.created_at
    starts, ends = meeting.starts_at, meeting.ends_at
    return EventData(
        meeting.uid,
        meeting.id,
        changed,
        created,
        meeting.sequence,
        starts,
        ends,
        meeting.status == MeetingStatus.CANCELLED,
        meeting.title,
        meeting.mode,
        meeting.address,
        meeting.meeting_link,
        meeting.kind.label,
        (_zone(changed), _zone(created), _zone(starts), _zone(ends)),
    )


def _event(data: EventData, base_url: str, alarm_minutes: int | None) -> Event:
    event = Event()
    event.add("uid", data.uid)
    event.add("dtstamp", data.changed)
    event.add("last-modified", data.changed)
    event.add("created", data.created)
    event.add("sequence", data.sequence)
    event.add("dtstart", data.starts.astimezone(STOCKHOLM))
    event.add("dtend", data.ends.astimezone(STOCKHOLM))
    cancelled = data.cancelled
    event.add("summary", (CANCELLED_PREFIX if cancelled else "") + data.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if data.mode in (MeetingMode.ON_SITE, MeetingMode.BOTH) and data.address:
        event.add("location", data.address)
    elif data.meeting_link:
        event.add("location", data.meeting_link)
    url = _meeting_url(data.meeting_id, base_url)
    event.add("url", url)
    lines = [f"{data.kind_label}. Kallelse och dagordning i Puls: {url}"]
    if data.meeting_link and data.mode != MeetingMode.ON_SITE:
        lines.append(f"Anslut digitalt: {data.meeting_link}")
    if cancelled:
        lines.insert(0, "Mötet är inställt.")
    event.add("description", "\n".join(lines))
    if alarm_minutes and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Påminnelse: " + data.title)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


def meeting_event(meeting: Meeting, base_url: str, alarm_minutes: int | None = None) -> Event:
    return _event(event_data(meeting), base_url, alarm_minutes)


# Serialising with icalendar is most of a feed request's time, and a polled feed
# is the same meetings again and again. Both memos are pure: the bytes are a
# function of the key alone (every input of `_event` / `_calendar`), so a stale
# or another user's entry cannot be returned, and every process answers alike.
# Bounded: an entry (key and bytes) is under 2 kB.
EVENT_MEMO_SIZE = 4096


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def _event_ical(data: EventData, base_url: str, alarm_minutes: int | None) -> bytes:
    return _event(data, base_url, alarm_minutes).to_ical()


_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=16)
def _calendar_head(name: str | None, method: str | None) -> bytes:
    """The VCALENDAR's lines up to its first event (properties and VTIMEZONE)."""
    body = _calendar(name=name, method=method).to_ical()
    if not body.endswith(_END):
        raise AssertionError("a VCALENDAR ends with END:VCALENDAR")
    return body[: -len(_END)]


def _assemble(head: bytes, events: Iterable[bytes]) -> bytes:
    """`Calendar.to_ical()` of head plus events: icalendar folds and joins line by
    line, so a component's bytes inside a calendar are its own `to_ical()`."""
    return head + b"".join(events) + _END


def feed_calendar(
    meetings: Iterable[Meeting], name: str, base_url: str, alarm_minutes: int | None = None
) -> bytes:
    """A subscription feed (no METHOD): a snapshot of the user's meetings.

    `meetings` may be `Meeting`s or `FeedMeeting`s (see `event_data`).
    """
    return _assemble(
        _calendar_head(name, None), (_event_ical(event_data(m), base_url, alarm_minutes) for m in meetings)
    )


# A feed request reads the EVENT_COLUMNS as the database stores them
# (`queries.stored_feed_rows`): UTC datetimes as SQLite's ISO text or as
# PostgreSQL's naive UTC timestamp, enums as their value, the rest as is. Such a
# row is the memo key, and only a miss converts it into a meeting's values (the
# conversion, not icalendar, was most of a polled feed's time). The bytes are a
# function of the key on both databases: equal stored rows are equal field by
# field (a str never equals a datetime, naive datetimes compare by their fields),
# and `meeting_from_stored` reads nothing but the row.


def stored_utc(value: str | datetime) -> datetime:
    """What `UTCDateTime` makes of a stored value: SQLite's text (parsed as SQLAlchemy
    parses it) or a datetime, as an aware UTC datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stored_converter(column_type):
    if isinstance(column_type, UTCDateTime):
        return stored_utc
    if isinstance(column_type, Enum):
        return column_type.enum_class
    return None


# One converter per EVENT_COLUMNS entry (None: stored as read), from the column types.
_STORED_CONVERTERS = tuple(_stored_converter(Meeting.__table__.c[name].type) for name in EVENT_COLUMNS)


def meeting_from_stored(stored: tuple) -> FeedMeeting:
    """The meeting values a stored row holds, typed as the ORM types them."""
    return FeedMeeting._make(
        value if convert is None or value is None else convert(value)
        for convert, value in zip(_STORED_CONVERTERS, stored, strict=True)
    )


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def _stored_event_ical(stored: tuple, base_url: str, alarm_minutes: int | None) -> bytes:
    return _event(event_data(meeting_from_stored(stored)), base_url, alarm_minutes).to_ical()


def stored_feed_calendar(
    rows: Iterable[tuple], name: str, base_url: str, alarm_minutes: int | None = None
) -> bytes:
    """`feed_calendar` of the meetings in `rows`, stored rows as `queries.stored_feed_rows`
    reads them (tuples of the EVENT_COLUMNS); byte-identical to `feed_calendar`."""
    return _assemble(
        _calendar_head(name, None), (_stored_event_ical(row, base_url, alarm_minutes) for row in rows)
    )


def download_calendar(meetings: Iterable[Meeting], base_url: str) -> bytes:
    """One meeting or a whole series as a file to import (no METHOD either)."""
    return _assemble(
        _calendar_head(None, None), (_event_ical(event_data(m), base_url, None) for m in meetings)
    )


def invitation_calendar(
    meeting: Meeting, method: str, base_url: str, organiser_email: str, attendee_email: str
) -> bytes:
    """An e-mail invitation: METHOD:REQUEST, or METHOD:CANCEL when cancelled."""
    cal = _calendar(method=method)
    event = meeting_event(meeting, base_url)
    event.add("organizer", f"mailto:{organiser_email}", parameters={"CN": "Puls"})
    event.add(
        "attendee",
        f"mailto:{attendee_email}",
        parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
    )
    cal.add_component(event)
    return cal.to_ical()
