"""Re-authentication for sensitive actions: `@require_recent_auth(minutes)`.

The time of the last proof of identity (login, or the password page
`twofactor.reauthenticate`) is kept on the server-side session row, so it
holds across app instances. A request without a recent proof is sent to the
password page and then back (GET) to where it came from.
"""

from datetime import timedelta
from functools import wraps

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from tracker.auth.services import session_row
from tracker.core.timeutil import now_utc


def authenticated_recently(minutes: int | None = None) -> bool:
    if minutes is None:
        minutes = current_app.config["REAUTH_MINUTES"]
    row = session_row(getattr(current_user, "current_session_token", None))
    if row is None:
        return False
    proved_at = row.authenticated_at or row.created_at
    return now_utc() - proved_at <= timedelta(minutes=minutes)


def mark_authenticated() -> None:
    row = session_row(current_user.current_session_token)
    if row is not None:
        row.authenticated_at = now_utc()


def require_recent_auth(minutes: int | None = None):
    """Decorate a view: without a password within `minutes`, ask for it first.

    A POST that arrives too late is not carried out; the user confirms the
    password and comes back to the (GET) page to submit again.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not authenticated_recently(minutes):
                flash("Bekräfta med ditt lösenord för att fortsätta.", "info")
                target = request.full_path if request.method == "GET" else request.path
                return redirect(url_for("twofactor.reauthenticate", next=target.rstrip("?")))
            return view(*args, **kwargs)

        return wrapped

    return decorator
