from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.meetings import feeds
from tracker.meetings.models import (
    AgendaCase,
    AgendaPoint,
    CalendarFeedToken,
    Meeting,
    MeetingCaseNote,
    MeetingSeries,
    MeetingStatus,
)
from tracker.notifications.models import OutboxMail

FORM = {
    "title": "Pulsmöte Söder",
    "kind": "pulsmote",
    "day": "2026-04-02",
    "start_time": "13:00",
    "end_time": "15:00",
    "mode": "digital",
    "meeting_link": "https://meet.example/sod",
    "address": "",
}


def _denials(db):
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "denied")
    )


def test_a_rehabkoordinator_creates_a_meeting_and_invitees_get_mail(client, db, fk_setup, login):
    login(fk_setup["rehab"])
    data = dict(FORM, organisation_ids=[fk_setup["fk_office"].id])
    response = client.post("/moten/nytt", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Pulsmöte Söder"))
    assert meeting.starts_at.hour == 11  # 13:00 CEST
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == fk_setup["officer"].email))
    assert mail.calendar_method == "REQUEST"
    assert "METHOD:REQUEST" in mail.calendar
    assert client.get(f"/moten/{meeting.id}").status_code == 200
    assert client.get("/moten/").status_code == 200
    assert "Pulsmöte Söder" in client.get("/moten/manad?ar=2026&manad=4").get_data(as_text=True)


def test_a_bad_meeting_form_is_shown_again_with_swedish_errors_and_nothing_saved(client, db, fk_setup, login):
    login(fk_setup["rehab"])
    data = dict(FORM, day="2026-03-29", start_time="02:15", end_time="01:00", meeting_link="")
    response = client.post("/moten/nytt", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Sluttiden måste vara efter starttiden" in html
    assert "Bjud in minst en organisation" in html
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    data = dict(FORM, day="2026-03-29", start_time="02:15", end_time="03:30", organisation_ids=[1])
    data["organisation_ids"] = [fk_setup["clinic"].id]
    response = client.post("/moten/nytt", data=data)
    assert response.status_code == 422 and "Tiden finns inte i svensk tid" in response.get_data(as_text=True)


def test_a_series_is_created_and_this_and_following_can_be_moved(client, db, fk_setup, login):
    login(fk_setup["rehab"])
    data = dict(
        FORM, day="2026-04-02", repeat="monthly_weekday", interval="2", count="4",
        organisation_ids=[fk_setup["clinic"].id, fk_setup["fk"].id],
    )  # fmt: skip
    assert client.post("/moten/nytt", data=data).status_code == 302
    series = db.session.scalar(select(MeetingSeries))
    meetings = series.meetings
    assert [m.starts_at.date() for m in meetings] == [
        date(2026, 4, 2), date(2026, 6, 4), date(2026, 8, 6), date(2026, 10, 1),
    ]  # fmt: skip
    second = meetings[1]
    edit = dict(FORM, scope="following", start_time="08:30", end_time="10:00", version=str(second.version))
    edit["organisation_ids"] = [fk_setup["clinic"].id]
    response = client.post(f"/moten/{second.id}/andra", data=edit)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    meetings = db.session.get(MeetingSeries, series.id).meetings
    assert meetings[0].sequence == 0 and meetings[0].starts_at.hour == 11
    assert all(m.sequence == 1 and m.starts_at.hour == 6 for m in meetings[1:])  # 08:30 CEST
    assert [m.starts_at.date() for m in meetings][1] == date(2026, 6, 4)
    # Cancel one occurrence
    response = client.post(f"/moten/{meetings[2].id}/stall-in", data={"reason": "Semester", "scope": "this"})
    assert response.status_code == 302
    db.session.expire_all()
    statuses = [m.status for m in db.session.get(MeetingSeries, series.id).meetings]
    assert statuses == [
        MeetingStatus.PLANNED,
        MeetingStatus.PLANNED,
        MeetingStatus.CANCELLED,
        MeetingStatus.PLANNED,
    ]
    assert client.get(f"/moten/serie/{series.id}.ics").status_code == 200
    cancel_mail = db.session.scalar(select(OutboxMail).where(OutboxMail.calendar_method == "CANCEL"))
    assert "METHOD:CANCEL" in cancel_mail.calendar


def test_a_stale_edit_answers_409(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"])
    db.session.commit()
    login(fk_setup["rehab"])
    data = dict(FORM, version="99", organisation_ids=[fk_setup["clinic"].id])
    assert client.post(f"/moten/{meeting.id}/andra", data=data).status_code == 409


def test_an_admin_may_not_create_meetings_and_the_denial_is_audited(client, db, login_as):
    login_as("admin")
    assert client.get("/moten/nytt").status_code == 403
    assert _denials(db) == 1


def test_only_the_organisers_unit_may_edit_or_cancel(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    db.session.commit()
    login(fk_setup["officer"])
    assert client.get(f"/moten/{meeting.id}").status_code == 200  # invited via FK
    assert client.get(f"/moten/{meeting.id}/andra").status_code == 403
    assert client.post(f"/moten/{meeting.id}/stall-in", data={"reason": "x"}).status_code == 403
    assert _denials(db) == 2


def test_minutes_close_the_meeting_and_case_notes_follow_the_policy(
    client, db, factory, fk_setup, login, frozen_time
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], users=[fk_setup["officer"]])
    consented = factory.individual(clinic=fk_setup["clinic"], first_name="Clara", last_name="Medsamtycke",
                                   fk_officer_id=fk_setup["officer"].id)  # fmt: skip
    factory.consent(consented, parties=(Authority.FK,))
    hidden = factory.individual(clinic=fk_setup["clinic"], first_name="Hugo", last_name="Utansamtycke",
                                fk_officer_id=fk_setup["officer"].id)  # fmt: skip
    db.session.commit()
    login(fk_setup["rehab"])
    for individual in (consented, hidden):
        response = client.post(
            f"/moten/{meeting.id}/protokoll/anteckning",
            data={"individual": individual.public_id, "note": "Planerar praktik", "next_steps": "Ringa AF"},
        )
        assert response.status_code == 302
    assert client.post(f"/moten/{meeting.id}/protokoll/genomfort", data={}).status_code == 422  # not begun
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    login(fk_setup["rehab"])  # the earlier session has timed out by then
    response = client.post(
        f"/moten/{meeting.id}/protokoll/genomfort",
        data={"present": [fk_setup["officer"].id], "general_notes": "Bra möte", "decisions": "Nästa i juni"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.HELD and [a.user_id for a in meeting.attendances] == [
        fk_setup["officer"].id
    ]
    assert db.session.scalar(select(func.count()).select_from(MeetingCaseNote)) == 2
    client.post("/logout")
    login(fk_setup["officer"])
    html = client.get(f"/moten/{meeting.id}/protokoll").get_data(as_text=True)
    assert "Medsamtycke" in html and "Utansamtycke" not in html
    assert "1 anteckningar visas inte" in html
    person = client.get(f"/personer/{consented.public_id}").get_data(as_text=True)
    assert "Anteckningar från möten" in person and "Ringa AF" in person


def test_a_handlaggare_cannot_write_case_notes(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    individual = factory.individual(clinic=fk_setup["clinic"], fk_officer_id=fk_setup["officer"].id)
    db.session.commit()
    login(fk_setup["officer"])
    response = client.post(
        f"/moten/{meeting.id}/protokoll/anteckning", data={"individual": individual.public_id, "note": "x"}
    )
    assert response.status_code == 403 and _denials(db) == 1


def test_the_meeting_list_uses_a_fixed_number_of_queries(client, db, factory, fk_setup, login, count_queries):
    login(fk_setup["rehab"])

    def list_with(n):
        for i in range(n):
            factory.meeting(
                fk_setup["rehab"], orgs=[fk_setup["fk"]], day=date(2026, 4, 1) + timedelta(days=i)
            )
        db.session.commit()
        with count_queries() as counter:
            assert client.get("/moten/").status_code == 200
        return counter.count

    assert list_with(3) == list_with(30)


def test_the_feed_uses_a_fixed_number_of_queries(client, db, factory, fk_setup, count_queries):
    from tracker.meetings import feeds

    token = feeds.issue_token(fk_setup["officer"])

    def feed_with(n):
        for i in range(n):
            factory.meeting(
                fk_setup["rehab"], orgs=[fk_setup["fk"]], day=date(2026, 4, 1) + timedelta(days=i)
            )
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/moten/prenumeration/{token}.ics").status_code == 200
        return counter.count

    assert feed_with(3) == feed_with(30)


def test_the_subscription_page_shows_a_new_link_once_and_an_admin_can_revoke_it(
    client, db, factory, fk_setup, login
):
    factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    db.session.commit()
    login(fk_setup["officer"])
    assert "Du har ingen prenumerationslänk" in client.get("/moten/kalender").get_data(as_text=True)
    client.post("/moten/kalender/ny-lank")
    html = client.get("/moten/kalender").get_data(as_text=True)
    assert (
        "webcal://puls.test/moten/prenumeration/" in html and "https://puls.test/moten/prenumeration/" in html
    )
    link = html.split('value="https://puls.test')[1].split('"')[0]
    assert "Outlook" in html and "Google" in html and "Thunderbird" in html
    assert "prenumeration/" not in client.get("/moten/kalender").get_data(as_text=True)  # shown once
    assert client.post("/moten/kalender/paminnelse", data={"alarm": "60"}).status_code == 302
    assert b"BEGIN:VALARM" in client.get(link).data
    assert client.get("/moten/kalender/lankar").status_code == 403
    client.post("/logout")
    admin = factory.user("admin")
    db.session.commit()
    login(admin)
    assert fk_setup["officer"].full_name in client.get("/moten/kalender/lankar").get_data(as_text=True)
    assert client.post(f"/moten/kalender/lankar/{fk_setup['officer'].id}/aterkalla").status_code == 302
    client.post("/logout")
    assert client.get(link).status_code == 404


def test_the_outbox_is_for_admins_only(client, db, factory, fk_setup, login):
    login(fk_setup["rehab"])
    assert client.get("/notiser/utkorg").status_code == 403
    assert client.get("/notiser/").status_code == 200
    client.post("/logout")
    login(factory.user("admin"))
    assert client.get("/notiser/utkorg").status_code == 200


def test_home_page_shows_upcoming_meetings(client, db, factory, fk_setup, login):
    factory.meeting(fk_setup["rehab"], title="Styrgrupp april")
    db.session.commit()
    login(fk_setup["rehab"])
    assert "Styrgrupp april" in client.get("/").get_data(as_text=True)


def test_a_series_warns_about_swedish_public_holidays(client, db, fk_setup, login):
    login(fk_setup["rehab"])
    data = dict(FORM, day="2026-04-09", repeat="monthly_weekday", interval="1", count="2")
    data["organisation_ids"] = [fk_setup["clinic"].id]
    response = client.post("/moten/nytt", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "2026-05-14 är en helgdag (Kristi himmelsfärdsdag)" in html


def test_the_form_pages_render(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"])
    db.session.commit()
    login(fk_setup["rehab"])
    assert client.get("/moten/nytt").status_code == 200
    html = client.get(f"/moten/{meeting.id}/andra").get_data(as_text=True)
    assert 'value="2026-04-02"' in html and 'value="10:00"' in html
    assert client.get(f"/moten/{meeting.id}/stall-in").status_code == 200
    assert client.post(f"/moten/{meeting.id}/stall-in", data={"reason": ""}).status_code == 422


def test_a_personnummer_in_the_title_is_refused(client, db, fk_setup, login):
    login(fk_setup["rehab"])
    data = dict(FORM, title="Genomgång 20000517-9801", organisation_ids=[fk_setup["clinic"].id])
    response = client.post("/moten/nytt", data=data)
    assert response.status_code == 422 and "Skriv inga personnummer" in response.get_data(as_text=True)


def test_an_uninvited_user_gets_a_cancel_and_the_others_an_update(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    db.session.commit()
    login(fk_setup["rehab"])
    data = dict(FORM, version=str(meeting.version), organisation_ids=[fk_setup["clinic"].id])
    assert client.post(f"/moten/{meeting.id}/andra", data=data).status_code == 302
    officer_mail = db.session.scalar(
        select(OutboxMail).where(OutboxMail.recipient == fk_setup["officer"].email)
    )
    assert officer_mail.calendar_method == "CANCEL" and "inte längre inbjuden" in officer_mail.subject
    rehab_mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == fk_setup["rehab"].email))
    assert rehab_mail.calendar_method == "REQUEST" and "SEQUENCE:1" in rehab_mail.calendar


def test_the_minutes_page_uses_a_fixed_number_of_queries(client, db, factory, fk_setup, login, count_queries):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]])
    login(fk_setup["officer"])

    def minutes_with(n):
        for _ in range(n):
            individual = factory.individual(clinic=fk_setup["clinic"], fk_officer_id=fk_setup["officer"].id)
            factory.consent(individual)
            db.session.add(MeetingCaseNote(meeting=meeting, individual_id=individual.id, note="Anteckning"))
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/moten/{meeting.id}/protokoll").status_code == 200
        return counter.count

    assert minutes_with(3) == minutes_with(30)


def test_reading_case_notes_in_the_minutes_is_audited_on_each_person(client, db, factory, fk_setup, login):
    from tracker.meetings.models import MeetingCaseNote

    rehab, officer = fk_setup["rehab"], fk_setup["officer"]
    meeting = factory.meeting(rehab, orgs=[fk_setup["clinic"], fk_setup["fk"]])
    shown = factory.individual(clinic=fk_setup["clinic"], first_name="Maja", last_name="Minnesdal",
                               fk_officer_id=officer.id)  # fmt: skip
    factory.consent(shown, parties=(Authority.FK,))
    hidden = factory.individual(clinic=fk_setup["clinic"], fk_officer_id=officer.id)
    for individual, text in ((shown, "Inlagd i slutenvård i februari"), (shown, "Ny kontakt"), (hidden, "x")):
        db.session.add(MeetingCaseNote(meeting=meeting, individual_id=individual.id, note=text,
                                       created_by_id=rehab.id))  # fmt: skip
    db.session.commit()
    login(officer)
    html = client.get(f"/moten/{meeting.id}/protokoll").get_data(as_text=True)
    assert "Inlagd i slutenvård" in html
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.user_id == officer.id, AuditEvent.individual_id.is_not(None))
    ).all()
    # One row for the person whose notes were read (not one per note), none for the hidden one.
    assert [(r.action, r.object_type, r.object_id, r.individual_id, r.details) for r in rows] == [
        ("view", "MeetingCaseNote", meeting.id, shown.id, f"meeting {meeting.id}")
    ]


def test_held_minutes_take_no_new_case_notes(client, db, factory, fk_setup, login, frozen_time):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], users=[fk_setup["officer"]])
    individual = factory.individual(clinic=fk_setup["clinic"])
    db.session.commit()
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    login(fk_setup["rehab"])
    url = f"/moten/{meeting.id}/protokoll/anteckning"
    # During the meeting, before it is marked held, notes are taken.
    assert (
        client.post(url, data={"individual": individual.public_id, "note": "Under mötet"}).status_code == 302
    )
    held = client.post(f"/moten/{meeting.id}/protokoll/genomfort", data={"general_notes": "Klart"})
    assert held.status_code == 302
    assert "Spara anteckning" not in client.get(f"/moten/{meeting.id}/protokoll").get_data(as_text=True)
    late = client.post(url, data={"individual": individual.public_id, "note": "Skrivet i efterhand"})
    assert late.status_code == 422
    html = late.get_data(as_text=True)
    assert "protokollet stängt; anteckningar kan inte läggas till" in html and "Skrivet i efterhand" in html
    notes = db.session.scalars(select(MeetingCaseNote.note).where(MeetingCaseNote.meeting_id == meeting.id))
    assert notes.all() == ["Under mötet"]


def test_a_held_meetings_agenda_cases_and_points_cannot_be_removed(
    client, db, factory, fk_setup, login, frozen_time
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], users=[fk_setup["officer"]])
    individual = factory.individual(clinic=fk_setup["clinic"])
    row = AgendaCase(meeting=meeting, individual_id=individual.id)
    point = AgendaPoint(meeting=meeting, text="Övrigt", created_by_id=fk_setup["rehab"].id)
    db.session.add_all([row, point])
    db.session.commit()
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    login(fk_setup["rehab"])
    assert (
        client.post(f"/moten/{meeting.id}/protokoll/genomfort", data={"general_notes": "Klart"}).status_code
        == 302
    )
    removed = client.post(f"/moten/{meeting.id}/dagordning/arende/{row.id}/ta-bort", follow_redirects=True)
    assert "ärendet kan inte tas bort från dagordningen" in removed.get_data(as_text=True)
    removed = client.post(f"/moten/{meeting.id}/dagordning/punkt/{point.id}/ta-bort", follow_redirects=True)
    assert "punkten kan inte tas bort" in removed.get_data(as_text=True)
    added = client.post(f"/moten/{meeting.id}/dagordning/punkt", data={"text": "Sent påkommet"})
    assert added.status_code == 422 and "punkter kan inte läggas till" in added.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AgendaCase, row.id) is not None
    assert db.session.scalars(select(AgendaPoint.text)).all() == ["Övrigt"]


def test_a_minutes_page_re_shown_with_an_error_still_audits_the_notes_it_shows(
    client, db, factory, fk_setup, login, frozen_time
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["fk"]], users=[fk_setup["officer"]])
    individual = factory.individual(clinic=fk_setup["clinic"])
    db.session.add(MeetingCaseNote(meeting=meeting, individual_id=individual.id, note="Under mötet"))
    db.session.commit()
    login(fk_setup["rehab"])

    def note_reads():
        db.session.expire_all()
        query = select(func.count()).where(
            AuditEvent.object_type == "MeetingCaseNote", AuditEvent.individual_id == individual.id
        )
        return db.session.scalar(query)

    before = note_reads()
    # An empty note fails validation: the minutes are shown again, with the note read on them.
    shown = client.post(
        f"/moten/{meeting.id}/protokoll/anteckning", data={"individual": individual.public_id}
    )
    assert shown.status_code == 422 and "Under mötet" in shown.get_data(as_text=True)
    assert note_reads() == before + 1
    assert db.session.scalars(select(MeetingCaseNote.note)).all() == ["Under mötet"]


def test_a_new_feed_link_is_not_readable_from_the_session_cookie(app, client, db, fk_setup, login):
    login(fk_setup["officer"])
    assert client.post("/moten/kalender/ny-lank").status_code == 302
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    stored = app.session_interface.get_signing_serializer(app).loads(cookie)  # signed, readable by anyone
    html = client.get("/moten/kalender").get_data(as_text=True)
    token = html.split('value="https://puls.test/moten/prenumeration/')[1].split(".ics")[0]
    assert token not in str(stored) and token.split(".")[1] not in str(stored)
    assert feeds.resolve_token(token) is not None


def test_only_a_logged_in_user_makes_a_feed_link(client, db, fk_setup):
    response = client.post("/moten/kalender/ny-lank")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert feeds.token_for(fk_setup["officer"]) is None
    assert db.session.scalar(select(func.count()).select_from(CalendarFeedToken)) == 0
