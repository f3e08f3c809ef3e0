"""The daily digest's benefits sections: bevakningar due, decision periods ending, alarms.

Registered with `@digest_section` (tracker/jobs/reminders.py); imported by
tracker/benefits/views.py. Mails leave the organisation, so every item is a
count and a link into Puls (which checks access again) — never a name, a
personnummer or a public id. Each builder reads with a fixed number of
queries for all users at once.
"""

from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, literal, select, union_all

from tracker.auth.models import Role, User
from tracker.benefits.alarms import alarms_in, period_ending, units_scope
from tracker.benefits.models import FollowUp, FollowUpStatus
from tracker.benefits.queries import WORKLIST_CATEGORIES
from tracker.consent.policy import visible_individuals
from tracker.extensions import db
from tracker.jobs.reminders import DigestItem, digest_section
from tracker.people.models import Individual

WORKLIST_LINK = "/formaner/bevakningar"
ALARMS_LINK = "/formaner/larm"
# Alarm kinds the digest counts; periods ending and consents expiring have sections of their own.
DIGEST_ALARMS = ("granted_no_plan", "no_activity", "follow_ups_overdue")
_OFFICERS_PER_STATEMENT = 200


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _coordinators(users: list[User]) -> list[User]:
    return [u for u in users if u.role == Role.REHABKOORDINATOR]


def _responsible_for(user: User, individual) -> bool:
    return individual.clinic_id == user.organisation_id or individual.coordinator_id == user.id


@digest_section("follow_ups", "Dina bevakningar", order=20)
def follow_ups_due(users: list[User], on: date) -> dict[int, list[DigestItem]]:
    """For FK handläggare: their own open bevakningar overdue, and due within the worklist's 'soon'.

    Counted as the worklist lists them, through the access policy: a bevakning
    left with its owner after the case moved to another handläggare is not
    theirs to see, so the mail does not count it either.
    """
    officers = [u for u in users if u.role == Role.HANDLAGGARE]
    if not officers:
        return {}
    soon = on + timedelta(days=int(current_app.config.get("WORKLIST_DUE_SOON_DAYS", 7)))
    overdue = FollowUp.due_on < on
    per_officer = [
        select(literal(officer.id).label("owner_id"), overdue.label("overdue"), func.count().label("n"))
        .select_from(FollowUp)
        .join(Individual, Individual.id == FollowUp.individual_id)
        .where(
            FollowUp.owner_id == officer.id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on <= soon,
            visible_individuals(officer, WORKLIST_CATEGORIES, on=on),
        )
        .group_by(overdue)
        for officer in officers
    ]
    rows = []
    # One statement per chunk of officers (SQLite allows 500 terms in a compound SELECT).
    for start in range(0, len(per_officer), _OFFICERS_PER_STATEMENT):
        rows += db.session.execute(union_all(*per_officer[start : start + _OFFICERS_PER_STATEMENT])).all()
    counts: dict[int, dict[bool, int]] = defaultdict(dict)
    for owner_id, is_overdue, count in rows:
        counts[owner_id][bool(is_overdue)] = count
    result: dict[int, list[DigestItem]] = {}
    for owner_id, by_state in counts.items():
        items = []
        if by_state.get(True):
            items.append(
                DigestItem(
                    f"{_plural(by_state[True], 'bevakning', 'bevakningar')} har passerat förfallodagen",
                    WORKLIST_LINK,
                )
            )
        if by_state.get(False):
            days = (soon - on).days
            items.append(
                DigestItem(
                    f"{_plural(by_state[False], 'bevakning', 'bevakningar')} förfaller inom {days} dagar",
                    WORKLIST_LINK,
                )
            )
        result[owner_id] = items
    return result


@digest_section("periods_ending", "Beslutsperioder som tar slut", order=30)
def periods_ending(users: list[User], on: date) -> dict[int, list[DigestItem]]:
    """For rehabkoordinatorer: their cases whose granted period ends within ALARM_PERIOD_ENDING_DAYS."""
    coordinators = _coordinators(users)
    if not coordinators:
        return {}
    days = int(current_app.config.get("ALARM_PERIOD_ENDING_DAYS", 120))
    scope = units_scope({u.organisation_id for u in coordinators}, {u.id for u in coordinators})
    rows = period_ending(scope, on, days)
    result: dict[int, list[DigestItem]] = {}
    for user in coordinators:
        count = len({row.individual.id for row in rows if _responsible_for(user, row.individual)})
        if count:
            text = f"{_plural(count, 'ärende', 'ärenden')} där beslutsperioden slutar inom {days} dagar"
            result[user.id] = [DigestItem(text, ALARMS_LINK)]
    return result


@digest_section("alarms", "Larm i dina ärenden", order=40)
def alarm_counts(users: list[User], on: date) -> dict[int, list[DigestItem]]:
    """For rehabkoordinatorer: how many of their cases each alarm rule flags (one query per rule)."""
    coordinators = _coordinators(users)
    if not coordinators:
        return {}
    scope = units_scope({u.organisation_id for u in coordinators}, {u.id for u in coordinators})
    alarms = alarms_in(scope, on, keys=DIGEST_ALARMS)
    result: dict[int, list[DigestItem]] = {}
    for user in coordinators:
        items = []
        for alarm in alarms:
            count = len({row.individual.id for row in alarm.rows if _responsible_for(user, row.individual)})
            if count:
                items.append(DigestItem(f"{alarm.title}: {_plural(count, 'ärende', 'ärenden')}", ALARMS_LINK))
        if items:
            result[user.id] = items
    return result
