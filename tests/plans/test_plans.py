from datetime import date

import pytest

from tracker.audit.models import AuditEvent
from tracker.auth.models import Authority
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.plans import services
from tracker.plans.models import CarePlan, InsatsStatus, InsatsStatusChange


def _plan_data(**kwargs):
    values = {"established_on": date(2026, 3, 1), "goals": "Börja studera", "follow_up_on": date(2026, 6, 1)}
    values.update(kwargs)
    return services.PlanData(**values)


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.errors


def test_a_plan_needs_goals_and_a_follow_up_after_its_date(app, case):
    errors = _errors(
        lambda: services.create_plan(
            case.individual, _plan_data(goals=" ", follow_up_on=date(2026, 2, 1)), case.rehab
        )
    )
    assert set(errors) == {"goals", "follow_up_on"}


def test_a_sip_needs_its_meeting_date_and_organisations(app, case, factory):
    errors = _errors(lambda: services.create_plan(case.individual, _plan_data(is_sip=True), case.rehab))
    assert set(errors) == {"sip_meeting_on", "sip_organisation_ids"}
    kommun = factory.organisation("kommun")
    plan = services.create_plan(
        case.individual,
        _plan_data(is_sip=True, sip_meeting_on=date(2026, 3, 10), sip_organisation_ids=[str(kommun.id)]),
        case.rehab,
    )
    assert plan.is_sip and [o.id for o in plan.sip_organisations] == [kommun.id]


def test_an_individual_has_only_one_plan(app, case):
    services.create_plan(case.individual, _plan_data(), case.rehab)
    errors = _errors(lambda: services.create_plan(case.individual, _plan_data(), case.rehab))
    assert "redan en vårdplan" in errors["goals"]


def test_stale_plan_update_is_refused(app, case, factory):
    plan = factory.care_plan(case.individual)
    with pytest.raises(StaleEdit):
        services.update_plan(plan, _plan_data(), plan.version + 1)


def test_insats_status_goes_planned_ongoing_completed_with_history(app, case, factory):
    plan = factory.care_plan(case.individual)
    insats = services.add_insats(
        plan,
        services.InsatsData(
            what="Praktik", organisation_id=factory.organisation("af").id, starts_on=date(2026, 3, 1)
        ),
        case.rehab,
    )
    services.change_insats_status(insats, "ongoing", date(2026, 3, 5), None, insats.version, case.rehab)
    services.change_insats_status(insats, "completed", date(2026, 3, 15), None, insats.version, case.rehab)
    history = insats_history(insats)
    assert history == [
        (None, InsatsStatus.PLANNED),
        (InsatsStatus.PLANNED, InsatsStatus.ONGOING),
        (InsatsStatus.ONGOING, InsatsStatus.COMPLETED),
    ]
    assert insats.ends_on == date(2026, 3, 15)


def insats_history(insats):
    from tracker.extensions import db

    rows = db.session.query(InsatsStatusChange).filter_by(insats_id=insats.id).order_by(InsatsStatusChange.id)
    return [(row.from_status, row.to_status) for row in rows]


def test_an_interrupted_insats_needs_a_reason(app, case, factory):
    insats = factory.insats(factory.care_plan(case.individual), status=InsatsStatus.ONGOING)
    errors = _errors(
        lambda: services.change_insats_status(
            insats, "interrupted", date(2026, 3, 10), "", insats.version, case.rehab
        )
    )
    assert errors == {"reason": "Ange varför insatsen avbröts."}
    services.change_insats_status(
        insats, "interrupted", date(2026, 3, 10), "Flyttade", insats.version, case.rehab
    )
    assert insats.status == InsatsStatus.INTERRUPTED and insats.interruption_reason == "Flyttade"


def test_a_completed_insats_cannot_change_status_again(app, case, factory):
    insats = factory.insats(factory.care_plan(case.individual), status=InsatsStatus.COMPLETED)
    errors = _errors(
        lambda: services.change_insats_status(
            insats, "ongoing", date(2026, 3, 10), None, insats.version, case.rehab
        )
    )
    assert "status" in errors


def test_a_planned_insats_cannot_jump_to_completed(app, case, factory):
    insats = factory.insats(factory.care_plan(case.individual))
    errors = _errors(
        lambda: services.change_insats_status(
            insats, "completed", date(2026, 3, 10), None, insats.version, case.rehab
        )
    )
    assert "status" in errors


def test_rehabkoordinator_draws_up_a_sip_plan_and_adds_an_insats_through_the_pages(
    client, login, case, factory, db
):
    kommun = factory.organisation("kommun", name="Kommunen Test")
    db.session.commit()
    login(case.rehab)
    url = f"/planer/person/{case.individual.public_id}/plan"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={
            "established_on": "2026-03-10",
            "goals": "Komma ut i praktik",
            "follow_up_on": "2026-06-10",
            "is_sip": "y",
            "sip_meeting_on": "2026-03-12",
            "sip_organisation_ids": [str(kommun.id)],
        },
    )
    assert response.status_code == 302
    plan = db.session.query(CarePlan).one()
    assert plan.is_sip and plan.sip_meeting_on == date(2026, 3, 12)
    response = client.post(
        f"/planer/person/{case.individual.public_id}/insatser/ny",
        data={
            "what": "Praktik",
            "organisation_id": str(kommun.id),
            "starts_on": "2026-03-15",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    db.session.refresh(plan)
    insats = plan.insatser[0]
    response = client.post(
        f"/planer/insatser/{insats.id}/status",
        data={"status": "ongoing", "changed_on": "2026-03-16", "reason": "", "version": str(insats.version)},
    )
    assert response.status_code == 302
    html = client.get(f"/personer/{case.individual.public_id}").get_data(as_text=True)
    assert "Vårdplan (SIP)" in html and "Kommunen Test" in html and "Pågående" in html


def test_invalid_plan_form_answers_422_and_saves_nothing(client, login, case, db):
    login(case.rehab)
    response = client.post(
        f"/planer/person/{case.individual.public_id}/plan",
        data={"established_on": "2026-03-10", "goals": "Mål", "is_sip": "y"},
    )
    assert response.status_code == 422
    assert "Ange datum för SIP-mötet." in response.get_data(as_text=True)
    assert db.session.query(CarePlan).count() == 0


def test_handlaggare_may_not_open_plan_pages_even_with_consent(client, login, case, factory, db):
    factory.consent(case.individual, parties=(Authority.FK,))
    insats = factory.insats(factory.care_plan(case.individual))
    db.session.commit()
    login(case.officer)
    assert client.get(f"/planer/person/{case.individual.public_id}/plan").status_code == 403
    assert client.get(f"/planer/insatser/{insats.id}/status").status_code == 403
    assert db.session.query(AuditEvent).filter_by(action="denied", user_id=case.officer.id).count() == 2


def test_rehabkoordinator_at_another_clinic_may_not_edit_the_plan(client, login, case, factory, db):
    stranger = factory.user("rehabkoordinator")
    insats = factory.insats(factory.care_plan(case.individual))
    db.session.commit()
    login(stranger)
    assert client.get(f"/planer/person/{case.individual.public_id}/plan").status_code == 403
    assert client.post(f"/planer/insatser/{insats.id}/status", data={}).status_code == 403
    assert db.session.query(AuditEvent).filter_by(action="denied", user_id=stranger.id).count() == 2
