"""Meetings reach the case: "discussed at meeting X" on the timeline, and as activity for the alarms."""

from datetime import date, timedelta

from tracker.auth.models import Authority
from tracker.benefits.alarms import alarms_for
from tracker.consent.categories import Category
from tracker.meetings.models import AgendaCase, MeetingCaseNote, MeetingStatus

TODAY = date(2026, 3, 16)


def _held_meeting(factory, case, day, title="Pulsmöte Norr"):
    meeting = factory.meeting(case.rehab, orgs=[case.clinic, case.fk_office], day=day, title=title)
    meeting.status = MeetingStatus.HELD
    return meeting


def _note(factory, meeting, individual, note="Diskuterade arbetsträning.", next_steps=None):
    return factory._add(
        MeetingCaseNote(meeting_id=meeting.id, individual_id=individual.id, note=note, next_steps=next_steps)
    )


def test_the_timeline_shows_meetings_where_the_case_was_discussed(client, login, case, factory, db):
    noted = _held_meeting(factory, case, date(2026, 2, 5))
    _note(factory, noted, case.individual, next_steps="Ny kontakt med AF.")
    db.session.add(AgendaCase(meeting_id=noted.id, individual_id=case.individual.id))  # noted: shown once
    planned = factory.meeting(case.rehab, day=date(2026, 4, 2), title="Pulsmöte April")
    db.session.add(AgendaCase(meeting_id=planned.id, individual_id=case.individual.id))
    cancelled = factory.meeting(case.rehab, day=date(2026, 3, 5), title="Inställt möte")
    cancelled.status = MeetingStatus.CANCELLED
    db.session.add(AgendaCase(meeting_id=cancelled.id, individual_id=case.individual.id))
    factory.care_plan(case.individual, established_on=date(2026, 2, 20))
    db.session.commit()
    login(case.rehab)
    html = client.get(f"/formaner/person/{case.individual.public_id}/tidslinje").get_data(as_text=True)
    assert html.count("Togs upp på pulsmöte ”Pulsmöte Norr”") == 1
    assert "Diskuterade arbetsträning. Nästa steg: Ny kontakt med AF." in html
    assert "På dagordningen för pulsmöte ”Pulsmöte April”" in html
    assert "Inställt möte" not in html
    order = [html.index(t) for t in ("Pulsmöte April", "Vårdplan upprättad", "Pulsmöte Norr")]
    assert order == sorted(order)  # newest first


def test_meeting_entries_need_the_meeting_notes_category(client, login, case, factory, db):
    meeting = _held_meeting(factory, case, date(2026, 2, 5))
    _note(factory, meeting, case.individual, note="Hemlig anteckning")
    factory.certificate(case.individual, issued_on=date(2026, 1, 5))
    kommun = factory.organisation("kommun")
    kommun_user = factory.user("samordnare", organisation=kommun)
    factory.contact(case.individual, kommun)
    factory.consent(
        case.individual, parties=(kommun, Authority.FK), categories=(Category.IDENTITY, Category.CERTIFICATES)
    )
    db.session.commit()
    login(kommun_user)
    html = client.get(f"/formaner/person/{case.individual.public_id}/tidslinje").get_data(as_text=True)
    assert "Utfärdat (" in html
    assert "Hemlig anteckning" not in html and "Pulsmöte Norr" not in html
    assert "Mötesanteckningar" in html  # listed among the categories not shown


def test_a_meeting_case_note_counts_as_activity_for_the_no_activity_alarm(app, case, factory):
    factory.decision(
        case.individual,
        officer=case.officer,
        decided_on=TODAY - timedelta(days=200),
        period_start=TODAY - timedelta(days=200),
        period_end=date(2027, 12, 31),
    )
    alarm = next(a for a in alarms_for(case.rehab) if a.key == "no_activity")
    assert [row.individual.id for row in alarm.rows] == [case.individual.id]
    # On the agenda only (no note) is not activity; a note from a meeting 10 days ago is.
    agenda_only = _held_meeting(factory, case, TODAY - timedelta(days=3))
    factory._add(AgendaCase(meeting_id=agenda_only.id, individual_id=case.individual.id))
    assert next(a for a in alarms_for(case.rehab) if a.key == "no_activity").count == 1
    meeting = _held_meeting(factory, case, TODAY - timedelta(days=10))
    _note(factory, meeting, case.individual)
    assert next(a for a in alarms_for(case.rehab) if a.key == "no_activity").count == 0


def test_a_note_from_a_meeting_long_ago_does_not_silence_the_alarm(app, case, factory):
    factory.decision(
        case.individual,
        officer=case.officer,
        decided_on=TODAY - timedelta(days=300),
        period_start=TODAY - timedelta(days=300),
        period_end=date(2027, 12, 31),
    )
    _note(factory, _held_meeting(factory, case, TODAY - timedelta(days=120)), case.individual)
    alarm = next(a for a in alarms_for(case.rehab) if a.key == "no_activity")
    assert alarm.rows[0].detail == "senaste aktivitet för 120 dagar sedan"
