"""The access policy, table-driven: roles × categories × consent states.

Each case asserts `may()` and that the SQL form (`visible_individuals`)
gives the same answer, with time frozen (see conftest).
"""

from datetime import date

import pytest
from sqlalchemy import select

from tracker.auth.models import Authority, OrgType
from tracker.consent.categories import Action, Category
from tracker.consent.policy import may, visible_individuals
from tracker.people.models import Individual

TODAY = date(2026, 3, 16)  # the frozen date

STATES = [
    "none",
    "active",
    "expiring",
    "expired",
    "withdrawn",
    "future",
    "other_party",
    "other_category",
    "blocked",
]
CONSENT_GIVES_ACCESS = {"active", "expiring"}


@pytest.fixture
def world(factory, db):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    other_clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning B")
    fk = factory.organisation(OrgType.FK, name="Försäkringskassan")
    fk_office = factory.organisation(OrgType.FK, name="FK Lokalkontor", parent=fk)
    kommun = factory.organisation(OrgType.KOMMUN, name="Socialtjänsten")
    project = factory.organisation(OrgType.PROJECT, name="Projektet")
    users = {
        "rehab_home": factory.user("rehabkoordinator", organisation=clinic),
        "rehab_other": factory.user("rehabkoordinator", organisation=other_clinic),
        "fk_assigned": factory.user("handlaggare", organisation=fk_office),
        "fk_other": factory.user("handlaggare", organisation=fk_office),
        "kommun_connected": factory.user("samordnare", organisation=kommun),
        "samordnare_unconnected": factory.user("samordnare", organisation=project),
        "ledning": factory.user("ledning"),
        "admin": factory.user("admin"),
    }
    individual = factory.individual(clinic=clinic, fk_officer_id=users["fk_assigned"].id)
    factory.contact(individual, kommun)
    return {"individual": individual, "users": users, "fk": fk, "kommun": kommun}


def _apply_state(factory, world, state, user_key, category):
    individual = world["individual"]
    party = Authority.KOMMUN if user_key == "kommun_connected" else Authority.FK
    other_party = Authority.AF
    if state == "none":
        return
    if state == "active":
        factory.consent(
            individual, parties=[party], given_on=date(2026, 1, 1), valid_until=date(2026, 12, 31)
        )
    elif state == "expiring":
        factory.consent(individual, parties=[party], given_on=date(2025, 4, 1), valid_until=date(2026, 3, 30))
    elif state == "expired":
        factory.consent(individual, parties=[party], given_on=date(2025, 1, 1), valid_until=date(2026, 3, 15))
    elif state == "withdrawn":
        factory.consent(individual, parties=[party], given_on=date(2026, 1, 1), withdrawn_on=TODAY)
    elif state == "future":
        factory.consent(individual, parties=[party], given_on=date(2026, 3, 17))
    elif state == "other_party":
        factory.consent(individual, parties=[other_party])
    elif state == "other_category":
        other = Category.PLAN if category != Category.PLAN else Category.CERTIFICATES
        factory.consent(individual, parties=[party], categories=[other])
    elif state == "blocked":
        factory.consent(individual, parties=[world["fk"] if party == Authority.FK else party])
        blocked_org = world["users"][user_key].organisation
        factory.block(individual, category=category, organisation=blocked_org, starts_on=date(2026, 3, 1))


def _expected(user_key, category, state) -> bool:
    if user_key == "rehab_home":
        return True
    if user_key in ("rehab_other", "fk_other", "samordnare_unconnected", "ledning", "admin"):
        return False
    if user_key == "fk_assigned" and category in (Category.FK_RECORDS, Category.IDENTITY):
        return True
    return state in CONSENT_GIVES_ACCESS


CASES = [
    (user_key, category, state)
    for user_key in (
        "rehab_home",
        "rehab_other",
        "fk_assigned",
        "fk_other",
        "kommun_connected",
        "samordnare_unconnected",
        "ledning",
        "admin",
    )
    for category in Category
    for state in STATES
]


@pytest.mark.parametrize(("user_key", "category", "state"), CASES)
def test_policy_matrix(world, factory, db, app, user_key, category, state):
    _apply_state(factory, world, state, user_key, category)
    user = world["users"][user_key]
    individual = world["individual"]
    with app.test_request_context():
        decision = may(user, Action.VIEW, individual, category)
        expected = _expected(user_key, category, state)
        assert bool(decision) is expected, decision.reason
        in_sql = db.session.scalar(
            select(Individual.id).where(Individual.id == individual.id, visible_individuals(user, category))
        )
        assert (in_sql is not None) is expected, "SQL form disagrees with may()"


def test_parties_other_than_the_responsible_unit_may_not_edit_healthcare_data(world, factory, db, app):
    factory.consent(world["individual"], parties=[Authority.FK, Authority.KOMMUN])
    with app.test_request_context():
        for key in ("fk_assigned", "kommun_connected"):
            user = world["users"][key]
            assert may(user, Action.VIEW, world["individual"], Category.PLAN)
            assert not may(user, Action.EDIT, world["individual"], Category.PLAN)
        assert may(world["users"]["fk_assigned"], Action.EDIT, world["individual"], Category.FK_RECORDS)


def test_consent_naming_the_parent_organisation_covers_its_offices(world, factory, db, app):
    factory.consent(world["individual"], parties=[world["fk"]])
    with app.test_request_context():
        assert may(world["users"]["fk_assigned"], Action.VIEW, world["individual"], Category.CERTIFICATES)


def test_spärr_without_organisation_blocks_every_party_but_not_the_responsible_unit(world, factory, db, app):
    factory.consent(world["individual"], parties=[Authority.FK, Authority.KOMMUN])
    factory.block(world["individual"], category=Category.PLAN)
    with app.test_request_context():
        assert not may(world["users"]["fk_assigned"], Action.VIEW, world["individual"], Category.PLAN)
        assert not may(world["users"]["kommun_connected"], Action.VIEW, world["individual"], Category.PLAN)
        assert may(world["users"]["rehab_home"], Action.VIEW, world["individual"], Category.PLAN)


def test_lifted_spärr_no_longer_blocks(world, factory, db, app):
    factory.consent(world["individual"], parties=[Authority.FK])
    factory.block(world["individual"], category=Category.PLAN, lifted_on=TODAY)
    with app.test_request_context():
        assert may(world["users"]["fk_assigned"], Action.VIEW, world["individual"], Category.PLAN)


def test_superseded_version_gives_no_access_but_its_replacement_does(world, factory, db, app):
    from tracker.core.timeutil import now_utc

    old = factory.consent(world["individual"], parties=[Authority.FK], superseded_at=now_utc())
    with app.test_request_context():
        assert not may(world["users"]["fk_assigned"], Action.VIEW, world["individual"], Category.PLAN)
    factory.consent(world["individual"], parties=[Authority.FK], supersedes_id=old.id)
    with app.test_request_context():
        assert may(world["users"]["fk_assigned"], Action.VIEW, world["individual"], Category.PLAN)


def test_deactivated_user_may_do_nothing(world, db, app):
    user = world["users"]["rehab_home"]
    user.is_active_account = False
    with app.test_request_context():
        assert not may(user, Action.VIEW, world["individual"], Category.IDENTITY)


PAIRS = [
    (Category.FK_RECORDS, Category.IDENTITY),
    (Category.CERTIFICATES, Category.IDENTITY),
    (Category.PLAN, Category.CERTIFICATES),
]


@pytest.mark.parametrize("user_key", ["rehab_home", "fk_assigned", "fk_other", "kommun_connected"])
@pytest.mark.parametrize("state", ["none", "active", "other_category", "blocked"])
@pytest.mark.parametrize("pair", PAIRS)
def test_several_categories_in_one_clause_mean_every_one_of_them(
    world, factory, db, app, user_key, state, pair
):
    _apply_state(factory, world, state, user_key, pair[0])
    user, individual = world["users"][user_key], world["individual"]
    with app.test_request_context():
        expected = all(may(user, Action.VIEW, individual, category) for category in pair)
        in_sql = db.session.scalar(
            select(Individual.id).where(Individual.id == individual.id, visible_individuals(user, pair))
        )
        assert (in_sql is not None) is expected
