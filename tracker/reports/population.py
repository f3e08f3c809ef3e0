"""Who a project's report counts, as SQL clauses shared by sections and drill-down."""

from sqlalchemy import and_, or_

from tracker.referrals.models import Enrolment, Referral
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
