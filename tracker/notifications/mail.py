"""A small mail sender: SMTP in production, a database outbox in development.

SMTP mails are sent only after the surrounding transaction commits, so a
rolled-back request or job sends nothing (and a reminder whose unique row
was not committed is never mailed).
"""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.notifications.models import OutboxMail

_PENDING = "puls_pending_mails"


def build_message(recipient: str, subject: str, body: str, calendar: tuple[str, bytes] | None = None):
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM", "puls@localhost")
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    if calendar is not None:
        method, ics = calendar
        # The MIME part's method must match the calendar's METHOD (Outlook's Accept/Decline).
        message.add_alternative(
            ics.decode("utf-8"), subtype="calendar", params={"method": method}, charset="utf-8"
        )
    return message


def send_mail(recipient: str, subject: str, body: str, calendar: tuple[str, bytes] | None = None) -> None:
    backend = current_app.config.get("MAIL_BACKEND", "outbox")
    if backend == "outbox":
        db.session.add(
            OutboxMail(
                recipient=recipient,
                subject=subject,
                body=body,
                calendar_method=calendar[0] if calendar else None,
                calendar=calendar[1].decode("utf-8") if calendar else None,
            )
        )
        db.session.flush()
        return
    message = build_message(recipient, subject, body, calendar)
    db.session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), message))


def _deliver(app, message: EmailMessage) -> None:
    config = app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    pending = session.info.pop(_PENDING, [])
    for app, message in pending:
        try:
            _deliver(app, message)
        except (OSError, smtplib.SMTPException) as exc:
            app.logger.error("mail delivery failed: %s", type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session) -> None:
    session.info.pop(_PENDING, None)
