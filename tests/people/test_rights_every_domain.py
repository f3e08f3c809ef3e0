"""Every domain's rows about an individual are in the register extract and cleared by retention."""

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Enum, LargeBinary, String, Text, func, select

from tracker.benefits.models import Certificate, FkDecision, FollowUp, FollowUpStatus
from tracker.consent.models import ConsentDocument, EmergencyAccess
from tracker.meetings.models import AgendaCase, MeetingCaseNote, MeetingStatus
from tracker.people import retention
from tracker.people.models import Individual
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
    "insats": "Samtal om självmordstankar med Karin, psykolog på BUP",
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
        plan,
        what=FREE_TEXT["insats"],
        status=InsatsStatus.INTERRUPTED,
        interruption_reason=FREE_TEXT["interruption"],
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
    assert sections["insatser"][0]["Insats"] == FREE_TEXT["insats"]
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
    assert one(Insats, old, Insats.what, Insats.interruption_reason, Insats.status) == [
        ("Anonymiserad", None, "interrupted")
    ]
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


# ---------------------------------------------------------------- every text column, now and later

# Text columns about an individual that retention keeps on purpose, each with the reason.
# Every other text column of a table that points at an individual must be cleared.
KEPT_ON_PURPOSE = {
    "individuals.public_id": "random and opaque (no identity in it); old audit rows and links still resolve",
    "individuals.home_municipality": "reports count participants by gender and municipality",
    "audit_events.user_label": "the staff member who acted, not the individual",
    "audit_events.role": "a code",
    "audit_events.action": "a code",
    "audit_events.object_type": "a code",
    "audit_events.reason": "hash-chained and append-only; holds no free text about the person any more "
    "(the emergency-access reason stays in EmergencyAccess, which retention clears)",
    "audit_events.details": "hash-chained and append-only; never holds a name or personnummer (audit.record)",
    "audit_events.remote_addr": "the staff member's address",
    "audit_events.prev_hash": "the chain",
    "audit_events.row_hash": "the chain",
}
LEAK = "PII-LEAK"


def _points_at_an_individual(table, seen=frozenset()) -> bool:
    if table.name == "individuals":
        return True
    return any(
        _points_at_an_individual(fk.column.table, seen | {table.name})
        for fk in table.foreign_keys
        if fk.column.table.name not in seen | {table.name}
    )


def _text_columns_about_individuals(metadata):
    """Free text (String, Text, binary; not coded enums) of every table that reaches `individuals`
    through its foreign keys, directly or through another table (consent_documents -> consents)."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        if _points_at_an_individual(table)
        for column in table.columns
        if isinstance(column.type, String | Text | LargeBinary) and not isinstance(column.type, Enum)
    ]


def _a_row_in_every_table(factory, db):
    """`_everything` plus the consent domain's rows and a case contact, for one individual."""
    person = _everything(factory, db, factory.organisation("region_clinic"))
    consent = factory.consent(person)
    db.session.add(
        ConsentDocument(
            consent=consent,
            filename="samtycke.pdf",
            mime_type="application/pdf",
            size_bytes=3,
            sha256="0" * 64,
            content=b"pdf",
            uploaded_at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    factory.block(person, category="plan")
    factory.contact(person, factory.organisation("kommun"))
    started = datetime(2026, 3, 1, 9, tzinfo=UTC)
    factory._add(
        EmergencyAccess(
            user_id=factory.user("admin").id,
            individual_id=person.id,
            reason="Akut inlagd, behöver läkemedelslistan",
            started_at=started,
            expires_at=started + timedelta(hours=4),
        )
    )
    db.session.flush()
    return person.id


def _holds_the_leak(value) -> bool:
    if isinstance(value, bytes):
        return LEAK.encode() in value
    return value is not None and LEAK.casefold() in value.casefold()


def test_every_text_column_about_an_individual_is_cleared_by_retention_or_kept_for_a_stated_reason(
    app, factory, db
):
    columns = _text_columns_about_individuals(db.metadata)
    names = {f"{table.name}.{column.name}" for table, column in columns}
    assert set(KEPT_ON_PURPOSE) <= names, "KEPT_ON_PURPOSE names a column that is gone"
    person_id = _a_row_in_every_table(factory, db)
    to_clear = [(t, c) for t, c in columns if f"{t.name}.{c.name}" not in KEPT_ON_PURPOSE]
    for table, column in to_clear:
        rows = db.session.scalar(select(func.count()).select_from(table))
        assert rows, f"{table.name} has text about an individual: add a row to _a_row_in_every_table"
        value = LEAK.encode() if isinstance(column.type, LargeBinary) else LEAK
        db.session.execute(table.update().values({column.name: value}))
    db.session.expire_all()

    retention.anonymise(db.session.get(Individual, person_id))
    db.session.flush()
    db.session.expire_all()

    left = [
        f"{table.name}.{column.name}"
        for table, column in to_clear
        if any(_holds_the_leak(value) for value in db.session.scalars(select(column)))
    ]
    assert left == [], (
        "retention leaves these texts: clear them in the domain's anonymiser, "
        "or keep them in KEPT_ON_PURPOSE with the reason"
    )
