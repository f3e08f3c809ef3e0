"""The invoicing basis of a project for a period: hours × cost, split per förbund.

All reads are fixed aggregate queries, so the cost does not grow with the
number of participants or days. An hourly cost or allocation key changes
only on its `valid_from` day, so the period falls into segments in which
every day has the same costs and key: SQL sums the hours per staff member
and segment, and Python multiplies those sums by the cost with Decimal
(exact: SQLite would multiply in floating point).
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import Date, bindparam, case, func, literal_column, select

from tracker.auth.models import Organisation, Role, User
from tracker.consent.policy import deny
from tracker.core.prepared import plain_rows, prepared
from tracker.extensions import db
from tracker.referrals.models import Project
from tracker.referrals.queries import get_project_or_404, is_project_lead
from tracker.timesheets.models import AllocationKey, AllocationShare, HourlyCost, TimeEntry
from tracker.timesheets.rounding import split_amount, whole_kronor

NO_KEY_LABEL = "Utan fördelningsnyckel"


@dataclass
class InvoiceLine:
    user_name: str
    rate: Decimal | None
    hours: Decimal
    amount: Decimal


@dataclass
class InvoicePart:
    forbund_id: int | None
    name: str
    amount: int
    exact: Decimal


@dataclass
class InvoiceBasis:
    project: Project
    start: date
    end: date
    lines: list[InvoiceLine] = field(default_factory=list)
    parts: list[InvoicePart] = field(default_factory=list)
    keys: list[AllocationKey] = field(default_factory=list)
    total_hours: Decimal = Decimal(0)
    exact_total: Decimal = Decimal(0)
    total: int = 0
    hours_without_cost: Decimal = Decimal(0)


def get_invoice_project_or_404(project_id: int) -> Project:
    """The project, if the user may read its invoicing basis (ledning, admin or the project lead);
    shared by the HTML/XLSX pages and the JSON API."""
    project = get_project_or_404(project_id, staff=False)
    if not (current_user.role in (Role.LEDNING, Role.ADMIN) or is_project_lead(current_user, project)):
        deny("invoicing", details=f"project={project.id}")
    return project


def _valid_on(rows: list, day: date):
    """The row (sorted by valid_from, the first field) in force on `day`, or None."""
    index = bisect_right(rows, day, key=lambda r: r[0])
    return rows[index - 1] if index else None


class _Key(NamedTuple):
    valid_from: date
    id: int
    shares: list[tuple[int, Decimal]]  # (forbund_id, percent) in share order


@dataclass
class Prices:
    """A project's hourly costs and allocation keys as plain rows, and the period's segments."""

    project_id: int
    start: date
    end: date
    project_costs: list[tuple[date, Decimal]]
    user_costs: dict[int, list[tuple[date, Decimal]]]
    keys: list[_Key]
    forbund_names: dict[int, str]
    # First day of every segment after the first (the first starts on `start`).
    breaks: list[date]

    @property
    def params(self) -> dict:
        """The bind parameters of `hours_by_segment`."""
        return {
            "project_id": self.project_id,
            "start": self.start,
            "end": self.end,
            **{f"break_{n}": day for n, day in enumerate(self.breaks)},
        }

    def segment_start(self, number: int) -> date:
        return self.breaks[number - 1] if number else self.start


@prepared
def _costs_statement():
    return (
        select(HourlyCost.user_id, HourlyCost.valid_from, HourlyCost.amount)
        .where(HourlyCost.project_id == bindparam("project_id"))
        .order_by(HourlyCost.valid_from, HourlyCost.id)
    )


@prepared
def _shares_statement():
    return (
        select(
            AllocationKey.id,
            AllocationKey.valid_from,
            AllocationShare.forbund_id,
            AllocationShare.percent,
            Organisation.name,
        )
        .outerjoin(AllocationShare, AllocationShare.key_id == AllocationKey.id)
        .outerjoin(Organisation, Organisation.id == AllocationShare.forbund_id)
        .where(AllocationKey.project_id == bindparam("project_id"))
        .order_by(AllocationKey.valid_from, AllocationShare.id)
    )


def load_prices(project_id: int, start: date, end: date) -> Prices:
    """Two small queries: the costs, and the keys with their shares and förbund names."""
    costs = plain_rows(_costs_statement(), {"project_id": project_id})
    share_rows = plain_rows(_shares_statement(), {"project_id": project_id})
    project_costs: list[tuple[date, Decimal]] = []
    user_costs: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for user_id, valid_from, amount in costs:
        (project_costs if user_id is None else user_costs[user_id]).append((valid_from, amount))
    keys: dict[int, _Key] = {}
    forbund_names: dict[int, str] = {}
    for key_id, valid_from, forbund_id, percent, name in share_rows:
        key = keys.setdefault(key_id, _Key(valid_from, key_id, []))
        if forbund_id is not None:
            key.shares.append((forbund_id, percent))
            forbund_names[forbund_id] = name
    changes = {c.valid_from for c in costs} | {k.valid_from for k in keys.values()}
    breaks = sorted(day for day in changes if start < day <= end)
    return Prices(
        project_id, start, end, project_costs, dict(user_costs), list(keys.values()), forbund_names, breaks
    )


@prepared
def _hours_statement(breaks: int, by_category: bool):
    extra = (TimeEntry.category,) if by_category else ()
    if breaks:
        booked = TimeEntry.booked_on
        segment = case(
            *((booked < bindparam(f"break_{n}", type_=Date()), n) for n in range(breaks)), else_=breaks
        )
        groups = (*extra, TimeEntry.user_id, segment)
    else:
        segment, groups = literal_column("0"), (*extra, TimeEntry.user_id)
    return (
        select(*extra, TimeEntry.user_id, segment, func.sum(TimeEntry.hours))
        .where(
            TimeEntry.project_id == bindparam("project_id"),
            TimeEntry.booked_on.between(bindparam("start", type_=Date()), bindparam("end", type_=Date())),
        )
        .group_by(*groups)
    )


def hours_by_segment(prices: Prices, by_category: bool = False) -> list:
    """Rows ([category,] user_id, segment number, sum of hours) of the project's entries booked in
    the period; the segment's first day is `prices.segment_start(number)`."""
    return plain_rows(_hours_statement(len(prices.breaks), by_category), prices.params)


def basis_from_hours(project: Project, prices: Prices, rows) -> tuple[InvoiceBasis, dict, list[int]]:
    """The basis from (user_id, segment, hours) rows, without names: also the unnamed lines
    {(user_id, rate): [hours, amount]} and the ids of the keys used, in the order first used."""
    basis = InvoiceBasis(project=project, start=prices.start, end=prices.end)
    lines: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    weights: dict[int | None, Decimal] = defaultdict(Decimal)
    used_keys: dict[int, _Key] = {}
    for user_id, number, hours in rows:
        day = prices.segment_start(number)
        cost = _valid_on(prices.user_costs.get(user_id, []), day) or _valid_on(prices.project_costs, day)
        rate = cost[1] if cost else None
        hours = Decimal(hours)
        amount = hours * rate if rate is not None else Decimal(0)
        if rate is None:
            basis.hours_without_cost += hours
        line = lines[(user_id, rate)]
        line[0] += hours
        line[1] += amount
        basis.total_hours += hours
        basis.exact_total += amount
        key = _valid_on(prices.keys, day)
        if key is None:
            weights[None] += amount
            continue
        used_keys[key.id] = key
        for forbund_id, percent in key.shares:
            weights[forbund_id] += amount * percent / 100
    basis.total = whole_kronor(basis.exact_total)
    names = prices.forbund_names
    order = sorted(weights, key=lambda f: (f is None, names.get(f, "")))
    amounts = split_amount(basis.total, [weights[f] for f in order])
    basis.parts = [
        InvoicePart(f, names.get(f, NO_KEY_LABEL), amount, weights[f].quantize(Decimal("0.01")))
        for f, amount in zip(order, amounts, strict=True)
    ]
    return basis, lines, list(used_keys)


def invoicing_basis(project: Project, start: date, end: date) -> InvoiceBasis:
    prices = load_prices(project.id, start, end)
    rows = hours_by_segment(prices)
    basis, lines, used_key_ids = basis_from_hours(project, prices, rows)
    user_ids = {user_id for user_id, _rate in lines}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
    basis.lines = sorted(
        (
            InvoiceLine(names.get(uid, "?"), rate, h, a.quantize(Decimal("0.01")))
            for (uid, rate), (h, a) in lines.items()
        ),
        key=lambda line: (line.user_name, line.rate or 0),
    )
    if used_key_ids:
        basis.keys = list(
            db.session.scalars(
                select(AllocationKey)
                .where(AllocationKey.id.in_(used_key_ids))
                .order_by(AllocationKey.valid_from)
            )
        )
    return basis
