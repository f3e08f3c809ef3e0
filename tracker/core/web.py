"""Request plumbing: deny-by-default login, one commit per request, headers."""

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from tracker.core import timeutil
from tracker.extensions import db, login_manager

PUBLIC_ATTR = "_puls_public"


def public(view):
    """Mark a view as reachable without login (login page, token feeds)."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return bool(view and getattr(view, PUBLIC_ATTR, False))


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        from tracker.auth.services import load_session_user

        if request.path.startswith("/api/"):
            return None  # the API takes bearer tokens only, so cookies cannot forge writes
        return load_session_user(token)

    from tracker.api.core import load_token_user

    login_manager.request_loader(load_token_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        from tracker.core.errors import render_error

        if request.path.startswith("/api/") or request.path.endswith(".ics"):
            return render_error(401 if request.path.startswith("/api/") else 404)
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    @app.before_request
    def mark_web_request():
        g.puls_request_finishes = True  # `finish` runs: audit rows may be held back for it

    @app.before_request
    def require_login():
        if is_public_endpoint(app, request.endpoint):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.after_request
    def finish(response):
        from tracker.audit.services import write_kept as write_kept_audit

        # Asked before the commit, which expires the user and would reload it.
        authenticated = bool(current_user) and current_user.is_authenticated
        # One commit per request: a successful request commits what its
        # services flushed; any failure leaves the database as it was.
        # Audit rows kept despite a failure (`record_kept`) are written either way, and the
        # reads of a page re-shown with a form's errors (422) or a conflict (409) too: it
        # still shows what it read.
        if response.status_code < 400:
            write_kept_audit()
            db.session.commit()
        else:
            db.session.rollback()
            reads_shown = response.status_code in (409, 422) and response.mimetype == "text/html"
            if write_kept_audit(reads_shown=reads_shown):
                db.session.commit()
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if authenticated:
            headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.filters["datetime"] = timeutil.format_datetime
    app.jinja_env.filters["date"] = timeutil.format_date
    app.jinja_env.globals["today"] = timeutil.today_local

    with app.app_context():
        _configure_sqlite(app)


def _configure_sqlite(app: Flask) -> None:
    """Real transactions (and SAVEPOINTs) plus foreign keys on SQLite."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    synchronous = app.config.get("SQLITE_SYNCHRONOUS", "FULL")
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise RuntimeError(f"SQLITE_SYNCHRONOUS must be NORMAL, FULL, EXTRA or OFF, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


MAX_DB_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` with an upper bound every database column can hold, so a
    huge number in a URL is a 404, not a database overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max == MAX_DB_ID and not signed and not fixed_digits:
            # Out of range must not match at all: a converter that refuses a value
            # after matching makes Werkzeug answer 405 when the same path has a rule
            # for another method (e.g. PUT /meetings/<huge> next to GET).
            self.regex = BOUNDED_INT_REGEX


def _up_to(limit: str) -> str:
    """A regex for decimal numbers of len(limit) digits that are <= limit."""
    if not limit:
        return ""
    head, rest = int(limit[0]), limit[1:]
    options = []
    if head > 0:
        options.append(f"[0-{head - 1}]" + r"\d" * len(rest) if rest else f"[0-{head}]")
    if rest:
        options.append(f"{head}(?:{_up_to(rest)})")
    return "|".join(options)


# 1-9 digits, or 10 digits up to 2147483647 (no leading zeros beyond that).
BOUNDED_INT_REGEX = rf"(?:\d{{1,9}}|(?:{_up_to(str(MAX_DB_ID))}))"
