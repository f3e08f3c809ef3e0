import io
from datetime import date, timedelta

from sqlalchemy import select

from tests.factories import login_client
from tracker.audit.models import AuditAction, AuditEvent
from tracker.audit.services import verify_chain
from tracker.auth.models import Authority
from tracker.consent.models import Block, Consent, ConsentDocument, EmergencyAccess
from tracker.consent.services import open_emergency_access
from tracker.people import retention

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _consent_form(**overrides):
    data = {
        "authorities": ["fk", "kommun"],
        "purposes": ["rehab_exchange", "pulsmote_review"],
        "categories": ["identity", "certificates", "plan"],
        "form": "written",
        "given_on": "2026-03-01",
        "valid_until": "2027-02-28",
        "note": "",
    }
    data.update(overrides)
    return data


def _setup(login_as, factory, db):
    user = login_as("rehabkoordinator")
    person = factory.individual(clinic=user.organisation)
    db.session.commit()
    return user, person


def _audit(db, action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_rehabkoordinator_registers_a_consent_with_parties_purposes_and_categories(
    client, login_as, factory, db
):
    user, person = _setup(login_as, factory, db)
    response = client.post(f"/personer/{person.public_id}/samtycken/nytt", data=_consent_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    consent = db.session.scalar(select(Consent).where(Consent.individual_id == person.id))
    assert {p.authority for p in consent.parties} == {Authority.FK, Authority.KOMMUN}
    assert {c.value for c in consent.category_set} == {"identity", "certificates", "plan"}
    assert consent.created_by_id == user.id
    assert _audit(db, AuditAction.CREATE)
    page = client.get(f"/personer/{person.public_id}/samtycken").get_data(as_text=True)
    assert "Giltigt" in page


def test_consent_without_party_or_with_end_before_start_is_refused_and_nothing_saved(
    client, login_as, factory, db
):
    _, person = _setup(login_as, factory, db)
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt",
        data=_consent_form(authorities=[], valid_until="2026-01-01"),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "minst en part" in body
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt", data=_consent_form(valid_until="2026-01-01")
    )
    assert "Slutdatum kan inte ligga före startdatum" in response.get_data(as_text=True)
    assert db.session.scalar(select(Consent)) is None


def test_other_purpose_needs_a_description(client, login_as, factory, db):
    _, person = _setup(login_as, factory, db)
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt", data=_consent_form(purposes=["other"])
    )
    assert response.status_code == 422
    assert "Beskriv det andra ändamålet" in response.get_data(as_text=True)


def test_scanned_pdf_is_stored_and_served_only_through_the_policy(client, login_as, factory, db, app):
    _, person = _setup(login_as, factory, db)
    data = _consent_form(document=(io.BytesIO(PDF), "../../etc/passwd.pdf"))
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    doc = db.session.scalar(select(ConsentDocument))
    assert doc.mime_type == "application/pdf"
    assert "/" not in doc.filename and ".." not in doc.filename
    served = client.get(f"/samtycken/{doc.consent_id}/dokument")
    assert served.status_code == 200 and served.data == PDF
    assert "attachment" in served.headers["Content-Disposition"]
    stranger = app.test_client()
    other = factory.user("handlaggare")
    db.session.commit()
    stranger.post("/login", data={"email": other.email, "password": "correct-horse-battery"})
    assert stranger.get(f"/samtycken/{doc.consent_id}/dokument").status_code == 403


def test_upload_of_wrong_type_or_too_large_file_is_refused(client, login_as, factory, db, app, monkeypatch):
    _, person = _setup(login_as, factory, db)
    data = _consent_form(document=(io.BytesIO(b"<script>alert(1)</script>"), "form.pdf"))
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Endast PDF, PNG eller JPEG" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 100)
    data = _consent_form(document=(io.BytesIO(PDF + b"x" * 200), "form.pdf"))
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "för stor" in response.get_data(as_text=True)
    assert db.session.scalar(select(Consent)) is None


def test_correction_creates_a_new_version_and_keeps_the_old_in_history(client, login_as, factory, db):
    _, person = _setup(login_as, factory, db)
    old = factory.consent(person, parties=[Authority.FK])
    db.session.commit()
    response = client.post(f"/samtycken/{old.id}/ratta", data=_consent_form(authorities=["fk", "af"]))
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(Consent).where(Consent.individual_id == person.id)).all()
    assert len(versions) == 2
    old_row = next(v for v in versions if v.id == old.id)
    new_row = next(v for v in versions if v.id != old.id)
    assert old_row.superseded_at is not None and new_row.supersedes_id == old.id
    page = client.get(f"/personer/{person.public_id}/samtycken").get_data(as_text=True)
    assert "Ersatt av ny version" in page
    assert client.post(f"/samtycken/{old.id}/ratta", data=_consent_form()).status_code == 422


def test_withdrawal_closes_access_at_once(client, login_as, factory, db, app):
    _, person = _setup(login_as, factory, db)
    officer = factory.user("handlaggare")
    person.fk_officer_id = officer.id
    consent = factory.consent(person, parties=[Authority.FK])
    db.session.commit()
    fk_client = app.test_client()
    fk_client.post("/login", data={"email": officer.email, "password": "correct-horse-battery"})
    assert "visas" in fk_client.get(f"/personer/{person.public_id}").get_data(as_text=True)
    response = client.post(
        f"/samtycken/{consent.id}/aterkalla",
        data={"withdrawn_on": "2026-03-16", "reason": "Muntligt i telefon"},
    )
    assert response.status_code == 302
    page = fk_client.get(f"/personer/{person.public_id}").get_data(as_text=True)
    assert "Vårdplan och insatser: <strong>visas" not in page
    history = client.get(f"/personer/{person.public_id}/samtycken").get_data(as_text=True)
    assert "Återkallat" in history and "Muntligt i telefon" in history


def test_withdrawal_in_the_future_or_without_reason_is_refused(client, login_as, factory, db):
    _, person = _setup(login_as, factory, db)
    consent = factory.consent(person)
    db.session.commit()
    response = client.post(
        f"/samtycken/{consent.id}/aterkalla", data={"withdrawn_on": "2026-04-01", "reason": "x"}
    )
    assert response.status_code == 422
    assert "inte i framtiden" in response.get_data(as_text=True)
    response = client.post(
        f"/samtycken/{consent.id}/aterkalla", data={"withdrawn_on": "2026-03-16", "reason": ""}
    )
    assert response.status_code == 422
    assert "Fältet måste fyllas i" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_expiring_worklist_lists_own_cases_and_start_page_counts_them(client, login_as, factory, db):
    user, person = _setup(login_as, factory, db)
    factory.consent(person, given_on=date(2025, 4, 1), valid_until=date(2026, 4, 1))  # in 16 days
    factory.consent(person, given_on=date(2026, 1, 1), valid_until=date(2026, 12, 31))  # not soon
    factory.consent(person, given_on=date(2025, 1, 10), valid_until=None)  # older than 12 months: review
    other = factory.individual()
    factory.consent(other, given_on=date(2025, 4, 1), valid_until=date(2026, 4, 1))  # not my case
    db.session.commit()
    body = client.get("/samtycken/utgaende").get_data(as_text=True)
    assert body.count(person.full_name) == 2
    assert "Bör omprövas" in body and other.full_name not in body
    home = client.get("/").get_data(as_text=True)
    assert 'Samtycken som löper ut</h2><p class="big">2</p>' in home


def test_consent_worklist_threshold_is_exact(client, login_as, factory, db, app):
    _, person = _setup(login_as, factory, db)
    days = app.config["CONSENT_EXPIRING_DAYS"]
    today = date(2026, 3, 16)
    for offset in (days - 1, days, days + 1):
        factory.consent(person, given_on=date(2026, 1, 1), valid_until=today + timedelta(days=offset))
    db.session.commit()
    from tracker.consent.queries import expiring_count

    user = db.session.get(type(person.clinic), person.clinic_id)
    assert user is not None
    with app.test_request_context():
        from tracker.auth.models import User

        rehab = db.session.scalar(select(User).where(User.organisation_id == person.clinic_id))
        assert expiring_count(rehab) == 2


def test_consent_check_answers_only_yes_no_and_validity_and_is_audited(client, login_as, factory, db):
    officer = login_as("handlaggare")
    person = factory.individual()
    factory.consent(
        person, parties=[Authority.FK], categories=["certificates"], valid_until=date(2026, 9, 30)
    )
    db.session.commit()
    response = client.post("/samtyckeskontroll", data={"personnummer": person.personnummer_display})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ja – det finns ett giltigt samtycke" in body and "2026-09-30" in body
    assert person.first_name not in body and person.last_name not in body
    [event] = _audit(db, AuditAction.CONSENT_CHECK)
    assert event.individual_id == person.id and event.user_id == officer.id
    assert person.personnummer not in (event.details or "")


def test_consent_check_without_consent_or_unknown_person_says_no_the_same_way(client, login_as, factory, db):
    login_as("handlaggare")
    person = factory.individual()
    factory.consent(person, parties=[Authority.KOMMUN])
    db.session.commit()
    no_consent = client.post("/samtyckeskontroll", data={"personnummer": person.personnummer_display})
    unknown = client.post("/samtyckeskontroll", data={"personnummer": "19900101-0017"})
    assert "Nej – inget giltigt samtycke" in no_consent.get_data(as_text=True)
    assert "Nej – inget giltigt samtycke" in unknown.get_data(as_text=True)


def test_consent_check_with_bad_personnummer_gets_swedish_error(client, login_as, db):
    login_as("handlaggare")
    response = client.post("/samtyckeskontroll", data={"personnummer": "19900101-0018"})
    assert response.status_code == 422
    assert "kontrollsiffra" in response.get_data(as_text=True)


def test_ledning_and_admin_are_refused_the_consent_check(client, login_as, db):
    for role in ("ledning", "admin"):
        client.post("/logout")
        login_as(role)
        assert client.post("/samtyckeskontroll", data={"personnummer": "19900101-0017"}).status_code == 403


def test_spärr_is_registered_wins_over_consent_and_is_lifted_only_on_request(
    client, login_as, factory, db, app
):
    _, person = _setup(login_as, factory, db)
    officer = factory.user("handlaggare")
    person.fk_officer_id = officer.id
    factory.consent(person, parties=[Authority.FK])
    db.session.commit()
    response = client.post(
        f"/personer/{person.public_id}/sparrar/ny",
        data={
            "category": "plan",
            "organisation_id": "",
            "starts_on": "2026-03-16",
            "note": "Personens begäran",
        },
    )
    assert response.status_code == 302
    from tracker.consent.categories import Action, Category
    from tracker.consent.policy import may

    with app.test_request_context():
        assert not may(officer, Action.VIEW, person, Category.PLAN)
    block = db.session.scalar(select(Block))
    refused = client.post(f"/sparrar/{block.id}/hav", data={"note": "ringde"})
    assert refused.status_code == 422
    assert "personens egen begäran" in refused.get_data(as_text=True)
    lifted = client.post(f"/sparrar/{block.id}/hav", data={"individual_asked": "y", "note": "Ringde 16/3"})
    assert lifted.status_code == 302
    db.session.expire_all()
    with app.test_request_context():
        assert may(officer, Action.VIEW, db.session.get(type(person), person.id), Category.PLAN)


def test_spärr_needs_a_category_or_an_organisation(client, login_as, factory, db):
    _, person = _setup(login_as, factory, db)
    response = client.post(
        f"/personer/{person.public_id}/sparrar/ny",
        data={"category": "", "organisation_id": "", "starts_on": "2026-03-16"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Block)) is None


def test_printable_consent_form_is_prefilled(client, login_as, factory, db):
    _, person = _setup(login_as, factory, db)
    response = client.get(
        f"/personer/{person.public_id}/samtycken/blankett?authorities=fk&purposes=sip&categories=plan"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert person.full_name in body and "☒ Försäkringskassan" in body and "☐ Arbetsförmedlingen" in body


def test_the_emergency_form_does_not_tell_whether_a_number_is_in_puls_before_the_reason_is_valid(
    client, login_as, factory, db
):
    login_as("rehabkoordinator")
    stranger = factory.individual()  # another clinic's patient, no link at all
    db.session.commit()

    def attempt(number, reason):
        response = client.post("/nodoppning", data={"personnummer": number, "reason": reason})
        assert response.status_code == 422
        return response.get_data(as_text=True).replace(number, "NUMBER")

    known, unknown = attempt(stranger.personnummer_display, "kort"), attempt("19121212-1212", "kort")
    assert known == unknown and "minst 20 tecken" in known
    assert not _audit(db, AuditAction.EMERGENCY_ACCESS) and not _audit(db, AuditAction.DENIED)
    # With a valid reason the answer must differ (access is opened or not), and a number that is
    # not in Puls is kept in the log as a refused attempt.
    answer = attempt("19121212-1212", "Akut läge på akutmottagningen, patienten medvetslös")
    assert "Ingen person med det numret finns i Puls." in answer
    [event] = _audit(db, AuditAction.DENIED)
    assert event.details == "emergency_access; personnummer not in Puls" and event.individual_id is None


def test_an_emergency_reason_naming_the_person_is_gone_everywhere_after_anonymisation(app, factory, db):
    person = factory.individual(first_name="Selma", last_name="Sjöström")
    admin = factory.user("admin")
    with app.test_request_context():
        open_emergency_access(
            person, admin, "Selma Sjöström inlagd akut efter överdos, behöver läkemedelslista"
        )
    retention.anonymise(person)
    db.session.commit()
    table = AuditEvent.__table__
    texts = db.session.execute(select(table.c.reason, table.c.details)).all()
    assert not any("Sjöström" in (text or "") or "överdos" in (text or "") for row in texts for text in row)
    assert db.session.scalar(select(EmergencyAccess.reason)) == "Anonymiserad"
    assert verify_chain().ok


def test_emergency_access_needs_reason_and_password_and_is_time_limited(
    client, login_as, factory, db, frozen_time
):
    admin = login_as("admin")
    person = factory.individual()
    db.session.commit()
    assert client.get(f"/personer/{person.public_id}").status_code == 403
    short = client.post(
        "/nodoppning",
        data={
            "personnummer": person.personnummer_display,
            "reason": "kort",
            "password": "correct-horse-battery",
        },
    )
    assert short.status_code == 422
    frozen_time.shift(timedelta(minutes=6))  # the login no longer counts as a recent password
    late = client.post("/nodoppning", data={"personnummer": person.personnummer_display, "reason": "x" * 30})
    assert late.status_code == 302 and "/konto/bekrafta?next=/nodoppning" in late.location
    assert not _audit(db, AuditAction.EMERGENCY_ACCESS)
    wrong_pw = client.post(late.location, data={"password": "fel"})
    assert wrong_pw.status_code == 401 and "Lösenordet stämmer inte" in wrong_pw.get_data(as_text=True)
    assert client.post(late.location, data={"password": "correct-horse-battery"}).location == "/nodoppning"
    reason = "Patienten akut inlagd, behöver kontaktuppgifter till vårdplanen"
    ok = client.post(
        "/nodoppning",
        data={
            "personnummer": person.personnummer_display,
            "reason": reason,
            "password": "correct-horse-battery",
        },
    )
    assert ok.status_code == 302
    assert client.get(f"/personer/{person.public_id}").status_code == 200
    [event] = _audit(db, AuditAction.EMERGENCY_ACCESS)
    access = db.session.scalar(select(EmergencyAccess))
    # The audit row points at the access; the reason is kept only there, where retention can clear it.
    assert event.user_id == admin.id and (event.object_type, event.object_id) == (
        "EmergencyAccess",
        access.id,
    )
    assert event.reason is None and access.reason == reason
    review = client.get("/admin/nodoppningar").get_data(as_text=True)
    assert reason in review
    frozen_time.shift(timedelta(hours=5))
    login_client(client, admin, db=db)
    assert client.get(f"/personer/{person.public_id}").status_code == 403
    assert client.post(f"/admin/nodoppningar/{access.id}/granskad").status_code == 302
