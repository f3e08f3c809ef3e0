"""Demo rows for aktivitetsersättning: certificates, decisions, bevakningar, plans and insatser.

Deterministic (ctx.rng) and fictional. Dates are spread so that the FK
worklist and every alarm have entries on the demo dataset.
"""

from datetime import timedelta

from tracker.benefits.models import (
    Certificate,
    CertificateType,
    FkDecision,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Level,
    Outcome,
)
from tracker.extensions import db
from tracker.plans.models import CarePlan, Insats, InsatsStatus, InsatsStatusChange

DOCTORS = ["Dr Ahlgren", "Dr Berglund", "Dr Castro", "Dr Dahl", "Dr Ekström", None]
INSATSER = [
    "Arbetsträning",
    "Studiestöd Komvux",
    "Samtalsstöd",
    "Praktik via Arbetsförmedlingen",
    "Boendestöd",
    "Daglig verksamhet",
]
PERIOD_DAYS = [365, 730, 1095]


def build(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    officers = [ctx.users["fk1"], ctx.users["fk2"]]
    for individual in ctx.individuals:
        if rng.random() > 0.7:
            continue
        issued = today - timedelta(days=rng.randint(5, 420))
        certificate = Certificate(
            individual_id=individual.id,
            issued_on=issued,
            clinic_id=individual.clinic_id,
            doctor=rng.choice(DOCTORS),
            certificate_type=rng.choices(list(CertificateType), weights=[80, 15, 5])[0],
            sent_to_fk_on=min(today, issued + timedelta(days=rng.randint(0, 10))),
            created_by_id=individual.coordinator_id,
        )
        db.session.add(certificate)
        db.session.flush()
        if rng.random() > 0.85:
            continue
        officer_id = individual.fk_officer_id or rng.choice(officers).id
        decided = issued + timedelta(days=rng.randint(20, 90))
        decision = _decision(rng, individual, certificate, officer_id, decided, today)
        db.session.add(decision)
        if decision.outcome != Outcome.GRANTED:
            continue
        if rng.random() < 0.7:
            _plan(ctx, individual, decided)
        if individual.fk_officer_id:
            _follow_up(rng, individual, decision, today)


def _decision(rng, individual, certificate, officer_id, decided, today) -> FkDecision:
    common = {
        "individual_id": individual.id,
        "certificate_id": certificate.id,
        "officer_id": officer_id,
        "created_by_id": officer_id,
    }
    if decided > today:
        return FkDecision(outcome=Outcome.PENDING, **common)
    outcome = rng.choices([Outcome.GRANTED, Outcome.DENIED, Outcome.WITHDRAWN], weights=[80, 15, 5])[0]
    if outcome != Outcome.GRANTED:
        return FkDecision(outcome=outcome, decided_on=decided, **common)
    length = rng.choice(PERIOD_DAYS)
    if (today - decided).days > 250 and rng.random() < 0.3:
        # Some periods end soon, so "time to prepare a new certificate" shows up.
        length = min(PERIOD_DAYS[-1], (today - decided).days + rng.randint(20, 110))
    return FkDecision(
        outcome=outcome,
        decided_on=decided,
        level=rng.choices(list(Level), weights=[60, 10, 25, 5])[0],
        period_start=decided,
        period_end=decided + timedelta(days=length - 1),
        **common,
    )


def _plan(ctx, individual, decided) -> None:
    rng, today = ctx.rng, ctx.today
    established = min(today, decided + timedelta(days=rng.randint(5, 40)))
    plan = CarePlan(
        individual_id=individual.id,
        established_on=established,
        goals=rng.choice(
            [
                "Hitta en meningsfull sysselsättning och pröva arbetsträning.",
                "Slutföra gymnasiet via Komvux i egen takt.",
                "Stabilisera måendet och bygga upp en dygnsrytm.",
            ]
        ),
        follow_up_on=established + timedelta(days=rng.choice([90, 120, 180])),
        created_by_id=individual.coordinator_id,
    )
    if rng.random() < 0.25:
        plan.is_sip = True
        plan.sip_meeting_on = established
        plan.sip_organisations = [ctx.orgs["kommun"], ctx.orgs["af"]]
    db.session.add(plan)
    db.session.flush()
    for _ in range(rng.randint(1, 3)):
        starts = min(today, established + timedelta(days=rng.randint(0, 30)))
        insats = Insats(
            plan_id=plan.id,
            individual_id=individual.id,
            what=rng.choice(INSATSER),
            organisation_id=rng.choice([ctx.orgs["kommun"], ctx.orgs["af"], individual.clinic]).id,
            starts_on=starts,
            status=InsatsStatus.PLANNED,
            created_by_id=individual.coordinator_id,
        )
        db.session.add(insats)
        db.session.flush()
        _status(insats, None, InsatsStatus.PLANNED, established, None)
        if rng.random() < 0.7:
            on = min(today, starts + timedelta(days=rng.randint(0, 14)))
            _status(insats, InsatsStatus.PLANNED, InsatsStatus.ONGOING, on, None)
            roll = rng.random()
            if roll < 0.3:
                end = min(today, on + timedelta(days=rng.randint(20, 120)))
                _status(insats, InsatsStatus.ONGOING, InsatsStatus.COMPLETED, end, None)
            elif roll < 0.4:
                end = min(today, on + timedelta(days=rng.randint(10, 60)))
                reason = "Personen orkade inte fortsätta just nu."
                _status(insats, InsatsStatus.ONGOING, InsatsStatus.INTERRUPTED, end, reason)
                insats.interruption_reason = reason


def _status(insats, old, new, on, reason) -> None:
    insats.status = new
    if new in (InsatsStatus.COMPLETED, InsatsStatus.INTERRUPTED):
        insats.ends_on = max(on, insats.starts_on)
    db.session.add(
        InsatsStatusChange(
            insats_id=insats.id,
            individual_id=insats.individual_id,
            from_status=old,
            to_status=new,
            changed_on=on,
            reason=reason,
            created_by_id=insats.created_by_id,
        )
    )


def _follow_up(rng, individual, decision, today) -> None:
    due = today + timedelta(days=rng.randint(-20, 60))
    reason = rng.choice(list(FollowUpReason))
    follow_up = FollowUp(
        individual_id=individual.id,
        owner_id=individual.fk_officer_id,
        due_on=due,
        reason=reason,
        reason_text="Stäm av läget med rehabkoordinatorn." if reason == FollowUpReason.OTHER else None,
        clinic_id=individual.clinic_id,
        coordinator_id=individual.coordinator_id,
        status=FollowUpStatus.OPEN,
        created_by_id=individual.fk_officer_id,
    )
    if due < today and rng.random() < 0.3:
        follow_up.status = FollowUpStatus.DONE
        follow_up.done_on = min(today, due + timedelta(days=rng.randint(0, 5)))
        follow_up.done_note = "Uppföljning gjord."
    db.session.add(follow_up)
