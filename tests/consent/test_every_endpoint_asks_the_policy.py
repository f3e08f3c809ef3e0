"""No endpoint that touches an individual skips the policy.

Every URL rule whose arguments identify personal data is called by users
who may not see the case (an FK handläggare not assigned to it, a kommun
user named in the case but without consent) and must answer 403 with an
audited denial. A new route with an unknown argument fails this test until
it is classified below, so nobody can add an unchecked endpoint by accident.
"""

import re

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import Authority, OrgType

# argument name -> how to make a row of that kind for `individual`
PERSONAL_ARGS = {
    "public_id": lambda f, ind: ind.public_id,
    "consent_id": lambda f, ind: f.consent(ind, parties=[Authority.AF]).id,
    "block_id": lambda f, ind: f.block(ind, category="plan").id,
    "contact_id": lambda f, ind: f.contact(ind, f.organisation(OrgType.AF)).id,
    "certificate_id": lambda f, ind: f.certificate(ind).id,
    "decision_id": lambda f, ind: f.decision(ind, officer=f.user("handlaggare")).id,
    "follow_up_id": lambda f, ind: f.follow_up(ind, owner=f.user("handlaggare")).id,
    "insats_id": lambda f, ind: f.insats(f.care_plan(ind)).id,
    "referral_id": lambda f, ind: f.referral(f.project(), ind).id,
    "enrolment_id": lambda f, ind: f.enrolment(f.project(), ind).id,
}
# Arguments that do not identify personal data (admin objects, tokens, ...).
NON_PERSONAL_ARGS = {"user_id", "access_id", "filename", "token_id", "fmt", "token", "entry_id"}
# Meetings are reached by invitation; the cases on their agendas are named or
# counted through the policy (tests/meetings/test_agenda*.py).
NON_PERSONAL_ARGS |= {"meeting_id", "series_id", "point_id", "row_id"}
# Projects are reached by membership; their reports hold aggregates only and
# drill-downs list people through the policy (tests/reports/).
NON_PERSONAL_ARGS |= {"project_id", "group_id", "kind"}


def _personal_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        unknown = set(rule.arguments) - set(PERSONAL_ARGS) - NON_PERSONAL_ARGS
        assert not unknown, f"classify the arguments {unknown} of {rule.endpoint} in this test"
        if set(rule.arguments) & set(PERSONAL_ARGS):
            rules.append(rule)
    return rules


@pytest.fixture
def case(factory, db):
    clinic = factory.organisation(OrgType.REGION_CLINIC)
    individual = factory.individual(clinic=clinic)
    values = {arg: make(factory, individual) for arg, make in PERSONAL_ARGS.items()}
    kommun = factory.organisation(OrgType.KOMMUN)
    factory.contact(individual, kommun)
    db.session.commit()
    return individual, values, kommun


@pytest.mark.parametrize("who", ["unassigned_fk", "kommun_without_consent"])
def test_every_personal_data_endpoint_refuses_users_the_policy_refuses(app, client, login_as, case, db, who):
    individual, values, kommun = case
    if who == "unassigned_fk":
        user = login_as("handlaggare")
    else:
        user = login_as("samordnare", organisation=kommun)
    from tests.factories import api_token

    headers = {"Authorization": f"Bearer {api_token(user)}"}
    db.session.commit()
    rules = _personal_rules(app)
    assert len(rules) >= 10
    for rule in rules:
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(values[arg]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            before = db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
            )
            if url.startswith("/api/"):
                body = {} if method in ("POST", "PUT", "PATCH") else None
                response = client.open(url, method=method, headers=headers, json=body)
            else:
                response = client.open(url, method=method)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            db.session.expire_all()
            after = db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
            )
            assert after == before + 1, f"denial not audited: {rule.endpoint}"
