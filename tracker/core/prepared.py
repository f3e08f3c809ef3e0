"""SELECTs built once per process with bind parameters, read as plain rows.

For pages that run many small aggregates (the period report): building a
SQLAlchemy statement and deriving its cache key, then passing the result
through the ORM, costs more than running the aggregate itself on SQLite. A
statement built once, with `bindparam()`s where the values go, is compiled
once and reused; its rows come straight from the session's connection.
Only for column selects: entities are loaded with `db.session` as usual.
"""

from functools import cache

from tracker.extensions import db

# `@prepared` on a function that builds a statement from its shape arguments (never from values:
# those are bind parameters) builds it once per process and distinct arguments.
prepared = cache


def plain_rows(statement, params: dict) -> list:
    """The rows of `statement` with `params`, in the session's transaction (flushed first, as
    `db.session.execute` would)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params).all()
