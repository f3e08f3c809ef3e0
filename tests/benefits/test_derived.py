from datetime import UTC, date, datetime

from tracker.benefits.models import Outcome
from tracker.core.timeutil import today_local


def test_decision_period_length_counts_both_ends(app, case, factory):
    decision = factory.decision(case.individual, period_start=date(2026, 2, 1), period_end=date(2026, 2, 28))
    assert decision.period_days == 28


def test_lead_time_is_days_from_certificate_to_decision(app, case, factory):
    certificate = factory.certificate(case.individual, issued_on=date(2026, 1, 10))
    decision = factory.decision(case.individual, certificate_id=certificate.id, decided_on=date(2026, 2, 9))
    assert decision.lead_time_days == 30


def test_lead_time_is_unknown_without_certificate_or_decision_date(app, case, factory):
    assert factory.decision(case.individual).lead_time_days is None
    certificate = factory.certificate(case.individual)
    pending = factory.decision(case.individual, outcome=Outcome.PENDING, certificate_id=certificate.id)
    assert pending.lead_time_days is None


def test_days_left_follow_the_clock_and_stop_at_zero(app, case, factory, frozen_time):
    decision = factory.decision(case.individual, period_end=date(2026, 3, 31))
    assert decision.days_left(today_local()) == 15
    frozen_time.move_to(datetime(2026, 3, 30, 12, 0, tzinfo=UTC))
    assert decision.days_left(today_local()) == 1
    frozen_time.move_to(datetime(2026, 4, 5, 12, 0, tzinfo=UTC))
    assert decision.days_left(today_local()) == 0


def test_days_left_only_apply_to_granted_decisions(app, case, factory):
    denied = factory.decision(case.individual, outcome=Outcome.DENIED, decided_on=date(2026, 2, 1))
    assert denied.days_left(today_local()) is None
