"""E-mail invitations (METHOD:REQUEST/CANCEL) and calendar HTTP responses."""

import hashlib
from email.utils import format_datetime as http_date

from flask import Response, current_app, request
from sqlalchemy import select

from tracker.auth.models import User
from tracker.core.errors import render_error
from tracker.core.timeutil import STOCKHOLM
from tracker.extensions import db
from tracker.meetings.ical import download_calendar, invitation_calendar
from tracker.meetings.models import Meeting
from tracker.notifications.mail import send_mail

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def recipient_ids(meetings: list[Meeting]) -> dict[int, set[int]]:
    from tracker.jobs.reminders import meeting_recipients

    return {mid: {u.id for u in users} for mid, users in meeting_recipients(meetings).items()}


def send_uninvitations(meetings: list[Meeting], before: dict[int, set[int]]) -> int:
    """Users no longer invited after a change get METHOD:CANCEL for that meeting."""
    now = recipient_ids(meetings)
    removed = {m.id: before.get(m.id, set()) - now.get(m.id, set()) for m in meetings}
    if not any(removed.values()):
        return 0
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(set().union(*removed.values()))))
    }
    return send_invitations(
        meetings, "CANCEL", {mid: [users[i] for i in ids] for mid, ids in removed.items()}
    )


def send_invitations(meetings: list[Meeting], method: str, recipients: dict | None = None) -> int:
    """Mail each invited user (and users of invited organisations) an invitation.

    The mail names no individual: only the meeting, its time, place and a link."""
    from tracker.jobs.reminders import meeting_recipients

    recipients = recipients if recipients is not None else meeting_recipients(meetings)
    sender = current_app.config.get("MAIL_FROM", "puls@localhost")
    sent = 0
    for meeting in meetings:
        local = meeting.starts_at.astimezone(STOCKHOLM)
        verb = "Inbjudan"
        if method == "CANCEL":
            verb = "Inställt" if meeting.is_cancelled else "Du är inte längre inbjuden"
        subject = f"{verb}: {meeting.title} {local:%Y-%m-%d %H:%M}"
        body = f"{meeting.kind.label} {local:%Y-%m-%d} kl. {local:%H:%M}.\nDetaljer i Puls: "
        body += f"{base_url().rstrip('/')}/moten/{meeting.id}"
        if method == "CANCEL" and meeting.cancel_reason:
            body = "Mötet är inställt.\n" + body
        for user in recipients.get(meeting.id, []):
            ics = invitation_calendar(meeting, method, base_url(), sender, user.email)
            send_mail(user.email, subject, body, calendar=(method, ics))
            sent += 1
    return sent


def calendar_response(meetings: list[Meeting], filename: str | None = None) -> Response:
    body = download_calendar(meetings, base_url())
    return conditional_calendar(body, max((m.calendar_changed_at for m in meetings), default=None), filename)


def calendar_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def conditional_calendar(
    body: bytes, last_modified, filename: str | None = None, etag: str | None = None
) -> Response:
    """ETag and Last-Modified; 304 when the client already has these bytes.

    `etag`, when given, is the caller's `calendar_etag(body)`."""
    etag = etag or calendar_etag(body)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR_TYPE
    response.set_etag(etag)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified.replace(microsecond=0), usegmt=True)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def not_found():
    return render_error(404)
