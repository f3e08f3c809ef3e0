from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import Authority, OrgType
from tracker.meetings.models import AgendaCase, AgendaPoint, Meeting, MeetingCaseNote, MeetingStatus


def _denials(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
    )


def _series(user, **overrides):
    return {
        "title": "Pulsmöte Norr",
        "kind": "pulsmote",
        "day": "2026-04-02",  # the first Thursday of April
        "start_time": "10:00",
        "end_time": "11:30",
        "mode": "digital",
        "meeting_link": "https://meet.example/abc",
        "organisation_ids": [user.organisation_id],
        "repeat": "monthly_weekday",
        "interval": 2,
        "count": 3,
        **overrides,
    }


@pytest.fixture
def table(factory, db):
    """A pulsmöte between a clinic and FK; one case with FK consent, one without."""
    fk = factory.organisation(OrgType.FK, name="Försäkringskassan test")
    fk_office = factory.organisation(OrgType.FK, name="FK lokalkontor test", parent=fk)
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning test")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    officer = factory.user("handlaggare", organisation=fk_office)
    meeting = factory.meeting(rehab, orgs=[clinic, fk], users=[officer])
    named = factory.individual(
        clinic=clinic, first_name="Siri", last_name="Samtyckesson", fk_officer_id=officer.id
    )
    factory.consent(named, parties=(Authority.FK,))
    hidden = factory.individual(
        clinic=clinic, first_name="Ulf", last_name="Utansson", fk_officer_id=officer.id
    )
    for individual in (named, hidden):
        db.session.add(AgendaCase(meeting=meeting, individual_id=individual.id))
    db.session.commit()
    return meeting, rehab, officer, named, hidden


# ---------------------------------------------------------------- series


def test_organiser_creates_a_series_with_the_web_forms_rules(api, db):
    call = api("samordnare")
    created = call("POST", "/meeting-series", _series(call.user))
    assert created.status_code == 201, created.json
    series = created.json
    assert [m["starts_at"][:10] for m in series["meetings"]] == ["2026-04-02", "2026-06-04", "2026-08-06"]
    assert {m["series_id"] for m in series["meetings"]} == {series["id"]}
    assert series["interval"] == 2 and series["count"] == 3 and series["until_on"] is None
    weekly = call("POST", "/meeting-series", _series(call.user, repeat="weekly", count=None, interval=1,
                                                     until_on="2026-04-20"))  # fmt: skip
    assert weekly.status_code == 201 and len(weekly.json["meetings"]) == 3


def test_series_validation_is_the_services(api, db):
    call = api("samordnare")
    both = call("POST", "/meeting-series", _series(call.user, until_on="2026-09-01"))
    assert both.status_code == 422 and "until_on" in both.json["errors"]
    wide = call("POST", "/meeting-series", _series(call.user, interval=13, count=61))
    assert wide.status_code == 422 and {"interval", "count"} <= set(wide.json["errors"])
    early = call("POST", "/meeting-series", _series(call.user, count=None, until_on="2026-04-01"))
    assert early.status_code == 422 and "efter" in early.json["errors"]["until_on"]
    assert call("POST", "/meeting-series", _series(call.user, repeat="daily")).status_code == 422
    # Weekly to 2199 would be thousands of meetings: refused, not cut short at 60 unsaid.
    far = call("POST", "/meeting-series", _series(call.user, repeat="weekly", count=None, interval=1,
                                                  until_on="2199-12-31"))  # fmt: skip
    assert far.status_code == 422 and "högst 60" in far.json["errors"]["until_on"]
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_series_of_exactly_sixty_meetings_is_allowed(api, db):
    call = api("samordnare")
    # 2026-04-02 and 59 more Thursdays: the last is 2027-05-20.
    body = _series(call.user, repeat="weekly", count=None, interval=1, until_on="2027-05-20")
    created = call("POST", "/meeting-series", body)
    assert created.status_code == 201, created.json
    assert len(created.json["meetings"]) == 60
    body = _series(call.user, repeat="weekly", count=None, interval=1, until_on="2027-05-27")
    assert call("POST", "/meeting-series", body).status_code == 422


def test_series_creation_refuses_other_roles_and_read_only_tokens(api, db):
    before = _denials(db)
    assert api("admin")("POST", "/meeting-series", _series(api("samordnare").user)).status_code == 403
    assert _denials(db) == before + 1
    reader = api("samordnare", scope="read")
    assert reader("POST", "/meeting-series", _series(reader.user)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_one_occurrence_is_cancelled_and_this_and_following_is_changed(api, db):
    call = api("samordnare")
    ids = [m["id"] for m in call("POST", "/meeting-series", _series(call.user)).json["meetings"]]
    cancelled = call("POST", f"/meetings/{ids[0]}/cancel", {"reason": "Sjukdom", "scope": "this"})
    assert cancelled.status_code == 200
    statuses = [call("GET", f"/meetings/{i}").json["status"] for i in ids]
    assert statuses == ["cancelled", "planned", "planned"]
    body = _series(call.user, start_time="13:00", end_time="14:00", version=1, scope="following")
    for key in ("repeat", "interval", "count"):
        body.pop(key)
    assert call("PUT", f"/meetings/{ids[1]}", body).status_code == 200
    assert [call("GET", f"/meetings/{i}").json["starts_at"][11:16] for i in ids[1:]] == ["11:00", "11:00"]


# ---------------------------------------------------------------- agenda


def test_agenda_names_consented_cases_and_counts_the_others(api, table, db):
    meeting, rehab, officer, named, hidden = table
    response = api(officer)("GET", f"/meetings/{meeting.id}/agenda")
    assert response.status_code == 200, response.json
    cases = next(s for s in response.json["sections"] if s["key"] == "cases")
    assert cases["named"] == [{"id": named.public_id, "name": named.full_name, "details": []}]
    assert cases["hidden_count"] == 1 and cases["own_unnamed"] == []
    text = response.get_data(as_text=True)
    assert "Utansson" not in text and hidden.public_id not in text and hidden.personnummer not in text
    assert response.json["hidden_total"] == 1 and "samtycke" in response.json["consent_prompt"]
    own = api(rehab)("GET", f"/meetings/{meeting.id}/agenda").json
    own_cases = next(s for s in own["sections"] if s["key"] == "cases")
    assert [c["id"] for c in own_cases["own_unnamed"]] == [hidden.public_id]


def test_agenda_refuses_the_uninvited_and_unknown_meetings(api, table, db):
    meeting = table[0]
    before = _denials(db)
    assert api("rehabkoordinator")("GET", f"/meetings/{meeting.id}/agenda").status_code == 403
    assert _denials(db) == before + 1
    assert api("rehabkoordinator")("GET", "/meetings/999999/agenda").status_code == 404


def test_free_points_are_added_and_removed_by_the_organiser_only(api, table, db):
    meeting, rehab, officer, _named, _hidden = table
    call = api(rehab)
    added = call("POST", f"/meetings/{meeting.id}/agenda/points", {"text": "Rapport från AF"})
    assert added.status_code == 201 and added.json["text"] == "Rapport från AF"
    agenda = call("GET", f"/meetings/{meeting.id}/agenda").json
    assert agenda["points"] == [added.json]
    assert call("POST", f"/meetings/{meeting.id}/agenda/points", {"text": ""}).status_code == 422
    assert call("POST", f"/meetings/{meeting.id}/agenda/points", {"text": "x" * 501}).status_code == 422
    url = f"/meetings/{meeting.id}/agenda/points/{added.json['id']}"
    assert api(officer)("DELETE", url).status_code == 403  # invited, not organiser
    assert api(rehab, scope="read")("DELETE", url).status_code == 403
    assert call("DELETE", url).status_code == 204
    assert call("DELETE", url).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AgendaPoint)) == 0


# ---------------------------------------------------------------- minutes


def test_case_notes_follow_the_policy(api, table, factory, db):
    meeting, rehab, officer, named, hidden = table
    call = api(rehab)
    url = f"/meetings/{meeting.id}/case-notes"
    created = call(
        "POST", url, {"individual": hidden.public_id, "note": "Planerar praktik", "next_steps": "Ringa"}
    )
    assert created.status_code == 201 and created.json["individual"] == hidden.public_id
    assert call("POST", url, {"individual": hidden.public_id, "note": " "}).status_code == 422
    assert call("POST", url, {"individual": "finns-inte", "note": "x"}).status_code == 404
    before = _denials(db)
    # The FK officer (no consent for this case) may not write meeting notes.
    assert api(officer)("POST", url, {"individual": hidden.public_id, "note": "x"}).status_code == 403
    # An invited kommun samordnare in contact with the case but without consent: refused by the policy.
    kommun = factory.organisation(OrgType.KOMMUN)
    factory.contact(hidden, kommun)
    meeting.invitations  # noqa: B018  (loaded before adding)
    from tracker.meetings.models import MeetingInvitation

    db.session.add(MeetingInvitation(meeting=meeting, organisation_id=kommun.id))
    db.session.commit()
    outsider = api("samordnare", organisation=kommun)
    assert outsider("POST", url, {"individual": hidden.public_id, "note": "x"}).status_code == 403
    assert _denials(db) == before + 2
    assert (
        api(rehab, scope="read")("POST", url, {"individual": hidden.public_id, "note": "x"}).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(MeetingCaseNote)) == 1


def test_marking_held_closes_the_minutes(api, table, frozen_time, db):
    meeting, rehab, officer, _named, _hidden = table
    call = api(rehab)
    url = f"/meetings/{meeting.id}/held"
    body = {"general_notes": "Bra möte", "decisions": "Nästa i juni", "present_user_ids": [officer.id]}
    early = call("POST", url, body)
    assert early.status_code == 422 and "general_notes" in early.json["errors"]
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    assert call("POST", url, {**body, "present_user_ids": [999999]}).status_code == 422
    assert api(officer)("POST", url, body).status_code == 403
    assert api(rehab, scope="read")("POST", url, body).status_code == 403
    held = call("POST", url, body)
    assert held.status_code == 200, held.json
    assert held.json["status"] == MeetingStatus.HELD and held.json["present_user_ids"] == [officer.id]
    again = call("POST", url, body)
    assert again.status_code == 422
    assert call("POST", "/meetings/999999/held", body).status_code == 404


def test_the_responsible_unit_puts_its_case_on_the_agenda_and_takes_it_off(api, table, factory, db):
    meeting, rehab, officer, _named, _hidden = table
    own = factory.individual(clinic=rehab.organisation, first_name="Nina", last_name="Nyfall")
    db.session.commit()
    call = api(rehab)
    url = f"/meetings/{meeting.id}/agenda/cases"
    added = call("POST", url, {"individual": own.public_id})
    assert added.status_code == 201 and added.json["individual"] == own.public_id
    twice = call("POST", url, {"individual": own.public_id})
    assert twice.status_code == 422 and "redan" in twice.json["errors"]["individual"]
    assert call("POST", url, {"individual": "finns-inte"}).status_code == 404
    cases = next(
        s for s in call("GET", f"/meetings/{meeting.id}/agenda").json["sections"] if s["key"] == "cases"
    )
    assert cases["hidden_count"] == 2  # FK has no consent for the new case either
    before = _denials(db)
    assert api(officer)("POST", url, {"individual": own.public_id}).status_code == 403
    row_url = f"{url}/{added.json['id']}"
    assert api(officer)("DELETE", row_url).status_code == 403
    assert _denials(db) == before + 2
    assert api(rehab, scope="read")("DELETE", row_url).status_code == 403
    assert call("DELETE", row_url).status_code == 204
    assert call("DELETE", row_url).status_code == 404


def test_minutes_show_only_the_notes_the_reader_may_see(api, table, db):
    meeting, rehab, officer, named, hidden = table
    call = api(rehab)
    for individual in (named, hidden):
        note = {"individual": individual.public_id, "note": "Planerar praktik"}
        assert call("POST", f"/meetings/{meeting.id}/case-notes", note).status_code == 201
    own = call("GET", f"/meetings/{meeting.id}/minutes").json
    assert own["hidden_notes"] == 0 and len(own["case_notes"]) == 2
    theirs = api(officer)("GET", f"/meetings/{meeting.id}/minutes")
    assert theirs.status_code == 200
    assert [n["individual"] for n in theirs.json["case_notes"]] == [named.public_id]
    assert theirs.json["hidden_notes"] == 1 and hidden.public_id not in theirs.get_data(as_text=True)
    assert api("rehabkoordinator")("GET", f"/meetings/{meeting.id}/minutes").status_code == 403


def test_agenda_and_minutes_use_a_fixed_number_of_queries(api, table, factory, count_queries, db):
    meeting, rehab, officer, _named, _hidden = table
    call = api(officer)
    counts = []
    for rows in (3, 30):
        for _ in range(rows - (0 if rows == 3 else 3)):
            person = factory.individual(clinic=rehab.organisation, fk_officer_id=officer.id)
            if rows % 2:
                factory.consent(person, parties=(Authority.FK,))
            db.session.add(AgendaCase(meeting=meeting, individual_id=person.id))
            db.session.add(MeetingCaseNote(meeting=meeting, individual_id=person.id, note="x"))
        db.session.commit()
        row = []
        for url in (f"/meetings/{meeting.id}/agenda", f"/meetings/{meeting.id}/minutes"):
            call("GET", url)
            with count_queries() as counter:
                assert call("GET", url).status_code == 200
            row.append(counter.count)
        counts.append(row)
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- aggregates only, audit per person, closed


def test_ledning_gets_counts_not_names_from_the_agenda(api, table, factory, db):
    meeting, rehab, _officer, named, hidden = table
    lead = factory.user("ledning", organisation=rehab.organisation)
    response = api(lead)("GET", f"/meetings/{meeting.id}/agenda")
    assert response.status_code == 200, response.json
    cases = next(s for s in response.json["sections"] if s["key"] == "cases")
    assert cases["named"] == [] and cases["own_unnamed"] == [] and cases["hidden_count"] == 2
    text = response.get_data(as_text=True)
    for individual in (named, hidden):
        assert individual.last_name not in text and individual.public_id not in text
    assert response.json["consent_prompt"] is None  # no consent would name them to ledning


def test_agenda_and_minutes_reads_are_audited_on_each_person_shown(api, table, db):
    meeting, rehab, officer, named, hidden = table
    for individual in (named, hidden):
        note = {"individual": individual.public_id, "note": "Planerar praktik"}
        assert api(rehab)("POST", f"/meetings/{meeting.id}/case-notes", note).status_code == 201
    call = api(officer)
    assert call("GET", f"/meetings/{meeting.id}/agenda").status_code == 200
    assert call("GET", f"/meetings/{meeting.id}/minutes").status_code == 200
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.user_id == officer.id, AuditEvent.individual_id.is_not(None))
        .order_by(AuditEvent.id)
    ).all()
    assert [(r.action, r.object_type, r.object_id, r.individual_id, r.details) for r in rows] == [
        ("view", "AgendaCase", meeting.id, named.id, f"api meeting {meeting.id}"),
        ("view", "MeetingCaseNote", meeting.id, named.id, f"api meeting {meeting.id}"),
    ]


def test_held_minutes_take_no_new_case_notes_or_agenda_cases(api, table, factory, frozen_time, db):
    meeting, rehab, _officer, named, _hidden = table
    late_case = factory.individual(clinic=rehab.organisation)
    db.session.commit()
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    call = api(rehab)
    assert call("POST", f"/meetings/{meeting.id}/held", {"general_notes": "Klart"}).status_code == 200
    note = call("POST", f"/meetings/{meeting.id}/case-notes", {"individual": named.public_id, "note": "Sent"})
    assert note.status_code == 422 and "protokollet stängt" in note.json["errors"]["note"]
    case = call("POST", f"/meetings/{meeting.id}/agenda/cases", {"individual": late_case.public_id})
    assert case.status_code == 422 and "protokollet stängt" in case.json["errors"]["individual"]
    assert db.session.scalar(select(func.count()).select_from(MeetingCaseNote)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(AgendaCase).where(AgendaCase.individual_id == late_case.id)
        )
        == 0
    )


def test_a_cancelled_meeting_takes_no_new_case_notes_or_agenda_cases(api, table, factory, db):
    meeting, rehab, _officer, named, _hidden = table
    late_case = factory.individual(clinic=rehab.organisation)
    db.session.commit()
    call = api(rehab)
    cancelled = call("POST", f"/meetings/{meeting.id}/cancel", {"reason": "Sjukdom"})
    assert cancelled.status_code == 200, cancelled.json
    note = call("POST", f"/meetings/{meeting.id}/case-notes", {"individual": named.public_id, "note": "x"})
    assert note.status_code == 422 and "inställt" in note.json["errors"]["note"]
    case = call("POST", f"/meetings/{meeting.id}/agenda/cases", {"individual": late_case.public_id})
    assert case.status_code == 422 and "inställt" in case.json["errors"]["individual"]
    assert db.session.scalar(select(func.count()).select_from(MeetingCaseNote)) == 0


def test_the_agenda_of_held_minutes_keeps_its_points_and_cases(api, table, frozen_time, db):
    meeting, rehab, _officer, named, _hidden = table
    point = AgendaPoint(meeting=meeting, text="Övrigt", created_by_id=rehab.id)
    db.session.add(point)
    db.session.commit()
    [row] = [r for r in meeting.agenda_cases if r.individual_id == named.id]
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=30))
    call = api(rehab)
    assert call("POST", f"/meetings/{meeting.id}/held", {"general_notes": "Klart"}).status_code == 200
    added = call("POST", f"/meetings/{meeting.id}/agenda/points", {"text": "Sent påkommet"})
    assert added.status_code == 422 and "protokollet stängt" in added.json["errors"]["text"]
    removed = call("DELETE", f"/meetings/{meeting.id}/agenda/points/{point.id}")
    assert removed.status_code == 422 and "kan inte tas bort" in removed.json["errors"]["text"]
    dropped = call("DELETE", f"/meetings/{meeting.id}/agenda/cases/{row.id}")
    assert dropped.status_code == 422 and "kan inte tas bort" in dropped.json["errors"]["individual"]
    db.session.expire_all()
    assert [p.text for p in db.session.scalars(select(AgendaPoint)).all()] == ["Övrigt"]
    assert db.session.get(AgendaCase, row.id) is not None
