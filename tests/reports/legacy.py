"""The report sections and invoicing basis as they were before the performance work of issue 8.

Kept verbatim (only the section registration removed) so that
test_report_equivalence.py can check that the restructured queries give
exactly the same figures on generated data.
"""

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from sqlalchemy import and_, case, distinct, exists, func, or_, select

from tracker.auth.models import Organisation, User
from tracker.benefits.models import (
    CERTIFICATE_TYPE_LABELS,
    OUTCOME_LABELS,
    Certificate,
    CertificateType,
    FkDecision,
    Outcome,
)
from tracker.consent.models import Consent
from tracker.core.timeutil import STOCKHOLM
from tracker.extensions import db
from tracker.meetings.models import AgendaCase, Meeting, MeetingInvitation, MeetingKind, MeetingStatus
from tracker.people.models import GENDER_LABELS, Gender, Individual
from tracker.plans.models import CarePlan
from tracker.referrals.models import (
    DISCHARGE_LABELS,
    INCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    REFERRER_LABELS,
    ActivityGroup,
    Consultation,
    Enrolment,
    GroupAttendance,
    GroupSession,
    InfoSession,
    Project,
    ProjectBudget,
    ProjectMember,
    Referral,
    authority_combination,
)
from tracker.reports.population import (
    discharged_clause,
    new_clause,
    participant_clause,
    population,
    referral_clause,
)
from tracker.reports.tables import Cell, ReportContext, Row, Table, cross_tables, share_table
from tracker.timesheets.invoicing import NO_KEY_LABEL, InvoiceBasis, InvoiceLine, InvoicePart
from tracker.timesheets.models import TIME_CATEGORY_LABELS, AllocationKey, HourlyCost, TimeEntry
from tracker.timesheets.rounding import percentages, split_amount, whole_kronor


def _valid_on(rows: list, day: date):
    """The row (sorted by valid_from) in force on `day`, or None."""
    index = bisect_right([r.valid_from for r in rows], day)
    return rows[index - 1] if index else None


def invoicing_basis(project: Project, start: date, end: date) -> InvoiceBasis:
    basis = InvoiceBasis(project=project, start=start, end=end)
    hours_rows = db.session.execute(
        select(TimeEntry.user_id, TimeEntry.booked_on, func.sum(TimeEntry.hours))
        .where(TimeEntry.project_id == project.id, TimeEntry.booked_on.between(start, end))
        .group_by(TimeEntry.user_id, TimeEntry.booked_on)
    ).all()
    costs = db.session.scalars(
        select(HourlyCost).where(HourlyCost.project_id == project.id).order_by(HourlyCost.valid_from)
    ).all()
    keys = db.session.scalars(
        select(AllocationKey).where(AllocationKey.project_id == project.id).order_by(AllocationKey.valid_from)
    ).all()
    user_ids = {r[0] for r in hours_rows}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
    forbund_names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({s.forbund_id for k in keys for s in k.shares})
            )
        ).all()
    )
    project_costs = [c for c in costs if c.user_id is None]
    user_costs: dict[int, list] = defaultdict(list)
    for cost in costs:
        if cost.user_id is not None:
            user_costs[cost.user_id].append(cost)

    lines: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    weights: dict[int | None, Decimal] = defaultdict(Decimal)
    used_keys: dict[int, AllocationKey] = {}
    for user_id, day, hours in hours_rows:
        hours = Decimal(hours)
        cost = _valid_on(user_costs.get(user_id, []), day) or _valid_on(project_costs, day)
        rate = cost.amount if cost else None
        amount = hours * rate if rate is not None else Decimal(0)
        if rate is None:
            basis.hours_without_cost += hours
        line = lines[(user_id, rate)]
        line[0] += hours
        line[1] += amount
        basis.total_hours += hours
        basis.exact_total += amount
        key = _valid_on(keys, day)
        if key is None:
            weights[None] += amount
            continue
        used_keys[key.id] = key
        for share in key.shares:
            weights[share.forbund_id] += amount * share.percent / 100
    basis.lines = sorted(
        (
            InvoiceLine(names.get(uid, "?"), rate, h, a.quantize(Decimal("0.01")))
            for (uid, rate), (h, a) in lines.items()
        ),
        key=lambda line: (line.user_name, line.rate or 0),
    )
    basis.total = whole_kronor(basis.exact_total)
    basis.keys = sorted(used_keys.values(), key=lambda k: k.valid_from)
    order = sorted(weights, key=lambda f: (f is None, forbund_names.get(f, "")))
    amounts = split_amount(basis.total, [weights[f] for f in order])
    basis.parts = [
        InvoicePart(f, forbund_names.get(f, NO_KEY_LABEL), amount, weights[f].quantize(Decimal("0.01")))
        for f, amount in zip(order, amounts, strict=True)
    ]
    return basis


MISSING = "Uppgift saknas"


def _gender_columns(present) -> list[tuple[str, str]]:
    return [
        (g.value, GENDER_LABELS[g]) for g in Gender if g in (Gender.KVINNA, Gender.MAN) or g.value in present
    ]


def participants(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Individual.home_municipality, Individual.gender, func.count(distinct(Enrolment.individual_id)))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(participant_clause(ctx))
        .group_by(Individual.home_municipality, Individual.gender)
    ).all()
    counts = {(m, str(g)): n for m, g, n in rows}
    municipalities = sorted({m for m, _g, _n in rows})
    columns = _gender_columns({str(g) for _m, g, _n in rows})

    def drill(municipality, gender):
        params = {"set": "participants"}
        if municipality:
            params["kommun"] = municipality
        if gender:
            params["kon"] = gender
        return params

    tables = cross_tables(
        "deltagare_kon_kommun",
        "Deltagare under perioden per hemkommun och kön",
        "Hemkommun",
        [(m, m) for m in municipalities],
        columns,
        counts,
        drill,
    )
    new_count, all_count = db.session.execute(
        select(
            func.coalesce(func.sum(case((new_clause(ctx), 1), else_=0)), 0), func.count(Enrolment.id)
        ).where(participant_clause(ctx))
    ).one()
    by_status = {"new": int(new_count), "already": all_count - int(new_count)}
    tables.append(
        share_table(
            "deltagare_nya",
            "Redan inskrivna och nyinskrivna under perioden",
            "Inskrivning",
            [
                ("Inskrivna före perioden", by_status.get("already", 0), {"set": "participants", "ny": "0"}),
                ("Nyinskrivna under perioden", by_status.get("new", 0), {"set": "participants", "ny": "1"}),
            ],
        )
    )
    combos = db.session.execute(
        select(
            Enrolment.involves_fk,
            Enrolment.involves_region,
            Enrolment.involves_kommun,
            Enrolment.involves_af,
            func.count(Enrolment.id),
        )
        .where(participant_clause(ctx))
        .group_by(
            Enrolment.involves_fk, Enrolment.involves_region, Enrolment.involves_kommun, Enrolment.involves_af
        )
    ).all()
    items = []
    for fk, region, kommun, af, n in sorted(combos, key=lambda r: (-r[4], authority_combination(*r[:4]))):
        code = "".join("1" if flag else "0" for flag in (fk, region, kommun, af))
        items.append(
            (authority_combination(fk, region, kommun, af), n, {"set": "participants", "myndigheter": code})
        )
    tables.append(
        share_table(
            "myndigheter",
            "Involverade myndigheter per deltagare (kombinationer)",
            "Kombination",
            items,
            note="Uppgiften hämtas vid inskrivningen från ärendets kontakter och samtycken och kan ändras.",
            chart=True,
        )
    )
    return tables


def discharges(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Enrolment.discharge_reason, Individual.gender, func.count(Enrolment.id))
        .join(Individual, Individual.id == Enrolment.individual_id)
        .where(discharged_clause(ctx))
        .group_by(Enrolment.discharge_reason, Individual.gender)
    ).all()
    counts = {(str(r), str(g)): n for r, g, n in rows}
    reasons = [(k.value, label) for k, label in DISCHARGE_LABELS.items() if any(r == k for r, _g, _n in rows)]

    def drill(reason, gender):
        params = {"set": "discharged"}
        if reason:
            params["orsak"] = reason
        if gender:
            params["kon"] = gender
        return params

    tables = cross_tables(
        "utskrivna_orsak_kon",
        "Utskrivna under perioden per orsak och kön",
        "Orsak",
        reasons,
        _gender_columns({str(g) for _r, g, _n in rows}),
        counts,
        drill,
    )
    spans = db.session.execute(
        select(Enrolment.enrolled_on, Enrolment.discharged_on).where(discharged_clause(ctx))
    ).all()
    days = [(out - into).days for into, out in spans]
    length = Table("inskrivningstid", "Inskrivningstid för utskrivna (dagar)", ["Mått", "Dagar"])
    if days:
        length.rows = [
            # With few people each measure is one person's own length: masked like a count.
            Row("Median", [Cell(median(days), "days", base=len(days))]),
            Row("Kortast", [Cell(min(days), "days", base=len(days))]),
            Row("Längst", [Cell(max(days), "days", base=len(days))]),
            Row("Antal utskrivna", [Cell(len(days), drill={"set": "discharged"})]),
        ]
    else:
        length.rows = [Row("Antal utskrivna", [Cell(0)])]
    tables.append(length)
    income = db.session.execute(
        select(Enrolment.income_before, func.count(Enrolment.id))
        .where(discharged_clause(ctx))
        .group_by(Enrolment.income_before)
    ).all()
    by_income = {str(k) if k else "": n for k, n in income}
    items = [
        (label, by_income[k.value], {"set": "discharged", "forsorjning": k.value})
        for k, label in INCOME_LABELS.items()
        if k.value in by_income
    ]
    if "" in by_income:
        items.append((MISSING, by_income[""], {"set": "discharged", "forsorjning": ""}))
    tables.append(
        share_table(
            "forsorjning_fore", "Utskrivnas huvudsakliga försörjning före insatsen", "Försörjning", items
        )
    )
    return tables


def referrals(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(Referral.referrer_type, func.count(Referral.id))
        .where(referral_clause(ctx))
        .group_by(Referral.referrer_type)
    ).all()
    by_type = {str(t): n for t, n in rows}
    items = [
        (label, by_type[k.value], {"set": "referrals", "remittent": k.value})
        for k, label in REFERRER_LABELS.items()
        if k.value in by_type
    ]
    status_rows = db.session.execute(
        select(Referral.status, func.count(Referral.id)).where(referral_clause(ctx)).group_by(Referral.status)
    ).all()
    by_status = {str(s): n for s, n in status_rows}
    status_items = [
        (label, by_status[k.value], {"set": "referrals", "status": k.value})
        for k, label in REFERRAL_STATUS_LABELS.items()
        if k.value in by_status
    ]
    return [
        share_table("remittenter", "Remisser under perioden per remittent", "Remittent", items, chart=True),
        share_table("remiss_status", "Remisser under perioden per status i dag", "Status", status_items),
    ]


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def prorated_budget(amount: Decimal, year: int, start: date, end: date) -> Decimal:
    """The part of a yearly budget that falls in the period, by days."""
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    if last < first:
        return Decimal(0)
    year_days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return amount * ((last - first).days + 1) / year_days


def economy(ctx: ReportContext) -> list[Table]:
    rows = db.session.execute(
        select(TimeEntry.category, func.sum(TimeEntry.hours))
        .where(TimeEntry.project_id == ctx.project.id, TimeEntry.booked_on.between(ctx.start, ctx.end))
        .group_by(TimeEntry.category)
    ).all()
    by_cat = {str(c): Decimal(h) for c, h in rows}
    cats = [(k.value, label) for k, label in TIME_CATEGORY_LABELS.items()]
    hours = [by_cat.get(k, Decimal(0)) for k, _ in cats]
    # Hours are whole quarters: share them as integer quarters so the rule is the same as for counts.
    shares = percentages([int(h * 4) for h in hours])
    hours_table = Table(
        "timmar", "Rapporterade timmar per kategori", ["Kategori", "Timmar", "Andel"], chart=True
    )
    for (_k, label), h, s in zip(cats, hours, shares, strict=True):
        hours_table.rows.append(Row(label, [Cell(h, "hours"), Cell(s, "percent")]))
    total_hours = sum(hours, Decimal(0))
    hours_table.rows.append(
        Row(
            "Totalt",
            [Cell(total_hours, "hours"), Cell(Decimal(100) if total_hours else None, "percent")],
            True,
        )
    )
    basis = invoicing_basis(ctx.project, ctx.start, ctx.end)
    split = Table(
        "fakturering",
        "Fakturerat belopp och fördelning per förbund",
        ["Förbund", "Belopp (kr)", "Andel"],
        note="Fördelningsnyckeln som gällde respektive dag används; delarna avrundas till hela kronor "
        "med största-restmetoden så att de summerar till totalen.",
    )
    part_shares = percentages([max(p.amount, 0) for p in basis.parts])
    for part, share in zip(basis.parts, part_shares, strict=True):
        split.rows.append(Row(part.name, [Cell(part.amount, "money"), Cell(share, "percent")]))
    split.rows.append(
        Row(
            "Totalt",
            [Cell(basis.total, "money"), Cell(Decimal(100) if basis.total else None, "percent")],
            True,
        )
    )
    budgets = db.session.scalars(
        select(ProjectBudget).where(
            ProjectBudget.project_id == ctx.project.id,
            ProjectBudget.year.between(ctx.start.year, ctx.end.year),
        )
    ).all()
    budget_by_forbund: dict[str, Decimal] = {}
    for budget in budgets:
        name = budget.forbund.name
        budget_by_forbund[name] = budget_by_forbund.get(name, Decimal(0)) + prorated_budget(
            budget.amount, budget.year, ctx.start, ctx.end
        )
    outcome = {p.name: p.amount for p in basis.parts}
    budget_table = Table(
        "budget",
        "Budget och utfall för perioden",
        ["Förbund", "Budget (kr)", "Utfall (kr)", "Utfall av budget"],
        note="Årsbudgeten räknas om till periodens längd i dagar.",
    )
    for name in sorted(set(budget_by_forbund) | set(outcome)):
        planned = Decimal(round(budget_by_forbund.get(name, Decimal(0))))
        spent = outcome.get(name, 0)
        budget_table.rows.append(
            Row(name, [Cell(planned, "money"), Cell(spent, "money"), Cell(_ratio(spent, planned), "percent")])
        )
    total_budget = sum((c.cells[0].value for c in budget_table.rows), Decimal(0))
    budget_table.rows.append(
        Row(
            "Totalt",
            [
                Cell(total_budget, "money"),
                Cell(basis.total, "money"),
                Cell(_ratio(basis.total, total_budget), "percent"),
            ],
            True,
        )
    )
    return [hours_table, split, budget_table]


def consents(ctx: ReportContext) -> list[Table]:
    people = population(ctx)
    end = ctx.end
    withdrawn = and_(Consent.withdrawn_on.is_not(None), Consent.withdrawn_on <= end)
    expired = and_(~withdrawn, Consent.valid_until.is_not(None), Consent.valid_until < end)

    def count_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    n_withdrawn, n_expired, n_all = db.session.execute(
        select(count_where(withdrawn), count_where(expired), func.count(Consent.id)).where(
            Consent.individual_id.in_(people),
            Consent.given_on <= end,
            Consent.superseded_at.is_(None),
        )
    ).one()
    by_state = {
        "withdrawn": int(n_withdrawn),
        "expired": int(n_expired),
        "active": n_all - int(n_withdrawn) - int(n_expired),
    }
    return [
        share_table(
            "samtycken",
            f"Samtycken för projektets personer per {end.isoformat()}",
            "Status vid periodens slut",
            [
                ("Giltiga", by_state.get("active", 0), None),
                ("Utgångna", by_state.get("expired", 0), None),
                ("Återkallade", by_state.get("withdrawn", 0), None),
            ],
            note="Räknar samtycken (inte personer); ersatta versioner räknas inte.",
        )
    ]


def activities(ctx: ReportContext) -> list[Table]:
    consultations = db.session.execute(
        select(Consultation.actor_type, func.count(Consultation.id))
        .where(Consultation.project_id == ctx.project.id, Consultation.held_on.between(ctx.start, ctx.end))
        .group_by(Consultation.actor_type)
    ).all()
    by_type = {str(t): n for t, n in consultations}
    items = [(label, by_type[k.value], None) for k, label in REFERRER_LABELS.items() if k.value in by_type]
    tables = [
        share_table(
            "konsultationer",
            "Individuella konsultationer till andra aktörer (utan inskrivning)",
            "Aktör",
            items,
        )
    ]
    sessions = (
        select(
            GroupSession.group_id.label("group_id"),
            func.count(distinct(GroupSession.id)).label("sessions"),
            func.count(GroupAttendance.individual_id).label("attendances"),
            func.count(distinct(GroupAttendance.individual_id)).label("people"),
        )
        .outerjoin(GroupAttendance, GroupAttendance.session_id == GroupSession.id)
        .where(GroupSession.held_on.between(ctx.start, ctx.end))
        .group_by(GroupSession.group_id)
        .subquery()
    )
    groups = db.session.execute(
        select(ActivityGroup.name, sessions.c.sessions, sessions.c.attendances, sessions.c.people)
        .join(sessions, sessions.c.group_id == ActivityGroup.id)
        .where(ActivityGroup.project_id == ctx.project.id)
        .order_by(ActivityGroup.name)
    ).all()
    group_table = Table(
        "grupper", "Gruppaktiviteter", ["Grupp", "Träffar", "Närvarotillfällen", "Unika deltagare"]
    )
    for name, n_sessions, n_attendances, n_people in groups:
        group_table.rows.append(Row(name, [Cell(n_sessions), Cell(n_attendances), Cell(n_people)]))
    group_table.rows.append(
        Row(
            "Totalt",
            [Cell(sum(g[1] for g in groups)), Cell(sum(g[2] for g in groups)), Cell(None, "text")],
            is_total=True,
        )
    )
    tables.append(group_table)
    info = db.session.execute(
        select(func.count(InfoSession.id), func.coalesce(func.sum(InfoSession.attendees), 0)).where(
            InfoSession.project_id == ctx.project.id, InfoSession.held_on.between(ctx.start, ctx.end)
        )
    ).one()
    tables.append(
        Table(
            "informationstillfallen",
            "Informationstillfällen",
            ["Mått", "Antal"],
            [Row("Genomförda tillfällen", [Cell(info[0])]), Row("Deltagare totalt", [Cell(int(info[1]))])],
        )
    )
    return tables


# ---------------------------------------------------------------- AE sections (benefits, pulsmöten)


DECIDED = (Outcome.GRANTED, Outcome.DENIED, Outcome.WITHDRAWN)


def issued_clause(ctx: ReportContext):
    return and_(
        Certificate.individual_id.in_(population(ctx)), Certificate.issued_on.between(ctx.start, ctx.end)
    )


def decided_clause(ctx: ReportContext):
    return and_(
        FkDecision.individual_id.in_(population(ctx)),
        FkDecision.decided_on.between(ctx.start, ctx.end),
        FkDecision.outcome.in_(DECIDED),
    )


def no_plan_by_end(ctx: ReportContext):
    """No vårdplan established by the period's end."""
    return ~exists().where(
        CarePlan.individual_id == FkDecision.individual_id, CarePlan.established_on <= ctx.end
    )


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
            # The drill key was renamed from "typ" (it clashed with the period's `typ`).
            (label, by_type.get(kind, 0), {"set": "certificates", "utlatandetyp": kind.value})
            for kind, label in CERTIFICATE_TYPE_LABELS.items()
            if kind in by_type or kind != CertificateType.OTHER
        ],
    )
    by_outcome = dict(
        db.session.execute(
            select(FkDecision.outcome, func.count(FkDecision.id))
            .where(decided_clause(ctx))
            .group_by(FkDecision.outcome)
        ).all()
    )
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
    spans = db.session.execute(
        select(Certificate.issued_on, FkDecision.decided_on)
        .join(Certificate, Certificate.id == FkDecision.certificate_id)
        .where(decided_clause(ctx))
    ).all()
    days = [(decided - issued).days for issued, decided in spans]
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
    granted = and_(decided_clause(ctx), FkDecision.outcome == Outcome.GRANTED)
    n_granted, n_no_plan = db.session.execute(
        select(
            func.count(distinct(FkDecision.individual_id)),
            func.count(distinct(case((no_plan_by_end(ctx), FkDecision.individual_id)))),
        ).where(granted)
    ).one()
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


def project_organisations(ctx: ReportContext):
    members = (
        select(User.organisation_id)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == ctx.project.id)
    )
    own = select(Project.organisation_id).where(Project.id == ctx.project.id)
    principal = select(Project.principal_id).where(
        Project.id == ctx.project.id, Project.principal_id.is_not(None)
    )
    return members.union(own, principal)


def pulsmoten_clause(ctx: ReportContext, status: MeetingStatus = MeetingStatus.HELD):
    start = datetime.combine(ctx.start, time(), tzinfo=STOCKHOLM)
    end = datetime.combine(ctx.end + timedelta(days=1), time(), tzinfo=STOCKHOLM)
    orgs = project_organisations(ctx)
    organiser = select(User.id).where(User.organisation_id.in_(orgs))
    invited = select(MeetingInvitation.meeting_id).where(
        or_(
            MeetingInvitation.organisation_id.in_(orgs),
            MeetingInvitation.user_id.in_(organiser),
        )
    )
    return and_(
        Meeting.kind == MeetingKind.PULSMOTE,
        Meeting.status == status,
        Meeting.starts_at >= start,
        Meeting.starts_at < end,
        or_(Meeting.organiser_id.in_(organiser), Meeting.id.in_(invited)),
    )


def discussed_clause(ctx: ReportContext):
    held = select(Meeting.id).where(pulsmoten_clause(ctx))
    return and_(AgendaCase.meeting_id.in_(held), AgendaCase.individual_id.in_(population(ctx)))


def pulsmoten(ctx: ReportContext) -> list[Table]:
    held, cancelled = (
        db.session.scalar(select(func.count(Meeting.id)).where(pulsmoten_clause(ctx, status)))
        for status in (MeetingStatus.HELD, MeetingStatus.CANCELLED)
    )
    n_cases, n_people = db.session.execute(
        select(func.count(AgendaCase.id), func.count(distinct(AgendaCase.individual_id))).where(
            discussed_clause(ctx)
        )
    ).one()
    table = Table("pulsmoten", "Pulsmöten under perioden", ["Mått", "Antal"])
    table.rows = [
        Row("Genomförda pulsmöten", [Cell(held)]),
        Row("Inställda pulsmöten", [Cell(cancelled)]),
        Row("Ärenden som togs upp (ärendepunkter)", [Cell(n_cases, drill={"set": "discussed"})]),
        Row("Personer vars ärende togs upp", [Cell(n_people)]),
    ]
    table.note = "Pulsmöten som projektets organisationer ordnade eller var inbjudna till."
    return [table]
