"""Reading plans and insatser through the access policy."""

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, select

from tracker.auth.models import Organisation
from tracker.consent.categories import Action, Category
from tracker.consent.policy import require
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.plans.models import CarePlan, Insats, InsatsStatus, InsatsStatusChange, sip_organisations


def get_insats_or_404(insats_id: int, action: Action = Action.VIEW) -> Insats:
    insats = db.session.get(Insats, insats_id)
    if insats is None:
        abort(404)
    require(current_user, action, db.session.get(Individual, insats.individual_id), Category.PLAN)
    return insats


def plan_for(individual_id: int) -> CarePlan | None:
    return db.session.scalar(select(CarePlan).where(CarePlan.individual_id == individual_id))


def history_for(individual_id: int) -> dict[int, list[InsatsStatusChange]]:
    rows = db.session.scalars(
        select(InsatsStatusChange)
        .where(InsatsStatusChange.individual_id == individual_id)
        .order_by(InsatsStatusChange.changed_on, InsatsStatusChange.id)
    )
    history: dict[int, list[InsatsStatusChange]] = {}
    for change in rows:
        history.setdefault(change.insats_id, []).append(change)
    return history


# ---------------------------------------------------------------- the case page's panel
# Plain rows of the columns the panel shows, in two statements: the plan with its
# SIP organisations, then the insatser with their status history.


class CaseStatusChange(NamedTuple):
    changed_on: date
    to_status: InsatsStatus


class CaseInsats(NamedTuple):
    id: int
    what: str
    organisation_name: str
    starts_on: date
    ends_on: date | None
    status: InsatsStatus
    interruption_reason: str | None


@dataclass
class CasePlan:
    id: int
    established_on: date
    goals: str
    follow_up_on: date | None
    is_sip: bool
    sip_meeting_on: date | None
    sip_organisation_names: list[str] = field(default_factory=list)
    insatser: list[CaseInsats] = field(default_factory=list)


def case_plan(individual_id: int) -> tuple[CasePlan | None, dict[int, list[CaseStatusChange]]]:
    """The individual's plan (or None) and each insats' status history, oldest first."""
    rows = db.session.execute(
        select(
            CarePlan.id,
            CarePlan.established_on,
            CarePlan.goals,
            CarePlan.follow_up_on,
            CarePlan.is_sip,
            CarePlan.sip_meeting_on,
            Organisation.name,
        )
        .select_from(CarePlan)
        .outerjoin(sip_organisations, sip_organisations.c.care_plan_id == CarePlan.id)
        .outerjoin(Organisation, Organisation.id == sip_organisations.c.organisation_id)
        .where(CarePlan.individual_id == individual_id)
        .order_by(sip_organisations.c.organisation_id)
    ).all()
    if not rows:
        return None, {}
    plan = CasePlan(*rows[0][:6])
    plan.sip_organisation_names = [row[6] for row in rows if row[6] is not None]
    history: dict[int, list[CaseStatusChange]] = {}
    insatser = db.session.execute(
        select(
            Insats.id,
            Insats.what,
            Organisation.name,
            Insats.starts_on,
            Insats.ends_on,
            Insats.status,
            Insats.interruption_reason,
            InsatsStatusChange.changed_on,
            InsatsStatusChange.to_status,
        )
        .select_from(Insats)
        .join(Organisation, Organisation.id == Insats.organisation_id)
        .outerjoin(
            InsatsStatusChange,
            and_(
                InsatsStatusChange.insats_id == Insats.id,
                InsatsStatusChange.individual_id == individual_id,
            ),
        )
        .where(Insats.plan_id == plan.id)
        .order_by(Insats.starts_on, Insats.id, InsatsStatusChange.changed_on, InsatsStatusChange.id)
    )
    for row in insatser:
        if not plan.insatser or plan.insatser[-1].id != row[0]:
            plan.insatser.append(CaseInsats(*row[:7]))
        if row[7] is not None:
            history.setdefault(row[0], []).append(CaseStatusChange(row[7], row[8]))
    return plan, history
