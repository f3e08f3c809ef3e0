"""Agenda places and meeting case notes in the register extract and in retention.

Imported by tracker/meetings/views.py. One query per extract section.
"""

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.meetings.models import AgendaCase, Meeting, MeetingCaseNote
from tracker.people.extract import extract_section
from tracker.people.models import Individual
from tracker.people.retention import ANONYMISED_NAME, anonymiser


@extract_section("meeting_agenda", "Möten där ärendet stod på dagordningen", order=60)
def agenda_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(Meeting, AgendaCase.created_at)
        .join(AgendaCase, AgendaCase.meeting_id == Meeting.id)
        .where(AgendaCase.individual_id == individual.id)
        .order_by(Meeting.starts_at, Meeting.id)
    ).unique()
    return [
        {
            "Möte": m.title,
            "Typ": m.kind.label,
            "Tid": m.starts_at,
            "Status": m.status.label,
            "Tillagt på dagordningen": added,
        }
        for m, added in rows
    ]


@extract_section("meeting_notes", "Mötesanteckningar", order=61)
def meeting_notes_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(MeetingCaseNote)
        .where(MeetingCaseNote.individual_id == individual.id)
        .order_by(MeetingCaseNote.id)
    ).unique()
    return [
        {
            "Möte": n.meeting.title,
            "Tid": n.meeting.starts_at,
            "Anteckning": n.note,
            "Nästa steg": n.next_steps,
            "Skriven": n.created_at,
        }
        for n in rows
    ]


@anonymiser("meetings")
def clear_meeting_case_notes(individual: Individual) -> None:
    db.session.execute(
        update(MeetingCaseNote)
        .where(MeetingCaseNote.individual_id == individual.id)
        .values(note=ANONYMISED_NAME, next_steps=None)
    )
