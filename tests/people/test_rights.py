"""Register extract (registerutdrag), closing a case, and retention (anonymisation)."""

import hashlib
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.audit.services import record, verify_chain
from tracker.auth.models import Authority
from tracker.consent.models import ConsentDocument
from tracker.core import personnummer
from tracker.people import retention
from tracker.people.models import Gender, Individual


def _events(db, action, individual=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if individual is not None:
        query = query.where(AuditEvent.individual_id == individual.id)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def _document(db, consent):
    content = b"%PDF-1.4 fictional"
    doc = ConsentDocument(
        consent=consent,
        filename="samtycke.pdf",
        mime_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    db.session.add(doc)
    db.session.flush()
    return doc


# ---------------------------------------------------------------- register extract


def test_the_responsible_unit_prints_a_register_extract_with_everything_and_who_read_it(
    client, login_as, factory, db
):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    fk = factory.organisation("fk", name="FK Uppsala")
    factory.contact(person, fk)
    consent = factory.consent(person, note="Samtycke inhämtat på mottagningen")
    _document(db, consent)
    factory.block(person, category="plan", note="Spärr mot kommunen")
    reader = factory.user("handlaggare", organisation=fk, full_name="Hanna Handläggare")
    record(AuditAction.VIEW, obj=person, individual_id=person.id, user=reader)
    other = factory.individual(clinic=user.organisation, first_name="Annan", last_name="Person")
    other_reader = factory.user("samordnare", full_name="Ska Inte Synas")
    record(AuditAction.VIEW, obj=other, individual_id=other.id, user=other_reader)
    db.session.commit()

    response = client.get(f"/personer/{person.public_id}/registerutdrag")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in (
        person.personnummer_display,
        person.last_name,
        "FK Uppsala",
        "Samtycke inhämtat på mottagningen",
        "samtycke.pdf",
        "Spärr mot kommunen",
        "Hanna Handläggare",
        "Vem har läst eller ändrat uppgifterna",
    ):
        assert expected in body, expected
    assert "Ska Inte Synas" not in body and "Annan" not in body


def test_the_json_extract_is_a_download_and_both_forms_are_audited_without_personal_data(
    client, login_as, factory, db
):
    user = login_as("samordnare")
    person = factory.individual(clinic=user.organisation)
    factory.consent(person)
    db.session.commit()
    response = client.get(f"/personer/{person.public_id}/registerutdrag.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert person.personnummer not in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    sections = {s["key"]: s for s in data["sections"]}
    assert sections["identity"]["items"][0]["Personnummer"] == person.personnummer_display
    assert len(sections["consents"]["items"]) == 1
    assert any(row["Händelse"] == "Export" for row in data["audit_trail"])  # lists its own making
    client.get(f"/personer/{person.public_id}/registerutdrag")
    events = _events(db, AuditAction.EXPORT, person)
    assert [e.details for e in events] == ["register extract json", "register extract html"]
    assert all(person.personnummer not in (e.details or "") for e in events)


@pytest.mark.parametrize("role", ["handlaggare", "admin", "ledning"])
def test_others_than_the_responsible_unit_are_refused_the_extract_and_it_is_audited(
    client, login_as, factory, db, role
):
    user = login_as(role)
    person = factory.individual()
    if role == "handlaggare":
        person.fk_officer_id = user.id
        factory.consent(person, parties=(Authority.FK,))
    db.session.commit()
    for url in ("registerutdrag", "registerutdrag.json"):
        assert client.get(f"/personer/{person.public_id}/{url}").status_code in (403, 302)
    assert not _events(db, AuditAction.EXPORT)
    if role != "admin":  # an admin without two-factor is redirected; factory admins have it
        assert _events(db, AuditAction.DENIED)


def test_the_extract_uses_a_fixed_number_of_queries(client, login_as, factory, db, count_queries):
    user = login_as("rehabkoordinator")
    counts = []
    for n in (3, 30):
        person = factory.individual(clinic=user.organisation)
        for _ in range(n):
            factory.consent(person)
            factory.block(person, category="plan")
            factory.contact(person, factory.organisation("kommun"))
            record(AuditAction.VIEW, obj=person, individual_id=person.id, user=user)
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/personer/{person.public_id}/registerutdrag").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- closing a case


def test_the_responsible_unit_closes_a_case_with_a_reason_and_it_is_audited(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    assert client.get(f"/personer/{person.public_id}/avsluta").status_code == 200
    response = client.post(
        f"/personer/{person.public_id}/avsluta", data={"closed_on": "2026-03-16", "reason": "Har fått arbete"}
    )
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.closed_on == date(2026, 3, 16) and person.closed_reason == "Har fått arbete"
    [event] = [e for e in _events(db, AuditAction.UPDATE, person) if e.details == "case closed"]
    assert "arbete" not in (event.details or "")
    assert client.post(f"/personer/{person.public_id}/ateroppna").status_code == 302
    db.session.refresh(person)
    assert person.closed_on is None


@pytest.mark.parametrize(
    ("closed_on", "reason", "message"),
    [
        ("2026-04-01", "Flyttat", "framtiden"),
        ("2026-02-30", "Flyttat", "giltigt datum"),
        ("igår", "Flyttat", "giltigt datum"),
        ("2026-03-16", "  ", "måste fyllas i"),
    ],
)
def test_closing_with_bad_input_changes_nothing(client, login_as, factory, db, closed_on, reason, message):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    response = client.post(
        f"/personer/{person.public_id}/avsluta", data={"closed_on": closed_on, "reason": reason}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.closed_on is None


def test_another_unit_cannot_close_a_case(client, login_as, factory, db):
    login_as("rehabkoordinator")
    person = factory.individual()
    db.session.commit()
    response = client.post(
        f"/personer/{person.public_id}/avsluta", data={"closed_on": "2026-03-16", "reason": "x"}
    )
    assert response.status_code == 403
    db.session.refresh(person)
    assert person.closed_on is None
    assert _events(db, AuditAction.DENIED)


# ---------------------------------------------------------------- retention


def _aggregates(db):
    return sorted(
        db.session.execute(
            select(Individual.gender, Individual.home_municipality, func.count()).group_by(
                Individual.gender, Individual.home_municipality
            )
        ).all()
    )


def _population(factory, db):
    clinic = factory.organisation("region_clinic")
    old = [
        factory.individual(clinic=clinic, gender=g, home_municipality=m, closed_on=date(2020, 1, 10))
        for g, m in ((Gender.KVINNA, "Uppsala"), (Gender.MAN, "Enköping"), (Gender.MAN, "Uppsala"))
    ]
    recent = factory.individual(clinic=clinic, closed_on=date(2024, 6, 1))
    open_case = factory.individual(clinic=clinic)
    consent = factory.consent(old[0], note="Anteckning om hälsa", withdrawal_reason="Ville inte")
    _document(db, consent)
    factory.block(old[0], category="plan", note="Spärrnotering")
    factory.contact(old[0], factory.organisation("kommun")).note = "Kontaktnotering"
    db.session.commit()
    return clinic, old, recent, open_case


def test_retention_anonymises_cases_closed_long_ago_and_keeps_aggregates(app, factory, db):
    clinic, old, recent, open_case = _population(factory, db)
    numbers = {p.id: p.personnummer for p in old}
    before = _aggregates(db)
    assert retention.run(dry_run=True) == 3
    assert all(p.anonymised_at is None for p in old)

    assert retention.run() == 3
    assert _aggregates(db) == before
    for person in old:
        db.session.refresh(person)
        assert person.anonymised_at is not None
        assert person.first_name == person.last_name == "Anonymiserad"
        assert person.personnummer.startswith("ANON") and len(person.personnummer) == 12
        with pytest.raises(personnummer.InvalidPersonnummer):
            personnummer.normalise(person.personnummer)
        assert not db.session.scalar(select(Individual).where(Individual.personnummer == numbers[person.id]))
        assert person.closed_on == date(2020, 1, 10)
    consent = old[0].consents[0]
    assert consent.note is None and consent.withdrawal_reason is None
    assert db.session.scalar(select(func.count()).select_from(ConsentDocument)) == 0
    assert old[0].blocks[0].note is None and old[0].contacts[0].note is None
    for person in (recent, open_case):
        db.session.refresh(person)
        assert person.anonymised_at is None
    events = _events(db, AuditAction.UPDATE)
    anonymised = [e for e in events if e.details == "retention: anonymised"]
    assert sorted(e.individual_id for e in anonymised) == sorted(p.id for p in old)
    assert verify_chain().ok


def test_retention_is_idempotent(app, factory, db):
    _population(factory, db)
    assert retention.run() == 3
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert retention.run() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows


def test_the_retention_period_is_configurable(app, factory, db, monkeypatch):
    _population(factory, db)
    monkeypatch.setitem(app.config, "RETENTION_YEARS_AFTER_DISCHARGE", 1)
    assert retention.run(dry_run=True) == 4  # the case closed 2024-06-01 is due too


def test_an_anonymised_individual_cannot_be_found_by_the_old_personnummer(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation, closed_on=date(2019, 5, 1))
    number = person.personnummer_display
    db.session.commit()
    found = client.post("/personer/sok", data={"q": number}).get_data(as_text=True)
    assert person.last_name in found
    retention.run()
    after = client.post("/personer/sok", data={"q": number}).get_data(as_text=True)
    assert person.public_id not in after


def test_the_retention_command_reports_counts_only(app, factory, db):
    _, old, _, _ = _population(factory, db)
    names = [p.last_name for p in old]
    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0 and "3 individuals" in result.output
    assert not any(name in result.output for name in names)


def test_an_anonymised_individual_cannot_be_given_an_identity_again(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation, closed_on=date(2019, 5, 1))
    db.session.commit()
    retention.run()
    db.session.refresh(person)
    response = client.post(
        f"/personer/{person.public_id}/andra",
        data={
            "personnummer": "20000517-9809",
            "first_name": "Ny",
            "last_name": "Identitet",
            "gender": "kvinna",
            "home_municipality": "Uppsala",
            "clinic_id": str(user.organisation_id),
            "coordinator_id": "",
            "fk_officer_id": "",
            "version": str(person.version),
        },
    )
    assert response.status_code == 422
    assert "anonymiserad" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.first_name == "Anonymiserad"
