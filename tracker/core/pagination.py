"""Paging and whitelisted sorting for list pages."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from tracker.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_page(value) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def paginate(query, page: int, per_page: int) -> Page:
    """Run `query` (a select of entities) for one page, plus one count query."""
    total = db.session.scalar(_count_of(query))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def _count_of(query):
    """COUNT(*) of a select: straight on its FROM and WHERE when that gives the
    same number (cheaper to plan and run), else around it as a subquery."""
    simple = not (
        query._group_by_clauses
        or query._having_criteria
        or query._distinct
        or query._limit_clause is not None
        or query._offset_clause is not None
    )
    if simple:
        return query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return select(func.count()).select_from(query.order_by(None).subquery())
