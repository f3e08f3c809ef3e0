from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.auth.models import OrgType
from tracker.referrals.models import Enrolment, GroupAttendance, Referral, ReferralStatus


@pytest.fixture
def platform(factory, db):
    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team, name="Plattformen")
    staff = factory.user("samordnare", organisation=team)
    person = factory.individual(clinic=team)
    db.session.commit()
    return project, staff, person


def _referral(person, **overrides):
    return {
        "individual_id": person.public_id,
        "referred_on": "2026-03-01",
        "referrer_type": "socialtjanst",
        **overrides,
    }


def test_staff_lists_their_projects(api, platform, factory, db):
    project, staff, _ = platform
    factory.project(name="Någon annans")
    db.session.commit()
    listed = api(staff)("GET", "/projects")
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json["items"]] == ["Plattformen"]


def test_referral_is_registered_queued_accepted_by_enrolment_and_discharged(api, platform, db):
    project, staff, person = platform
    call = api(staff)
    created = call("POST", f"/projects/{project.id}/referrals", _referral(person))
    assert created.status_code == 201, created.json
    assert created.json["status"] == "queued" and created.json["waiting_days"] == 15
    queue = call("GET", f"/projects/{project.id}/referrals").json
    assert [r["id"] for r in queue["items"]] == [created.json["id"]]
    enrolled = call(
        "POST",
        f"/referrals/{created.json['id']}/enrolment",
        {"enrolled_on": "2026-03-10", "education_level": None},
    )
    assert enrolled.status_code == 201, enrolled.json
    assert enrolled.json["individual_id"] == person.public_id
    assert call("GET", f"/projects/{project.id}/referrals").json["total"] == 0
    assert call("GET", f"/projects/{project.id}/enrolments").json["total"] == 1
    again = call("POST", f"/referrals/{created.json['id']}/enrolment", {"enrolled_on": "2026-03-10"})
    assert again.status_code == 422 and "enrolled_on" in again.json["errors"]
    out = call(
        "POST",
        f"/enrolments/{enrolled.json['id']}/discharge",
        {"discharged_on": "2026-03-16", "discharge_reason": "arbete"},
    )
    assert out.status_code == 200 and out.json["discharged_on"] == "2026-03-16"
    early = call(
        "POST",
        f"/enrolments/{enrolled.json['id']}/discharge",
        {"discharged_on": "2026-03-16", "discharge_reason": "arbete"},
    )
    assert early.status_code == 422 and "redan" in early.json["errors"]["discharged_on"]


def test_referral_status_rules_are_the_services(api, platform, factory, db):
    project, staff, person = platform
    referral = factory.referral(project, person)
    db.session.commit()
    call = api(staff)
    url = f"/referrals/{referral.id}/status"
    no_reason = call("POST", url, {"status": "returned"})
    assert no_reason.status_code == 422 and "status_reason" in no_reason.json["errors"]
    assert call("POST", url, {"status": "withdrawn"}).json["status"] == "withdrawn"
    closed = call("POST", url, {"status": "queued"})
    assert closed.status_code == 422
    assert call("POST", url, {"status": "bogus"}).status_code == 422


def test_future_referral_date_gives_422_and_nothing_is_saved(api, platform, db):
    project, staff, person = platform
    response = api(staff)(
        "POST", f"/projects/{project.id}/referrals", _referral(person, referred_on="2026-04-01")
    )
    assert response.status_code == 422 and "referred_on" in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_outsiders_get_403_unknown_ids_404_and_read_only_tokens_cannot_write(api, platform, factory, db):
    project, staff, person = platform
    referral = factory.referral(project, person)
    enrolment = factory.enrolment(project, person)
    db.session.commit()
    outsider = api("samordnare")
    assert outsider("GET", f"/projects/{project.id}/referrals").status_code == 403
    assert outsider("POST", f"/projects/{project.id}/referrals", _referral(person)).status_code == 403
    assert outsider("POST", f"/referrals/{referral.id}/status", {"status": "withdrawn"}).status_code == 403
    assert outsider("POST", f"/enrolments/{enrolment.id}/discharge", {}).status_code == 403
    call = api(staff)
    assert call("GET", "/projects/999999/referrals").status_code == 404
    assert call("POST", "/referrals/999999/status", {"status": "withdrawn"}).status_code == 404
    reader = api(staff, scope="read")
    assert reader("POST", f"/referrals/{referral.id}/status", {"status": "withdrawn"}).status_code == 403
    assert reader("GET", f"/projects/{project.id}/enrolments").status_code == 200
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == ReferralStatus.QUEUED


def test_staff_cannot_refer_a_person_they_may_not_see(api, platform, factory, db):
    project, staff, _ = platform
    stranger = factory.individual()
    db.session.commit()
    response = api(staff)("POST", f"/projects/{project.id}/referrals", _referral(stranger))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_activities_are_registered_and_listed(api, platform, factory, db):
    project, staff, person = platform
    factory.enrolment(project, person, enrolled_on=date(2026, 1, 1))
    db.session.commit()
    call = api(staff)
    base = f"/projects/{project.id}"
    consultation = call(
        "POST",
        base + "/consultations",
        {"held_on": "2026-03-10", "actor_type": "af", "actor": "AF Uppsala", "topic": "Arbetsträning"},
    )
    assert consultation.status_code == 201, consultation.json
    assert call("GET", base + "/consultations").json["items"][0]["actor"] == "AF Uppsala"
    info = call(
        "POST",
        base + "/info-sessions",
        {"held_on": "2026-03-11", "audience": "Skolkuratorer", "organisation": "Gymnasiet", "attendees": 12},
    )
    assert info.status_code == 201 and call("GET", base + "/info-sessions").json["total"] == 1
    group = call("POST", base + "/groups", {"name": "Promenadgruppen"})
    assert group.status_code == 201
    session = call(
        "POST",
        f"/groups/{group.json['id']}/sessions",
        {"held_on": "2026-03-12", "attendee_ids": [person.public_id]},
    )
    assert session.status_code == 201 and session.json["attendee_count"] == 1
    assert call("GET", base + "/groups").json["items"][0]["session_count"] == 1
    assert db.session.scalar(select(func.count()).select_from(GroupAttendance)) == 1


def test_attendance_only_for_people_enrolled_or_visible(api, platform, factory, db):
    project, staff, person = platform
    outsider_person = factory.individual(clinic=project.organisation)
    db.session.commit()
    call = api(staff)
    group = call("POST", f"/projects/{project.id}/groups", {"name": "Gruppen"}).json
    url = f"/groups/{group['id']}/sessions"
    not_enrolled = call("POST", url, {"held_on": "2026-03-12", "attendee_ids": [outsider_person.public_id]})
    assert not_enrolled.status_code == 422 and "attendees" in not_enrolled.json["errors"]
    unknown = call("POST", url, {"held_on": "2026-03-12", "attendee_ids": ["0" * 32]})
    assert unknown.status_code == 422 and "attendee_ids" in unknown.json["errors"]
    assert api("samordnare")("POST", url, {"held_on": "2026-03-12"}).status_code == 403
    assert call("POST", "/groups/999999/sessions", {"held_on": "2026-03-12"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_activity_validation_gives_422(api, platform, db):
    project, staff, _ = platform
    call = api(staff)
    response = call(
        "POST",
        f"/projects/{project.id}/consultations",
        {"held_on": "2026-04-10", "actor_type": "af", "actor": "A", "topic": "B"},
    )
    assert response.status_code == 422 and "held_on" in response.json["errors"]
    assert (
        call(
            "POST",
            f"/projects/{project.id}/info-sessions",
            {"held_on": "2026-03-01", "audience": "A", "organisation": "B", "attendees": -1},
        ).status_code
        == 422
    )


def test_enrolment_background_is_updated_with_a_version(api, platform, factory, db):
    project, staff, person = platform
    enrolment = factory.enrolment(project, person)
    db.session.commit()
    call = api(staff)
    body = {
        "income_before": None,
        "occupation_before": None,
        "education_level": None,
        "support_before": None,
        "income_after": None,
        "occupation_after": None,
        "involves_fk": True,
        "involves_region": False,
        "involves_kommun": True,
        "involves_af": False,
        "version": 1,
    }
    updated = call("PUT", f"/enrolments/{enrolment.id}", body)
    assert updated.status_code == 200, updated.json
    assert updated.json["involves_kommun"] is True and updated.json["version"] == 2
    stale = call("PUT", f"/enrolments/{enrolment.id}", {**body, "involves_af": True})
    assert stale.status_code == 409
    assert (
        call("PUT", f"/enrolments/{enrolment.id}", {**body, "version": 2, "income_before": "x"}).status_code
        == 422
    )
    assert api("samordnare")("PUT", f"/enrolments/{enrolment.id}", {}).status_code == 403
