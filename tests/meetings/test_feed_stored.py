"""The subscription feed reads its meetings as stored and its token in one Core row:
the same bytes as icalendar writing the ORM's meetings, on SQLite and PostgreSQL."""

from dataclasses import astuple, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.dialects import sqlite

from tests.conftest import FROZEN_NOW
from tests.meetings.test_ical_memo import BASE, LONG, NAME, FakeMeeting, one_change_per_column, reference
from tracker.core.timeutil import STOCKHOLM
from tracker.core.types import UTCDateTime
from tracker.meetings import feeds, ical, invitations, services, views_calendar
from tracker.meetings.models import Meeting
from tracker.meetings.queries import stored_feed_rows, visibility_values

# The autumn's repeated hour: 02:30 in Stockholm happens at 00:30 and at 01:30 UTC.
FIRST_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
SECOND_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def _meetings(db, factory, fk_setup):
    """Meetings that exercise every calendar column, for the FK officer's feed."""
    rehab, officer = fk_setup["rehab"], fk_setup["officer"]
    orgs = [fk_setup["fk"]]
    made = [
        factory.meeting(rehab, orgs=orgs, title=LONG),
        factory.meeting(rehab, users=[officer], day=date(2026, 4, 9), mode="digital", address=""),
        factory.meeting(
            rehab, orgs=orgs, day=date(2026, 4, 16), mode="on_site", meeting_link="", kind="uppstartsmote"
        ),
        factory.meeting(rehab, orgs=[fk_setup["fk_office"]], day=date(2026, 1, 20), title="Ärende å ä ö"),
    ]
    cancelled = factory.meeting(rehab, orgs=orgs, day=date(2026, 4, 23), title="Inställt " + LONG)
    services.cancel_meeting(cancelled, "Sjukdom")
    first, second = factory.meeting(rehab, orgs=orgs), factory.meeting(rehab, orgs=orgs)
    first.starts_at, first.ends_at = FIRST_0230, FIRST_0230 + timedelta(minutes=15)
    second.starts_at, second.ends_at = SECOND_0230, SECOND_0230 + timedelta(hours=1)
    first.calendar_changed_at = datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=UTC)
    db.session.flush()
    return [*made, cancelled, first, second]


def _plain(value) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is None
    return value is None or type(value) in (int, str)


def test_stored_rows_hold_plain_values_that_convert_to_what_the_orm_reads(db, factory, fk_setup):
    _meetings(db, factory, fk_setup)
    rows = stored_feed_rows(visibility_values(fk_setup["officer"]), 12)
    assert len(rows) == 7
    db.session.expire_all()
    for row in rows:
        assert type(row) is tuple and all(_plain(value) for value in row), row
        stored = ical.meeting_from_stored(row)
        meeting = db.session.get(Meeting, stored.id)
        for column in ical.EVENT_COLUMNS:
            expected, actual = getattr(meeting, column), getattr(stored, column)
            assert actual == expected and type(actual) is type(expected), column
            if isinstance(expected, datetime):
                assert actual.tzinfo is UTC and expected.tzinfo is UTC, column


def test_the_stored_feed_is_byte_identical_to_icalendars_whole_calendar(
    db, factory, fk_setup, parse_calendar
):
    _meetings(db, factory, fk_setup)
    rows = stored_feed_rows(visibility_values(fk_setup["officer"]), 12)
    db.session.expire_all()
    meetings = [db.session.get(Meeting, row[0]) for row in rows]
    for alarm in (None, 15, 1440):
        expected = reference(meetings, NAME, BASE, alarm)
        assert ical.stored_feed_calendar(rows, NAME, BASE, alarm) == expected
        assert ical.stored_feed_calendar(rows, NAME, BASE, alarm) == expected  # from the memo
        assert ical.feed_calendar(meetings, NAME, BASE, alarm) == expected
    body = ical.stored_feed_calendar(rows, NAME, BASE, 30)
    parse_calendar(body)
    assert b"DTSTART;TZID=Europe/Stockholm:20261025T023000" in body
    assert ical.stored_feed_calendar([], NAME, BASE) == reference([], NAME, BASE)


def _as_sqlite_stores(fake: FakeMeeting) -> tuple:
    """The row SQLite gives back for `fake` (UTC text, enum values)."""
    return tuple(
        value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, datetime)
        else getattr(value, "value", value)
        for value in astuple(fake)
    )


def _as_postgresql_stores(fake: FakeMeeting) -> tuple:
    """The row PostgreSQL gives back for `fake` (naive UTC timestamps, enum values)."""
    return tuple(
        value.astimezone(UTC).replace(tzinfo=None)
        if isinstance(value, datetime)
        else getattr(value, "value", value)
        for value in astuple(fake)
    )


def test_the_stored_memo_key_decides_the_bytes():
    ical._stored_event_ical.cache_clear()
    fake = FakeMeeting()
    expected = reference([fake], NAME, BASE, 30)
    for stored in (_as_sqlite_stores(fake), _as_postgresql_stores(fake)):
        assert ical.stored_feed_calendar([stored], NAME, BASE, 30) == expected
        assert ical.stored_feed_calendar([stored], NAME, BASE, 30) == expected
    assert ical._stored_event_ical.cache_info().hits == 2
    assert ical._stored_event_ical.cache_info().misses == 2
    seen = {expected}
    for column, value in one_change_per_column(fake).items():
        changed = replace(fake, **{column: value})
        want = reference([changed], NAME, BASE, 30)
        assert want not in seen, column
        seen.add(want)
        for stored in (_as_sqlite_stores(changed), _as_postgresql_stores(changed)):
            assert ical.stored_feed_calendar([stored], NAME, BASE, 30) == want, column
        for stored in (_as_sqlite_stores(changed), _as_postgresql_stores(changed)):
            assert ical.stored_feed_calendar([stored], NAME, BASE, 30) == want, column
    for base_url, alarm in ((BASE + "/", 30), ("https://other.test", 30), (BASE, 15), (BASE, None)):
        stored = _as_postgresql_stores(fake)
        assert ical.stored_feed_calendar([stored], NAME, base_url, alarm) == reference(
            [fake], NAME, base_url, alarm
        )


def test_the_two_halfpast_twos_of_the_autumn_are_two_memo_keys():
    bodies = set()
    for moment in (FIRST_0230, SECOND_0230):
        fake = replace(FakeMeeting(), starts_at=moment, ends_at=moment + timedelta(hours=1))
        for stored in (_as_sqlite_stores(fake), _as_postgresql_stores(fake)):
            body = ical.stored_feed_calendar([stored], NAME, BASE)
            assert body == reference([fake], NAME, BASE)
            bodies.add(body)
    assert len(bodies) == 2
    assert FIRST_0230.astimezone(STOCKHOLM).replace(fold=1) == SECOND_0230.astimezone(STOCKHOLM)


@pytest.mark.parametrize(
    "stored",
    [
        "2026-04-02 08:00:00.000000",
        "2026-04-02 08:00:00.123456",
        "2026-04-02 08:00:00",
        "2026-04-02 10:00:00+02:00",
        datetime(2026, 4, 2, 8, 0),
        datetime(2026, 4, 2, 8, 0, 0, 5),
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=STOCKHOLM),
    ],
)
def test_stored_utc_reads_what_the_utc_column_type_reads(stored):
    """Text as SQLite's DATETIME hands it to `UTCDateTime`; datetimes as psycopg does."""
    if isinstance(stored, str):
        dialect = sqlite.dialect()
        expected = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)(stored)
    else:
        expected = UTCDateTime().process_result_value(stored, None)
    actual = ical.stored_utc(stored)
    assert actual == expected and actual.tzinfo is UTC and expected.tzinfo is UTC
    assert actual.replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_a_token_resolves_to_its_users_visibility_values_and_settings(db, fk_setup):
    for user in (fk_setup["officer"], fk_setup["rehab"]):  # an office under FK; a clinic without parent
        token = feeds.issue_token(user)
        resolved = feeds.resolve_token(token)
        row = feeds.token_for(user)
        assert resolved == (row.id, None, None, None, visibility_values(user))
        feeds.set_alarm(user, 60)
        row.feed_etag, row.feed_changed_at = "abc", datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        db.session.flush()
        resolved = feeds.resolve_token(token)
        assert resolved.alarm_minutes == 60 and resolved.feed_etag == "abc"
        assert resolved.feed_changed_at == row.feed_changed_at and resolved.feed_changed_at.tzinfo is UTC
    assert len(visibility_values(fk_setup["officer"])["viewer_org_ids"]) == 2
    assert len(visibility_values(fk_setup["rehab"])["viewer_org_ids"]) == 1


def test_malformed_wrong_rotated_and_revoked_tokens_resolve_to_nothing(db, factory, fk_setup):
    user, other = fk_setup["rehab"], fk_setup["officer"]
    old = feeds.issue_token(user)
    token = feeds.issue_token(user)
    other_token = feeds.issue_token(other)
    selector, verifier = token.split(".")
    assert feeds.resolve_token(token) is not None
    for bad in (
        "",
        ".",
        selector,
        selector + ".",
        "." + verifier,
        old,
        selector + "." + verifier[:-1],
        selector + "." + verifier[:-1] + ("A" if verifier[-1] != "A" else "B"),
        selector + "." + other_token.split(".")[1],
        other_token.split(".")[0] + "." + verifier,
        token + "." + verifier,
        token + "x" * (101 - len(token)),
        "x" * 16 + "." + verifier,
    ):
        assert feeds.resolve_token(bad) is None, bad
    feeds.revoke_tokens(user)
    assert feeds.resolve_token(token) is None
    assert feeds.resolve_token(other_token) is not None


def test_a_token_resolves_only_while_its_user_is_active(db, fk_setup):
    user = fk_setup["officer"]
    token = feeds.issue_token(user)
    for active in (False, True, False):
        user.is_active_account = active
        db.session.flush()
        # The lookup reads the column that `User.is_active` is (the feed cannot load Users).
        assert user.is_active is active
        assert (feeds.resolve_token(token) is not None) is active


def test_a_polled_feed_runs_two_selects_and_writes_only_when_its_bytes_change(
    client, db, factory, fk_setup, count_queries, frozen_time
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    factory.meeting(fk_setup["rehab"], users=[fk_setup["officer"]], day=date(2026, 4, 9))
    token = feeds.issue_token(fk_setup["officer"])
    db.session.commit()

    def poll():
        with count_queries() as counter:
            response = client.get(f"/moten/prenumeration/{token}.ics")
        assert response.status_code == 200
        return response, [s.split()[0].upper() for s in counter.statements if s.strip().upper() != "BEGIN"]

    first, statements = poll()
    assert statements == ["SELECT", "SELECT", "UPDATE"]
    db.session.expire_all()
    row = feeds.token_for(fk_setup["officer"])
    assert first.headers["ETag"] == f'"{row.feed_etag}"' and row.feed_changed_at == FROZEN_NOW
    frozen_time.shift(timedelta(minutes=5))
    again, statements = poll()
    assert statements == ["SELECT", "SELECT"]
    assert again.data == first.data and again.headers["Last-Modified"] == first.headers["Last-Modified"]
    services.cancel_meeting(meeting, "Flyttas")
    db.session.commit()
    changed, statements = poll()
    assert statements == ["SELECT", "SELECT", "UPDATE"]
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_the_feed_hashes_its_body_once(client, db, factory, fk_setup, monkeypatch):
    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    token = feeds.issue_token(fk_setup["officer"])
    db.session.commit()
    calls = []

    def counting(body):
        calls.append(body)
        return etag(body)

    etag = invitations.calendar_etag
    monkeypatch.setattr(invitations, "calendar_etag", counting)
    monkeypatch.setattr(views_calendar, "calendar_etag", counting)
    response = client.get(f"/moten/prenumeration/{token}.ics")
    assert response.status_code == 200 and calls == [response.data]
    assert response.headers["ETag"] == f'"{etag(response.data)}"'


def test_a_pending_change_is_in_the_feed_as_a_query_would_see_it(db, factory, fk_setup):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    db.session.commit()
    values = visibility_values(fk_setup["officer"])
    meeting.title = "Ändrad men inte sparad än"  # pending: not flushed
    rows = stored_feed_rows(values, 12)
    titles = {row[ical.EVENT_COLUMNS.index("title")] for row in rows}
    assert "Ändrad men inte sparad än" in titles
