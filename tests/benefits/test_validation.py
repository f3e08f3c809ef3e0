from datetime import date

import pytest

from tracker.benefits import services
from tracker.benefits.models import FollowUpReason, Outcome
from tracker.core.errors import ValidationError


def _decision(case, **kwargs):
    values = {
        "outcome": Outcome.GRANTED.value,
        "officer_id": case.officer.id,
        "decided_on": date(2026, 3, 1),
        "level": "full",
        "period_start": date(2026, 3, 1),
        "period_end": date(2027, 2, 28),
    }
    values.update(kwargs)
    return services.DecisionData(**values)


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.errors


def test_a_valid_granted_decision_is_saved(app, case):
    decision = services.create_decision(case.individual, _decision(case), case.rehab)
    assert decision.id and decision.outcome == Outcome.GRANTED


def test_decision_period_longer_than_three_years_is_refused(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, period_end=date(2029, 3, 1)), case.rehab
        )
    )
    assert errors["period_end"] == "En beslutsperiod kan vara högst 3 år."


def test_decision_period_of_exactly_three_years_is_accepted(app, case):
    decision = services.create_decision(
        case.individual, _decision(case, period_end=date(2029, 2, 28)), case.rehab
    )
    assert decision.period_days == 1096


def test_decision_period_ending_before_it_starts_is_refused(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, period_end=date(2026, 2, 1)), case.rehab
        )
    )
    assert "efter dess början" in errors["period_end"]


def test_decision_before_the_certificate_it_answers_is_refused(app, case, factory):
    certificate = factory.certificate(case.individual, issued_on=date(2026, 3, 5))
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, certificate_id=certificate.id), case.rehab
        )
    )
    assert "före läkarutlåtandet" in errors["decided_on"]


def test_decision_naming_an_unknown_handlaggare_is_refused(app, case):
    errors = _errors(
        lambda: services.create_decision(case.individual, _decision(case, officer_id=999999), case.rehab)
    )
    assert "handläggare" in errors["officer_id"]


def test_decision_naming_a_rehabkoordinator_as_handlaggare_is_refused(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, officer_id=case.rehab.id), case.rehab
        )
    )
    assert "officer_id" in errors


def test_decision_answering_another_persons_certificate_is_refused(app, case, factory):
    other = factory.individual(clinic=case.clinic)
    certificate = factory.certificate(other, issued_on=date(2026, 1, 5))
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, certificate_id=certificate.id), case.rehab
        )
    )
    assert "certificate_id" in errors


def test_pending_decision_has_no_decision_date(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual,
            _decision(case, outcome="pending", level=None, period_start=None, period_end=None),
            case.rehab,
        )
    )
    assert "decided_on" in errors
    decision = services.create_decision(
        case.individual,
        _decision(case, outcome="pending", decided_on=None, level=None, period_start=None, period_end=None),
        case.rehab,
    )
    assert decision.outcome == Outcome.PENDING


def test_granted_decision_needs_level_and_period(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, level=None, period_start=None, period_end=None), case.rehab
        )
    )
    assert {"level", "period_start", "period_end"} <= set(errors)


def test_decision_in_the_future_is_refused(app, case):
    errors = _errors(
        lambda: services.create_decision(
            case.individual, _decision(case, decided_on=date(2026, 3, 17)), case.rehab
        )
    )
    assert errors["decided_on"] == "Datumet kan inte ligga i framtiden."


def test_certificate_sent_to_fk_before_it_was_issued_is_refused(app, case):
    data = services.CertificateData(
        issued_on=date(2026, 3, 10),
        clinic_id=case.clinic.id,
        certificate_type="ae_reduced_capacity",
        sent_to_fk_on=date(2026, 3, 9),
    )
    errors = _errors(lambda: services.create_certificate(case.individual, data, case.rehab))
    assert "sent_to_fk_on" in errors


def test_certificate_needs_a_clinic_and_a_known_type(app, case, factory):
    fk = factory.organisation("fk")
    data = services.CertificateData(issued_on=date(2026, 3, 10), clinic_id=fk.id, certificate_type="x")
    errors = _errors(lambda: services.create_certificate(case.individual, data, case.rehab))
    assert {"clinic_id", "certificate_type"} <= set(errors)


def test_follow_up_owner_must_be_a_handlaggare(app, case):
    data = services.FollowUpData(
        owner_id=case.rehab.id, due_on=date(2026, 4, 1), reason="plan_follow_up", clinic_id=case.clinic.id
    )
    errors = _errors(lambda: services.create_follow_up(case.individual, data, case.officer))
    assert "owner_id" in errors


def test_follow_up_with_other_reason_needs_a_description(app, case):
    data = services.FollowUpData(
        owner_id=case.officer.id,
        due_on=date(2026, 4, 1),
        reason=FollowUpReason.OTHER,
        clinic_id=case.clinic.id,
    )
    errors = _errors(lambda: services.create_follow_up(case.individual, data, case.officer))
    assert errors == {"reason_text": "Beskriv orsaken."}


def test_follow_up_coordinator_must_work_at_the_named_clinic(app, case, factory):
    elsewhere = factory.user("rehabkoordinator")
    data = services.FollowUpData(
        owner_id=case.officer.id,
        due_on=date(2026, 4, 1),
        reason="period_ends",
        clinic_id=case.clinic.id,
        coordinator_id=elsewhere.id,
    )
    errors = _errors(lambda: services.create_follow_up(case.individual, data, case.officer))
    assert "coordinator_id" in errors


def test_completing_a_follow_up_twice_is_refused(app, case, factory):
    follow_up = factory.follow_up(case.individual, case.officer)
    services.complete_follow_up(follow_up, date(2026, 3, 16), "Klart", follow_up.version)
    errors = _errors(lambda: services.complete_follow_up(follow_up, date(2026, 3, 16), "", follow_up.version))
    assert "redan" in errors["done_on"]
