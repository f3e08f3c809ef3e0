from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import Authority
from tracker.benefits.models import Certificate, FkDecision, FollowUp

CERTIFICATE = {"issued_on": "2026-03-01", "certificate_type": "ae_reduced_capacity", "doctor": "Dr Test"}


def _certificate(case, **overrides):
    return {**CERTIFICATE, "clinic_id": case.clinic.id, **overrides}


def _denials(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
    )


def test_rehabkoordinator_registers_lists_and_updates_a_certificate(api, case, db):
    call = api(case.rehab)
    url = f"/individuals/{case.individual.public_id}/certificates"
    created = call("POST", url, _certificate(case))
    assert created.status_code == 201, created.json
    assert created.json["certificate_type"] == "ae_reduced_capacity" and created.json["version"] == 1
    listed = call("GET", url)
    assert listed.status_code == 200 and [c["id"] for c in listed.json["items"]] == [created.json["id"]]
    updated = call("PUT", f"/certificates/{created.json['id']}", _certificate(case, doctor="Dr B", version=1))
    assert updated.status_code == 200 and updated.json["doctor"] == "Dr B" and updated.json["version"] == 2


def test_stale_certificate_update_gives_409_and_keeps_the_first_change(api, case, db):
    call = api(case.rehab)
    created = call("POST", f"/individuals/{case.individual.public_id}/certificates", _certificate(case)).json
    assert (
        call("PUT", f"/certificates/{created['id']}", _certificate(case, doctor="A", version=1)).status_code
        == 200
    )
    stale = call("PUT", f"/certificates/{created['id']}", _certificate(case, doctor="B", version=1))
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(Certificate, created["id"]).doctor == "A"


def test_invalid_certificate_gives_422_with_the_services_field_message(api, case, db):
    call = api(case.rehab)
    url = f"/individuals/{case.individual.public_id}/certificates"
    response = call("POST", url, _certificate(case, sent_to_fk_on="2026-02-01"))
    assert response.status_code == 422
    assert "före det utfärdades" in response.json["errors"]["sent_to_fk_on"]
    assert call("POST", url, _certificate(case, certificate_type="x")).status_code == 422
    assert call("POST", url, _certificate(case, issued_on="2026-04-01")).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_unknown_certificate_gives_404(api, case, db):
    call = api(case.rehab)
    assert call("PUT", "/certificates/999999", _certificate(case, version=1)).status_code == 404


def test_fk_token_without_consent_gets_403_on_certificates_and_the_denial_is_audited(api, case, factory, db):
    factory.certificate(case.individual)
    db.session.commit()
    call = api(case.officer)
    url = f"/individuals/{case.individual.public_id}/certificates"
    before = _denials(db)
    response = call("GET", url)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert _denials(db) == before + 1
    factory.consent(case.individual, parties=[Authority.FK], categories=["identity", "certificates"])
    db.session.commit()
    assert call("GET", url).status_code == 200


def test_only_the_rehabkoordinator_registers_certificates(api, case, factory, db):
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    call = api(case.officer)
    response = call("POST", f"/individuals/{case.individual.public_id}/certificates", _certificate(case))
    assert response.status_code == 403


def test_read_only_token_cannot_register_a_certificate(api, case, db):
    call = api(case.rehab, scope="read")
    response = call("POST", f"/individuals/{case.individual.public_id}/certificates", _certificate(case))
    assert response.status_code == 403 and "bara läsa" in response.json["detail"]
    assert call("GET", f"/individuals/{case.individual.public_id}/certificates").status_code == 200


def _decision(case, **overrides):
    return {
        "outcome": "granted",
        "officer_id": case.officer.id,
        "decided_on": "2026-03-10",
        "level": "full",
        "period_start": "2026-04-01",
        "period_end": "2027-03-31",
        **overrides,
    }


def test_fk_officer_records_and_updates_a_decision(api, case, factory, db):
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    call = api(case.officer)
    url = f"/individuals/{case.individual.public_id}/decisions"
    created = call("POST", url, _decision(case))
    assert created.status_code == 201, created.json
    assert call("GET", url).json["items"][0]["level"] == "full"
    updated = call("PUT", f"/decisions/{created.json['id']}", _decision(case, level="half", version=1))
    assert updated.status_code == 200 and updated.json["level"] == "half"
    stale = call("PUT", f"/decisions/{created.json['id']}", _decision(case, level="full", version=1))
    assert stale.status_code == 409


def test_decision_rules_are_the_services(api, case, factory, db):
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    call = api(case.officer)
    url = f"/individuals/{case.individual.public_id}/decisions"
    response = call("POST", url, _decision(case, period_end="2026-03-01"))
    assert response.status_code == 422 and "period_end" in response.json["errors"]
    assert call("POST", url, _decision(case, level=None)).json["errors"]["level"]
    assert db.session.scalar(select(func.count()).select_from(FkDecision)) == 0


def test_who_may_not_see_certificates_cannot_link_a_decision_to_one(api, case, factory, db):
    certificate = factory.certificate(case.individual)
    factory.consent(case.individual, parties=[Authority.FK], categories=["identity", "fk_records"])
    db.session.commit()
    call = api(case.officer)
    created = call(
        "POST",
        f"/individuals/{case.individual.public_id}/decisions",
        _decision(case, certificate_id=certificate.id),
    )
    assert created.status_code == 201 and created.json["certificate_id"] is None
    assert db.session.get(FkDecision, created.json["id"]).certificate_id is None


def test_assigned_officer_sees_fk_records_without_consent_but_another_officer_does_not(
    api, case, factory, db
):
    factory.decision(case.individual, officer=case.officer)
    db.session.commit()
    url = f"/individuals/{case.individual.public_id}/decisions"
    assert api(case.officer)("GET", url).json["total"] == 1
    other = api("handlaggare")
    assert other("GET", url).status_code == 403
    assert other("POST", url, _decision(case)).status_code == 403


def _follow_up(case, **overrides):
    return {
        "owner_id": case.officer.id,
        "due_on": "2026-04-01",
        "reason": "plan_follow_up",
        "clinic_id": case.clinic.id,
        **overrides,
    }


def test_officer_lays_a_follow_up_sees_it_in_the_worklist_and_marks_it_done(api, case, factory, db):
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    call = api(case.officer)
    created = call("POST", f"/individuals/{case.individual.public_id}/follow-ups", _follow_up(case))
    assert created.status_code == 201, created.json
    worklist = call("GET", "/follow-ups?sort=namn")
    assert worklist.status_code == 200
    assert [f["id"] for f in worklist.json["items"]] == [created.json["id"]]
    assert worklist.json["items"][0]["individual_id"] == case.individual.public_id
    assert call("GET", "/follow-ups?due_before=2026-03-20").json["total"] == 0
    done_url = f"/follow-ups/{created.json['id']}/done"
    done = call("POST", done_url, {"done_on": "2026-03-16", "version": 1})
    assert done.status_code == 200 and done.json["status"] == "done"
    assert call("POST", done_url, {"done_on": "2026-03-16", "version": 1}).status_code == 409
    again = call("POST", done_url, {"done_on": "2026-03-16", "version": 2})
    assert again.status_code == 422 and "redan" in again.json["errors"]["done_on"]
    assert call("GET", "/follow-ups").json["total"] == 0


def test_follow_up_needs_a_reason_text_for_other(api, case, factory, db):
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    call = api(case.officer)
    url = f"/individuals/{case.individual.public_id}/follow-ups"
    response = call("POST", url, _follow_up(case, reason="other"))
    assert response.status_code == 422 and "reason_text" in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_worklist_is_for_handlaggare_only_and_shows_only_their_cases(api, case, factory, db):
    assert api(case.rehab)("GET", "/follow-ups").status_code == 403
    follow_up = factory.follow_up(case.individual, owner=case.officer)
    db.session.commit()
    assert api(case.officer)("GET", "/follow-ups").json["total"] == 1
    call = api("handlaggare")
    assert call("GET", "/follow-ups").json["total"] == 0
    response = call("POST", f"/follow-ups/{follow_up.id}/done", {"done_on": "2026-03-16", "version": 1})
    assert response.status_code == 403
    assert call("POST", "/follow-ups/999999/done", {"done_on": "2026-03-16", "version": 1}).status_code == 404
