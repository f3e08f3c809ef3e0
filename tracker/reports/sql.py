"""SQL expressions the report's aggregates share, written once for SQLite and PostgreSQL."""

from sqlalchemy import Integer, String, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def stored_value(column):
    """An enum column's stored text (the member's value, `str(member)`), not converted to the enum
    row by row: for rows that are only counted and keyed by text, the conversion is wasted work."""
    return type_coerce(column, String())


class days_between(FunctionElement):  # noqa: N801 (used like a SQL function)
    """Whole days from the first date to the second (`second - first` in Python dates)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    # PostgreSQL: date minus date is an integer number of days.
    first, second = list(element.clauses)
    return f"({compiler.process(second, **kw)} - {compiler.process(first, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    # SQLite stores a date as 'YYYY-MM-DD' text; julianday() of two such dates differs by whole days.
    first, second = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(second, **kw)}) - julianday({compiler.process(first, **kw)}) "
        "AS INTEGER)"
    )
