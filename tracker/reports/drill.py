"""Drill-down: the records behind a figure, listed only as far as the access policy allows.

PLUG-IN POINT: a domain whose report section counts people adds a drill set
with `@drill_set(kind, title, categories, columns)`: a function
`(ctx, args) -> (model, clauses)` choosing the records (the model has an
`individual_id`), and `columns` = [(header, record -> value)] for the list.
A record is listed only if the reader may view every category of its
individual (`visible_individuals`); the others are only counted.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import func, select

from tracker.consent.categories import Category
from tracker.consent.policy import visible_individuals
from tracker.core.timeutil import format_date
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


@dataclass(frozen=True)
class DrillSet:
    filters: Callable
    categories: tuple[Category, ...]
    columns: list[tuple[str, Callable]]
    options: tuple = ()  # loader options for what the columns read (no N+1)


PLUGGED_SETS: dict[str, DrillSet] = {}


def drill_set(kind: str, title: str, categories=(Category.IDENTITY,), columns=(), options=()):
    def register(func):
        DRILL_SETS[kind] = title
        PLUGGED_SETS[kind] = DrillSet(func, (Category.IDENTITY, *categories), list(columns), tuple(options))
        return func

    return register


def _enrolment_columns():
    def reason(r):
        return r.discharge_reason.label if r.discharge_reason else ""

    return [
        ("Inskriven", lambda r: format_date(r.enrolled_on)),
        ("Utskriven", lambda r: format_date(r.discharged_on)),
        ("Utskrivningsorsak", reason),
    ]


def drill_columns(kind: str) -> list[tuple[str, Callable]]:
    """The list's extra columns (header, record -> text) after person, gender and municipality."""
    if kind in PLUGGED_SETS:
        return PLUGGED_SETS[kind].columns
    if kind == "referrals":
        return [("Remitterad", lambda r: format_date(r.referred_on)), ("Status", lambda r: r.status.label)]
    return _enrolment_columns()


def _filters(ctx: ReportContext, kind: str, args) -> tuple:
    if kind in PLUGGED_SETS:
        model, clauses = PLUGGED_SETS[kind].filters(ctx, args)
        clauses = list(clauses)
    elif kind == "referrals":
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
    categories = PLUGGED_SETS[kind].categories if kind in PLUGGED_SETS else (Category.IDENTITY,)
    visible = [visible_individuals(current_user, tuple(categories))]
    if kind in PLUGGED_SETS and PLUGGED_SETS[kind].options:
        base = base.options(*PLUGGED_SETS[kind].options)
    rows = db.session.execute(
        base.where(*visible).order_by(Individual.last_name, Individual.first_name, model.id)
    ).all()
    return list(rows), total
