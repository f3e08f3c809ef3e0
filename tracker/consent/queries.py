"""Reads for the consent registry: the expiring worklist and the consent check."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from tracker.auth.models import User
from tracker.consent.categories import Category
from tracker.consent.models import Block, Consent
from tracker.consent.policy import (
    block_is_active,
    consent_covers_user,
    consent_is_active,
    is_responsible_unit,
)
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import Individual


def _responsible(user: User):
    return or_(Individual.clinic_id == user.organisation_id, Individual.coordinator_id == user.id)


def _worklist_clause(on: date):
    config = current_app.config
    expiring_until = on + timedelta(days=config["CONSENT_EXPIRING_DAYS"])
    review_given_before = on - relativedelta(months=config["CONSENT_REVIEW_MONTHS"])
    return and_(
        Consent.superseded_at.is_(None),
        Consent.withdrawn_on.is_(None),
        or_(
            and_(Consent.valid_until >= on, Consent.valid_until <= expiring_until),
            and_(Consent.valid_until.is_(None), Consent.given_on <= review_given_before),
        ),
    )


def expiring_consents(user: User, on: date | None = None) -> list[Consent]:
    """Consents running out soon (or due for review) for cases the user is responsible for."""
    on = on or today_local()
    return (
        db.session.scalars(
            select(Consent)
            .join(Consent.individual)
            .options(contains_eager(Consent.individual))
            .where(_responsible(user), _worklist_clause(on))
            .order_by(func.coalesce(Consent.valid_until, Consent.given_on), Consent.id)
        )
        .unique()
        .all()
    )


def expiring_count(user: User, on: date | None = None) -> int:
    on = on or today_local()
    return db.session.scalar(
        select(func.count(Consent.id))
        .join(Consent.individual)
        .where(_responsible(user), _worklist_clause(on))
    )


@dataclass
class ConsentCheckAnswer:
    """All a consent check reveals: is there a valid consent for *my* organisation."""

    covered: bool
    purposes: list = None
    categories: list = None
    valid_until: date | None = None
    blocked_categories: list = None


def check_for_party(user: User, personnummer: str, on: date | None = None):
    """Answer the consent check; returns (answer, individual or None)."""
    on = on or today_local()
    individual = db.session.scalar(select(Individual).where(Individual.personnummer == personnummer))
    if individual is None:
        return ConsentCheckAnswer(covered=False), None
    consents = [
        c
        for c in db.session.scalars(select(Consent).where(Consent.individual_id == individual.id))
        if consent_is_active(c, on) and consent_covers_user(c, user)
    ]
    if not consents:
        return ConsentCheckAnswer(covered=False), individual
    blocks = db.session.scalars(select(Block).where(Block.individual_id == individual.id)).all()
    org_ids = {user.organisation_id, user.organisation.parent_id}
    blocked = {
        b.category
        for b in blocks
        if block_is_active(b, on)
        and b.category
        and (b.organisation_id is None or b.organisation_id in org_ids)
    }
    fully_blocked = any(
        block_is_active(b, on) and b.category is None and b.organisation_id in org_ids for b in blocks
    )
    categories = sorted({c for consent in consents for c in consent.category_set} - blocked)
    if fully_blocked or not categories:
        return ConsentCheckAnswer(covered=False), individual
    until = [c.valid_until for c in consents]
    return (
        ConsentCheckAnswer(
            covered=True,
            purposes=sorted({p for consent in consents for p in consent.purpose_set}),
            categories=categories,
            valid_until=None if None in until else max(until),
            blocked_categories=sorted(blocked),
        ),
        individual,
    )


__all__ = ["Category", "check_for_party", "expiring_consents", "expiring_count", "is_responsible_unit"]
