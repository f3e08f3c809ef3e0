"""Every endpoint refuses the wrong role or a user outside the project, and audits the denial."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import OrgType
from tracker.referrals.models import ActivityGroup


@pytest.fixture
def world(factory, db):
    team = factory.organisation(OrgType.PROJECT)
    project = factory.project(organisation=team)
    enrolment = factory.enrolment(project, enrolled_on=date(2026, 1, 5))
    referral = factory.referral(project, enrolment.individual)
    group = ActivityGroup(project_id=project.id, name="Grupp")
    db.session.add(group)
    db.session.flush()
    return {
        "p": project.id,
        "e": enrolment.id,
        "r": referral.id,
        "g": group.id,
        "person": enrolment.individual.public_id,
    }


OUTSIDER_ENDPOINTS = [
    ("get", "/insatser/{p}"),
    ("get", "/insatser/remisser/{r}/inskriv"),
    ("post", "/insatser/remisser/{r}/status"),
    ("get", "/insatser/inskrivningar/{e}"),
    ("get", "/insatser/inskrivningar/{e}/utskriv"),
    ("post", "/insatser/{p}/konsultationer"),
    ("post", "/insatser/{p}/informationstillfallen"),
    ("post", "/insatser/{p}/grupper"),
    ("get", "/insatser/grupper/{g}/traffar"),
    ("get", "/tid/projekt/{p}"),
    ("post", "/tid/projekt/{p}/las"),
    ("get", "/tid/projekt/{p}/fakturaunderlag"),
    ("get", "/tid/projekt/{p}/fakturaunderlag.xlsx"),
    ("get", "/rapporter/{p}"),
    ("post", "/rapporter/{p}/texter"),
    ("get", "/rapporter/{p}/rapport.xlsx"),
    ("get", "/rapporter/{p}/underlag/participants"),
    ("get", "/rapporter/{p}/sus.csv"),
]
ADMIN_ENDPOINTS = [
    ("get", "/insatser/ny"),
    ("get", "/insatser/{p}/admin"),
    ("post", "/insatser/{p}/medlemmar"),
    ("post", "/insatser/{p}/budget"),
    ("get", "/tid/projekt/{p}/admin"),
]


def _denials(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == str(AuditAction.DENIED))
    )


@pytest.mark.parametrize(("method", "url"), OUTSIDER_ENDPOINTS)
def test_a_samordnare_outside_the_project_is_refused_and_audited(world, client, login_as, db, method, url):
    login_as("samordnare")
    before = _denials(db)
    response = getattr(client, method)(url.format(**world))
    assert response.status_code == 403
    assert _denials(db) == before + 1


@pytest.mark.parametrize(("method", "url"), ADMIN_ENDPOINTS)
def test_project_administration_is_for_admin_only(world, factory, client, login, db, method, url):
    project_org_user = factory.user("ledning")
    db.session.commit()
    login(project_org_user)
    response = getattr(client, method)(url.format(**world))
    assert response.status_code == 403
    assert _denials(db) == 1


@pytest.mark.parametrize(
    "url", ["/insatser/", "/tid/vecka", "/tid/korrigering", "/rapporter/", "/insatser/person/{person}/remiss"]
)
def test_a_handlaggare_is_refused_project_pages(world, client, login_as, db, url):
    login_as("handlaggare")
    assert client.get(url.format(**world)).status_code == 403
    assert _denials(db) == 1


def test_a_project_member_without_access_to_the_person_cannot_open_the_enrolment(
    world, factory, client, login_as, db
):
    from tracker.referrals.models import Project

    user = login_as("samordnare")
    factory.member(db.session.get(Project, world["p"]), user)
    db.session.commit()
    assert client.get(f"/insatser/inskrivningar/{world['e']}").status_code == 403
    denied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == str(AuditAction.DENIED)))
    assert denied.details.startswith("not_connected")
