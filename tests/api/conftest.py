from dataclasses import dataclass

import pytest

from tests.factories import api_token
from tracker.auth.models import Organisation, OrgType, User
from tracker.people.models import Individual


@pytest.fixture
def api(client, factory, db):
    """`api(role_or_user, scope)` -> a callable making authenticated JSON requests."""

    def make(who="rehabkoordinator", scope="write", **user_kwargs):
        user = factory.user(who, **user_kwargs) if isinstance(who, str) else who
        secret = api_token(user, scope)
        db.session.commit()

        def call(method, url, json=None, headers=None):
            all_headers = {"Authorization": f"Bearer {secret}", **(headers or {})}
            return client.open(f"/api/v1{url}", method=method, json=json, headers=all_headers)

        call.user = user
        call.secret = secret
        return call

    return make


@dataclass
class Case:
    clinic: Organisation
    rehab: User
    officer: User
    individual: Individual


@pytest.fixture
def case(factory, db):
    """A clinic with its rehabkoordinator, an assigned FK handläggare (no consent yet), one individual."""
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Psykiatrimottagning Test")
    fk_office = factory.organisation(OrgType.FK, name="FK Test")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    officer = factory.user("handlaggare", organisation=fk_office)
    individual = factory.individual(clinic=clinic, coordinator_id=rehab.id, fk_officer_id=officer.id)
    db.session.commit()
    return Case(clinic, rehab, officer, individual)
