"""The report's building blocks: periods, cells, tables, sections and the section registry.

A section builder is a function `(ctx: ReportContext) -> list[Table]` that
reads with a fixed number of SQL aggregate queries. Builders register with
`@section(key, title, order, kinds)`; the report runs every registered
builder whose `kinds` include the project's kind. Other domains (benefits,
plans, meetings) plug in by defining a builder module and listing it in
`SECTION_MODULES` (tracker/reports/registry.py). A builder may read with
`ctx.rows(statement_function)`: the statement is then built once per process
with bind parameters and its rows read without the ORM (the cheap way for a
page of many small aggregates), or with `db.session` as usual.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Date, Integer, bindparam

from tracker.core.prepared import plain_rows, prepared
from tracker.referrals.models import Project, ProjectKind
from tracker.timesheets.rounding import percentages


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass
class ReportContext:
    project: Project
    period: Period

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    def rows(self, build: Callable[["ReportContext"], object], **params) -> list:
        """The rows of the SELECT `build(ctx)` for this project and period.

        `build` runs once per process and project kind, on `bound_context(kind)` whose project id
        and dates are the bind parameters `project_id`, `start` and `end`; `params` binds any
        others the statement has. So `build` may use those values only inside SQL expressions
        (never `ctx.start.year` or a Python comparison: compute such values here and pass them
        as `params`). See tracker/core/prepared.py.
        """
        statement = _prepared_statement(build, self.project.kind)
        return plain_rows(
            statement, {"project_id": self.project.id, "start": self.start, "end": self.end, **params}
        )


@prepared
def bound_context(kind: ProjectKind) -> ReportContext:
    """A context whose project id and period dates are bind parameters (for `ReportContext.rows`)."""
    project = SimpleNamespace(id=bindparam("project_id", type_=Integer()), kind=kind)
    return ReportContext(project, Period(bindparam("start", type_=Date()), bindparam("end", type_=Date())))


@prepared
def _prepared_statement(build: Callable[[ReportContext], object], kind: ProjectKind):
    return build(bound_context(kind))


@dataclass
class Cell:
    """One figure. `kind`: count, percent, money, hours, days, text. `base` is the count behind
    a share (used to mask small groups); `drill` names the records behind the figure."""

    value: object
    kind: str = "count"
    base: int | None = None
    drill: dict | None = None


@dataclass
class Row:
    label: str
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str | None = None
    chart: bool = False
    # Which cell of each row the bar chart draws (-1: the row total of a cross table).
    chart_column: int = 0


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclass
class SectionBuilder:
    key: str
    title: str
    order: int
    kinds: frozenset
    build: Callable[[ReportContext], list[Table]]


SECTIONS: dict[str, SectionBuilder] = {}
ALL_KINDS = frozenset(ProjectKind)


def section(key: str, title: str, order: int, kinds=ALL_KINDS):
    """Register a section builder (called at import of its module)."""

    def register(func):
        SECTIONS[key] = SectionBuilder(key, title, order, frozenset(kinds), func)
        return func

    return register


# ---------------------------------------------------------------- table helpers


def share_table(
    key: str,
    title: str,
    first_column: str,
    items: list[tuple[str, int, dict | None]],
    note: str | None = None,
    chart: bool = False,
) -> Table:
    """Rows of (label, count, drill) with shares that sum to exactly 100.0, plus a total row."""
    counts = [count for _label, count, _drill in items]
    shares = percentages(counts)
    table = Table(key, title, [first_column, "Antal", "Andel"], note=note, chart=chart)
    for (label, count, drill), share in zip(items, shares, strict=True):
        table.rows.append(Row(label, [Cell(count, drill=drill), Cell(share, "percent", base=count)]))
    total = sum(counts)
    table.rows.append(
        Row(
            "Totalt",
            [Cell(total), Cell(Decimal(100) if total else None, "percent", base=total)],
            is_total=True,
        )
    )
    return table


def cross_tables(
    key: str,
    title: str,
    row_header: str,
    row_labels: list[tuple[str, str]],
    column_labels: list[tuple[str, str]],
    counts: dict[tuple[str, str], int],
    drill: Callable[[str | None, str | None], dict] | None = None,
) -> list[Table]:
    """A count table with totals plus its row and column percentage tables (each sums to 100)."""
    columns = [label for _v, label in column_labels]
    drill = drill or (lambda r, c: None)
    count_table = Table(key, title, [row_header, *columns, "Totalt"], chart=True, chart_column=-1)
    row_pct = Table(f"{key}_rad", f"{title} – radprocent", [row_header, *columns, "Totalt"])
    col_pct = Table(f"{key}_kolumn", f"{title} – kolumnprocent", [row_header, *columns, "Totalt"])
    col_totals = {c: sum(counts.get((r, c), 0) for r, _ in row_labels) for c, _ in column_labels}
    grand = sum(col_totals.values())
    col_shares = {c: percentages([counts.get((r, c), 0) for r, _ in row_labels]) for c, _ in column_labels}
    total_shares = percentages([sum(counts.get((r, c), 0) for c, _ in column_labels) for r, _ in row_labels])
    for index, (r, r_label) in enumerate(row_labels):
        values = [counts.get((r, c), 0) for c, _ in column_labels]
        row_total = sum(values)
        count_table.rows.append(
            Row(
                r_label,
                [Cell(v, drill=drill(r, c)) for v, (c, _) in zip(values, column_labels, strict=True)]
                + [Cell(row_total, drill=drill(r, None))],
            )
        )
        shares = percentages(values)
        row_pct.rows.append(
            Row(
                r_label,
                [Cell(s, "percent", base=v) for s, v in zip(shares, values, strict=True)]
                + [Cell(Decimal(100) if row_total else None, "percent", base=row_total)],
            )
        )
        col_pct.rows.append(
            Row(
                r_label,
                [Cell(col_shares[c][index], "percent", base=counts.get((r, c), 0)) for c, _ in column_labels]
                + [Cell(total_shares[index], "percent", base=row_total)],
            )
        )
    totals = [col_totals[c] for c, _ in column_labels]
    count_table.rows.append(
        Row(
            "Totalt",
            [Cell(t, drill=drill(None, c)) for t, (c, _) in zip(totals, column_labels, strict=True)]
            + [Cell(grand, drill=drill(None, None))],
            is_total=True,
        )
    )
    row_pct.rows.append(
        Row(
            "Totalt",
            [Cell(s, "percent", base=t) for s, t in zip(percentages(totals), totals, strict=True)]
            + [Cell(Decimal(100) if grand else None, "percent", base=grand)],
            is_total=True,
        )
    )
    col_pct.rows.append(
        Row(
            "Totalt",
            [Cell(Decimal(100) if t else None, "percent", base=t) for t in totals]
            + [Cell(Decimal(100) if grand else None, "percent", base=grand)],
            is_total=True,
        )
    )
    return [count_table, row_pct, col_pct]
