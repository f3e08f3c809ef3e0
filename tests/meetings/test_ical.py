from datetime import date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events

from tests.factories import meeting_data
from tracker.core.timeutil import STOCKHOLM
from tracker.meetings import feeds, ical, services
from tracker.meetings.models import AgendaCase

BASE = "https://puls.test"


def _feed(client, token, **headers):
    return client.get(f"/moten/prenumeration/{token}.ics", headers=headers)


def test_a_feed_is_valid_for_every_parser_and_carries_the_subscription_properties(
    db, factory, fk_setup, parse_calendar
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    body = ical.feed_calendar([meeting], "Puls – mina möten", BASE, alarm_minutes=30)
    cal = parse_calendar(body)
    text = body.decode()
    assert "METHOD" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    assert "NAME:Puls – mina möten\r\n" in text and "X-WR-CALNAME:Puls – mina möten\r\n" in text
    assert "RDATE" not in text and "COMMENT" not in text
    event = cal.walk("VEVENT")[0]
    assert str(event["uid"]) == meeting.uid and "@puls" in meeting.uid
    assert event.decoded("dtstamp") == meeting.calendar_changed_at.replace(microsecond=0)
    assert event.decoded("last-modified") == meeting.calendar_changed_at.replace(microsecond=0)
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert "DTSTART;TZID=Europe/Stockholm:20260402T100000\r\n" in text
    assert str(event["location"]) == "Storgatan 1, Uppsala"
    assert str(event["url"]) == f"{BASE}/moten/{meeting.id}"
    assert event["status"] == "CONFIRMED" and event["sequence"] == 0
    assert event.walk("VALARM")[0].decoded("trigger") == -timedelta(minutes=30)


def test_an_empty_feed_is_still_valid(db, parse_calendar):
    cal = parse_calendar(ical.feed_calendar([], "Puls", BASE))
    assert cal.walk("VTIMEZONE")


def test_a_series_across_both_dst_changes_keeps_its_local_wall_clock_time(
    db, factory, fk_setup, parse_calendar
):
    data = meeting_data(day=date(2026, 3, 5), start="09:00", end="10:00", orgs=[fk_setup["clinic"]])
    series = services.create_series(
        data, services.RepeatData("monthly_weekday", 1, count=9), fk_setup["rehab"]
    )
    days = [m.starts_at.astimezone(STOCKHOLM).date() for m in series.meetings]
    # First Thursday of every month
    assert days[:3] == [date(2026, 3, 5), date(2026, 4, 2), date(2026, 5, 7)]
    assert all(d.weekday() == 3 and d.day <= 7 for d in days)
    # UTC hour differs between winter (08:00) and summer (07:00); local time does not.
    assert series.meetings[0].starts_at.hour == 8 and series.meetings[1].starts_at.hour == 7
    assert series.meetings[8].starts_at.hour == 8  # November: winter time again
    body = ical.download_calendar(series.meetings, BASE)
    parse_calendar(body)
    cal = icalendar.Calendar.from_ical(body)
    occurrences = recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert len(occurrences) == 9
    assert {o.decoded("dtstart").astimezone(STOCKHOLM).hour for o in occurrences} == {9}
    assert len({str(o["uid"]) for o in occurrences}) == 9


def test_a_time_in_the_spring_forward_gap_is_rejected(db, factory, fk_setup):
    from tracker.core.errors import ValidationError

    data = meeting_data(day=date(2026, 3, 29), start="02:30", end="04:00", orgs=[fk_setup["clinic"]])
    with pytest.raises(ValidationError) as error:
        services.create_meeting(data, fk_setup["rehab"])
    assert "start_time" in error.value.errors


def test_every_4_weeks_with_an_end_date(db):
    from tracker.meetings.models import RepeatRule
    from tracker.meetings.timing import occurrence_dates

    days = occurrence_dates(RepeatRule.WEEKLY, 4, date(2026, 1, 8), date(2026, 4, 30), None)
    assert days == [date(2026, 1, 8), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 2), date(2026, 4, 30)]


def test_editing_raises_sequence_and_cancelling_yields_status_cancelled(db, factory, fk_setup, frozen_time):
    meeting = factory.meeting(fk_setup["rehab"])
    first_stamp = meeting.calendar_changed_at
    frozen_time.shift(timedelta(minutes=5))
    services.update_meeting(meeting, meeting_data(start="13:00", end="14:00", orgs=[fk_setup["clinic"]]), 1)
    assert meeting.sequence == 1 and meeting.calendar_changed_at > first_stamp
    frozen_time.shift(timedelta(minutes=5))
    services.cancel_meeting(meeting, "Sjukdom")
    body = ical.feed_calendar([meeting], "Puls", BASE).decode()
    assert "STATUS:CANCELLED\r\n" in body and "SEQUENCE:2\r\n" in body
    assert "SUMMARY:INSTÄLLT: Pulsmöte Norr" in body


def test_the_feed_route_is_byte_stable_and_answers_304(client, db, factory, fk_setup, parse_calendar):
    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"]])
    token = feeds.issue_token(fk_setup["rehab"])
    db.session.commit()
    first = _feed(client, token)
    second = _feed(client, token)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.data == second.data
    parse_calendar(first.data)
    etag = first.headers["ETag"]
    assert _feed(client, token, **{"If-None-Match": etag}).status_code == 304
    last_modified = first.headers["Last-Modified"]
    assert _feed(client, token, **{"If-Modified-Since": last_modified}).status_code == 304


def test_a_change_is_seen_by_a_polling_client(client, db, factory, fk_setup, frozen_time):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"]])
    token = feeds.issue_token(fk_setup["rehab"])
    db.session.commit()
    etag = _feed(client, token).headers["ETag"]
    frozen_time.shift(timedelta(minutes=1))
    services.cancel_meeting(meeting, "Flyttas")
    db.session.commit()
    response = _feed(client, token, **{"If-None-Match": etag})
    assert response.status_code == 200 and b"STATUS:CANCELLED" in response.data


def test_rotated_revoked_bad_and_deactivated_tokens_answer_404(client, db, factory, fk_setup):
    user = fk_setup["rehab"]
    old = feeds.issue_token(user)
    new = feeds.issue_token(user)
    db.session.commit()
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200
    assert _feed(client, new[:-2] + "xx").status_code == 404
    assert _feed(client, "nonsense").status_code == 404
    user.is_active_account = False
    db.session.commit()
    assert _feed(client, new).status_code == 404
    user.is_active_account = True
    feeds.revoke_tokens(user)
    db.session.commit()
    response = _feed(client, new)
    assert response.status_code == 404 and "Location" not in response.headers


def test_the_token_is_stored_only_as_a_hash(db, fk_setup):
    token = feeds.issue_token(fk_setup["rehab"])
    row = feeds.token_for(fk_setup["rehab"])
    selector, verifier = token.split(".")
    assert row.selector == selector and verifier not in row.verifier_hash and len(verifier) >= 22


def test_feed_contains_invited_and_organisation_meetings_from_three_months_back(
    db, factory, fk_setup, frozen_time
):
    rehab, officer = fk_setup["rehab"], fk_setup["officer"]
    old = factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2025, 11, 1), title="För gammalt")
    recent = factory.meeting(rehab, orgs=[fk_setup["fk"]], day=date(2026, 1, 15), title="Nyligen")
    direct = factory.meeting(rehab, users=[officer], title="Direkt inbjuden")
    other = factory.meeting(rehab, orgs=[fk_setup["clinic"]], title="Inte inbjuden")
    cancelled_past = factory.meeting(
        rehab, orgs=[fk_setup["fk"]], day=date(2026, 2, 1), title="Inställt förr"
    )
    services.cancel_meeting(cancelled_past, "Inställt")
    from tracker.meetings.queries import feed_meetings

    titles = {m.title for m in feed_meetings(officer)}
    assert titles == {recent.title, direct.title}
    assert old.title not in titles and other.title not in titles


def test_a_feed_for_an_fk_user_contains_no_names_or_personnummer(client, db, factory, fk_setup):
    rehab, officer = fk_setup["rehab"], fk_setup["officer"]
    individual = factory.individual(clinic=fk_setup["clinic"], first_name="Tindra", last_name="Hemligsson")
    factory.consent(individual)
    meeting = factory.meeting(rehab, orgs=[fk_setup["fk"]], users=[officer])
    from tracker.meetings import minutes

    minutes.add_point(meeting, "Rutiner för utlåtanden", rehab)
    db.session.add(AgendaCase(meeting=meeting, individual_id=individual.id))
    token = feeds.issue_token(officer)
    db.session.commit()
    raw = _feed(client, token).data
    assert meeting.uid.encode() in raw
    for secret in (
        individual.first_name,
        individual.last_name,
        individual.personnummer,
        individual.personnummer[2:],
        officer.full_name,
        officer.email,
        rehab.full_name,
        rehab.email,
    ):
        assert secret.encode() not in raw


def test_an_email_invitation_carries_method_request_and_cancel(db, factory, fk_setup, parse_calendar):
    meeting = factory.meeting(fk_setup["rehab"])
    request_ics = ical.invitation_calendar(meeting, "REQUEST", BASE, "puls@x.example", "a@x.example")
    cal = parse_calendar(request_ics)
    assert cal["method"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert str(event["organizer"]) == "mailto:puls@x.example"
    assert str(event["attendee"]) == "mailto:a@x.example"
    services.cancel_meeting(meeting, "Krock")
    cancel_ics = ical.invitation_calendar(meeting, "CANCEL", BASE, "puls@x.example", "a@x.example")
    assert b"METHOD:CANCEL\r\n" in cancel_ics and b"STATUS:CANCELLED\r\n" in cancel_ics


def test_creating_a_meeting_mails_invitations_to_invited_users(db, factory, fk_setup):
    from sqlalchemy import select

    from tracker.notifications.models import OutboxMail

    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk_office"]])
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk_office"]])
    from tracker.meetings.invitations import send_invitations

    assert send_invitations([meeting], "REQUEST") == 2  # the officer and the organiser
    mails = db.session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == fk_setup["officer"].email)
    ).all()
    assert mails and mails[0].calendar_method == "REQUEST"
    assert "METHOD:REQUEST" in mails[0].calendar


def test_the_demo_feed_of_an_fk_handlaggare_contains_no_names_or_personnummer(client, db):
    from sqlalchemy import select

    from tracker.auth.models import User
    from tracker.demo import build
    from tracker.people.models import Individual

    build(40)
    officer = db.session.scalar(select(User).where(User.email == "fk1@demo.puls.example"))
    token = feeds.issue_token(officer)
    db.session.commit()
    raw = _feed(client, token).data
    assert raw.count(b"BEGIN:VEVENT") >= 8  # the pulsmöte series and other meetings
    for individual in db.session.scalars(select(Individual)):
        pnr = individual.personnummer
        for secret in (individual.full_name, pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}"):
            assert secret.encode() not in raw
        if len(individual.last_name) >= 5:
            assert individual.last_name.encode() not in raw
    for user in db.session.scalars(select(User)):
        assert user.full_name.encode() not in raw and user.email.encode() not in raw


def test_a_meeting_leaving_the_feed_moves_last_modified(client, db, factory, fk_setup, frozen_time):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    token = feeds.issue_token(fk_setup["officer"])
    db.session.commit()
    first = _feed(client, token)
    assert meeting.uid.encode() in first.data
    frozen_time.shift(timedelta(minutes=2))
    services.update_meeting(meeting, meeting_data(orgs=[fk_setup["clinic"]]), meeting.version)  # uninvited
    db.session.commit()
    response = _feed(client, token, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200 and meeting.uid.encode() not in response.data
    assert response.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_an_anonymous_calendar_client_gets_404_not_a_login_redirect(client, db, factory, fk_setup):
    meeting = factory.meeting(fk_setup["rehab"])
    db.session.commit()
    for path in (
        f"/moten/{meeting.id}.ics",
        f"/moten/serie/{meeting.id}.ics",
        "/moten/prenumeration/x.y.ics",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "Location" not in response.headers
