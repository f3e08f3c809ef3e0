import csv
import io
from datetime import date

from openpyxl import load_workbook

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.benefits.models import Certificate, FkDecision, FollowUp, FollowUpStatus, Outcome
from tracker.consent.categories import Category


def _audit(db, **filters):
    return db.session.query(AuditEvent).filter_by(**filters).all()


def test_rehabkoordinator_records_a_certificate(client, login, case, db):
    login(case.rehab)
    url = f"/formaner/person/{case.individual.public_id}/lakarutlatanden/ny"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={
            "issued_on": "2026-03-10",
            "clinic_id": str(case.clinic.id),
            "doctor": "Dr Test",
            "certificate_type": "ae_reduced_capacity",
            "sent_to_fk_on": "2026-03-12",
            "note": "",
        },
    )
    assert response.status_code == 302
    certificate = db.session.query(Certificate).one()
    assert certificate.doctor == "Dr Test" and certificate.sent_to_fk_on == date(2026, 3, 12)
    assert len(_audit(db, action="create", object_type="Certificate")) == 1


def test_invalid_certificate_is_shown_again_with_errors_and_not_saved(client, login, case, db):
    login(case.rehab)
    response = client.post(
        f"/formaner/person/{case.individual.public_id}/lakarutlatanden/ny",
        data={"issued_on": "2026-13-40", "clinic_id": str(case.clinic.id), "certificate_type": "other"},
    )
    assert response.status_code == 422
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


def test_handlaggare_may_not_record_a_certificate_and_the_denial_is_audited(client, login, case, db):
    login(case.officer)
    response = client.get(f"/formaner/person/{case.individual.public_id}/lakarutlatanden/ny")
    assert response.status_code == 403
    assert len(_audit(db, action="denied", user_id=case.officer.id)) == 1


def test_handlaggare_records_a_decision_without_consent(client, login, case, db):
    login(case.officer)
    response = client.post(
        f"/formaner/person/{case.individual.public_id}/beslut/ny",
        data={
            "outcome": "granted",
            "decided_on": "2026-03-01",
            "level": "half",
            "period_start": "2026-03-01",
            "period_end": "2028-02-29",
            "officer_id": str(case.officer.id),
            "certificate_id": "",
        },
    )
    assert response.status_code == 302
    decision = db.session.query(FkDecision).one()
    assert decision.outcome == Outcome.GRANTED and decision.period_days == 731


def test_decision_form_with_a_too_long_period_answers_422(client, login, case, db):
    login(case.rehab)
    response = client.post(
        f"/formaner/person/{case.individual.public_id}/beslut/ny",
        data={
            "outcome": "granted",
            "decided_on": "2026-03-01",
            "level": "full",
            "period_start": "2026-03-01",
            "period_end": "2030-03-01",
            "officer_id": str(case.officer.id),
            "certificate_id": "",
        },
    )
    assert response.status_code == 422
    assert "högst 3 år" in response.get_data(as_text=True)
    assert db.session.query(FkDecision).count() == 0


def test_editing_a_stale_decision_answers_409(client, login, case, factory, db):
    decision = factory.decision(case.individual, officer=case.officer, outcome=Outcome.PENDING)
    db.session.commit()
    login(case.rehab)
    response = client.post(
        f"/formaner/beslut/{decision.id}/andra",
        data={
            "outcome": "denied",
            "decided_on": "2026-03-10",
            "level": "",
            "officer_id": str(case.officer.id),
            "certificate_id": "",
            "version": "0",
        },
    )
    assert response.status_code == 409
    assert "Någon annan har ändrat" in response.get_data(as_text=True)


def test_pending_decision_is_later_decided(client, login, case, factory, db):
    decision = factory.decision(case.individual, officer=case.officer, outcome=Outcome.PENDING)
    db.session.commit()
    login(case.rehab)
    assert client.get(f"/formaner/beslut/{decision.id}/andra").status_code == 200
    response = client.post(
        f"/formaner/beslut/{decision.id}/andra",
        data={
            "outcome": "denied",
            "decided_on": "2026-03-10",
            "officer_id": str(case.officer.id),
            "version": str(decision.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(decision)
    assert decision.outcome == Outcome.DENIED and decision.decided_on == date(2026, 3, 10)


def test_handlaggare_places_and_completes_a_follow_up(client, login, case, db):
    login(case.officer)
    response = client.post(
        f"/formaner/person/{case.individual.public_id}/bevakningar/ny",
        data={
            "owner_id": str(case.officer.id),
            "due_on": "2026-06-01",
            "reason": "plan_follow_up",
            "clinic_id": str(case.clinic.id),
            "coordinator_id": str(case.rehab.id),
        },
    )
    assert response.status_code == 302
    follow_up = db.session.query(FollowUp).one()
    response = client.post(
        f"/formaner/bevakningar/{follow_up.id}/klar",
        data={"done_on": "2026-03-16", "done_note": "Uppföljt", "version": str(follow_up.version)},
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE


def test_unconnected_handlaggare_cannot_touch_a_follow_up(client, login, case, factory, db):
    follow_up = factory.follow_up(case.individual, case.officer)
    stranger = factory.user("handlaggare")
    db.session.commit()
    login(stranger)
    assert client.get(f"/formaner/bevakningar/{follow_up.id}/klar").status_code == 403
    assert client.get(f"/formaner/person/{case.individual.public_id}/beslut/ny").status_code == 403
    assert len(_audit(db, action="denied", user_id=stranger.id)) == 2


def test_fk_user_without_consent_sees_own_decisions_and_follow_ups_but_no_healthcare(
    client, login, case, factory, db
):
    certificate = factory.certificate(case.individual, doctor="Dr Hemlig", issued_on=date(2026, 1, 10))
    factory.decision(case.individual, officer=case.officer, certificate_id=certificate.id)
    factory.follow_up(case.individual, case.officer, reason_text="Syns för FK")
    plan = factory.care_plan(case.individual, goals="Hemligt vårdmål")
    factory.insats(plan, what="Hemlig insats")
    db.session.commit()
    login(case.officer)
    html = client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True)
    assert "FK-beslut" in html and "Syns för FK" in html and "Beviljad" in html
    assert "Dr Hemlig" not in html and "Hemligt vårdmål" not in html and "Hemlig insats" not in html
    assert "<td>321</td>" in html and "<td>22</td>" not in html  # days left shown, lead time hidden
    timeline = client.get(f"/formaner/person/{case.individual.public_id}/tidslinje").get_data(as_text=True)
    assert "Beviljad" in timeline and "Bevakning" in timeline
    entries = timeline[timeline.index("<table") :]
    assert "Läkarutlåtande" not in entries and "Utfärdat (" not in entries
    assert "Hemlig insats" not in entries and "Vårdplan upprättad" not in entries
    assert "Visas inte (ingen åtkomst): Läkarutlåtanden" in timeline


def test_fk_user_with_consent_sees_the_healthcare_side_too(client, login, case, factory, db):
    factory.consent(case.individual, parties=(Authority.FK,))
    certificate = factory.certificate(case.individual, doctor="Dr Synlig", issued_on=date(2026, 1, 10))
    factory.decision(case.individual, officer=case.officer, certificate_id=certificate.id)
    plan = factory.care_plan(case.individual, goals="Delat vårdmål")
    factory.insats(plan, what="Delad insats")
    db.session.commit()
    login(case.officer)
    html = client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True)
    assert "Dr Synlig" in html and "Delat vårdmål" in html and "Delad insats" in html
    assert "<td>22</td>" in html  # lead time from certificate to decision


def test_timeline_is_chronological_and_audited(client, login, case, factory, db):
    certificate = factory.certificate(
        case.individual, issued_on=date(2026, 1, 5), sent_to_fk_on=date(2026, 1, 7)
    )
    factory.decision(
        case.individual, officer=case.officer, certificate_id=certificate.id, decided_on=date(2026, 2, 1)
    )
    factory.consent(case.individual, given_on=date(2025, 12, 1))
    factory.care_plan(case.individual, established_on=date(2026, 2, 20))
    db.session.commit()
    login(case.rehab)
    html = client.get(f"/formaner/person/{case.individual.public_id}/tidslinje").get_data(as_text=True)
    order = [
        html.index(text)
        for text in ("Vårdplan upprättad", "Beviljad", "Skickat till FK", "Utfärdat (", "Lämnat (")
    ]
    assert order == sorted(order)
    assert len(_audit(db, action="view", details="timeline")) == 1


def _certificate_list_case(case, factory):
    named = case.individual
    factory.consent(named, parties=(Authority.FK,), categories=(Category.IDENTITY, Category.CERTIFICATES))
    factory.certificate(named, issued_on=date(2026, 3, 1))
    unnamed = factory.individual(clinic=case.clinic, first_name="Dold", last_name="Person")
    factory.certificate(unnamed, issued_on=date(2026, 3, 2))
    blocked = factory.individual(clinic=case.clinic, first_name="Spärrad", last_name="Person")
    factory.consent(blocked, parties=(Authority.FK,))
    factory.block(blocked, category=Category.CERTIFICATES)
    factory.certificate(blocked, issued_on=date(2026, 3, 3))
    factory.certificate(named, issued_on=date(2025, 12, 1))  # before "since"


def test_certificate_list_names_only_people_fk_may_see(client, login, case, factory, db):
    _certificate_list_case(case, factory)
    db.session.commit()
    login(case.rehab)
    html = client.get("/formaner/lakarutlatanden?sedan=2026-02-01").get_data(as_text=True)
    assert case.individual.full_name in html
    assert "Dold" not in html and "Spärrad" not in html
    assert "Utan samtycke till FK: 2 utlåtanden" in html
    assert case.individual.personnummer_display not in html


def test_certificate_list_exports_csv_for_swedish_excel_and_audits_it(client, login, case, factory, db):
    _certificate_list_case(case, factory)
    db.session.commit()
    login(case.rehab)
    response = client.get("/formaner/lakarutlatanden/export.csv?sedan=2026-02-01")
    assert response.status_code == 200
    body = response.data
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Utfärdat", "Mottagning", "Typ", "Skickat till FK", "Namn"]
    assert rows[2][0] == "2026-03-01" and rows[2][4] == case.individual.full_name
    assert "2 utlåtanden utan samtycke" in rows[3][2]
    assert case.individual.personnummer not in body.decode("utf-8-sig")
    events = _audit(db, action="export", object_type="Certificate")
    assert len(events) == 1 and "named=1 unnamed=2" in events[0].details


def test_certificate_list_exports_xlsx(client, login, case, factory, db):
    _certificate_list_case(case, factory)
    db.session.commit()
    login(case.rehab)
    response = client.get(
        f"/formaner/lakarutlatanden/export.xlsx?sedan=2026-02-01&mottagning={case.clinic.id}"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[2][4] == case.individual.full_name
    assert len(values) == 4


def test_handlaggare_may_not_open_the_certificate_list(client, login, case, db):
    login(case.officer)
    assert client.get("/formaner/lakarutlatanden").status_code == 403
    assert client.get("/formaner/lakarutlatanden/export.csv").status_code == 403
    assert len(_audit(db, action="denied", user_id=case.officer.id)) == 2


def test_ledning_may_not_open_any_benefits_page(client, login_as, case, db):
    user = login_as("ledning")
    assert client.get(f"/formaner/person/{case.individual.public_id}/tidslinje").status_code == 403
    assert len(_audit(db, action="denied", user_id=user.id)) == 1


def test_certificate_list_uses_the_same_number_of_queries_for_10_and_200_rows(
    client, login, case, factory, db, count_queries
):
    def build(n):
        for index in range(n):
            person = factory.individual(clinic=case.clinic)
            if index % 2:
                factory.consent(person, parties=(Authority.FK,))
            factory.certificate(person, issued_on=date(2026, 3, 1))
        db.session.commit()

    login(case.rehab)
    build(10)
    client.get("/formaner/lakarutlatanden?sedan=2026-02-01")
    with count_queries() as few:
        client.get("/formaner/lakarutlatanden?sedan=2026-02-01")
    build(190)
    with count_queries() as many:
        html = client.get("/formaner/lakarutlatanden?sedan=2026-02-01").get_data(as_text=True)
    assert "Utan samtycke till FK: 100 utlåtanden" in html
    assert few.count == many.count


def test_rehabkoordinator_start_page_shows_the_alarms(client, login, case, factory, db):
    factory.decision(case.individual, officer=case.officer, decided_on=date(2026, 1, 1))
    db.session.commit()
    login(case.rehab)
    html = client.get("/").get_data(as_text=True)
    assert "Beviljad AE men ingen vårdplan" in html
    assert case.individual.full_name in html
    assert client.get("/formaner/larm").status_code == 200


def test_case_page_uses_the_same_number_of_queries_for_few_and_many_records(
    client, login, case, factory, db, count_queries
):
    def build(n):
        plan = factory.care_plan(case.individual) if n == 3 else case_plan[0]
        case_plan[:] = [plan]
        for _ in range(n):
            certificate = factory.certificate(case.individual)
            factory.decision(case.individual, officer=case.officer, certificate_id=certificate.id)
            factory.follow_up(case.individual, case.officer)
            factory.insats(plan)
        db.session.commit()

    case_plan = []
    login(case.rehab)
    build(3)
    url = f"/personer/{case.individual.public_id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    build(27)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    with count_queries() as timeline_many:
        client.get(f"/formaner/person/{case.individual.public_id}/tidslinje")
    assert few.count == many.count
    assert timeline_many.count < 30


def test_alarm_page_uses_the_same_number_of_queries_for_10_and_200_rows(
    client, login, case, factory, db, count_queries
):
    def build(n):
        for _ in range(n):
            person = factory.individual(clinic=case.clinic)
            factory.decision(
                person, officer=case.officer, decided_on=date(2025, 6, 1), period_end=date(2026, 5, 31)
            )
            factory.consent(person, valid_until=date(2026, 3, 20))
            factory.follow_up(person, case.officer, due_on=date(2026, 3, 1))
        db.session.commit()

    login(case.rehab)
    build(10)
    client.get("/formaner/larm")
    with count_queries() as few:
        client.get("/formaner/larm")
    build(190)
    with count_queries() as many:
        html = client.get("/formaner/larm").get_data(as_text=True)
    assert 'Försenade bevakningar <span class="count warn">(200)</span>' in html
    assert few.count == many.count


def _certificate_form(certificate, **overrides):
    data = {
        "issued_on": certificate.issued_on.isoformat(),
        "clinic_id": str(certificate.clinic_id),
        "doctor": certificate.doctor or "",
        "certificate_type": certificate.certificate_type.value,
        "sent_to_fk_on": "",
        "note": "",
        "version": str(certificate.version),
    }
    data.update(overrides)
    return data


def test_rehabkoordinator_marks_a_certificate_as_sent_to_fk(client, login, case, factory, db):
    certificate = factory.certificate(case.individual, issued_on=date(2026, 3, 1))
    db.session.commit()
    login(case.rehab)
    assert client.get(f"/formaner/lakarutlatanden/{certificate.id}/andra").status_code == 200
    response = client.post(
        f"/formaner/lakarutlatanden/{certificate.id}/andra",
        data=_certificate_form(certificate, sent_to_fk_on="2026-03-16"),
    )
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.sent_to_fk_on == date(2026, 3, 16) and certificate.version == 2
    assert len(_audit(db, action="update", object_type="Certificate")) == 1


def test_stale_certificate_edit_answers_409(client, login, case, factory, db):
    certificate = factory.certificate(case.individual)
    db.session.commit()
    login(case.rehab)
    response = client.post(
        f"/formaner/lakarutlatanden/{certificate.id}/andra", data=_certificate_form(certificate, version="7")
    )
    assert response.status_code == 409


def test_certificate_cannot_be_moved_after_the_decision_that_answers_it(client, login, case, factory, db):
    certificate = factory.certificate(case.individual, issued_on=date(2026, 1, 10))
    factory.decision(
        case.individual, officer=case.officer, certificate_id=certificate.id, decided_on=date(2026, 2, 1)
    )
    db.session.commit()
    login(case.rehab)
    response = client.post(
        f"/formaner/lakarutlatanden/{certificate.id}/andra",
        data=_certificate_form(certificate, issued_on="2026-02-05"),
    )
    assert response.status_code == 422
    assert "fattat före det datumet" in response.get_data(as_text=True)


def test_assigned_handlaggare_may_not_edit_a_certificate_even_with_consent(client, login, case, factory, db):
    factory.consent(case.individual, parties=(Authority.FK,))
    certificate = factory.certificate(case.individual)
    db.session.commit()
    login(case.officer)
    assert client.get(f"/formaner/lakarutlatanden/{certificate.id}/andra").status_code == 403
    assert len(_audit(db, action="denied", user_id=case.officer.id)) == 1


def test_a_tampered_choice_gets_a_swedish_message(client, login, case, db):
    login(case.rehab)
    response = client.post(
        f"/formaner/person/{case.individual.public_id}/beslut/ny",
        data={"outcome": "granted-forever", "decided_on": "2026-03-01", "officer_id": str(case.officer.id)},
    )
    assert response.status_code == 422
    assert "Välj utfall i listan." in response.get_data(as_text=True)
    assert db.session.query(FkDecision).count() == 0


def test_handlaggare_without_consent_keeps_the_certificate_link_when_editing(
    client, login, case, factory, db
):
    certificate = factory.certificate(case.individual, issued_on=date(2026, 1, 10))
    decision = factory.decision(
        case.individual, officer=case.officer, outcome=Outcome.PENDING, certificate_id=certificate.id
    )
    db.session.commit()
    login(case.officer)
    html = client.get(f"/formaner/beslut/{decision.id}/andra").get_data(as_text=True)
    assert "2026-01-10" not in html
    response = client.post(
        f"/formaner/beslut/{decision.id}/andra",
        data={
            "outcome": "granted",
            "decided_on": "2026-03-01",
            "level": "full",
            "period_start": "2026-03-01",
            "period_end": "2027-02-28",
            "officer_id": str(case.officer.id),
            "certificate_id": "",
            "version": str(decision.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(decision)
    assert decision.certificate_id == certificate.id and decision.lead_time_days == 50
