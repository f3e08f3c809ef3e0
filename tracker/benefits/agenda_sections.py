"""The pulsmöte agenda's data sections: certificates, FK decisions, bevakningar and alarms.

Registered with `@agenda_section` (tracker/meetings/agenda.py); imported by
tracker/benefits/views.py so they exist whenever the app does. Each builder
reads with a fixed number of queries and only brings up cases held by the
organisations at the table. Whether a case is named or only counted is
decided by `build_agenda()` through the access policy, never here; the
details carry dates and labels only (no names, no personnummer).

Windows: "since the previous meeting" starts on the day of the series'
previous meeting (or AGENDA_LOOKBACK_DAYS before a meeting without one) and
ends on the meeting's day; "before the next meeting" ends the day before the
series' next meeting (or AGENDA_LOOKAHEAD_DAYS after a meeting without one).
"""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from tracker.benefits.alarms import alarms_for_clinics
from tracker.benefits.models import Certificate, FkDecision, FollowUp, FollowUpStatus, Outcome
from tracker.consent.categories import Category
from tracker.extensions import db
from tracker.meetings.agenda import (
    AgendaContext,
    AgendaEntry,
    agenda_section,
    local_day,
    table_organisation_ids,
)
from tracker.meetings.models import MeetingKind
from tracker.people.models import Individual

CASE_MEETINGS = frozenset({MeetingKind.PULSMOTE, MeetingKind.ARENDEGENOMGANG})


def since_day(ctx: AgendaContext) -> date:
    if ctx.previous_start is not None:
        return local_day(ctx.previous_start)
    days = int(current_app.config.get("AGENDA_LOOKBACK_DAYS", 60))
    return local_day(ctx.meeting.starts_at) - timedelta(days=days)


def until_day(ctx: AgendaContext) -> date:
    """The last day counted as 'before the next meeting'."""
    if ctx.next_start is not None:
        return local_day(ctx.next_start) - timedelta(days=1)
    days = int(current_app.config.get("AGENDA_LOOKAHEAD_DAYS", 60))
    return local_day(ctx.meeting.starts_at) + timedelta(days=days)


def _at_table(ctx: AgendaContext):
    return Individual.clinic_id.in_(table_organisation_ids(ctx.meeting))


@agenda_section(
    "certificates", "Läkarutlåtanden sedan förra mötet", Category.CERTIFICATES, order=10, kinds=CASE_MEETINGS
)
def certificates_since(ctx: AgendaContext) -> list[AgendaEntry]:
    rows = db.session.execute(
        select(Certificate.individual_id, Certificate.issued_on, Certificate.certificate_type)
        .join(Individual, Individual.id == Certificate.individual_id)
        .where(
            _at_table(ctx),
            Certificate.issued_on >= since_day(ctx),
            Certificate.issued_on <= local_day(ctx.meeting.starts_at),
        )
        .order_by(Certificate.issued_on, Certificate.id)
    ).all()
    return [
        AgendaEntry(individual_id, f"utfärdat {issued_on.isoformat()} ({kind.label})")
        for individual_id, issued_on, kind in rows
    ]


@agenda_section(
    "decisions", "Nya beslut från Försäkringskassan", Category.FK_RECORDS, order=20, kinds=CASE_MEETINGS
)
def decisions_since(ctx: AgendaContext) -> list[AgendaEntry]:
    rows = db.session.execute(
        select(FkDecision.individual_id, FkDecision.decided_on, FkDecision.outcome, FkDecision.period_end)
        .join(Individual, Individual.id == FkDecision.individual_id)
        .where(
            _at_table(ctx),
            FkDecision.outcome != Outcome.PENDING,
            FkDecision.decided_on >= since_day(ctx),
            FkDecision.decided_on <= local_day(ctx.meeting.starts_at),
        )
        .order_by(FkDecision.decided_on, FkDecision.id)
    ).all()
    entries = []
    for individual_id, decided_on, outcome, period_end in rows:
        detail = f"{outcome.label.lower()} {decided_on.isoformat()}"
        if outcome == Outcome.GRANTED and period_end:
            detail += f", period till {period_end.isoformat()}"
        entries.append(AgendaEntry(individual_id, detail))
    return entries


@agenda_section(
    "follow_ups",
    "Bevakningar som förfaller före nästa möte",
    Category.FK_RECORDS,
    order=30,
    kinds=CASE_MEETINGS,
)
def follow_ups_due(ctx: AgendaContext) -> list[AgendaEntry]:
    rows = db.session.execute(
        select(FollowUp.individual_id, FollowUp.due_on, FollowUp.reason)
        .join(Individual, Individual.id == FollowUp.individual_id)
        .where(_at_table(ctx), FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on <= until_day(ctx))
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    return [
        AgendaEntry(individual_id, f"bevakning förfaller {due_on.isoformat()} ({reason.label.lower()})")
        for individual_id, due_on, reason in rows
    ]


@agenda_section(
    "alarms",
    "Öppna larm",
    (Category.PLAN, Category.FK_RECORDS),
    order=40,
    kinds=CASE_MEETINGS,
)
def open_alarms(ctx: AgendaContext) -> list[AgendaEntry]:
    """Every alarm rule over the cases of the clinics at the table (one query per rule)."""
    entries = []
    for alarm in alarms_for_clinics(table_organisation_ids(ctx.meeting), ctx.on):
        for row in alarm.rows:
            entries.append(AgendaEntry(row.individual.id, f"{alarm.title}: {row.detail}"))
    return entries
