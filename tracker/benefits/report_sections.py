"""The AE project report's benefits section: certificates, FK decisions, lead times, grants without plan.

Listed in SECTION_MODULES (tracker/reports/registry.py). Counts are SQL
aggregates over the report population (tracker/reports/population.py); the
people behind a figure are listed through the drill sets registered here,
which apply the access policy per category.
"""

from collections import Counter
from statistics import median

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.benefits.models import (
    CERTIFICATE_TYPE_LABELS,
    OUTCOME_LABELS,
    Certificate,
    CertificateType,
    FkDecision,
    Outcome,
)
from tracker.consent.categories import Category
from tracker.core.timeutil import format_date
from tracker.extensions import db
from tracker.plans.models import CarePlan
from tracker.referrals.models import ProjectKind
from tracker.reports.drill import drill_set
from tracker.reports.population import in_population
from tracker.reports.tables import Cell, ReportContext, Row, Table, section, share_table

DECIDED = (Outcome.GRANTED, Outcome.DENIED, Outcome.WITHDRAWN)


def issued_clause(ctx: ReportContext):
    return and_(
        Certificate.issued_on.between(ctx.start, ctx.end), in_population(ctx, Certificate.individual_id)
    )


def decided_clause(ctx: ReportContext):
    return and_(
        FkDecision.decided_on.between(ctx.start, ctx.end),
        FkDecision.outcome.in_(DECIDED),
        in_population(ctx, FkDecision.individual_id),
    )


def no_plan_by_end(ctx: ReportContext):
    """No vårdplan established by the period's end."""
    return ~exists().where(
        CarePlan.individual_id == FkDecision.individual_id, CarePlan.established_on <= ctx.end
    )


@section("benefits", "Läkarutlåtanden och beslut om aktivitetsersättning", order=50, kinds={ProjectKind.AE})
def benefits(ctx: ReportContext) -> list[Table]:
    by_type = dict(
        db.session.execute(
            select(Certificate.certificate_type, func.count(Certificate.id))
            .where(issued_clause(ctx))
            .group_by(Certificate.certificate_type)
        ).all()
    )
    certificates = share_table(
        "lakarutlatanden",
        "Utfärdade läkarutlåtanden under perioden",
        "Typ",
        [
            (label, by_type.get(kind, 0), {"set": "certificates", "utlatandetyp": kind.value})
            for kind, label in CERTIFICATE_TYPE_LABELS.items()
            if kind in by_type or kind != CertificateType.OTHER
        ],
    )
    # One pass over the period's decisions: outcomes, days from certificate to decision, and the
    # people granted (with or without a vårdplan by the period's end).
    rows = db.session.execute(
        select(
            FkDecision.outcome,
            FkDecision.individual_id,
            Certificate.issued_on,
            FkDecision.decided_on,
            case((and_(FkDecision.outcome == Outcome.GRANTED, no_plan_by_end(ctx)), 1), else_=0),
        )
        .outerjoin(Certificate, Certificate.id == FkDecision.certificate_id)
        .where(decided_clause(ctx))
    ).all()
    by_outcome = Counter(outcome for outcome, _i, _issued, _decided, _no_plan in rows)
    decisions = share_table(
        "beslut_utfall",
        "FK-beslut under perioden per utfall",
        "Utfall",
        [
            (
                OUTCOME_LABELS[outcome],
                by_outcome.get(outcome, 0),
                {"set": "decisions", "utfall": outcome.value},
            )
            for outcome in DECIDED
        ],
        chart=True,
    )
    days = [(decided - issued).days for _o, _i, issued, decided, _n in rows if issued is not None]
    lead = Table("dagar_utlatande_beslut", "Dagar från läkarutlåtande till beslut", ["Mått", "Dagar"])
    if days:
        lead.rows = [
            Row("Median", [Cell(median(days), "days")]),
            Row("Kortast", [Cell(min(days), "days")]),
            Row("Längst", [Cell(max(days), "days")]),
            Row("Antal beslut med läkarutlåtande", [Cell(len(days))]),
        ]
    else:
        lead.rows = [Row("Antal beslut med läkarutlåtande", [Cell(0)])]
    lead.note = "Bara beslut under perioden som är kopplade till ett läkarutlåtande."
    n_granted = len({person for outcome, person, _is, _d, _n in rows if outcome == Outcome.GRANTED})
    n_no_plan = len({person for _o, person, _is, _d, no_plan in rows if no_plan})
    plan = share_table(
        "beviljade_utan_plan",
        "Personer beviljade aktivitetsersättning under perioden, med och utan vårdplan",
        "Vårdplan vid periodens slut",
        [
            ("Med vårdplan", n_granted - n_no_plan, None),
            ("Utan vårdplan", n_no_plan, {"set": "granted_no_plan"}),
        ],
        note="Räknar personer; vårdplan upprättad senast periodens sista dag.",
    )
    return [certificates, decisions, lead, plan]


# ---------------------------------------------------------------- drill-down


@drill_set(
    "certificates",
    "Läkarutlåtanden under perioden",
    categories=(Category.CERTIFICATES,),
    columns=[
        ("Utfärdat", lambda c: format_date(c.issued_on)),
        ("Typ", lambda c: c.certificate_type.label),
        ("Mottagning", lambda c: c.clinic.name),
    ],
)
def certificates_drill(ctx: ReportContext, args):
    clauses = [issued_clause(ctx)]
    # Not "typ": that is the report period's type in the same query string.
    if args.get("utlatandetyp") in {k.value for k in CertificateType}:
        clauses.append(Certificate.certificate_type == args["utlatandetyp"])
    return Certificate, clauses


_DECISION_COLUMNS = [
    ("Beslutat", lambda d: format_date(d.decided_on)),
    ("Utfall", lambda d: d.outcome.label),
    (
        "Period",
        lambda d: f"{format_date(d.period_start)}–{format_date(d.period_end)}" if d.period_end else "",
    ),
]


@drill_set(
    "decisions", "FK-beslut under perioden", categories=(Category.FK_RECORDS,), columns=_DECISION_COLUMNS
)
def decisions_drill(ctx: ReportContext, args):
    clauses = [decided_clause(ctx)]
    if args.get("utfall") in {o.value for o in DECIDED}:
        clauses.append(FkDecision.outcome == args["utfall"])
    return FkDecision, clauses


@drill_set(
    "granted_no_plan",
    "Beviljade utan vårdplan",
    categories=(Category.FK_RECORDS, Category.PLAN),
    columns=_DECISION_COLUMNS,
)
def granted_no_plan_drill(ctx: ReportContext, args):
    """One record per person (their latest grant in the period), as the figure counts people."""
    later = aliased(FkDecision)
    latest = ~exists().where(
        later.individual_id == FkDecision.individual_id,
        later.outcome == Outcome.GRANTED,
        later.decided_on.between(ctx.start, ctx.end),
        or_(
            later.decided_on > FkDecision.decided_on,
            and_(later.decided_on == FkDecision.decided_on, later.id > FkDecision.id),
        ),
    )
    return FkDecision, [
        decided_clause(ctx),
        FkDecision.outcome == Outcome.GRANTED,
        no_plan_by_end(ctx),
        latest,
    ]
