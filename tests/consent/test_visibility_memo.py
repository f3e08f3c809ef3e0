"""`visible_individuals` memoises its clause: it must still answer for the user, day and moment asked."""

from datetime import timedelta

from sqlalchemy import select

from tracker.auth.models import Authority, OrgType, Role
from tracker.consent.categories import Category
from tracker.consent.policy import _visibility_clause, visible_individuals
from tracker.consent.services import open_emergency_access
from tracker.people.models import Individual


def _visible(db, user, category=Category.IDENTITY):
    return set(db.session.scalars(select(Individual.id).where(visible_individuals(user, category))))


def test_the_same_viewer_gets_the_same_clause(app, db, factory):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    with app.test_request_context():
        assert visible_individuals(rehab) is visible_individuals(rehab)
        assert visible_individuals(rehab) is not visible_individuals(rehab, Category.PLAN)


def test_an_emergency_access_ends_although_the_clause_is_remembered(app, db, factory, frozen_time):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    admin = factory.user("admin", organisation=clinic)
    individual = factory.individual(clinic=clinic)
    _visibility_clause.cache_clear()
    with app.test_request_context():
        assert _visible(db, admin) == set()
        open_emergency_access(individual, admin, "Patienten är akut sjuk och behöver hjälp nu.")
        assert _visible(db, admin) == {individual.id}
        hours = app.config["EMERGENCY_ACCESS_HOURS"]
        frozen_time.shift(timedelta(hours=hours, minutes=1))
        # Same viewer, same day or not: the expiry is compared with the time of the query.
        assert _visible(db, admin) == set()
    assert _visibility_clause.cache_info().hits >= 2


def test_a_changed_role_or_organisation_is_a_new_viewer(app, db, factory):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    other_clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning B")
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    individual = factory.individual(clinic=clinic)
    with app.test_request_context():
        assert _visible(db, rehab) == {individual.id}
        rehab.organisation = other_clinic
        db.session.flush()
        assert _visible(db, rehab) == set()
        rehab.organisation = clinic
        rehab.role = Role.LEDNING
        db.session.flush()
        assert _visible(db, rehab) == set()


def test_a_new_day_is_a_new_clause(app, db, factory, frozen_time):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    fk_office = factory.organisation(OrgType.FK, name="FK Lokalkontor")
    officer = factory.user("handlaggare", organisation=fk_office)
    individual = factory.individual(clinic=clinic, fk_officer_id=officer.id)
    consent = factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert _visible(db, officer, Category.PLAN) == {individual.id}
    consent.valid_until = consent.given_on + timedelta(days=400)
    db.session.flush()
    frozen_time.shift(timedelta(days=401))
    with app.test_request_context():
        assert _visible(db, officer, Category.PLAN) == set()
