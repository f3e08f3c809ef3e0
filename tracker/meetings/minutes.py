"""Agenda entries and minutes: free points, cases to discuss, case notes, marking held."""

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_each
from tracker.auth.models import Role, User
from tracker.consent.categories import Action, Category
from tracker.consent.policy import load_facts, may, require
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.meetings.models import (
    AgendaCase,
    AgendaPoint,
    Meeting,
    MeetingAttendance,
    MeetingCaseNote,
    MeetingStatus,
)
from tracker.people.models import Individual

# Who puts cases on an agenda and writes case notes (their unit is responsible for the case).
CASE_EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


def _text(value: str | None, field: str, limit: int, required: bool = True) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "Fältet måste fyllas i."})
    if len(value) > limit:
        raise ValidationError({field: f"Högst {limit} tecken."})
    return value or None


def _require_open(meeting: Meeting, field: str, change: str) -> None:
    """The agenda and the case notes change while the meeting is planned (before and during it).
    There is no addendum: marking it held closes the minutes, and a later note would read in the
    case's timeline as discussed at a meeting where it was not."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({field: f"Mötet är inställt; {change}."})
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({field: f"Mötet är genomfört och protokollet stängt; {change}."})


def add_point(meeting: Meeting, text: str, user: User) -> AgendaPoint:
    _require_open(meeting, "text", "punkter kan inte läggas till")
    point = AgendaPoint(meeting=meeting, text=_text(text, "text", 500), created_by_id=user.id)
    db.session.add(point)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=point)
    return point


def remove_point(point: AgendaPoint) -> None:
    _require_open(point.meeting, "text", "punkten kan inte tas bort")
    audit_record(AuditAction.DELETE, obj=point)
    db.session.delete(point)
    db.session.flush()


def add_case(meeting: Meeting, individual: Individual, user: User) -> AgendaCase:
    """Only the responsible unit puts a case on the agenda (policy: EDIT meeting notes)."""
    require(user, Action.EDIT, individual, Category.MEETING_NOTES)
    _require_open(meeting, "individual", "ärenden kan inte läggas till")
    exists = db.session.scalar(
        select(AgendaCase.id).where(
            AgendaCase.meeting_id == meeting.id, AgendaCase.individual_id == individual.id
        )
    )
    if exists:
        raise ValidationError({"individual": "Ärendet finns redan på dagordningen."})
    row = AgendaCase(meeting=meeting, individual_id=individual.id, created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=row, individual_id=individual.id)
    return row


def remove_case(row: AgendaCase, user: User) -> None:
    require(user, Action.EDIT, row.individual, Category.MEETING_NOTES)
    _require_open(row.meeting, "individual", "ärendet kan inte tas bort från dagordningen")
    audit_record(AuditAction.DELETE, obj=row, individual_id=row.individual_id)
    db.session.delete(row)
    db.session.flush()


def add_case_note(
    meeting: Meeting, individual: Individual, note: str, next_steps: str | None, user: User
) -> MeetingCaseNote:
    require(user, Action.EDIT, individual, Category.MEETING_NOTES)
    _require_open(meeting, "note", "anteckningar kan inte läggas till")
    row = MeetingCaseNote(
        meeting=meeting,
        individual_id=individual.id,
        note=_text(note, "note", 5000),
        next_steps=_text(next_steps, "next_steps", 2000, required=False),
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=row, individual_id=individual.id)
    return row


def visible_case_notes(
    user: User, meeting: Meeting, notes: list[MeetingCaseNote], via_api: bool = False
) -> list[MeetingCaseNote]:
    """The notes of the meeting the user may read (policy, batched); each person's notes read are
    audited on that person (loggkontroll, registerutdrag), in one batch."""
    ids = list({n.individual_id for n in notes})
    facts = load_facts(user, ids)
    visible = [
        n
        for n in notes
        if may(user, Action.VIEW, n.individual, Category.MEETING_NOTES, facts=facts[n.individual_id])
        and may(user, Action.VIEW, n.individual, Category.IDENTITY, facts=facts[n.individual_id])
    ]
    record_each(
        AuditAction.VIEW,
        [n.individual_id for n in visible],
        object_type="MeetingCaseNote",
        object_id=meeting.id,
        details=f"{'api ' if via_api else ''}meeting {meeting.id}",
    )
    return visible


def mark_held(
    meeting: Meeting,
    general_notes: str | None,
    decisions: str | None,
    present_user_ids: list[int],
    other_attendees: str | None,
) -> Meeting:
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"general_notes": "Mötet är redan stängt."})
    if meeting.starts_at > now_utc():
        raise ValidationError({"general_notes": "Mötet har inte börjat än."})
    meeting.general_notes = _text(general_notes, "general_notes", 20000, required=False)
    meeting.decisions = _text(decisions, "decisions", 20000, required=False)
    meeting.other_attendees = _text(other_attendees, "other_attendees", 1000, required=False)
    meeting.attendances = [
        MeetingAttendance(user_id=uid, present=True) for uid in sorted(set(present_user_ids))
    ]
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now_utc()
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=meeting, details="held")
    return meeting
