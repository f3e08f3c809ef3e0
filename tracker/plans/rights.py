"""The vårdplan, insatser and their status history in the register extract and in retention.

Imported by tracker/plans/views.py. One or two queries per extract section.
"""

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.people.extract import extract_section
from tracker.people.models import Individual
from tracker.people.retention import ANONYMISED_NAME, anonymiser
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange


@extract_section("plan", "Vårdplan", order=50)
def plan_extract(individual: Individual) -> list[dict]:
    plans = db.session.scalars(select(CarePlan).where(CarePlan.individual_id == individual.id))
    return [
        {
            "Upprättad": p.established_on,
            "Mål": p.goals,
            "Uppföljning": p.follow_up_on,
            "SIP": p.is_sip,
            "SIP-möte": p.sip_meeting_on,
            "SIP-organisationer": [o.name for o in p.sip_organisations],
        }
        for p in plans
    ]


@extract_section("insatser", "Insatser", order=51)
def insatser_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(select(Insats).where(Insats.individual_id == individual.id).order_by(Insats.id))
    return [
        {
            "Insats": i.what,
            "Organisation": i.organisation.name,
            "Start": i.starts_on,
            "Slut": i.ends_on,
            "Status": i.status.label,
            "Skäl till avbrott": i.interruption_reason,
        }
        for i in rows
    ]


@extract_section("insats_history", "Insatsernas statushistorik", order=52)
def insats_history_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(InsatsStatusChange, Insats.what)
        .join(Insats, Insats.id == InsatsStatusChange.insats_id)
        .where(InsatsStatusChange.individual_id == individual.id)
        .order_by(InsatsStatusChange.id)
    )
    return [
        {
            "Insats": what,
            "Från": change.from_status.label if change.from_status else None,
            "Till": change.to_status.label,
            "Datum": change.changed_on,
            "Skäl": change.reason,
        }
        for change, what in rows
    ]


@anonymiser("plans")
def clear_plan_free_text(individual: Individual) -> None:
    db.session.execute(
        update(CarePlan).where(CarePlan.individual_id == individual.id).values(goals=ANONYMISED_NAME)
    )
    # `what` is typed by staff ("Samtal om ... med <name>"); its status and dates are what reports count.
    db.session.execute(
        update(Insats)
        .where(Insats.individual_id == individual.id)
        .values(what=ANONYMISED_NAME, interruption_reason=None)
    )
    db.session.execute(
        update(InsatsStatusChange)
        .where(InsatsStatusChange.individual_id == individual.id)
        .values(reason=None)
    )
