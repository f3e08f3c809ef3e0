"""Notify a user at most once per (kind, object, day): row first, then mail."""

from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.mail import send_mail
from tracker.notifications.models import Notification


def absolute_url(path: str) -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def notify_once(
    user: User, kind: str, object_key: str, due_on: date, subject: str, body: str, link: str | None = None
) -> Notification | None:
    """Insert the notification row (unique key) and, only if that worked, mail it.

    A second run, or a second scheduler process, hits the unique constraint
    (on PostgreSQL it waits for the first transaction and then fails) and
    sends nothing. Mails go out after commit (see notifications/mail.py)."""
    row = Notification(
        user_id=user.id,
        kind=kind,
        object_key=object_key,
        due_on=due_on,
        subject=subject,
        body=body,
        link=link,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(row)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    text = body + (f"\n\n{absolute_url(link)}" if link else "")
    send_mail(user.email, subject, text + "\n\n/Puls (automatiskt meddelande)")
    return row
