"""Agendas built from the data, with pluggable sections.

A section builder returns `AgendaEntry` items, each tied to an individual.
Whether an entry shows the person's name or is only counted is decided in
one place, `build_agenda()`, from the access policy *at viewing time*: a case
is named only if every organisation at the table (organiser's, invited ones,
invited users', and the viewer's own) may see it — identity and the
section's category, by consent or as the responsible unit, and no spärr. Everything else becomes
"N ärenden utan giltigt samtycke" with a prompt to obtain consent. The meeting itself connects
the people at the table to its cases (an FK handläggare need not be assigned to a case to hear
it discussed), but a viewer whose role never sees individual cases (ledning, admin) sees counts only.

To plug in a section (e.g. certificates since the previous meeting):

    @agenda_section("certificates", "Läkarutlåtanden sedan förra mötet", Category.CERTIFICATES, order=10)
    def certificates(ctx: AgendaContext) -> list[AgendaEntry]:
        ...  # query by ctx.meeting / ctx.previous_start / ctx.next_start
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record_each
from tracker.auth.models import Organisation, User
from tracker.consent.categories import Category
from tracker.consent.policy import (
    AGGREGATE_ONLY_ROLES,
    is_responsible_unit,
    load_facts,
    party_for,
    party_may_view,
)
from tracker.core.timeutil import STOCKHOLM, today_local
from tracker.extensions import db
from tracker.meetings.models import AgendaCase, Meeting, MeetingKind, MeetingStatus
from tracker.people.models import Individual

CONSENT_PROMPT = (
    "Rehabkoordinator: inhämta samtycke som omfattar alla inbjudna organisationer "
    "(till exempel Försäkringskassan) för att ärendena ska kunna tas upp med namn."
)


@dataclass
class AgendaContext:
    meeting: Meeting
    previous_start: datetime | None  # the previous meeting of the series (or None)
    next_start: datetime | None  # the next meeting of the series (or None)
    on: date


@dataclass
class AgendaEntry:
    individual_id: int
    detail: str = ""  # never a name or personnummer; e.g. "utfärdat 2026-03-02"


@dataclass
class SectionSpec:
    key: str
    title: str
    categories: tuple[Category, ...]
    order: int
    builder: Callable[[AgendaContext], list[AgendaEntry]]
    kinds: frozenset[MeetingKind] | None = None  # None: every kind of meeting

    @property
    def category(self) -> Category:
        return self.categories[0]


SECTIONS: dict[str, SectionSpec] = {}


def agenda_section(
    key: str,
    title: str,
    category: Category | tuple[Category, ...],
    order: int = 100,
    kinds: frozenset[MeetingKind] | set[MeetingKind] | None = None,
):
    """Register a section builder. A case is named only if every organisation at the table
    may see its identity and *every* category given; `kinds` limits the section to some
    kinds of meeting (e.g. pulsmöten)."""
    categories = (category,) if isinstance(category, Category) else tuple(category)

    def register(func):
        SECTIONS[key] = SectionSpec(key, title, categories, order, func, frozenset(kinds) if kinds else None)
        return func

    return register


@dataclass
class NamedCase:
    individual: Individual
    details: list[str]


@dataclass
class BuiltSection:
    key: str
    title: str
    named: list[NamedCase] = field(default_factory=list)
    hidden_count: int = 0
    # Unnamed cases the viewer is responsible for (so the prompt can link them).
    own_hidden: list[Individual] = field(default_factory=list)


@dataclass
class Agenda:
    meeting: Meeting
    points: list
    sections: list[BuiltSection]
    parties: list[Organisation]
    counts_only: bool = False  # the viewer's role sees no individual cases (policy rule 3)

    @property
    def named_ids(self) -> set[int]:
        return {case.individual.id for s in self.sections for case in s.named}

    @property
    def shown_ids(self) -> list[int]:
        """Every individual the viewer sees by name: named for the table, or their own unnamed cases."""
        shown = [case.individual.id for s in self.sections for case in s.named]
        shown += [individual.id for s in self.sections for individual in s.own_hidden]
        return list(dict.fromkeys(shown))

    @property
    def hidden_total(self) -> int:
        return sum(s.hidden_count for s in self.sections)


@agenda_section("cases", "Ärenden att ta upp", Category.MEETING_NOTES, order=50)
def cases_to_discuss(ctx: AgendaContext) -> list[AgendaEntry]:
    rows = db.session.scalars(select(AgendaCase).where(AgendaCase.meeting_id == ctx.meeting.id))
    return [AgendaEntry(individual_id=row.individual_id) for row in rows]


def meeting_parties(meeting: Meeting) -> list[Organisation]:
    """The organisations at the table: the organiser's, invited ones and those of invited users."""
    orgs = {meeting.organiser.organisation_id: meeting.organiser.organisation}
    orgs.update({i.organisation.id: i.organisation for i in meeting.invitations if i.organisation_id})
    for invitation in meeting.invitations:
        if invitation.user_id:
            orgs.setdefault(invitation.user.organisation_id, invitation.user.organisation)
    return sorted(orgs.values(), key=lambda o: o.name)


def table_organisation_ids(meeting: Meeting) -> list[int]:
    """The organisations at the table: the cases a data section may bring up are theirs."""
    return [org.id for org in meeting_parties(meeting)]


def series_neighbours(meeting: Meeting) -> tuple[datetime | None, datetime | None]:
    if meeting.series_id is None:
        return None, None
    base = select(Meeting.starts_at).where(
        Meeting.series_id == meeting.series_id, Meeting.status != MeetingStatus.CANCELLED
    )
    previous = db.session.scalar(
        base.where(Meeting.starts_at < meeting.starts_at).order_by(Meeting.starts_at.desc()).limit(1)
    )
    following = db.session.scalar(
        base.where(Meeting.starts_at > meeting.starts_at).order_by(Meeting.starts_at).limit(1)
    )
    return previous, following


def shown_agenda(meeting: Meeting, viewer: User, via_api: bool = False) -> Agenda:
    """The agenda as shown to `viewer`, with one audit row per person it names, so the read is
    in each person's own trail (loggkontroll, registerutdrag)."""
    agenda = build_agenda(meeting, viewer)
    record_each(
        AuditAction.VIEW,
        agenda.shown_ids,
        object_type="AgendaCase",
        object_id=meeting.id,
        details=f"{'api ' if via_api else ''}meeting {meeting.id}",
    )
    return agenda


def build_agenda(meeting: Meeting, viewer: User, on: date | None = None) -> Agenda:
    on = on or today_local()
    previous_start, next_start = series_neighbours(meeting)
    ctx = AgendaContext(meeting, previous_start, next_start, on)
    specs = sorted(
        (s for s in SECTIONS.values() if s.kinds is None or meeting.kind in s.kinds), key=lambda s: s.order
    )
    raw = [(spec, spec.builder(ctx)) for spec in specs]
    ids = sorted({entry.individual_id for _spec, entries in raw for entry in entries})
    individuals = (
        {i.id: i for i in db.session.scalars(select(Individual).where(Individual.id.in_(ids)))} if ids else {}
    )
    facts = load_facts(viewer, ids)
    parties = meeting_parties(meeting)
    # Everyone at the table decides, and the viewer's own organisation too
    # (the viewer reached the meeting as organiser, invitee or member of an invited organisation).
    deciders = {org.id: org for org in parties}
    deciders.setdefault(viewer.organisation_id, viewer.organisation)
    deciders = [party_for(org) for org in deciders.values()]
    counts_only = viewer.role in AGGREGATE_ONLY_ROLES
    sections = []
    for spec, entries in raw:
        built = BuiltSection(spec.key, spec.title)
        grouped: dict[int, list[str]] = defaultdict(list)
        for entry in entries:
            grouped[entry.individual_id].append(entry.detail)
        for individual_id, details in grouped.items():
            individual = individuals[individual_id]
            case_facts = facts[individual_id]
            categories = (Category.IDENTITY, *spec.categories)
            named = not counts_only and all(
                party_may_view(party, individual, c, case_facts, on) for party in deciders for c in categories
            )
            if named:
                built.named.append(NamedCase(individual, [d for d in details if d]))
            else:
                built.hidden_count += 1
                if not counts_only and is_responsible_unit(viewer, individual):
                    built.own_hidden.append(individual)
        built.named.sort(key=lambda c: (c.individual.last_name, c.individual.first_name))
        sections.append(built)
    return Agenda(
        meeting=meeting,
        points=list(meeting.agenda_points),
        sections=sections,
        parties=parties,
        counts_only=counts_only,
    )


def local_day(value: datetime) -> date:
    return value.astimezone(STOCKHOLM).date()
