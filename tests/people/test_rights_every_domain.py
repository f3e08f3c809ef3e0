"""Every domain's rows about an individual are in the register extract and cleared by retention."""

import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from tracker.benefits.models import Certificate, FkDecision, FollowUp, FollowUpStatus
from tracker.meetings.models import AgendaCase, MeetingCaseNote, MeetingStatus
from tracker.people import retention
from tracker.plans.models import CarePlan, Insats, InsatsStatus, InsatsStatusChange
from tracker.referrals.models import (
    ActivityGroup,
    DischargeReason,
    Enrolment,
    GroupAttendance,
    GroupSession,
    Referral,
)

FREE_TEXT = {
    "certificate": "Utlåtandeanteckning",
    "decision": "Beslutsanteckning",
    "follow_up": "Bevakningstext",
    "follow_up_done": "Klarnotering",
    "goals": "Målet är studier",
    "interruption": "Avbröt på grund av hälsa",
    "status_reason": "Statusskäl",
    "meeting_note": "Mötesanteckning om läget",
    "next_steps": "Nästa steg enligt mötet",
    "referral": "Remisskäl",
    "referral_status": "Återtaget av remittent",
}


def _everything(factory, db, clinic, closed_on=None):
    """One row of every kind that names the individual, each free-text field filled."""
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    person = factory.individual(clinic=clinic, closed_on=closed_on)
    certificate = factory.certificate(person, doctor="Dr Exempel", note=FREE_TEXT["certificate"])
    factory.decision(person, certificate_id=certificate.id, note=FREE_TEXT["decision"])
    officer = factory.user("handlaggare")
    factory.follow_up(person, officer, reason_text=FREE_TEXT["follow_up"])
    factory.follow_up(
        person,
        officer,
        status=FollowUpStatus.DONE,
        done_on=date(2026, 3, 1),
        done_note=FREE_TEXT["follow_up_done"],
    )
    plan = factory.care_plan(person, goals=FREE_TEXT["goals"])
    insats = factory.insats(
        plan, status=InsatsStatus.INTERRUPTED, interruption_reason=FREE_TEXT["interruption"]
    )
    factory._add(
        InsatsStatusChange(
            insats_id=insats.id,
            individual_id=person.id,
            from_status=InsatsStatus.PLANNED,
            to_status=InsatsStatus.INTERRUPTED,
            changed_on=date(2026, 3, 2),
            reason=FREE_TEXT["status_reason"],
        )
    )
    meeting = factory.meeting(rehab, day=date(2026, 2, 5), title="Pulsmöte Exempel")
    meeting.status = MeetingStatus.HELD
    db.session.add(AgendaCase(meeting_id=meeting.id, individual_id=person.id))
    factory._add(
        MeetingCaseNote(
            meeting_id=meeting.id,
            individual_id=person.id,
            note=FREE_TEXT["meeting_note"],
            next_steps=FREE_TEXT["next_steps"],
        )
    )
    project = factory.project(name=f"Projekt för {person.id}")
    referral = factory.referral(
        project, person, reason=FREE_TEXT["referral"], status_reason=FREE_TEXT["referral_status"]
    )
    factory.enrolment(
        project,
        person,
        referral_id=referral.id,
        discharged_on=date(2025, 6, 1),
        discharge_reason=DischargeReason.WORK,
    )
    group = factory._add(ActivityGroup(project_id=project.id, name="Promenadgruppen"))
    session = factory._add(GroupSession(group_id=group.id, held_on=date(2025, 3, 3)))
    factory._add(GroupAttendance(session_id=session.id, individual_id=person.id))
    return person


def test_the_extract_lists_a_row_of_every_kind(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = _everything(factory, db, user.organisation)
    db.session.commit()
    data = json.loads(client.get(f"/personer/{person.public_id}/registerutdrag.json").get_data(as_text=True))
    sections = {s["key"]: s["items"] for s in data["sections"]}
    assert sections["certificates"][0]["Anteckning"] == FREE_TEXT["certificate"]
    assert sections["certificates"][0]["Läkare"] == "Dr Exempel"
    assert sections["decisions"][0]["Utfall"] == "Beviljad"
    assert sections["decisions"][0]["Läkarutlåtande utfärdat"] == "2026-01-10"
    assert [f["Beskrivning"] for f in sections["follow_ups"]] == [FREE_TEXT["follow_up"], None]
    assert sections["follow_ups"][1]["Anteckning vid klarmarkering"] == FREE_TEXT["follow_up_done"]
    assert sections["plan"][0]["Mål"] == FREE_TEXT["goals"]
    assert sections["insatser"][0]["Skäl till avbrott"] == FREE_TEXT["interruption"]
    assert sections["insats_history"][0]["Skäl"] == FREE_TEXT["status_reason"]
    assert sections["meeting_agenda"][0]["Möte"] == "Pulsmöte Exempel"
    assert sections["meeting_notes"][0]["Anteckning"] == FREE_TEXT["meeting_note"]
    assert sections["meeting_notes"][0]["Nästa steg"] == FREE_TEXT["next_steps"]
    assert sections["referrals"][0]["Skäl"] == FREE_TEXT["referral"]
    assert sections["enrolments"][0]["Utskrivningsorsak"] == "Arbete"
    assert sections["group_attendance"] == [{"Grupp": "Promenadgruppen", "Datum": "2025-03-03"}]
    html = client.get(f"/personer/{person.public_id}/registerutdrag").get_data(as_text=True)
    for title in ("Läkarutlåtanden", "Beslut från Försäkringskassan", "Bevakningar", "Vårdplan", "Insatser"):
        assert title in html
    for text in FREE_TEXT.values():
        assert text in html, text


def test_the_extract_of_every_domain_uses_a_fixed_number_of_queries(
    client, login_as, factory, db, count_queries
):
    user = login_as("rehabkoordinator")
    counts = []
    for n in (1, 6):
        person = factory.individual(clinic=user.organisation)
        for _ in range(n):
            other = _everything(factory, db, user.organisation)
            # Move every row of `other` onto `person`: n rows of each kind.
            for model in (Certificate, FkDecision, FollowUp, Insats, InsatsStatusChange, MeetingCaseNote):
                db.session.query(model).filter(model.individual_id == other.id).update(
                    {"individual_id": person.id}
                )
            for model in (AgendaCase, Referral, Enrolment, GroupAttendance):
                db.session.query(model).filter(model.individual_id == other.id).update(
                    {"individual_id": person.id}
                )
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/personer/{person.public_id}/registerutdrag").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def _counts(db):
    models = (
        Certificate,
        FkDecision,
        FollowUp,
        CarePlan,
        Insats,
        InsatsStatusChange,
        AgendaCase,
        MeetingCaseNote,
        Referral,
        Enrolment,
        GroupAttendance,
    )
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_retention_clears_every_free_text_field_and_keeps_the_rows(app, factory, db):
    clinic = factory.organisation("region_clinic")
    old = _everything(factory, db, clinic, closed_on=date(2020, 1, 10))
    kept = _everything(factory, db, clinic)
    db.session.commit()
    before = _counts(db)

    assert retention.run() == 1
    db.session.expire_all()
    assert _counts(db) == before

    def one(model, individual, *columns):
        return db.session.execute(select(*columns).where(model.individual_id == individual.id)).all()

    assert one(Certificate, old, Certificate.note, Certificate.doctor) == [(None, None)]
    assert one(FkDecision, old, FkDecision.note, FkDecision.outcome) == [(None, "granted")]
    assert sorted(one(FollowUp, old, FollowUp.reason_text, FollowUp.done_note), key=str) == [(None, None)] * 2
    assert one(CarePlan, old, CarePlan.goals, CarePlan.established_on) == [
        ("Anonymiserad", date(2026, 2, 15))
    ]
    assert one(Insats, old, Insats.interruption_reason, Insats.status) == [(None, "interrupted")]
    assert one(InsatsStatusChange, old, InsatsStatusChange.reason) == [(None,)]
    assert one(MeetingCaseNote, old, MeetingCaseNote.note, MeetingCaseNote.next_steps) == [
        ("Anonymiserad", None)
    ]
    assert one(Referral, old, Referral.reason, Referral.status_reason) == [(None, None)]
    # Dates, outcomes and reasons as codes stay, so reports count the same.
    assert one(Enrolment, old, Enrolment.discharge_reason, Enrolment.discharged_on) == [
        ("arbete", date(2025, 6, 1))
    ]
    # The case that is still open keeps its texts.
    assert one(Certificate, kept, Certificate.note) == [(FREE_TEXT["certificate"],)]
    assert one(MeetingCaseNote, kept, MeetingCaseNote.note) == [(FREE_TEXT["meeting_note"],)]
    assert db.session.get(type(old), old.id).anonymised_at <= datetime.now(UTC)
