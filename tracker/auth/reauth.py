"""Re-authentication for sensitive actions: `@require_recent_auth(minutes)`,
and `password_refusal`, the one check for a password asked for inside a session.

The time of the last proof of identity (login, or the password page
`twofactor.reauthenticate`) is kept on the server-side session row, so it
holds across app instances. A request without a recent proof is sent to the
password page and then back (GET) to where it came from.
"""

from datetime import timedelta
from functools import wraps

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from tracker.auth import services
from tracker.auth.passwords import verify_password
from tracker.core.timeutil import now_utc
from tracker.extensions import db

WRONG_PASSWORD = "Lösenordet stämmer inte."


def authenticated_recently(minutes: int | None = None) -> bool:
    if minutes is None:
        minutes = current_app.config["REAUTH_MINUTES"]
    row = services.session_row(getattr(current_user, "current_session_token", None))
    if row is None:
        return False
    proved_at = row.authenticated_at or row.created_at
    return now_utc() - proved_at <= timedelta(minutes=minutes)


def mark_authenticated() -> None:
    row = services.session_row(current_user.current_session_token)
    if row is not None:
        row.authenticated_at = now_utc()


def password_refusal(password: str, why: str) -> str | None:
    """None if `password` is the signed-in user's; else the error to show.

    A stolen session must not become an unlimited password oracle, so a wrong
    password counts towards the login lock-out (`why` goes into the audit
    row) and at the lock-out the session ends. A locked-out account proves
    nothing, not even with the right password, so other stolen sessions end too.
    The failure is committed here: the request that shows it fails and is rolled back.
    """
    user = current_user._get_current_object()
    remote_addr = request.remote_addr or "unknown"
    locked = services.is_locked_out(user.email, remote_addr)
    if not locked and verify_password(user.password_hash, password):
        return None
    services.record_failure(user.email, remote_addr, user, "locked_out" if locked else why)
    locked = locked or services.is_locked_out(user.email, remote_addr)
    if locked:
        services.end_session(user.current_session_token, "locked_out")
    db.session.commit()
    return services.LOCKED if locked else WRONG_PASSWORD


def require_recent_auth(minutes: int | None = None, back: str | None = None):
    """Decorate a view: without a password within `minutes`, ask for it first.

    A POST that arrives too late is not carried out; the user confirms the
    password and comes back to a GET page to submit again: the endpoint `back`
    (built with the view's arguments), or else the request's own path.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not authenticated_recently(minutes):
                flash("Bekräfta med ditt lösenord för att fortsätta.", "info")
                if back is not None:
                    target = url_for(back, **kwargs)
                else:
                    target = request.full_path if request.method == "GET" else request.path
                return redirect(url_for("twofactor.reauthenticate", next=target.rstrip("?")))
            return view(*args, **kwargs)

        return wrapped

    return decorator
