"""Drill-down: the records behind a figure, listed only as far as the access policy allows."""

from flask_login import current_user
from sqlalchemy import func, select

from tracker.consent.policy import visible_individuals
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.referrals.models import Enrolment, Referral
from tracker.reports.population import discharged_clause, new_clause, participant_clause, referral_clause
from tracker.reports.tables import ReportContext

DRILL_SETS = {
    "participants": "Deltagare under perioden",
    "discharged": "Utskrivna under perioden",
    "referrals": "Remisser under perioden",
}
AUTHORITY_FLAGS = ("involves_fk", "involves_region", "involves_kommun", "involves_af")


def _filters(ctx: ReportContext, kind: str, args) -> tuple:
    if kind == "referrals":
        model, clauses = Referral, [referral_clause(ctx)]
        if args.get("remittent"):
            clauses.append(Referral.referrer_type == args["remittent"])
        if args.get("status"):
            clauses.append(Referral.status == args["status"])
    else:
        model = Enrolment
        clauses = [participant_clause(ctx) if kind == "participants" else discharged_clause(ctx)]
        if args.get("ny") in ("0", "1"):
            clauses.append(new_clause(ctx) if args["ny"] == "1" else ~new_clause(ctx))
        if args.get("orsak"):
            clauses.append(Enrolment.discharge_reason == args["orsak"])
        if "forsorjning" in args:
            value = args["forsorjning"]
            clauses.append(Enrolment.income_before == value if value else Enrolment.income_before.is_(None))
        code = args.get("myndigheter", "")
        if len(code) == 4 and set(code) <= {"0", "1"}:
            for flag, bit in zip(AUTHORITY_FLAGS, code, strict=True):
                clauses.append(getattr(Enrolment, flag).is_(bit == "1"))
    if args.get("kon"):
        clauses.append(Individual.gender == args["kon"])
    if args.get("kommun"):
        clauses.append(Individual.home_municipality == args["kommun"])
    return model, clauses


def drill_rows(ctx: ReportContext, kind: str, args) -> tuple[list, int]:
    """The visible records (model row, individual) and how many records the figure counts in all."""
    model, clauses = _filters(ctx, kind, args)
    base = select(model, Individual).join(Individual, Individual.id == model.individual_id).where(*clauses)
    total = db.session.scalar(
        select(func.count())
        .select_from(model)
        .join(Individual, Individual.id == model.individual_id)
        .where(*clauses)
    )
    rows = db.session.execute(
        base.where(visible_individuals(current_user)).order_by(
            Individual.last_name, Individual.first_name, model.id
        )
    ).all()
    return list(rows), total
