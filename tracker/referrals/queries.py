"""Reading projects and their personal-data records, always through the access policy."""

from datetime import date
from typing import NamedTuple

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, or_, select

from tracker.auth.models import Role, User
from tracker.consent.categories import Action, Category
from tracker.consent.policy import deny, require, visible_individuals
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.referrals.models import (
    OPEN_STATUSES,
    DischargeReason,
    Enrolment,
    Project,
    ProjectMember,
    Referral,
)


def is_project_staff(user: User, project: Project) -> bool:
    """Members of the project, and users of the project's own organisation."""
    if user.role == Role.ADMIN:
        return False
    if user.organisation_id == project.organisation_id:
        return True
    return any(m.user_id == user.id for m in project.members)


def is_project_lead(user: User, project: Project) -> bool:
    return any(m.user_id == user.id and m.is_lead for m in project.members)


def _staff_projects(user: User):
    """SQL form of `is_project_staff` for a user who is not an admin."""
    member_of = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
    return or_(Project.id.in_(member_of), Project.organisation_id == user.organisation_id)


def projects_for(user: User) -> list[Project]:
    query = select(Project).order_by(Project.name)
    if user.role not in (Role.ADMIN, Role.LEDNING):
        member_of = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
        query = query.where(or_(Project.id.in_(member_of), Project.organisation_id == user.organisation_id))
    return list(db.session.scalars(query))


def get_project_or_404(project_id: int, *, staff: bool = True, lead: bool = False) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    if lead and not (is_project_lead(current_user, project) or current_user.role == Role.ADMIN):
        deny("project_lead", details=f"project={project.id}")
    if staff and not is_project_staff(current_user, project):
        deny("project_staff", details=f"project={project.id}")
    return project


def get_referral_or_404(referral_id: int) -> Referral:
    """A referral for reading or writing: project records (referrals, enrolments) are read and
    written by the project's staff, who must also be allowed to see who the person is."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        abort(404)
    get_project_or_404(referral.project_id)
    require(current_user, Action.VIEW, referral.individual, Category.IDENTITY)
    return referral


def get_enrolment_or_404(enrolment_id: int) -> Enrolment:
    """An enrolment for reading or writing, by the same rule as `get_referral_or_404`."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    get_project_or_404(enrolment.project_id)
    require(current_user, Action.VIEW, enrolment.individual, Category.IDENTITY)
    return enrolment


def queue(project: Project) -> list[Referral]:
    """Open referrals the user may see, longest waiting first."""
    return list(
        db.session.scalars(
            select(Referral)
            .join(Individual, Individual.id == Referral.individual_id)
            .where(
                Referral.project_id == project.id,
                Referral.status.in_(OPEN_STATUSES),
                visible_individuals(current_user),
            )
            .order_by(Referral.referred_on, Referral.id)
        )
    )


def waiting_days(referral: Referral) -> int:
    return (today_local() - referral.referred_on).days


def current_enrolments(project: Project) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(Individual, Individual.id == Enrolment.individual_id)
            .where(
                Enrolment.project_id == project.id,
                Enrolment.discharged_on.is_(None),
                visible_individuals(current_user),
            )
            .order_by(Enrolment.enrolled_on, Enrolment.id)
        )
    )


class CaseEnrolment(NamedTuple):
    project_name: str
    enrolled_on: date
    discharged_on: date | None
    discharge_reason: DischargeReason | None


def case_enrolments(user: User, individual: Individual) -> list[CaseEnrolment] | None:
    """The person's enrolments in the projects the user works in; None if they work in none.

    One statement: every staff project, outer-joined to this person's enrolments in it.
    """
    if user.role == Role.ADMIN:
        return None
    rows = db.session.execute(
        select(
            Project.name,
            Enrolment.enrolled_on,
            Enrolment.discharged_on,
            Enrolment.discharge_reason,
            Enrolment.id,
        )
        .select_from(Project)
        .outerjoin(
            Enrolment, and_(Enrolment.project_id == Project.id, Enrolment.individual_id == individual.id)
        )
        .where(_staff_projects(user))
        .order_by(Enrolment.enrolled_on, Enrolment.id)
    ).all()
    if not rows:
        return None
    return [CaseEnrolment(*row[:4]) for row in rows if row[4] is not None]
