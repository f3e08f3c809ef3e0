"""Every alarm rule at its threshold: day N-1, N and N+1 (time frozen on 2026-03-16)."""

from datetime import date, timedelta

import pytest

from tracker.benefits.alarms import alarms_for
from tracker.benefits.models import Outcome

TODAY = date(2026, 3, 16)


def _alarm(user, key):
    return next(a for a in alarms_for(user) if a.key == key)


def _individuals(alarm):
    return [row.individual.id for row in alarm.rows]


def _granted(factory, case, individual, decided_on, period_end=date(2027, 12, 31)):
    return factory.decision(
        individual,
        officer=case.officer,
        decided_on=decided_on,
        period_start=decided_on,
        period_end=period_end,
    )


@pytest.mark.parametrize(("days_ago", "fires"), [(29, False), (30, True), (31, True)])
def test_granted_without_plan_fires_from_day_n(app, case, factory, days_ago, fires):
    _granted(factory, case, case.individual, TODAY - timedelta(days=days_ago))
    alarm = _alarm(case.rehab, "granted_no_plan")
    assert alarm.threshold == 30
    assert (case.individual.id in _individuals(alarm)) is fires


def test_granted_without_plan_is_silenced_by_a_plan(app, case, factory):
    _granted(factory, case, case.individual, TODAY - timedelta(days=60))
    factory.care_plan(case.individual, established_on=TODAY - timedelta(days=10))
    assert _alarm(case.rehab, "granted_no_plan").count == 0


def test_granted_without_plan_ignores_denials_and_ended_periods(app, case, factory):
    factory.decision(
        case.individual, officer=case.officer, outcome=Outcome.DENIED, decided_on=date(2025, 1, 1)
    )
    other = factory.individual(clinic=case.clinic)
    _granted(factory, case, other, date(2023, 1, 1), period_end=date(2026, 3, 15))
    assert _alarm(case.rehab, "granted_no_plan").count == 0


def test_granted_without_plan_threshold_comes_from_config(app, case, factory, monkeypatch):
    _granted(factory, case, case.individual, TODAY - timedelta(days=12))
    assert _alarm(case.rehab, "granted_no_plan").count == 0
    monkeypatch.setitem(app.config, "ALARM_GRANTED_NO_PLAN_DAYS", 12)
    assert _individuals(_alarm(case.rehab, "granted_no_plan")) == [case.individual.id]


@pytest.mark.parametrize(("days_ago", "fires"), [(89, False), (90, True), (91, True)])
def test_no_activity_fires_from_day_m(app, case, factory, days_ago, fires):
    _granted(factory, case, case.individual, TODAY - timedelta(days=days_ago))
    alarm = _alarm(case.rehab, "no_activity")
    assert alarm.threshold == 90
    assert (case.individual.id in _individuals(alarm)) is fires


def test_no_activity_is_reset_by_an_insats_status_change(app, case, factory):
    from tracker.plans.models import InsatsStatus, InsatsStatusChange

    _granted(factory, case, case.individual, TODAY - timedelta(days=200))
    plan = factory.care_plan(case.individual, established_on=TODAY - timedelta(days=150))
    insats = factory.insats(plan, starts_on=TODAY - timedelta(days=140))
    assert _individuals(_alarm(case.rehab, "no_activity")) == [case.individual.id]
    factory._add(
        InsatsStatusChange(
            insats_id=insats.id,
            individual_id=case.individual.id,
            from_status=InsatsStatus.PLANNED,
            to_status=InsatsStatus.ONGOING,
            changed_on=TODAY - timedelta(days=5),
        )
    )
    assert _alarm(case.rehab, "no_activity").count == 0


@pytest.mark.parametrize(("days_left", "fires"), [(119, True), (120, True), (121, False)])
def test_period_ending_fires_within_n_days(app, case, factory, days_left, fires):
    _granted(factory, case, case.individual, date(2024, 1, 1), period_end=TODAY + timedelta(days=days_left))
    alarm = _alarm(case.rehab, "period_ending")
    assert alarm.threshold == 120
    assert (case.individual.id in _individuals(alarm)) is fires


def test_period_ending_is_silenced_by_a_new_certificate(app, case, factory):
    _granted(factory, case, case.individual, date(2024, 1, 1), period_end=TODAY + timedelta(days=30))
    factory.certificate(case.individual, issued_on=TODAY - timedelta(days=3))
    assert _alarm(case.rehab, "period_ending").count == 0


@pytest.mark.parametrize(("days_left", "fires"), [(29, True), (30, True), (31, False)])
def test_consent_expiring_fires_within_the_configured_days(app, case, factory, days_left, fires):
    factory.consent(case.individual, valid_until=TODAY + timedelta(days=days_left))
    alarm = _alarm(case.rehab, "consent_expiring")
    assert alarm.threshold == 30
    assert (case.individual.id in _individuals(alarm)) is fires


def test_consent_expiring_is_silenced_by_a_newer_consent(app, case, factory):
    factory.consent(case.individual, valid_until=TODAY + timedelta(days=10))
    factory.consent(case.individual, given_on=TODAY, valid_until=TODAY + timedelta(days=365))
    assert _alarm(case.rehab, "consent_expiring").count == 0


def test_withdrawn_consent_does_not_raise_an_expiry_alarm(app, case, factory):
    factory.consent(case.individual, valid_until=TODAY + timedelta(days=10), withdrawn_on=TODAY)
    assert _alarm(case.rehab, "consent_expiring").count == 0


@pytest.mark.parametrize(("days_overdue", "fires"), [(-1, False), (0, False), (1, True)])
def test_follow_ups_overdue_fire_the_day_after_the_due_date(app, case, factory, days_overdue, fires):
    factory.follow_up(case.individual, case.officer, due_on=TODAY - timedelta(days=days_overdue))
    alarm = _alarm(case.rehab, "follow_ups_overdue")
    assert alarm.threshold == 0
    assert (case.individual.id in _individuals(alarm)) is fires


def test_follow_ups_overdue_grace_days_come_from_config(app, case, factory, monkeypatch):
    monkeypatch.setitem(app.config, "ALARM_FOLLOW_UP_OVERDUE_DAYS", 3)
    factory.follow_up(case.individual, case.officer, due_on=TODAY - timedelta(days=3))
    assert _alarm(case.rehab, "follow_ups_overdue").count == 0
    factory.follow_up(case.individual, case.officer, due_on=TODAY - timedelta(days=4))
    assert _alarm(case.rehab, "follow_ups_overdue").count == 1


def test_alarms_show_only_the_users_own_cases(app, case, factory):
    other_clinic = factory.organisation("region_clinic")
    stranger = factory.individual(clinic=other_clinic)
    _granted(factory, case, stranger, TODAY - timedelta(days=100))
    factory.consent(stranger, valid_until=TODAY + timedelta(days=5))
    factory.follow_up(stranger, case.officer, due_on=TODAY - timedelta(days=5))
    assert all(alarm.count == 0 for alarm in alarms_for(case.rehab))


def test_alarms_use_the_same_number_of_queries_for_few_and_many_rows(app, case, factory, count_queries):
    def build(n):
        for _ in range(n):
            person = factory.individual(clinic=case.clinic)
            _granted(
                factory, case, person, TODAY - timedelta(days=100), period_end=TODAY + timedelta(days=50)
            )
            factory.consent(person, valid_until=TODAY + timedelta(days=5))
            factory.follow_up(person, case.officer, due_on=TODAY - timedelta(days=5))

    build(10)
    alarms_for(case.rehab)  # load the user's own row once
    with count_queries() as few:
        small = alarms_for(case.rehab)
    build(190)
    with count_queries() as many:
        large = alarms_for(case.rehab)
    assert [a.count for a in small] == [10, 10, 10, 10, 10]
    assert [a.count for a in large] == [200] * 5
    assert few.count == many.count
