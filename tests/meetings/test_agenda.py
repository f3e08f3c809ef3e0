from datetime import date

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.meetings.agenda import build_agenda
from tracker.meetings.models import AgendaCase


def _pulsmote(factory, fk_setup, db):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    named = factory.individual(clinic=fk_setup["clinic"], first_name="Siri", last_name="Samtyckesson")
    factory.consent(named, parties=(Authority.FK,))
    unconsented = factory.individual(clinic=fk_setup["clinic"], first_name="Ulf", last_name="Utansson")
    for individual in (named, unconsented):
        db.session.add(AgendaCase(meeting=meeting, individual_id=individual.id))
    db.session.flush()
    return meeting, named, unconsented


def test_consent_less_cases_are_counted_not_named(db, factory, fk_setup):
    meeting, named, unconsented = _pulsmote(factory, fk_setup, db)
    agenda = build_agenda(meeting, fk_setup["officer"])
    section = next(s for s in agenda.sections if s.key == "cases")
    assert [c.individual.id for c in section.named] == [named.id]
    assert section.hidden_count == 1
    assert section.own_hidden == []  # the FK officer is not responsible
    own = next(s for s in build_agenda(meeting, fk_setup["rehab"]).sections if s.key == "cases")
    assert [i.id for i in own.own_hidden] == [unconsented.id]


def test_the_agenda_page_names_only_consented_cases(client, db, factory, fk_setup, login):
    meeting, named, unconsented = _pulsmote(factory, fk_setup, db)
    db.session.commit()
    login(fk_setup["officer"])
    html = client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    assert "Siri Samtyckesson" in html
    assert "Utansson" not in html and unconsented.public_id not in html
    assert "1 ärende utan giltigt samtycke" in html
    assert "inhämta samtycke" in html


def test_a_consent_withdrawn_after_the_agenda_was_made_removes_the_name(client, db, factory, fk_setup, login):
    meeting, named, _unconsented = _pulsmote(factory, fk_setup, db)
    db.session.commit()
    login(fk_setup["officer"])
    assert "Siri Samtyckesson" in client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    consent = named.consents[0]
    consent.withdrawn_on = date(2026, 3, 16)
    db.session.commit()
    html = client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    assert "Samtyckesson" not in html
    assert "2 ärenden utan giltigt samtycke" in html


def test_a_case_is_hidden_if_any_invited_organisation_lacks_consent(db, factory, fk_setup):
    from tracker.auth.models import OrgType

    meeting, named, _ = _pulsmote(factory, fk_setup, db)
    kommun = factory.organisation(OrgType.KOMMUN)
    from tracker.meetings.models import MeetingInvitation

    meeting.invitations.append(MeetingInvitation(organisation=kommun))
    db.session.flush()
    section = next(s for s in build_agenda(meeting, fk_setup["rehab"]).sections if s.key == "cases")
    assert section.named == [] and section.hidden_count == 2


def test_a_spaerr_against_fk_hides_the_name(db, factory, fk_setup):
    from tracker.consent.categories import Category

    meeting, named, _ = _pulsmote(factory, fk_setup, db)
    factory.block(named, category=Category.MEETING_NOTES)
    section = next(s for s in build_agenda(meeting, fk_setup["rehab"]).sections if s.key == "cases")
    assert section.named == [] and section.hidden_count == 2


def test_the_agenda_uses_a_fixed_number_of_queries(db, factory, fk_setup, count_queries):
    def build_with(n):
        meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
        for _ in range(n):
            individual = factory.individual(clinic=fk_setup["clinic"])
            factory.consent(individual)
            db.session.add(AgendaCase(meeting=meeting, individual_id=individual.id))
        db.session.flush()
        db.session.expire_all()
        with count_queries() as counter:
            agenda = build_agenda(db.session.get(type(meeting), meeting.id), fk_setup["officer"])
            assert len(next(s for s in agenda.sections if s.key == "cases").named) == n
        return counter.count

    assert build_with(3) == build_with(30)


def test_a_user_not_invited_is_refused_the_agenda_and_the_denial_is_audited(
    client, db, factory, fk_setup, login
):
    meeting, _named, _ = _pulsmote(factory, fk_setup, db)
    stranger = factory.user("samordnare")
    db.session.commit()
    login(stranger)
    assert client.get(f"/moten/{meeting.id}/dagordning").status_code == 403
    assert client.get(f"/moten/{meeting.id}").status_code == 403
    assert client.get(f"/moten/{meeting.id}.ics").status_code == 403
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert len(denied) == 3


def test_only_the_responsible_unit_puts_a_case_on_the_agenda(client, db, factory, fk_setup, login):
    meeting, named, _ = _pulsmote(factory, fk_setup, db)
    other_rehab = factory.user("rehabkoordinator")
    meeting.invitations[0].organisation_id = other_rehab.organisation_id
    db.session.commit()
    login(other_rehab)
    response = client.post(f"/moten/{meeting.id}/dagordning/arende", data={"individual": named.public_id})
    assert response.status_code == 403
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "denied"))
    assert db.session.scalar(select(AgendaCase.id).where(AgendaCase.meeting_id == meeting.id)) is not None


def test_the_rehabkoordinator_adds_a_case_and_a_free_point(client, db, factory, fk_setup, login):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    individual = factory.individual(clinic=fk_setup["clinic"], first_name="Nova", last_name="Nyberg")
    db.session.commit()
    login(fk_setup["rehab"])
    response = client.post(
        f"/moten/{meeting.id}/dagordning/arende", data={"individual": individual.public_id}
    )
    assert response.status_code == 302
    response = client.post(f"/moten/{meeting.id}/dagordning/punkt", data={"text": "Rutiner inför sommaren"})
    assert response.status_code == 302
    html = client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    assert "Rutiner inför sommaren" in html
    assert "1 ärende utan giltigt samtycke" in html and "Nova Nyberg" in html  # listed under "Dina ärenden"
    assert client.post(f"/moten/{meeting.id}/dagordning/punkt", data={"text": ""}).status_code == 422


# ---------------------------------------------------------------- roles that see aggregates only


def test_ledning_sees_counts_not_names_on_the_agenda(client, db, factory, fk_setup, login):
    meeting, named, unconsented = _pulsmote(factory, fk_setup, db)
    lead = factory.user("ledning", organisation=fk_setup["clinic"])
    db.session.commit()
    login(lead)
    assert client.get(f"/personer/{named.public_id}").status_code == 403  # the policy's answer
    html = client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    # Neither as a case named for the table nor as one of "your" cases without consent.
    assert "Samtyckesson" not in html and "Utansson" not in html
    assert named.public_id not in html and unconsented.public_id not in html
    assert "2 ärenden" in html
    # What the FK officer at the same meeting sees is unchanged.
    agenda = build_agenda(meeting, fk_setup["officer"])
    assert agenda.named_ids == {named.id}


def test_an_admin_sees_counts_not_names_on_the_agenda(db, factory, fk_setup):
    meeting, named, _unconsented = _pulsmote(factory, fk_setup, db)
    admin = factory.user("admin", organisation=fk_setup["clinic"])
    section = next(s for s in build_agenda(meeting, admin).sections if s.key == "cases")
    assert section.named == [] and section.own_hidden == [] and section.hidden_count == 2


def test_a_pulsmote_organised_by_ledning_shows_the_clinics_certificates_as_counts(
    client, db, factory, fk_setup, login
):
    from tests.factories import meeting_data
    from tracker.meetings.services import create_meeting

    clinic = fk_setup["clinic"]
    person = factory.individual(clinic=clinic, first_name="Cilla", last_name="Certifikatsson")
    factory.certificate(person, issued_on=date(2026, 3, 10), clinic=clinic)
    lead = factory.user("ledning", organisation=clinic)
    meeting = create_meeting(meeting_data(day=date(2026, 3, 20), orgs=[clinic], kind="pulsmote"), lead)
    db.session.commit()
    login(lead)
    html = client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    assert "Certifikatsson" not in html and "2026-03-10" not in html
    assert "1 ärende" in html


# ---------------------------------------------------------------- audit per person


def test_each_case_named_on_the_agenda_is_audited_on_its_person(client, db, factory, fk_setup, login):
    meeting, named, unconsented = _pulsmote(factory, fk_setup, db)
    db.session.commit()
    login(fk_setup["officer"])
    assert "Siri Samtyckesson" in client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    rows = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.user_id == fk_setup["officer"].id, AuditEvent.individual_id.is_not(None)
        )
    ).all()
    assert [(r.action, r.object_type, r.object_id, r.individual_id) for r in rows] == [
        ("view", "AgendaCase", meeting.id, named.id)
    ]
    assert rows[0].details == f"meeting {meeting.id}"  # no name, no personnummer
    # The responsible unit also sees its own unnamed case by name (to obtain consent): both audited.
    client.post("/logout")
    login(fk_setup["rehab"])
    client.get(f"/moten/{meeting.id}/dagordning")
    seen = db.session.scalars(
        select(AuditEvent.individual_id).where(
            AuditEvent.user_id == fk_setup["rehab"].id, AuditEvent.object_type == "AgendaCase"
        )
    ).all()
    assert sorted(seen) == sorted([named.id, unconsented.id])


def test_the_agenda_page_uses_a_fixed_number_of_queries_with_its_audit(
    client, db, factory, fk_setup, login, count_queries
):
    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    login(fk_setup["officer"])

    def page_with(n):
        for _ in range(n):
            individual = factory.individual(clinic=fk_setup["clinic"])
            factory.consent(individual)
            db.session.add(AgendaCase(meeting=meeting, individual_id=individual.id))
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/moten/{meeting.id}/dagordning").status_code == 200
        return counter.count

    assert page_with(3) == page_with(30)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "AgendaCase")
        )
        == 3 + 33
    )


# ---------------------------------------------------------------- closed meetings


def test_a_cancelled_meeting_takes_no_new_cases_on_its_agenda(client, db, factory, fk_setup, login):
    from tracker.meetings.services import cancel_meeting

    meeting = factory.meeting(fk_setup["rehab"], orgs=[fk_setup["clinic"], fk_setup["fk"]])
    individual = factory.individual(clinic=fk_setup["clinic"], first_name="Nova", last_name="Nyberg")
    cancel_meeting(meeting, "Sjukdom")
    db.session.commit()
    login(fk_setup["rehab"])
    assert "Lägg till ärende" not in client.get(f"/moten/{meeting.id}/dagordning").get_data(as_text=True)
    response = client.post(
        f"/moten/{meeting.id}/dagordning/arende", data={"individual": individual.public_id}
    )
    assert response.status_code == 422
    assert "Mötet är inställt; ärenden kan inte läggas till." in response.get_data(as_text=True)
    assert db.session.scalar(select(AgendaCase.id).where(AgendaCase.meeting_id == meeting.id)) is None
