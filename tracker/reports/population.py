"""Who a project's report counts, as SQL clauses shared by sections and drill-down."""

from collections.abc import Callable

from sqlalchemy import and_, exists, or_, select

from tracker.auth.models import User
from tracker.people.models import Individual
from tracker.referrals.models import Enrolment, ProjectKind, ProjectMember, Referral
from tracker.reports.tables import ReportContext


def participant_clause(ctx: ReportContext):
    """Enrolled at some day of the period: enrolled by its end, not discharged before its start."""
    return and_(
        Enrolment.project_id == ctx.project.id,
        Enrolment.enrolled_on <= ctx.end,
        or_(Enrolment.discharged_on.is_(None), Enrolment.discharged_on >= ctx.start),
    )


def new_clause(ctx: ReportContext):
    return Enrolment.enrolled_on >= ctx.start


def discharged_clause(ctx: ReportContext):
    return and_(Enrolment.project_id == ctx.project.id, Enrolment.discharged_on.between(ctx.start, ctx.end))


def referral_clause(ctx: ReportContext):
    return and_(Referral.project_id == ctx.project.id, Referral.referred_on.between(ctx.start, ctx.end))


def enrolled_individuals(ctx: ReportContext):
    """The platform project's people: those enrolled at some day of the period."""
    return select(Enrolment.individual_id).where(participant_clause(ctx))


def clinic_individuals(ctx: ReportContext):
    """The AE project's people: cases held by the clinics of its members, plus anyone enrolled."""
    clinics = (
        select(User.organisation_id)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == ctx.project.id)
    )
    return select(Individual.id).where(
        or_(Individual.clinic_id.in_(clinics), Individual.id.in_(enrolled_individuals(ctx)))
    )


# PLUG-IN POINT: which individuals a project's person-based sections count (consents, and the
# certificates/decisions/plans sections the benefits and plans domains add).
POPULATIONS: dict[ProjectKind, Callable[[ReportContext], object]] = {
    ProjectKind.PLATFORM: enrolled_individuals,
    ProjectKind.AE: clinic_individuals,
}


def population(ctx: ReportContext):
    """A SELECT of individual ids the report counts for this project and period."""
    return POPULATIONS[ctx.project.kind](ctx)


def in_population(ctx: ReportContext, individual_id):
    """`individual_id` (a column) is in the population, as a correlated EXISTS.

    For records read by period (certificates, decisions, agenda cases): the database starts
    from the period's records and checks each one's person. With `IN (population)` SQLite
    starts from the population list instead, which for a clinic-based project is nearly the
    whole register (and, next to a second IN on the same index, probes every combination).
    """
    people = population(ctx)
    # Correlated to the records' table only: the outer query may join `individuals` too (drill-down).
    return exists(people.where(people.selected_columns[0] == individual_id).correlate(individual_id.table))
