"""ICS built by pure functions that return bytes (see /work/shared/ICS-NOTES.md).

Only the meeting itself goes into a calendar: title, time, place or link and
a URL back into Puls. Never names, personnummer, case details or attendee
addresses (feeds are copied to Google's and Microsoft's servers). The one
exception is an e-mail invitation, which names its own recipient as ATTENDEE
so that Outlook can offer Accept/Decline.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

from tracker.core.timeutil import STOCKHOLM
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


def meeting_url(meeting: Meeting, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/moten/{meeting.id}"


def meeting_event(meeting: Meeting, base_url: str, alarm_minutes: int | None = None) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    changed = meeting.calendar_changed_at
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("created", meeting.created_at)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(STOCKHOLM))
    event.add("dtend", meeting.ends_at.astimezone(STOCKHOLM))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("summary", (CANCELLED_PREFIX if cancelled else "") + meeting.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if meeting.mode in (MeetingMode.ON_SITE, MeetingMode.BOTH) and meeting.address:
        event.add("location", meeting.address)
    elif meeting.meeting_link:
        event.add("location", meeting.meeting_link)
    url = meeting_url(meeting, base_url)
    event.add("url", url)
    lines = [f"{meeting.kind.label}. Kallelse och dagordning i Puls: {url}"]
    if meeting.meeting_link and meeting.mode != MeetingMode.ON_SITE:
        lines.append(f"Anslut digitalt: {meeting.meeting_link}")
    if cancelled:
        lines.insert(0, "Mötet är inställt.")
    event.add("description", "\n".join(lines))
    if alarm_minutes and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Påminnelse: " + meeting.title)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


def feed_calendar(
    meetings: Iterable[Meeting], name: str, base_url: str, alarm_minutes: int | None = None
) -> bytes:
    """A subscription feed (no METHOD): a snapshot of the user's meetings."""
    cal = _calendar(name=name)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, base_url, alarm_minutes))
    return cal.to_ical()


def download_calendar(meetings: Iterable[Meeting], base_url: str) -> bytes:
    """One meeting or a whole series as a file to import (no METHOD either)."""
    cal = _calendar()
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, base_url))
    return cal.to_ical()


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
