"""Creating, changing, cancelling meetings and series. Services flush; requests commit."""

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, User
from tracker.core.editing import STALE_MESSAGE, StaleEdit, check_version
from tracker.core.errors import ValidationError
from tracker.core.personnummer import PERSONNUMMER_LIKE
from tracker.core.timeutil import STOCKHOLM, now_utc
from tracker.extensions import db
from tracker.meetings.models import (
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingMode,
    MeetingSeries,
    MeetingStatus,
    RepeatRule,
)
from tracker.meetings.timing import MAX_OCCURRENCES, local_to_utc, occurrence_dates

SCOPE_THIS = "this"
# What looks like a personnummer/samordningsnummer must never reach a calendar.
SCOPE_FOLLOWING = "following"


@dataclass
class MeetingData:
    title: str
    kind: str
    day: date | None
    start_time: time | None
    end_time: time | None
    mode: str
    meeting_link: str | None = None
    address: str | None = None
    organisation_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)


@dataclass
class RepeatData:
    rule: str
    interval: int | None
    until_on: date | None = None
    count: int | None = None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _validate(data: MeetingData, with_day: bool = True) -> dict:
    errors: dict[str, str] = {}
    values: dict = {"title": _clean(data.title)}
    if not values["title"]:
        errors["title"] = "Ange en rubrik."
    elif len(values["title"]) > 200:
        errors["title"] = "Högst 200 tecken."
    for name in ("title", "address", "meeting_link"):
        if PERSONNUMMER_LIKE.search(_clean(getattr(data, name))):
            errors[name] = "Skriv inga personnummer här: uppgiften syns i kalendrar utanför Puls."
    try:
        values["kind"] = MeetingKind(data.kind)
    except ValueError:
        errors["kind"] = "Välj typ av möte i listan."
    try:
        values["mode"] = MeetingMode(data.mode)
    except ValueError:
        errors["mode"] = "Välj mötesform i listan."
        values["mode"] = None
    link = (data.meeting_link or "").strip()
    address = _clean(data.address)
    if link and not link.startswith("https://"):
        errors["meeting_link"] = "Möteslänken ska börja med https://."
    if len(link) > 500:
        errors["meeting_link"] = "Högst 500 tecken."
    if len(address) > 300:
        errors["address"] = "Högst 300 tecken."
    if values["mode"] in (MeetingMode.DIGITAL, MeetingMode.BOTH) and not link:
        errors.setdefault("meeting_link", "Ange möteslänk för digitala möten.")
    if values["mode"] in (MeetingMode.ON_SITE, MeetingMode.BOTH) and not address:
        errors["address"] = "Ange adress för möten på plats."
    values["meeting_link"] = link or None
    values["address"] = address or None
    if with_day and data.day is None:
        errors["day"] = "Ange datum (ÅÅÅÅ-MM-DD)."
    if data.start_time is None:
        errors["start_time"] = "Ange starttid (TT:MM)."
    if data.end_time is None:
        errors["end_time"] = "Ange sluttid (TT:MM)."
    elif data.start_time is not None and data.end_time <= data.start_time:
        errors["end_time"] = "Sluttiden måste vara efter starttiden."
    orgs = (
        db.session.scalars(select(Organisation).where(Organisation.id.in_(data.organisation_ids))).all()
        if data.organisation_ids
        else []
    )
    users = db.session.scalars(select(User).where(User.id.in_(data.user_ids))).all() if data.user_ids else []
    if len(orgs) != len(set(data.organisation_ids)) or len(users) != len(set(data.user_ids)):
        errors["organisation_ids"] = "Välj inbjudna i listorna."
    if not orgs and not users:
        errors["organisation_ids"] = "Bjud in minst en organisation eller person."
    values["orgs"], values["users"] = orgs, users
    if errors:
        raise ValidationError(errors)
    return values


def _times(day: date, data: MeetingData):
    errors = {}
    starts_at = ends_at = None
    try:
        starts_at = local_to_utc(day, data.start_time, "start_time")
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        ends_at = local_to_utc(day, data.end_time, "end_time")
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return starts_at, ends_at


def _set_invitations(meeting: Meeting, orgs, users) -> None:
    meeting.invitations = [MeetingInvitation(organisation=o) for o in orgs] + [
        MeetingInvitation(user=u) for u in users
    ]


def _apply(meeting: Meeting, values: dict) -> None:
    for name in ("title", "kind", "mode", "meeting_link", "address"):
        setattr(meeting, name, values[name])
    _set_invitations(meeting, values["orgs"], values["users"])


def touch(meeting: Meeting) -> None:
    """A change calendar clients must see: SEQUENCE +1 and a new LAST-MODIFIED."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.calendar_changed_at = now_utc()


def create_meeting(data: MeetingData, organiser: User) -> Meeting:
    values = _validate(data)
    starts_at, ends_at = _times(data.day, data)
    now = now_utc()
    meeting = Meeting(
        starts_at=starts_at,
        ends_at=ends_at,
        organiser=organiser,
        created_by_id=organiser.id,
        sequence=0,
        calendar_changed_at=now,
        created_at=now,
    )
    _apply(meeting, values)
    db.session.add(meeting)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=meeting)
    return meeting


def validate_repeat(repeat: RepeatData, first_on: date | None) -> list[date]:
    errors = {}
    try:
        rule = RepeatRule(repeat.rule)
    except ValueError:
        raise ValidationError({"repeat": "Välj hur mötet upprepas."}) from None
    if not repeat.interval or not 1 <= repeat.interval <= 12:
        errors["interval"] = "Ange ett intervall mellan 1 och 12."
    if (repeat.until_on is None) == (repeat.count is None):
        errors["until_on"] = "Ange antingen ett slutdatum eller ett antal tillfällen."
    if repeat.count is not None and not 2 <= repeat.count <= MAX_OCCURRENCES:
        errors["count"] = f"Antalet tillfällen ska vara 2–{MAX_OCCURRENCES}."
    if repeat.until_on and first_on and repeat.until_on <= first_on:
        errors["until_on"] = "Slutdatumet måste vara efter första mötet."
    if errors or first_on is None:
        raise ValidationError(errors or {"day": "Ange datum (ÅÅÅÅ-MM-DD)."})
    # One more than allowed: an end date that far away is refused, not cut short unsaid.
    days = occurrence_dates(
        rule, repeat.interval, first_on, repeat.until_on, repeat.count, limit=MAX_OCCURRENCES + 1
    )
    if len(days) > MAX_OCCURRENCES:
        raise ValidationError(
            {
                "until_on": f"En serie kan ha högst {MAX_OCCURRENCES} tillfällen; med det här "
                f"slutdatumet blir det fler. Välj ett tidigare slutdatum."
            }
        )
    return days


def create_series(data: MeetingData, repeat: RepeatData, organiser: User) -> MeetingSeries:
    values = _validate(data)
    days = validate_repeat(repeat, data.day)
    errors = {}
    occurrences = []
    for day in days:
        try:
            occurrences.append((day, *_times(day, data)))
        except ValidationError as exc:
            errors.update({k: f"{day.isoformat()}: {v}" for k, v in exc.errors.items()})
    if errors:
        raise ValidationError(errors)
    now = now_utc()
    series = MeetingSeries(
        title=values["title"],
        rule=RepeatRule(repeat.rule),
        repeat_every=repeat.interval,
        first_on=data.day,
        until_on=repeat.until_on,
        occurrence_count=repeat.count,
        organiser=organiser,
        created_by_id=organiser.id,
        changed_at=now,
    )
    db.session.add(series)
    for _day, starts_at, ends_at in occurrences:
        meeting = Meeting(
            starts_at=starts_at,
            ends_at=ends_at,
            organiser=organiser,
            created_by_id=organiser.id,
            series=series,
            sequence=0,
            calendar_changed_at=now,
            created_at=now,
        )
        _apply(meeting, values)
        db.session.add(meeting)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=series, details=f"occurrences={len(occurrences)}")
    return series


def following(meeting: Meeting) -> list[Meeting]:
    """This occurrence and the later ones of its series that are not cancelled or held."""
    if meeting.series_id is None:
        return [meeting]
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.series_id == meeting.series_id,
                Meeting.starts_at >= meeting.starts_at,
                Meeting.status == MeetingStatus.PLANNED,
            )
            .order_by(Meeting.starts_at)
        )
    )


def update_meeting(meeting: Meeting, data: MeetingData, version, scope: str = SCOPE_THIS) -> list[Meeting]:
    """Change one meeting, or this and the following occurrences of its series.

    For "following", the date of each occurrence is kept and the new times
    of day, title, place and invitations apply to all of them."""
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"title": "Bara planerade möten kan ändras."})
    check_version(meeting, version)
    values = _validate(data, with_day=scope == SCOPE_THIS)
    targets = [meeting] if scope == SCOPE_THIS else following(meeting)
    changes = []
    for target in targets:
        day = data.day if scope == SCOPE_THIS else target.starts_at.astimezone(STOCKHOLM).date()
        starts_at, ends_at = _times(day, data)
        changes.append((target, starts_at, ends_at))
    for target, starts_at, ends_at in changes:
        target.starts_at, target.ends_at = starts_at, ends_at
        _apply(target, values)
        touch(target)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit(STALE_MESSAGE) from None
    if meeting.series is not None and scope == SCOPE_FOLLOWING:
        meeting.series.changed_at = now_utc()
    for target in targets:
        audit_record(AuditAction.UPDATE, obj=target, details=f"scope={scope}")
    return targets


def cancel_meeting(meeting: Meeting, reason: str, scope: str = SCOPE_THIS) -> list[Meeting]:
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"reason": "Ange varför mötet ställs in."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Högst 500 tecken."})
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"reason": "Mötet är redan inställt eller genomfört."})
    targets = [meeting] if scope == SCOPE_THIS else following(meeting)
    for target in targets:
        target.status = MeetingStatus.CANCELLED
        target.cancel_reason = reason
        touch(target)
        audit_record(AuditAction.UPDATE, obj=target, details=f"cancelled; scope={scope}")
    if meeting.series is not None:
        meeting.series.changed_at = now_utc()
    db.session.flush()
    return targets
