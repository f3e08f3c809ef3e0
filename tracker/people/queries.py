"""Reading individuals: loaded only through the access policy."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.consent.categories import Action, Category
from tracker.consent.policy import require, visible_individuals
from tracker.extensions import db
from tracker.people.models import Individual

SORTS = {
    "namn": (Individual.last_name, Individual.first_name, Individual.id),
    "kommun": (Individual.home_municipality, Individual.last_name, Individual.id),
    "nyast": (Individual.created_at.desc(), Individual.id.desc()),
}


def get_individual_or_404(
    public_id: str, action: Action = Action.VIEW, category: Category = Category.IDENTITY, options=()
) -> Individual:
    """Load by opaque id and enforce the policy (denials are audited). `options`: loader
    options for what the page shows of the individual (e.g. the coordinator)."""
    individual = db.session.scalar(
        select(Individual).options(*options).where(Individual.public_id == public_id)
    )
    if individual is None:
        abort(404)
    require(current_user, action, individual, category)
    return individual


def visible_individuals_query(sort: str = "namn", where=None):
    query = select(Individual).where(visible_individuals(current_user))
    if where is not None:
        query = query.where(where)
    return query.order_by(*SORTS.get(sort, SORTS["namn"]))
