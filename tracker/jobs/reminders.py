"""Reminder jobs: the daily digest and meeting reminders. Safe to run again.

Digest sections are pluggable like agenda sections: a builder returns
`DigestItem`s for one user. Items name no person and carry no personnummer:
a date, a short text and a link into Puls (which checks access again).

    @digest_section("bevakningar", "Bevakningar som förfaller", order=20)
    def bevakningar(users, on) -> dict[int, list[DigestItem]]: ...
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, select, text

from tracker.auth.models import Organisation, Role, User
from tracker.consent.models import Consent
from tracker.core.timeutil import STOCKHOLM, now_utc, today_local
from tracker.extensions import db
from tracker.meetings.models import Meeting, MeetingStatus
from tracker.notifications.services import notify_once
from tracker.people.models import Individual

DIGEST_LOCK = 7_362_201
MEETING_LOCK = 7_362_202


@dataclass
class DigestItem:
    text: str
    link: str | None = None


@dataclass
class DigestSection:
    key: str
    title: str
    order: int
    builder: Callable[[list[User], date], dict[int, list[DigestItem]]]


DIGEST_SECTIONS: dict[str, DigestSection] = {}


def digest_section(key: str, title: str, order: int = 100):
    def register(func):
        DIGEST_SECTIONS[key] = DigestSection(key, title, order, func)
        return func

    return register


def _lock(key: int) -> None:
    """Serialise concurrent runs on PostgreSQL; the unique key is the real guarantee."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@digest_section("consents", "Samtycken som går ut", order=10)
def consents_expiring(users: list[User], on: date) -> dict[int, list[DigestItem]]:
    """For the responsible unit: active consents whose validity ends soon."""
    until = on + timedelta(days=current_app.config.get("CONSENT_EXPIRING_DAYS", 30))
    rows = db.session.execute(
        select(Consent.valid_until, Individual.public_id, Individual.clinic_id, Individual.coordinator_id)
        .join(Individual, Individual.id == Consent.individual_id)
        .where(
            Consent.superseded_at.is_(None),
            Consent.withdrawn_on.is_(None),
            Consent.valid_until >= on,
            Consent.valid_until <= until,
        )
        .order_by(Consent.valid_until, Individual.public_id)
    ).all()
    result: dict[int, list[DigestItem]] = defaultdict(list)
    for user in users:
        if user.role not in (Role.REHABKOORDINATOR, Role.SAMORDNARE):
            continue
        # Mail leaves the organisation: a count and the worklist link, never an id.
        mine = sum(
            1
            for _valid_until, _public_id, clinic_id, coordinator_id in rows
            if clinic_id == user.organisation_id or coordinator_id == user.id
        )
        if mine:
            result[user.id].append(DigestItem(f"{mine} samtycken går ut snart", "/samtycken/utgaende"))
    return result


@digest_section("meetings", "Dina möten de närmaste dagarna", order=90)
def meetings_soon(users: list[User], on: date) -> dict[int, list[DigestItem]]:
    """Planned and cancelled meetings in the coming days for everyone invited (fixed queries)."""
    days = current_app.config.get("MEETING_REMINDER_DAYS", 2)
    start = datetime.combine(on, time(), tzinfo=STOCKHOLM)
    end = datetime.combine(on + timedelta(days=days + 1), time(), tzinfo=STOCKHOLM)
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.status != MeetingStatus.HELD)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    wanted = {user.id for user in users}
    result: dict[int, list[DigestItem]] = defaultdict(list)
    recipients_by_meeting = meeting_recipients(meetings)
    for meeting in meetings:
        local = meeting.starts_at.astimezone(STOCKHOLM)
        prefix = "INSTÄLLT: " if meeting.status == MeetingStatus.CANCELLED else ""
        item = DigestItem(f"{prefix}{meeting.title} {local:%Y-%m-%d %H:%M}", f"/moten/{meeting.id}")
        for user in recipients_by_meeting[meeting.id]:
            if user.id in wanted:
                result[user.id].append(item)
    return result


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.id)))


def send_daily_digests(on: date | None = None) -> int:
    on = on or today_local()
    _lock(DIGEST_LOCK)
    users = active_users()
    per_section = [
        (section, section.builder(users, on))
        for section in sorted(DIGEST_SECTIONS.values(), key=lambda s: s.order)
    ]
    sent = 0
    for user in users:
        parts = []
        count = 0
        for section, items_by_user in per_section:
            items = items_by_user.get(user.id)
            if not items:
                continue
            count += len(items)
            lines = [f"{section.title} ({len(items)}):"]
            lines += [f"- {item.text}" + (f" {_absolute(item.link)}" if item.link else "") for item in items]
            parts.append("\n".join(lines))
        if not parts:
            continue
        body = "Det här behöver din uppmärksamhet i Puls:\n\n" + "\n\n".join(parts)
        if notify_once(user, "digest", "digest", on, f"Puls: {count} saker att följa upp", body, "/"):
            sent += 1
    return sent


def _absolute(path: str) -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def meeting_recipients(meetings: list[Meeting]) -> dict[int, list[User]]:
    """Invited users, active users of invited organisations (and of their sub-organisations,
    e.g. an FK office under FK, as in `visible_meetings`), and the organiser (fixed queries)."""
    org_ids = {i.organisation_id for m in meetings for i in m.invitations if i.organisation_id}
    by_org: dict[int, list[User]] = defaultdict(list)
    if org_ids:
        users = db.session.scalars(
            select(User)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(
                or_(User.organisation_id.in_(org_ids), Organisation.parent_id.in_(org_ids)),
                User.is_active_account.is_(True),
            )
        )
        for user in users:
            by_org[user.organisation_id].append(user)
            if user.organisation.parent_id:
                by_org[user.organisation.parent_id].append(user)
    result = {}
    for meeting in meetings:
        users = {meeting.organiser.id: meeting.organiser}
        for invitation in meeting.invitations:
            if invitation.user_id:
                users[invitation.user.id] = invitation.user
            else:
                users.update({u.id: u for u in by_org[invitation.organisation_id]})
        result[meeting.id] = [u for u in users.values() if u.is_active]
    return result


def send_meeting_reminders(days_before: int | None = None) -> int:
    """Remind everyone invited N days (default 2) before; a late run still catches up."""
    days_before = days_before if days_before is not None else current_app.config["MEETING_REMINDER_DAYS"]
    _lock(MEETING_LOCK)
    now = now_utc()
    last_day = today_local() + timedelta(days=days_before + 1)
    horizon = datetime.combine(last_day, time(), tzinfo=STOCKHOLM)
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > now, Meeting.starts_at < horizon
            )
            .order_by(Meeting.starts_at)
        )
    )
    recipients = meeting_recipients(meetings)
    sent = 0
    for meeting in meetings:
        local = meeting.starts_at.astimezone(STOCKHOLM)
        subject = f"Påminnelse: {meeting.title} {local:%Y-%m-%d %H:%M}"
        body = (
            f"{meeting.kind.label} {local:%Y-%m-%d} kl. {local:%H:%M}.\n"
            "Dagordningen finns i Puls (inloggning krävs)."
        )
        for user in recipients[meeting.id]:
            if notify_once(
                user,
                "meeting_reminder",
                f"meeting:{meeting.id}",
                local.date(),
                subject,
                body,
                f"/moten/{meeting.id}/dagordning",
            ):
                sent += 1
    return sent
