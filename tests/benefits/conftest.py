"""A small AE case: a clinic with its rehabkoordinator, an assigned FK handläggare, one individual."""

from dataclasses import dataclass

import pytest

from tracker.auth.models import Organisation, OrgType, User
from tracker.people.models import Individual


@dataclass
class Case:
    clinic: Organisation
    fk_office: Organisation
    rehab: User
    officer: User
    individual: Individual


@pytest.fixture
def case(factory, db):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Psykiatrimottagning Test")
    fk = factory.organisation(OrgType.FK, name="Försäkringskassan Test")
    fk_office = factory.organisation(OrgType.FK, name="FK Lokalkontor Test", parent=fk)
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    officer = factory.user("handlaggare", organisation=fk_office)
    individual = factory.individual(clinic=clinic, coordinator_id=rehab.id, fk_officer_id=officer.id)
    db.session.commit()
    return Case(clinic, fk_office, rehab, officer, individual)
