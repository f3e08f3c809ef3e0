"""Hours by category, the invoiced amount and its split per förbund, budget versus outcome."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, select

from tracker.auth.models import Organisation
from tracker.referrals.models import ProjectBudget
from tracker.reports.tables import Cell, ReportContext, Row, Table, section
from tracker.timesheets.invoicing import basis_from_hours, hours_by_segment, load_prices
from tracker.timesheets.models import TIME_CATEGORY_LABELS
from tracker.timesheets.rounding import percentages


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


def _budgets(ctx: ReportContext):
    return (
        select(Organisation.name, ProjectBudget.year, ProjectBudget.amount)
        .join(Organisation, Organisation.id == ProjectBudget.forbund_id)
        .where(
            ProjectBudget.project_id == ctx.project.id,
            ProjectBudget.year.between(bindparam("first_year"), bindparam("last_year")),
        )
        .order_by(ProjectBudget.id)
    )


@section("economy", "Tid och ekonomi", order=70)
def economy(ctx: ReportContext) -> list[Table]:
    # One pass over the period's time entries serves both the hours per category and the
    # invoicing basis (hours per staff member and cost/key segment, see timesheets/invoicing.py).
    prices = load_prices(ctx.project.id, ctx.start, ctx.end)
    rows = hours_by_segment(prices, by_category=True)
    by_cat: dict[str, Decimal] = {}
    by_segment: dict[tuple, Decimal] = {}
    for category, user_id, segment, summed in rows:
        by_cat[str(category)] = by_cat.get(str(category), Decimal(0)) + summed
        by_segment[(user_id, segment)] = by_segment.get((user_id, segment), Decimal(0)) + summed
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
    basis, _lines, _keys = basis_from_hours(
        ctx.project, prices, [(user, segment, h) for (user, segment), h in sorted(by_segment.items())]
    )
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
    budgets = ctx.rows(_budgets, first_year=ctx.start.year, last_year=ctx.end.year)
    budget_by_forbund: dict[str, Decimal] = {}
    for name, year, amount in budgets:
        budget_by_forbund[name] = budget_by_forbund.get(name, Decimal(0)) + prorated_budget(
            amount, year, ctx.start, ctx.end
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
