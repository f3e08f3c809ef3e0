"""Projects, referrals and queue, enrolment connecting the project to the case, activities."""

from datetime import date

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import Authority, OrgType
from tracker.consent.categories import Action, Category
from tracker.consent.policy import may, visible_individuals
from tracker.core.errors import ValidationError
from tracker.people.models import CaseContact, Individual
from tracker.referrals import services
from tracker.referrals.models import Enrolment, GroupSession, Referral, ReferralStatus, ReferrerType


@pytest.fixture
def platform(factory, db):
    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team, name="Plattformen")
    staff = factory.user("samordnare", organisation=team)
    db.session.commit()
    return project, staff


def _denied(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(AuditAction.DENIED))).all()


def test_the_queue_lists_open_referrals_longest_waiting_first(platform, factory, client, login, db):
    project, staff = platform
    late = factory.referral(project, referred_on=date(2026, 3, 1))
    early = factory.referral(project, referred_on=date(2026, 1, 10))
    factory.referral(project, referred_on=date(2025, 12, 1), status=ReferralStatus.WITHDRAWN)
    db.session.commit()
    login(staff)
    html = client.get(f"/insatser/{project.id}").get_data(as_text=True)
    assert html.index(early.individual.last_name) < html.index(late.individual.last_name)
    assert "Kö (2)" in html
    assert ">65<" in html  # 2026-01-10 → 2026-03-16


def test_a_referral_is_registered_from_the_persons_page(platform, factory, client, login, db):
    project, staff = platform
    person = factory.individual(clinic=project.organisation)
    kommun = factory.organisation(OrgType.KOMMUN)
    db.session.commit()
    login(staff)
    response = client.post(
        f"/insatser/person/{person.public_id}/remiss",
        data={
            "project_id": str(project.id),
            "referred_on": "2026-03-10",
            "referrer_type": "socialtjanst",
            "referrer_org_id": str(kommun.id),
            "reason": "Behöver stöd mot arbete.",
        },
    )
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert (referral.status, referral.referrer_org_id) == (ReferralStatus.QUEUED, kommun.id)


def test_a_referral_in_the_future_is_refused_with_422(platform, factory, client, login, db):
    project, staff = platform
    person = factory.individual(clinic=project.organisation)
    db.session.commit()
    login(staff)
    response = client.post(
        f"/insatser/person/{person.public_id}/remiss",
        data={"project_id": str(project.id), "referred_on": "2026-04-01", "referrer_type": "fk"},
    )
    assert response.status_code == 422
    assert "framtiden" in response.get_data(as_text=True)


def test_returning_a_referral_needs_a_reason(platform, factory, db):
    project, staff = platform
    referral = factory.referral(project)
    with pytest.raises(ValidationError):
        services.change_referral_status(referral, "returned", "", staff)
    services.change_referral_status(referral, "returned", "Passar bättre hos AF.", staff)
    assert referral.status == ReferralStatus.RETURNED
    with pytest.raises(ValidationError):
        services.change_referral_status(referral, "queued", None, staff)


def test_enrolment_accepts_the_referral_and_derives_authorities(platform, factory, client, login, db):
    project, staff = platform
    fk_officer = factory.user("handlaggare")
    person = factory.individual(clinic=project.organisation, fk_officer_id=fk_officer.id)
    factory.contact(person, factory.organisation(OrgType.KOMMUN))
    referral = factory.referral(project, person)
    db.session.commit()
    login(staff)
    form = client.get(f"/insatser/remisser/{referral.id}/inskriv").get_data(as_text=True)
    assert form.count("checked") == 2  # FK (assigned handläggare) and Kommun (case contact)
    response = client.post(
        f"/insatser/remisser/{referral.id}/inskriv",
        data={
            "enrolled_on": "2026-03-16",
            "income_before": "aktivitetsersattning",
            "involves_fk": "y",
            "involves_kommun": "y",
        },
    )
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.authority_combination == "FK + Kommun"
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED


def test_enrolment_connects_the_project_to_a_case_held_elsewhere(platform, factory, db):
    project, staff = platform
    clinic = factory.organisation(OrgType.REGION_CLINIC)
    person = factory.individual(clinic=clinic)
    factory.consent(person, parties=(project.organisation,), categories=(Category.IDENTITY,))
    assert not may(staff, Action.VIEW, person, Category.IDENTITY)
    services.enrol(project, person, date(2026, 3, 2), staff)
    contacts = db.session.scalars(
        select(CaseContact.organisation_id).where(CaseContact.individual_id == person.id)
    )
    assert list(contacts) == [project.organisation_id]
    assert may(staff, Action.VIEW, person, Category.IDENTITY)
    assert not may(staff, Action.VIEW, person, Category.PLAN)  # healthcare still needs its consent
    visible = db.session.scalars(select(Individual.id).where(visible_individuals(staff))).all()
    assert person.id in visible


def test_derived_authorities_include_consent_parties(platform, factory, db):
    project, _staff = platform
    person = factory.individual(clinic=factory.organisation(OrgType.REGION_CLINIC))
    factory.consent(person, parties=(Authority.AF,))
    assert services.derive_authorities(person) == {Authority.REGION, Authority.AF}


def test_a_person_cannot_be_enrolled_twice_at_once(platform, factory, db):
    project, staff = platform
    person = factory.individual(clinic=project.organisation)
    services.enrol(project, person, date(2026, 1, 5), staff)
    with pytest.raises(ValidationError):
        services.enrol(project, person, date(2026, 2, 5), staff)


def test_discharge_validates_dates_and_reason(platform, factory, client, login, db):
    project, staff = platform
    enrolment = factory.enrolment(project, enrolled_on=date(2026, 2, 1))
    db.session.commit()
    login(staff)
    url = f"/insatser/inskrivningar/{enrolment.id}/utskriv"
    bad = client.post(url, data={"discharged_on": "2026-01-01", "discharge_reason": "arbete"})
    assert bad.status_code == 422 and "före inskrivningen" in bad.get_data(as_text=True)
    good = client.post(
        url, data={"discharged_on": "2026-03-13", "discharge_reason": "studier", "income_after": "lon"}
    )
    assert good.status_code == 302
    db.session.refresh(enrolment)
    assert (enrolment.discharge_reason.value, enrolment.income_after.value) == ("studier", "lon")


def test_group_sessions_record_attendance_of_enrolled_people_only(platform, factory, client, login, db):
    project, staff = platform
    group = services.add_group(project, "Måndagsgruppen", None, staff)
    enrolled = factory.enrolment(project)
    outsider = factory.individual(clinic=project.organisation)
    db.session.commit()
    login(staff)
    url = f"/insatser/grupper/{group.id}/traffar"
    refused = client.post(url, data={"held_on": "2026-03-09", "attendees": [str(outsider.id)]})
    assert refused.status_code == 422
    ok = client.post(url, data={"held_on": "2026-03-09", "attendees": [str(enrolled.individual_id)]})
    assert ok.status_code == 302
    session = db.session.scalar(select(GroupSession))
    assert [a.individual_id for a in session.attendances] == [enrolled.individual_id]


def test_consultations_and_information_sessions_are_registered(platform, client, login, db):
    project, staff = platform
    login(staff)
    r1 = client.post(
        f"/insatser/{project.id}/konsultationer",
        data={
            "c-held_on": "2026-03-02",
            "c-actor_type": "skola",
            "c-actor": "Gymnasiet",
            "c-topic": "Elev med hög frånvaro",
        },
    )
    r2 = client.post(
        f"/insatser/{project.id}/informationstillfallen",
        data={
            "i-held_on": "2026-03-03",
            "i-audience": "Handläggare",
            "i-organisation": "FK",
            "i-attendees": "12",
        },
    )
    assert (r1.status_code, r2.status_code) == (302, 302)
    html = client.get(f"/insatser/{project.id}").get_data(as_text=True)
    assert "Gymnasiet" in html and "12 deltagare" in html


def test_staff_of_another_project_are_refused_and_audited(platform, client, login_as, db):
    project, _staff = platform
    login_as("samordnare")
    assert client.get(f"/insatser/{project.id}").status_code == 403
    assert any("project_staff" in (e.details or "") for e in _denied(db))


def test_a_handlaggare_cannot_open_projects(platform, client, login_as, db):
    login_as("handlaggare")
    assert client.get("/insatser/").status_code == 403


def test_only_admin_creates_projects(platform, client, login, login_as, factory, db):
    project, staff = platform
    login(staff)
    assert client.get("/insatser/ny").status_code == 403
    client.post("/logout")
    login_as("admin")
    team = factory.organisation(OrgType.PROJECT)
    db.session.commit()
    response = client.post(
        "/insatser/ny",
        data={
            "name": "AE-samordning",
            "kind": "ae",
            "organisation_id": str(team.id),
            "principal_id": "",
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 422 and "före startdatum" in response.get_data(as_text=True)


def test_queue_query_count_does_not_grow_with_referrals(platform, factory, client, login, db, count_queries):
    project, staff = platform
    login(staff)
    for _ in range(3):
        factory.referral(project, referrer_type=ReferrerType.FK)
    db.session.commit()
    with count_queries() as few:
        client.get(f"/insatser/{project.id}")
    for _ in range(27):
        factory.referral(project)
    db.session.commit()
    with count_queries() as many:
        client.get(f"/insatser/{project.id}")
    assert many.count == few.count


def test_a_stale_enrolment_form_is_refused_with_409(platform, factory, client, login, db):
    project, staff = platform
    enrolment = factory.enrolment(project, enrolled_on=date(2026, 2, 1))
    db.session.commit()
    login(staff)
    url = f"/insatser/inskrivningar/{enrolment.id}"
    assert 'name="version" type="hidden" value="1"' in client.get(url).get_data(as_text=True)
    saved = client.post(url, data={"version": "1", "income_before": "lon", "involves_af": "y"})
    assert saved.status_code == 302
    stale = client.post(url, data={"version": "1", "income_before": "ingen"})
    assert stale.status_code == 409 and "Någon annan har ändrat" in stale.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert (enrolment.income_before.value, enrolment.involves_af) == ("lon", True)


def test_reading_the_project_page_is_audited_without_names(platform, factory, client, login, db):
    project, staff = platform
    referral = factory.referral(project)
    db.session.commit()
    login(staff)
    client.get(f"/insatser/{project.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == str(AuditAction.LIST)))
    assert event.details == "queue=1 enrolled=0"
    assert referral.individual.last_name not in event.details


def test_each_person_in_the_queue_is_audited_on_that_person(platform, factory, client, login, db):
    project, staff = platform
    referrals = [factory.referral(project) for _ in range(2)]
    db.session.commit()
    login(staff)
    assert client.get(f"/insatser/{project.id}").status_code == 200
    shown = db.session.scalars(
        select(AuditEvent.individual_id).where(
            AuditEvent.action == str(AuditAction.LIST), AuditEvent.individual_id.is_not(None)
        )
    ).all()
    assert sorted(shown) == sorted(r.individual_id for r in referrals)
