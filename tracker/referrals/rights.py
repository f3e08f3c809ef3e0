"""Referrals, enrolments and group attendance in the register extract and in retention.

Imported by tracker/referrals/views.py. One query per extract section.
Consultations name no individual (they are advice to another actor), so
they are not part of an individual's extract.
"""

from sqlalchemy import select, update

from tracker.core.personnummer import age_on, birth_date
from tracker.extensions import db
from tracker.people.extract import extract_section
from tracker.people.models import Individual
from tracker.people.retention import anonymiser
from tracker.referrals.models import (
    ActivityGroup,
    Enrolment,
    GroupAttendance,
    GroupSession,
    Project,
    Referral,
)


def _label(value):
    return value.label if value is not None else None


@extract_section("referrals", "Remisser", order=70)
def referrals_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(Referral, Project.name)
        .join(Project, Project.id == Referral.project_id)
        .where(Referral.individual_id == individual.id)
        .order_by(Referral.id)
    ).unique()
    return [
        {
            "Projekt": project,
            "Remitterad": r.referred_on,
            "Remittent": r.referrer_type.label,
            "Remitterande organisation": r.referrer_org.name if r.referrer_org else None,
            "Skäl": r.reason,
            "Status": r.status.label,
            "Status ändrad": r.status_changed_on,
            "Skäl till status": r.status_reason,
        }
        for r, project in rows
    ]


@extract_section("enrolments", "Inskrivningar i projekt", order=71)
def enrolments_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(Enrolment, Project.name)
        .join(Project, Project.id == Enrolment.project_id)
        .where(Enrolment.individual_id == individual.id)
        .order_by(Enrolment.id)
    ).unique()
    return [
        {
            "Projekt": project,
            "Inskriven": e.enrolled_on,
            "Utskriven": e.discharged_on,
            "Utskrivningsorsak": _label(e.discharge_reason),
            "Försörjning före": _label(e.income_before),
            "Försörjning efter": _label(e.income_after),
            "Sysselsättning före": _label(e.occupation_before),
            "Sysselsättning efter": _label(e.occupation_after),
            "Utbildning": _label(e.education_level),
            "Tid med offentlig försörjning före": _label(e.support_before),
            "Involverade myndigheter": e.authority_combination,
        }
        for e, project in rows
    ]


@extract_section("group_attendance", "Närvaro i gruppaktiviteter", order=72)
def group_attendance_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(ActivityGroup.name, GroupSession.held_on)
        .join(GroupSession, GroupSession.group_id == ActivityGroup.id)
        .join(GroupAttendance, GroupAttendance.session_id == GroupSession.id)
        .where(GroupAttendance.individual_id == individual.id)
        .order_by(GroupSession.held_on, ActivityGroup.name)
    )
    return [{"Grupp": name, "Datum": held_on} for name, held_on in rows]


@anonymiser("referrals")
def clear_referral_free_text(individual: Individual) -> None:
    db.session.execute(
        update(Referral)
        .where(Referral.individual_id == individual.id)
        .values(reason=None, status_reason=None)
    )


@anonymiser("enrolment_ages")
def keep_age_at_enrolment(individual: Individual) -> None:
    """SUS's age band at start comes from the personnummer, which retention is about to remove."""
    born = birth_date(individual.personnummer)
    if born is None:
        return
    enrolments = db.session.execute(
        select(Enrolment.id, Enrolment.enrolled_on).where(Enrolment.individual_id == individual.id)
    ).all()
    for enrolment_id, enrolled_on in enrolments:
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.id == enrolment_id)
            .values(age_at_start=age_on(born, enrolled_on))
        )
