"""The feed is assembled from memoised VEVENT bytes: it must be byte-identical to
icalendar serialising the whole calendar, and no change can hit a stale memo."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.core.timeutil import STOCKHOLM
from tracker.meetings import feeds, ical, services
from tracker.meetings.models import Meeting, MeetingKind, MeetingMode, MeetingStatus
from tracker.meetings.queries import feed_meetings

BASE = "https://puls.test"
NAME = "Puls – mina möten"
LONG = "Samordningsmöte för Örebro län med Försäkringskassan, Arbetsförmedlingen och psykiatrin – vår"


def reference(meetings, name, base_url, alarm_minutes=None) -> bytes:
    """What icalendar writes for the whole calendar at once (no memo involved)."""
    cal = ical._calendar(name=name)
    for meeting in meetings:
        cal.add_component(ical.meeting_event(meeting, base_url, alarm_minutes))
    return cal.to_ical()


@dataclass(frozen=True)
class FakeMeeting:
    """Every column `event_data` reads, free to vary one at a time."""

    id: int = 7
    uid: str = "0b0e4a52-7a57-4f55-9a0c-3f3c1c1f0001@puls"
    calendar_changed_at: datetime = datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=UTC)
    created_at: datetime = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    sequence: int = 0
    starts_at: datetime = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    ends_at: datetime = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
    status: MeetingStatus = MeetingStatus.PLANNED
    title: str = "Pulsmöte Norr"
    mode: MeetingMode = MeetingMode.BOTH
    address: str | None = "Storgatan 1, Uppsala"
    meeting_link: str | None = "https://meet.example/abc"
    kind: MeetingKind = MeetingKind.PULSMOTE


def test_every_calendar_column_is_a_fake_meeting_field():
    assert set(ical.EVENT_COLUMNS) == set(FakeMeeting.__dataclass_fields__)
    assert set(ical.EVENT_COLUMNS) <= set(Meeting.__table__.c.keys())


def test_the_assembled_feed_is_byte_identical_to_icalendars_whole_calendar(
    db, factory, fk_setup, frozen_time, parse_calendar
):
    rehab = fk_setup["rehab"]
    orgs = [fk_setup["clinic"]]
    both = factory.meeting(rehab, orgs=orgs, title=LONG)
    digital = factory.meeting(
        rehab, orgs=orgs, day=date(2026, 4, 9), mode="digital", address="", kind="styrgruppsmote"
    )
    on_site = factory.meeting(
        rehab,
        orgs=orgs,
        day=date(2026, 4, 16),
        mode="on_site",
        meeting_link="",
        title="Ärendegenomgång å ä ö",
    )
    cancelled = factory.meeting(rehab, orgs=orgs, day=date(2026, 4, 23), title="Inställt " + LONG)
    services.cancel_meeting(cancelled, "Sjukdom")
    meetings = [both, digital, on_site, cancelled]
    for alarm in (None, 30, 1440):
        expected = reference(meetings, NAME, BASE, alarm)
        assert ical.feed_calendar(meetings, NAME, BASE, alarm) == expected
        assert ical.feed_calendar(meetings, NAME, BASE, alarm) == expected  # from the memo
    body = ical.feed_calendar(meetings, NAME, BASE, 30)
    assert body.count(b"BEGIN:VALARM") == 3 and b"STATUS:CANCELLED" in body
    assert b"\r\n " in body  # long lines were folded
    parse_calendar(body)
    assert ical.feed_calendar([], NAME, BASE) == reference([], NAME, BASE)
    assert ical.feed_calendar(meetings, "", BASE) == reference(meetings, "", BASE)
    expected_download = ical._calendar()
    for meeting in meetings:
        expected_download.add_component(ical.meeting_event(meeting, BASE))
    assert ical.download_calendar(meetings, BASE) == expected_download.to_ical()


def one_change_per_column(fake: "FakeMeeting") -> dict:
    """A different value for every calendar column of `fake` (each must change the event)."""
    changes = {
        "id": 8,
        "uid": "0b0e4a52-7a57-4f55-9a0c-3f3c1c1f0002@puls",
        "calendar_changed_at": fake.calendar_changed_at + timedelta(seconds=1),
        "created_at": fake.created_at + timedelta(minutes=1),
        "sequence": 1,
        "starts_at": fake.starts_at - timedelta(minutes=15),
        "ends_at": fake.ends_at + timedelta(minutes=15),
        "status": MeetingStatus.CANCELLED,
        "title": "Pulsmöte Söder",
        "mode": MeetingMode.DIGITAL,
        "address": "Storgatan 2, Uppsala",
        "meeting_link": "https://meet.example/abd",
        "kind": MeetingKind.UPPSTART,
    }
    assert set(changes) == set(ical.EVENT_COLUMNS)
    return changes


def test_the_memo_is_used_and_a_change_to_any_input_changes_the_event():
    fake = FakeMeeting()
    ical._event_ical.cache_clear()
    first = ical.feed_calendar([fake], NAME, BASE, 30)
    assert ical.feed_calendar([fake], NAME, BASE, 30) == first == reference([fake], NAME, BASE, 30)
    assert ical._event_ical.cache_info().hits == 1
    changes = one_change_per_column(fake)
    seen = {first}
    for column, value in changes.items():
        changed = replace(fake, **{column: value})
        body = ical.feed_calendar([changed], NAME, BASE, 30)
        assert body == reference([changed], NAME, BASE, 30), column
        assert body not in seen, column
        seen.add(body)
    for base_url, alarm in ((BASE + "/", 30), ("https://other.test", 30), (BASE, 15), (BASE, None)):
        body = ical.feed_calendar([fake], NAME, base_url, alarm)
        assert body == reference([fake], NAME, base_url, alarm)
    assert ical.feed_calendar([fake], "Annat namn", BASE, 30) == reference([fake], "Annat namn", BASE, 30)
    # A held meeting is written like a planned one; the memo still keys on the status.
    held = replace(fake, status=MeetingStatus.HELD)
    assert ical.feed_calendar([held], NAME, BASE, 30) == reference([held], NAME, BASE, 30)


@pytest.mark.parametrize("column", ["calendar_changed_at", "created_at", "starts_at", "ends_at"])
def test_equal_datetimes_written_differently_do_not_share_a_memo(column):
    # The same wall-clock time in the hour that occurs twice: == says equal, UTC differs.
    early = datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM)
    late = early.replace(fold=1)
    assert early == late and early.astimezone(UTC) != late.astimezone(UTC)
    for moment in (early, late):
        times = {
            "starts_at": datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 10, 25, 4, 0, tzinfo=UTC),
        }
        fake = replace(FakeMeeting(), **{**times, column: moment})
        assert ical.feed_calendar([fake], NAME, BASE) == reference([fake], NAME, BASE)
    # The same instant in another zone.
    utc, local = datetime(2026, 1, 5, 12, 0, tzinfo=UTC), datetime(2026, 1, 5, 13, 0, tzinfo=STOCKHOLM)
    for moment in (utc, local):
        fake = replace(FakeMeeting(), **{column: moment})
        if column == "ends_at":
            fake = replace(fake, starts_at=moment - timedelta(hours=1))
        elif column == "starts_at":
            fake = replace(fake, ends_at=moment + timedelta(hours=1))
        assert ical.feed_calendar([fake], NAME, BASE) == reference([fake], NAME, BASE)


def test_the_feed_route_serves_what_icalendar_writes_for_the_users_meetings(
    app, client, db, factory, fk_setup, frozen_time
):
    officer = fk_setup["officer"]
    for i in range(4):
        factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], day=date(2026, 4, 1) + timedelta(days=i))
    cancelled = factory.meeting(fk_setup["rehab"], users=[officer], title="Inställt " + LONG)
    services.cancel_meeting(cancelled, "Sjukdom")
    token = feeds.issue_token(officer)
    feeds.set_alarm(officer, 60)
    db.session.commit()
    body = client.get(f"/moten/prenumeration/{token}.ics").data
    db.session.expire_all()
    rows = feed_meetings(officer, app.config["FEED_PAST_MONTHS"])
    meetings = [db.session.get(Meeting, row.id) for row in rows]
    assert len(meetings) == 5
    assert body == reference(meetings, NAME, app.config["PUBLIC_BASE_URL"], 60)


def test_the_feed_loads_no_invitations_organisers_or_organisations(
    client, db, factory, fk_setup, count_queries
):
    for i in range(5):
        factory.meeting(
            fk_setup["rehab"],
            orgs=[fk_setup["fk"], fk_setup["clinic"]],
            users=[fk_setup["officer"]],
            day=date(2026, 4, 1) + timedelta(days=i),
        )
    token = feeds.issue_token(fk_setup["officer"])
    db.session.commit()
    with count_queries() as counter:
        response = client.get(f"/moten/prenumeration/{token}.ics")
    assert response.status_code == 200 and response.data.count(b"BEGIN:VEVENT") == 5
    assert not [s for s in counter.statements if "meeting_invitations.id" in s]
    (meetings,) = [s for s in counter.statements if "FROM meetings" in s]
    assert "JOIN" not in meetings


def test_the_feed_query_selects_the_meetings_visible_meetings_allows(db, factory, fk_setup, frozen_time):
    from sqlalchemy import and_, or_, select

    from tracker.core.timeutil import now_utc
    from tracker.meetings.models import MeetingStatus
    from tracker.meetings.queries import visible_meetings

    rehab, officer = fk_setup["rehab"], fk_setup["officer"]
    factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2025, 11, 1), title="För gammalt")
    factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2026, 1, 15), title="Nyligen")
    factory.meeting(rehab, users=[officer], title="Direkt inbjuden")
    factory.meeting(rehab, orgs=[fk_setup["clinic"]], title="Kliniken")
    factory.meeting(rehab, orgs=[fk_setup["fk_office"]], day=date(2026, 5, 4), title="Kontoret")
    gone = factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2026, 2, 1), title="Inställt förr")
    services.cancel_meeting(gone, "Inställt")
    coming = factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2026, 4, 20), title="Inställt sedan")
    services.cancel_meeting(coming, "Inställt")
    colleague = factory.user("handlaggare", organisation=fk_setup["fk_office"])
    inactive = factory.user("handlaggare", organisation=fk_setup["fk_office"])
    inactive.is_active_account = False
    db.session.flush()

    def expected(user, months):
        now = now_utc()
        return [
            m.id
            for m in db.session.scalars(
                select(Meeting)
                .where(
                    visible_meetings(user),
                    Meeting.starts_at >= now - timedelta(days=31 * months),
                    or_(Meeting.status != MeetingStatus.CANCELLED, and_(Meeting.ends_at >= now)),
                )
                .order_by(Meeting.starts_at, Meeting.id)
            )
        ]

    for user in (rehab, officer, colleague, inactive):
        for months in (1, 3, 12):
            assert [row.id for row in feed_meetings(user, months)] == expected(user, months)
    assert feed_meetings(inactive) == [] and len(feed_meetings(officer, 12)) == 5
