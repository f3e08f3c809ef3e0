"""The case timeline: one chronological view of an individual, each entry filtered by the policy.

Sources: certificates, FK decisions, bevakningar, consents, the plan and its
insatser, and the meetings where the case was on the agenda or noted
(Category.MEETING_NOTES). Each source reads with a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.auth.models import User
from tracker.benefits.models import Certificate, FkDecision, FollowUp, Outcome
from tracker.consent.categories import Category
from tracker.consent.models import Consent
from tracker.consent.policy import CaseFacts, visible_categories
from tracker.core.timeutil import to_local
from tracker.extensions import db
from tracker.meetings.models import AgendaCase, Meeting, MeetingCaseNote, MeetingStatus
from tracker.people.models import Individual
from tracker.plans.models import CarePlan, Insats, InsatsStatusChange


@dataclass
class Entry:
    on: date
    kind: str
    text: str
    category: Category
    order: int = 0


def _certificates(individual_id: int) -> list[Entry]:
    entries = []
    for c in db.session.scalars(select(Certificate).where(Certificate.individual_id == individual_id)):
        entries.append(
            Entry(
                c.issued_on,
                "Läkarutlåtande",
                f"Utfärdat ({c.certificate_type.label}) på {c.clinic.name}",
                Category.CERTIFICATES,
            )
        )
        if c.sent_to_fk_on:
            entries.append(
                Entry(c.sent_to_fk_on, "Läkarutlåtande", "Skickat till FK", Category.CERTIFICATES, 1)
            )
    return entries


def _decisions(individual_id: int) -> list[Entry]:
    entries = []
    for d in db.session.scalars(select(FkDecision).where(FkDecision.individual_id == individual_id)).unique():
        on = d.decided_on or to_local(d.created_at).date()
        text = d.outcome.label
        if d.level:
            text += f", {d.level.label.lower()}"
        if d.period_start and d.period_end:
            text += f", period {d.period_start.isoformat()}–{d.period_end.isoformat()}"
        if d.outcome == Outcome.PENDING:
            text = "Ärendet registrerat, ej beslutat"
        entries.append(
            Entry(on, "FK-beslut", f"{text} (handläggare {d.officer.full_name})", Category.FK_RECORDS)
        )
    return entries


def _follow_ups(individual_id: int) -> list[Entry]:
    entries = []
    for f in db.session.scalars(select(FollowUp).where(FollowUp.individual_id == individual_id)).unique():
        entries.append(
            Entry(
                to_local(f.created_at).date(),
                "Bevakning",
                f"Lagd av {f.owner.full_name}: {f.reason.label}, förfaller {f.due_on.isoformat()}",
                Category.FK_RECORDS,
            )
        )
        if f.done_on:
            entries.append(Entry(f.done_on, "Bevakning", "Klarmarkerad", Category.FK_RECORDS, 1))
    return entries


def _consents(individual_id: int) -> list[Entry]:
    entries = []
    rows = db.session.scalars(
        select(Consent).where(Consent.individual_id == individual_id, Consent.superseded_at.is_(None))
    )
    for c in rows:
        until = f", giltigt till {c.valid_until.isoformat()}" if c.valid_until else ", tills vidare"
        entries.append(
            Entry(c.given_on, "Samtycke", f"Lämnat ({c.form.label.lower()}){until}", Category.IDENTITY)
        )
        if c.withdrawn_on:
            entries.append(Entry(c.withdrawn_on, "Samtycke", "Återkallat", Category.IDENTITY, 1))
    return entries


def _plan(individual_id: int) -> list[Entry]:
    entries = []
    plan = db.session.scalar(select(CarePlan).where(CarePlan.individual_id == individual_id))
    if plan is None:
        return entries
    entries.append(Entry(plan.established_on, "Vårdplan", "Vårdplan upprättad", Category.PLAN))
    if plan.is_sip and plan.sip_meeting_on:
        names = ", ".join(o.name for o in plan.sip_organisations)
        entries.append(Entry(plan.sip_meeting_on, "SIP", f"SIP-möte med {names}", Category.PLAN))
    changes = db.session.execute(
        select(InsatsStatusChange, Insats.what)
        .join(Insats, Insats.id == InsatsStatusChange.insats_id)
        .where(InsatsStatusChange.individual_id == individual_id)
    ).all()
    for change, what in changes:
        if change.from_status is None:
            text = f"Insats ”{what}” registrerad som {change.to_status.label.lower()}"
        else:
            text = f"Insats ”{what}”: {change.from_status.label.lower()} → {change.to_status.label.lower()}"
        if change.reason:
            text += f" ({change.reason})"
        entries.append(Entry(change.changed_on, "Insats", text, Category.PLAN, 2))
    return entries


def _meetings(individual_id: int) -> list[Entry]:
    """ "Discussed at meeting X": its case notes, or its place on a (not cancelled) meeting's agenda."""
    entries = []
    noted: set[int] = set()
    notes = db.session.scalars(
        select(MeetingCaseNote)
        .where(MeetingCaseNote.individual_id == individual_id)
        .order_by(MeetingCaseNote.id)
    ).unique()
    for note in notes:
        meeting = note.meeting
        noted.add(meeting.id)
        text = f"Togs upp på {meeting.kind.label.lower()} ”{meeting.title}”: {note.note}"
        if note.next_steps:
            text += f" Nästa steg: {note.next_steps}"
        entries.append(Entry(to_local(meeting.starts_at).date(), "Möte", text, Category.MEETING_NOTES))
    agenda = db.session.scalars(
        select(Meeting)
        .join(AgendaCase, AgendaCase.meeting_id == Meeting.id)
        .where(AgendaCase.individual_id == individual_id, Meeting.status != MeetingStatus.CANCELLED)
    ).unique()
    for meeting in agenda:
        if meeting.id in noted:
            continue
        verb = "Togs upp på" if meeting.status == MeetingStatus.HELD else "På dagordningen för"
        entries.append(
            Entry(
                to_local(meeting.starts_at).date(),
                "Möte",
                f"{verb} {meeting.kind.label.lower()} ”{meeting.title}”",
                Category.MEETING_NOTES,
            )
        )
    return entries


SOURCES = [
    (Category.CERTIFICATES, _certificates),
    (Category.FK_RECORDS, _decisions),
    (Category.FK_RECORDS, _follow_ups),
    (Category.IDENTITY, _consents),
    (Category.PLAN, _plan),
    (Category.MEETING_NOTES, _meetings),
]


def timeline(user: User, individual: Individual, facts: CaseFacts) -> tuple[list[Entry], set[Category]]:
    """Entries newest first, only from the categories the user may view; and those categories."""
    allowed = visible_categories(user, individual, facts)
    entries: list[Entry] = []
    for category, source in SOURCES:
        if category in allowed:
            entries.extend(source(individual.id))
    entries.sort(key=lambda e: (e.on, e.order), reverse=True)
    return entries, allowed
