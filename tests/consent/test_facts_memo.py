"""The policy's facts are loaded once per request, and forgotten when they change."""

from datetime import date

from sqlalchemy import update

from tracker.auth.models import Authority, OrgType
from tracker.consent.categories import Action, Category
from tracker.consent.models import Consent
from tracker.consent.policy import load_facts, may
from tracker.consent.services import withdraw_consent

TODAY = date(2026, 3, 16)  # the frozen date


def _case(factory):
    clinic = factory.organisation(OrgType.REGION_CLINIC, name="Mottagning A")
    fk_office = factory.organisation(OrgType.FK, name="FK Lokalkontor")
    officer = factory.user("handlaggare", organisation=fk_office)
    rehab = factory.user("rehabkoordinator", organisation=clinic)
    individual = factory.individual(clinic=clinic, fk_officer_id=officer.id)
    return individual, officer, rehab


def test_one_request_loads_the_facts_once(app, db, factory, count_queries):
    individual, officer, _rehab = _case(factory)
    factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        with count_queries() as first:
            assert may(officer, Action.VIEW, individual, Category.PLAN)
        with count_queries() as again:
            assert may(officer, Action.VIEW, individual, Category.PLAN)
            load_facts(officer, [individual.id])
    assert first.count > 0
    assert again.count == 0


def test_a_new_request_loads_them_again(app, db, factory, count_queries):
    individual, officer, _rehab = _case(factory)
    with app.test_request_context():
        assert not may(officer, Action.VIEW, individual, Category.PLAN)
    factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)


def test_a_withdrawal_in_the_same_request_is_seen_at_once(app, db, factory):
    individual, officer, rehab = _case(factory)
    consent = factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)
        withdraw_consent(consent, TODAY, "Personen återkallade samtycket muntligt.", rehab)
        assert not may(officer, Action.VIEW, individual, Category.PLAN)


def test_a_bulk_update_in_the_same_request_is_seen_at_once(app, db, factory):
    individual, officer, _rehab = _case(factory)
    consent = factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)
        db.session.execute(update(Consent).where(Consent.id == consent.id).values(withdrawn_on=TODAY))
        db.session.expire_all()
        assert not may(officer, Action.VIEW, individual, Category.PLAN)


def test_facts_are_per_user(app, db, factory):
    individual, officer, rehab = _case(factory)
    other_officer = factory.user("handlaggare", organisation=officer.organisation)
    factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)
        assert may(rehab, Action.VIEW, individual, Category.PLAN)
        # Connected only through the assignment, which the other officer lacks.
        assert not may(other_officer, Action.VIEW, individual, Category.PLAN)


def test_a_spärr_not_yet_flushed_counts_at_once(app, db, factory):
    from tracker.consent.models import Block

    individual, officer, _rehab = _case(factory)
    factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)
        db.session.add(Block(individual_id=individual.id, category=Category.PLAN, starts_on=TODAY))
        assert not may(officer, Action.VIEW, individual, Category.PLAN)


def test_remembered_and_new_cases_together_after_a_pending_change(app, db, factory):
    from tracker.consent.models import Block

    individual, officer, _rehab = _case(factory)
    other = factory.individual(clinic=individual.clinic, fk_officer_id=officer.id)
    factory.consent(individual, parties=[Authority.FK])
    with app.test_request_context():
        assert may(officer, Action.VIEW, individual, Category.PLAN)
        db.session.add(Block(individual_id=other.id, category=Category.PLAN, starts_on=TODAY))
        facts = load_facts(officer, [individual.id, other.id])
    assert len(facts[individual.id].consents) == 1
    assert len(facts[other.id].blocks) == 1
