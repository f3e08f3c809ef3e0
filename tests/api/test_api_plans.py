from sqlalchemy import func, select

from tracker.auth.models import Authority, OrgType
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange

PLAN = {"established_on": "2026-03-01", "goals": "Börja studera", "follow_up_on": "2026-06-01"}


def _plan_url(case) -> str:
    return f"/individuals/{case.individual.public_id}/plan"


def test_coordinator_creates_reads_and_updates_the_plan(api, case, db):
    call = api(case.rehab)
    assert call("GET", _plan_url(case)).status_code == 404
    created = call("PUT", _plan_url(case), PLAN)
    assert created.status_code == 200, created.json
    assert created.json["version"] == 1 and created.json["insatser"] == []
    updated = call("PUT", _plan_url(case), {**PLAN, "goals": "Arbetsträna", "version": 1})
    assert updated.status_code == 200 and updated.json["goals"] == "Arbetsträna"
    assert call("GET", _plan_url(case)).json["version"] == 2


def test_stale_plan_update_gives_409_and_missing_version_422(api, case, db):
    call = api(case.rehab)
    call("PUT", _plan_url(case), PLAN)
    call("PUT", _plan_url(case), {**PLAN, "goals": "Först", "version": 1})
    assert call("PUT", _plan_url(case), {**PLAN, "goals": "Sen", "version": 1}).status_code == 409
    response = call("PUT", _plan_url(case), {**PLAN, "goals": "Sen"})
    assert response.status_code == 422 and "version" in response.json["errors"]
    db.session.expire_all()
    assert db.session.scalar(select(CarePlan.goals)) == "Först"


def test_plan_validation_comes_from_the_service(api, case, db):
    call = api(case.rehab)
    response = call("PUT", _plan_url(case), {**PLAN, "follow_up_on": "2026-01-01"})
    assert response.status_code == 422 and "follow_up_on" in response.json["errors"]
    sip = call("PUT", _plan_url(case), {**PLAN, "is_sip": True})
    assert sip.status_code == 422 and "sip_meeting_on" in sip.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(CarePlan)) == 0


def test_insats_is_added_and_moves_through_its_statuses(api, case, factory, db):
    kommun = factory.organisation(OrgType.KOMMUN)
    db.session.commit()
    call = api(case.rehab)
    assert (
        call(
            "POST",
            _plan_url(case) + "/insatser",
            {"what": "Arbetsträning", "organisation_id": kommun.id, "starts_on": "2026-03-20"},
        ).status_code
        == 404
    )
    call("PUT", _plan_url(case), PLAN)
    insats = call(
        "POST",
        _plan_url(case) + "/insatser",
        {"what": "Arbetsträning", "organisation_id": kommun.id, "starts_on": "2026-03-20"},
    )
    assert insats.status_code == 201, insats.json
    assert insats.json["status"] == "planned" and len(insats.json["history"]) == 1
    status_url = f"/insatser/{insats.json['id']}/status"
    started = call("POST", status_url, {"status": "ongoing", "changed_on": "2026-03-16", "version": 1})
    assert started.status_code == 200 and started.json["status"] == "ongoing"
    assert (
        call(
            "POST", status_url, {"status": "completed", "changed_on": "2026-03-16", "version": 1}
        ).status_code
        == 409
    )
    bad = call("POST", status_url, {"status": "planned", "changed_on": "2026-03-16", "version": 2})
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    no_reason = call("POST", status_url, {"status": "interrupted", "changed_on": "2026-03-16", "version": 2})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    plan = call("GET", _plan_url(case)).json
    assert [h["to_status"] for h in plan["insatser"][0]["history"]] == ["planned", "ongoing"]
    assert db.session.scalar(select(func.count()).select_from(InsatsStatusChange)) == 2


def test_unknown_insats_gives_404(api, case, db):
    call = api(case.rehab)
    response = call(
        "POST", "/insatser/999999/status", {"status": "ongoing", "changed_on": "2026-03-16", "version": 1}
    )
    assert response.status_code == 404


def test_fk_token_without_consent_gets_403_on_the_plan_even_when_assigned(api, case, factory, db):
    plan = factory.care_plan(case.individual)
    insats = factory.insats(plan)
    db.session.commit()
    call = api(case.officer)
    assert call("GET", _plan_url(case)).status_code == 403
    assert call("POST", f"/insatser/{insats.id}/status", {}).status_code == 403


def test_fk_with_consent_still_may_not_use_the_plan_api(api, case, factory, db):
    factory.care_plan(case.individual)
    factory.consent(case.individual, parties=[Authority.FK])
    db.session.commit()
    assert api(case.officer)("GET", _plan_url(case)).status_code == 403


def test_read_only_token_cannot_write_the_plan(api, case, factory, db):
    call = api(case.rehab, scope="read")
    assert call("PUT", _plan_url(case), PLAN).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Insats)) == 0
    assert db.session.scalar(select(func.count()).select_from(CarePlan)) == 0
