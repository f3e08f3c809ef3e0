"""Reading plans and insatser through the access policy."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.consent.categories import Action, Category
from tracker.consent.policy import require
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange


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
