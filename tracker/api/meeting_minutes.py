"""API: a meeting's agenda and minutes (same agenda builder and minutes services as
tracker/meetings/views_agenda.py: cases are named only when every party at the table
may see them, otherwise counted)."""

from datetime import datetime

from flask import abort
from flask_login import current_user
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api.core import ApiModel, operation
from tracker.api.schemas import DbId
from tracker.consent.categories import Action, Category
from tracker.consent.policy import require_role
from tracker.core.errors import ValidationError
from tracker.extensions import db
from tracker.meetings import minutes
from tracker.meetings.agenda import CONSENT_PROMPT, shown_agenda
from tracker.meetings.minutes import CASE_EDITOR_ROLES
from tracker.meetings.models import AgendaCase, AgendaPoint, Meeting, MeetingCaseNote, MeetingStatus
from tracker.meetings.queries import get_meeting_or_404
from tracker.people.queries import get_individual_or_404


class CaseRef(ApiModel):
    id: str = Field(description="Individens publika id")
    name: str
    details: list[str] = Field(default_factory=list)


class AgendaSectionOut(ApiModel):
    key: str
    title: str
    named: list[CaseRef]
    hidden_count: int = Field(description="Ärenden som inte får nämnas för alla vid bordet (bara antal).")
    own_unnamed: list[CaseRef] = Field(
        description="Av de dolda: ärenden du själv ansvarar för (så att du kan inhämta samtycke)."
    )


class PointOut(ApiModel):
    id: int
    text: str


class PartyOut(ApiModel):
    id: int
    name: str


class AgendaOut(ApiModel):
    meeting_id: int
    status: MeetingStatus
    points: list[PointOut]
    sections: list[AgendaSectionOut]
    parties: list[PartyOut]
    hidden_total: int
    consent_prompt: str | None


class PointIn(ApiModel):
    text: str = Field(min_length=1, max_length=500)


class CaseNoteIn(ApiModel):
    individual: str = Field(min_length=1, max_length=64, description="Individens publika id")
    note: str = Field(min_length=1, max_length=5000)
    next_steps: str | None = Field(None, max_length=2000)


class CaseNoteOut(ApiModel):
    id: int
    meeting_id: int
    individual: str
    note: str
    next_steps: str | None
    created_at: datetime


class CaseIn(ApiModel):
    individual: str = Field(min_length=1, max_length=64, description="Individens publika id")


class AgendaCaseOut(ApiModel):
    id: int
    meeting_id: int
    individual: str


class MinutesOut(ApiModel):
    meeting_id: int
    status: MeetingStatus
    held_at: datetime | None
    general_notes: str | None
    decisions: str | None
    other_attendees: str | None
    present_user_ids: list[int]
    case_notes: list[CaseNoteOut] = Field(description="Anteckningar du får läsa")
    hidden_notes: int = Field(description="Anteckningar som inte visas för dig (bara antal)")


class HeldIn(ApiModel):
    general_notes: str | None = Field(None, max_length=20000)
    decisions: str | None = Field(None, max_length=20000)
    present_user_ids: list[DbId] = Field(default_factory=list, max_length=200)
    other_attendees: str | None = Field(None, max_length=1000)


class HeldOut(ApiModel):
    meeting_id: int
    status: MeetingStatus
    held_at: datetime | None
    present_user_ids: list[int]


def _meeting(manage: bool = False, editor: bool = False):
    def load(meeting_id: int, **_):
        meeting = get_meeting_or_404(meeting_id, manage=manage)
        if editor:
            require_role(current_user, *CASE_EDITOR_ROLES)
        return {"meeting": meeting}

    return load


def _point(meeting_id: int, point_id: int, **_):
    meeting = get_meeting_or_404(meeting_id, manage=True)
    point = db.session.get(AgendaPoint, point_id)
    if point is None or point.meeting_id != meeting.id:
        abort(404)
    return {"point": point}


def _agenda_case(meeting_id: int, row_id: int, **_):
    meeting = get_meeting_or_404(meeting_id)
    row = db.session.get(AgendaCase, row_id)
    if row is None or row.meeting_id != meeting.id:
        abort(404)
    return {"row": row}


def _note_out(note: MeetingCaseNote) -> dict:
    return {
        "id": note.id,
        "meeting_id": note.meeting_id,
        "individual": note.individual.public_id,
        "note": note.note,
        "next_steps": note.next_steps,
        "created_at": note.created_at,
    }


def _case(individual, details=()) -> dict:
    return {"id": individual.public_id, "name": individual.full_name, "details": [d for d in details if d]}


@operation(
    "/meetings/<int:meeting_id>/agenda",
    "GET",
    summary="Dagordningen (ärenden nämns bara om alla vid bordet får se dem, annars räknas de)",
    tag="Möten",
    response=AgendaOut,
    access=_meeting(),
)
def get_agenda(meeting_id: int, meeting: Meeting):
    agenda = shown_agenda(meeting, current_user, via_api=True)
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "points": [{"id": p.id, "text": p.text} for p in agenda.points],
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "named": [_case(c.individual, c.details) for c in s.named],
                "hidden_count": s.hidden_count,
                "own_unnamed": [_case(i) for i in s.own_hidden],
            }
            for s in agenda.sections
        ],
        "parties": [{"id": o.id, "name": o.name} for o in agenda.parties],
        "hidden_total": agenda.hidden_total,
        "consent_prompt": CONSENT_PROMPT if agenda.hidden_total and not agenda.counts_only else None,
    }


@operation(
    "/meetings/<int:meeting_id>/agenda/points",
    "POST",
    summary="Lägg till en fri punkt på dagordningen",
    tag="Möten",
    body=PointIn,
    response=PointOut,
    status=201,
    access=_meeting(manage=True),
)
def add_agenda_point(meeting_id: int, body: PointIn, meeting: Meeting):
    point = minutes.add_point(meeting, body.text, current_user)
    return {"id": point.id, "text": point.text}


@operation(
    "/meetings/<int:meeting_id>/agenda/points/<int:point_id>",
    "DELETE",
    summary="Ta bort en fri punkt från dagordningen",
    tag="Möten",
    status=204,
    access=_point,
)
def remove_agenda_point(meeting_id: int, point_id: int, point: AgendaPoint):
    minutes.remove_point(point)


@operation(
    "/meetings/<int:meeting_id>/case-notes",
    "POST",
    summary="Anteckna om ett ärende i protokollet (kräver rätt till mötesanteckningar för ärendet)",
    tag="Möten",
    body=CaseNoteIn,
    response=CaseNoteOut,
    status=201,
    errors=(404,),
    access=_meeting(editor=True),
)
def add_case_note(meeting_id: int, body: CaseNoteIn, meeting: Meeting):
    individual = get_individual_or_404(body.individual, Action.EDIT, Category.MEETING_NOTES)
    note = minutes.add_case_note(meeting, individual, body.note, body.next_steps, current_user)
    return _note_out(note)


@operation(
    "/meetings/<int:meeting_id>/agenda/cases",
    "POST",
    summary="Sätt upp ett ärende på dagordningen (din enhet ansvarar för ärendet)",
    tag="Möten",
    body=CaseIn,
    response=AgendaCaseOut,
    status=201,
    errors=(404,),
    access=_meeting(editor=True),
)
def add_agenda_case(meeting_id: int, body: CaseIn, meeting: Meeting):
    individual = get_individual_or_404(body.individual, Action.EDIT, Category.MEETING_NOTES)
    row = minutes.add_case(meeting, individual, current_user)
    return {"id": row.id, "meeting_id": meeting.id, "individual": individual.public_id}


@operation(
    "/meetings/<int:meeting_id>/agenda/cases/<int:row_id>",
    "DELETE",
    summary="Ta bort ett ärende från dagordningen",
    tag="Möten",
    status=204,
    access=_agenda_case,
)
def remove_agenda_case(meeting_id: int, row_id: int, row: AgendaCase):
    minutes.remove_case(row, current_user)


@operation(
    "/meetings/<int:meeting_id>/minutes",
    "GET",
    summary="Protokollet (ärendeanteckningar bara om du får läsa dem, annars räknas de)",
    tag="Möten",
    response=MinutesOut,
    access=_meeting(),
)
def get_minutes(meeting_id: int, meeting: Meeting):
    notes = db.session.scalars(
        select(MeetingCaseNote)
        .where(MeetingCaseNote.meeting_id == meeting.id)
        .options(selectinload(MeetingCaseNote.individual))
        .order_by(MeetingCaseNote.id)
    ).all()
    visible = minutes.visible_case_notes(current_user, meeting, list(notes), via_api=True)
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "held_at": meeting.held_at,
        "general_notes": meeting.general_notes,
        "decisions": meeting.decisions,
        "other_attendees": meeting.other_attendees,
        "present_user_ids": sorted(a.user_id for a in meeting.attendances),
        "case_notes": [_note_out(n) for n in visible],
        "hidden_notes": len(notes) - len(visible),
    }


@operation(
    "/meetings/<int:meeting_id>/held",
    "POST",
    summary="Markera mötet som genomfört (protokollet stängs)",
    tag="Möten",
    body=HeldIn,
    response=HeldOut,
    access=_meeting(manage=True),
)
def mark_held(meeting_id: int, body: HeldIn, meeting: Meeting):
    allowed = {meeting.organiser_id} | {i.user_id for i in meeting.invitations if i.user_id}
    unknown = [uid for uid in body.present_user_ids if uid not in allowed]
    if unknown:
        raise ValidationError({"present_user_ids": "Välj närvarande bland mötets inbjudna."})
    minutes.mark_held(
        meeting, body.general_notes, body.decisions, body.present_user_ids, body.other_attendees
    )
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "held_at": meeting.held_at,
        "present_user_ids": sorted(a.user_id for a in meeting.attendances),
    }
