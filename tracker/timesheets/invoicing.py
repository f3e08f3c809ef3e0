"""The invoicing basis of a project for a period: hours × cost, split per förbund.

All reads are fixed aggregate queries (hours are summed per staff member and
day in SQL), so the cost does not grow with the number of participants.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.models import Organisation, Role, User
from tracker.consent.policy import deny
from tracker.extensions import db
from tracker.referrals.models import Project
from tracker.referrals.queries import get_project_or_404, is_project_lead
from tracker.timesheets.models import AllocationKey, HourlyCost, TimeEntry
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
