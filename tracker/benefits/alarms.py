"""The "between the chairs" alarms on the rehabkoordinator's start page.

Each rule is one query over the individuals in a scope, with a threshold
from the app config. A rule fires on the threshold day itself. The scope is
either a user's own cases (their clinic, or assigned to them) as the access
policy lets them see them (`alarms_for`), or every case held by some clinics
(`alarms_for_clinics`, used by the pulsmöte agenda, which decides naming
per case through the policy itself, and by the daily digest, which only counts).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, union_all
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.benefits.models import Certificate, FkDecision, FollowUp, FollowUpStatus, Outcome
from tracker.consent.categories import Category
from tracker.consent.models import Consent
from tracker.consent.policy import visible_individuals
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.meetings.models import Meeting, MeetingCaseNote
from tracker.people.models import Individual
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange


@dataclass
class AlarmRow:
    individual: Individual
    on: date
    detail: str = ""


@dataclass
class Alarm:
    key: str
    title: str
    threshold: int
    rows: list[AlarmRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Scope:
    """Which cases (per category) and which bevakningar an alarm run looks at."""

    cases: Callable[[Category], object]
    follow_ups: Callable[[], object]


def user_scope(user: User) -> Scope:
    """The user's own cases (clinic or assigned coordinator), as the policy lets them see them."""
    return Scope(
        cases=lambda category: and_(
            or_(Individual.clinic_id == user.organisation_id, Individual.coordinator_id == user.id),
            visible_individuals(user, category),
        ),
        follow_ups=lambda: and_(
            or_(FollowUp.clinic_id == user.organisation_id, FollowUp.coordinator_id == user.id),
            visible_individuals(user, Category.FK_RECORDS),
        ),
    )


def units_scope(clinic_ids, coordinator_ids=()) -> Scope:
    """Every case held by these clinics or assigned to these coordinators.

    No policy filter: the caller applies the policy before naming anyone
    (the agenda) or only counts cases per responsible unit (the digest).
    """
    clause = or_(
        Individual.clinic_id.in_(list(clinic_ids)), Individual.coordinator_id.in_(list(coordinator_ids))
    )
    return Scope(cases=lambda category: clause, follow_ups=lambda: clause)


def _current_grant(today: date):
    return and_(
        FkDecision.outcome == Outcome.GRANTED,
        FkDecision.decided_on.is_not(None),
        FkDecision.decided_on <= today,
        or_(FkDecision.period_end.is_(None), FkDecision.period_end >= today),
    )


def granted_without_plan(scope: Scope, today: date, days: int) -> list[AlarmRow]:
    """A current grant decided at least `days` ago, and still no vårdplan."""
    latest = (
        select(FkDecision.individual_id, func.max(FkDecision.decided_on).label("decided_on"))
        .where(_current_grant(today))
        .group_by(FkDecision.individual_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Individual, latest.c.decided_on)
        .join(latest, latest.c.individual_id == Individual.id)
        .where(
            latest.c.decided_on <= today - timedelta(days=days),
            ~exists().where(CarePlan.individual_id == Individual.id),
            scope.cases(Category.PLAN),
        )
        .order_by(latest.c.decided_on, Individual.id)
    ).all()
    return [AlarmRow(i, on, f"beviljad för {(today - on).days} dagar sedan") for i, on in rows]


def _activity_dates(today: date):
    sources = [
        select(Certificate.individual_id, Certificate.issued_on.label("on")),
        select(FkDecision.individual_id, FkDecision.decided_on.label("on")),
        select(FollowUp.individual_id, FollowUp.done_on.label("on")),
        select(CarePlan.individual_id, CarePlan.established_on.label("on")),
        select(CarePlan.individual_id, CarePlan.sip_meeting_on.label("on")),
        select(Insats.individual_id, Insats.starts_on.label("on")),
        select(InsatsStatusChange.individual_id, InsatsStatusChange.changed_on.label("on")),
        # Discussed at a meeting: the meeting's day (UTC date of its start; a pulsmöte is held in daytime).
        select(MeetingCaseNote.individual_id, func.date(Meeting.starts_at).label("on")).join(
            Meeting, Meeting.id == MeetingCaseNote.meeting_id
        ),
    ]
    activity = union_all(*sources).subquery()
    return (
        select(activity.c.individual_id, func.max(activity.c.on).label("last_on"))
        .where(activity.c.on.is_not(None), activity.c.on <= today)
        .group_by(activity.c.individual_id)
        .subquery()
    )


def no_recent_activity(scope: Scope, today: date, days: int) -> list[AlarmRow]:
    """People on a current grant with no certificate, decision, plan, insats or meeting activity for `days`."""
    last = _activity_dates(today)
    granted = select(FkDecision.individual_id).where(_current_grant(today))
    rows = db.session.execute(
        select(Individual, last.c.last_on)
        .join(last, last.c.individual_id == Individual.id)
        .where(
            Individual.id.in_(granted),
            last.c.last_on <= today - timedelta(days=days),
            scope.cases(Category.PLAN),
        )
        .order_by(last.c.last_on, Individual.id)
    ).all()
    return [AlarmRow(i, on, f"senaste aktivitet för {(today - on).days} dagar sedan") for i, on in rows]


def period_ending(scope: Scope, today: date, days: int) -> list[AlarmRow]:
    """A grant whose period ends within `days`, and no newer certificate yet."""
    later = aliased(FkDecision)
    rows = db.session.execute(
        select(Individual, FkDecision.period_end)
        .join(FkDecision, FkDecision.individual_id == Individual.id)
        .where(
            _current_grant(today),
            FkDecision.period_end <= today + timedelta(days=days),
            ~exists().where(
                Certificate.individual_id == Individual.id, Certificate.issued_on > FkDecision.decided_on
            ),
            ~exists().where(
                later.individual_id == Individual.id,
                later.outcome == Outcome.GRANTED,
                later.period_end > FkDecision.period_end,
            ),
            scope.cases(Category.FK_RECORDS),
        )
        .order_by(FkDecision.period_end, Individual.id)
    ).all()
    return [AlarmRow(i, on, f"perioden slutar om {(on - today).days} dagar") for i, on in rows]


def consent_expiring(scope: Scope, today: date, days: int) -> list[AlarmRow]:
    """Consents ending within `days` that no newer consent outlasts (consent models read-only)."""
    newer = aliased(Consent)
    expiring = (
        select(Consent.individual_id, func.min(Consent.valid_until).label("valid_until"))
        .where(
            Consent.superseded_at.is_(None),
            Consent.given_on <= today,
            Consent.valid_until >= today,
            Consent.valid_until <= today + timedelta(days=days),
            or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > today),
            ~exists().where(
                newer.individual_id == Consent.individual_id,
                newer.id != Consent.id,
                newer.superseded_at.is_(None),
                newer.withdrawn_on.is_(None),
                or_(newer.valid_until.is_(None), newer.valid_until > Consent.valid_until),
            ),
        )
        .group_by(Consent.individual_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Individual, expiring.c.valid_until)
        .join(expiring, expiring.c.individual_id == Individual.id)
        .where(scope.cases(Category.IDENTITY))
        .order_by(expiring.c.valid_until, Individual.id)
    ).all()
    return [AlarmRow(i, on, f"går ut om {(on - today).days} dagar") for i, on in rows]


def follow_ups_overdue(scope: Scope, today: date, days: int) -> list[AlarmRow]:
    """Open bevakningar naming the user's clinic or the user, more than `days` past due."""
    rows = db.session.execute(
        select(Individual, FollowUp.due_on)
        .join(FollowUp, FollowUp.individual_id == Individual.id)
        .where(
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on < today - timedelta(days=days),
            scope.follow_ups(),
        )
        .order_by(FollowUp.due_on, Individual.id)
    ).all()
    return [AlarmRow(i, on, f"förföll för {(today - on).days} dagar sedan") for i, on in rows]


RULES = [
    ("granted_no_plan", "Beviljad AE men ingen vårdplan", "ALARM_GRANTED_NO_PLAN_DAYS", granted_without_plan),
    ("no_activity", "Ingen aktivitet på länge", "ALARM_NO_ACTIVITY_DAYS", no_recent_activity),
    ("period_ending", "Beslutsperioden tar snart slut", "ALARM_PERIOD_ENDING_DAYS", period_ending),
    ("consent_expiring", "Samtycke går snart ut", "CONSENT_EXPIRING_DAYS", consent_expiring),
    ("follow_ups_overdue", "Försenade bevakningar", "ALARM_FOLLOW_UP_OVERDUE_DAYS", follow_ups_overdue),
]


def alarms_in(scope: Scope, today: date | None = None, keys=None) -> list[Alarm]:
    """Every alarm rule (or those in `keys`) over a scope: one query each, regardless of row count."""
    today = today or today_local()
    result = []
    for key, title, config_key, rule in RULES:
        if keys is not None and key not in keys:
            continue
        threshold = int(current_app.config.get(config_key, 0))
        result.append(Alarm(key, title, threshold, rule(scope, today, threshold)))
    return result


def alarms_for(user: User, today: date | None = None) -> list[Alarm]:
    """Every alarm rule for this user's own cases, as the policy lets them see them."""
    return alarms_in(user_scope(user), today)


def alarms_for_clinics(clinic_ids: list[int], today: date | None = None) -> list[Alarm]:
    """Every alarm rule for all cases of these clinics (the caller applies the policy)."""
    return alarms_in(units_scope(clinic_ids), today)
