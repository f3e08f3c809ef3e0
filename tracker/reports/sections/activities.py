"""Consultations, group activities and information sessions."""

from sqlalchemy import distinct, func, select

from tracker.referrals.models import (
    REFERRER_LABELS,
    ActivityGroup,
    Consultation,
    GroupAttendance,
    GroupSession,
    InfoSession,
)
from tracker.reports.tables import Cell, ReportContext, Row, Table, section, share_table


def _consultations(ctx: ReportContext):
    return (
        select(Consultation.actor_type, func.count(Consultation.id))
        .where(Consultation.project_id == ctx.project.id, Consultation.held_on.between(ctx.start, ctx.end))
        .group_by(Consultation.actor_type)
    )


def _groups(ctx: ReportContext):
    sessions = (
        select(
            GroupSession.group_id.label("group_id"),
            func.count(distinct(GroupSession.id)).label("sessions"),
            func.count(GroupAttendance.individual_id).label("attendances"),
            func.count(distinct(GroupAttendance.individual_id)).label("people"),
        )
        .outerjoin(GroupAttendance, GroupAttendance.session_id == GroupSession.id)
        .where(GroupSession.held_on.between(ctx.start, ctx.end))
        .group_by(GroupSession.group_id)
        .subquery()
    )
    return (
        select(ActivityGroup.name, sessions.c.sessions, sessions.c.attendances, sessions.c.people)
        .join(sessions, sessions.c.group_id == ActivityGroup.id)
        .where(ActivityGroup.project_id == ctx.project.id)
        .order_by(ActivityGroup.name)
    )


def _info_sessions(ctx: ReportContext):
    return select(func.count(InfoSession.id), func.coalesce(func.sum(InfoSession.attendees), 0)).where(
        InfoSession.project_id == ctx.project.id, InfoSession.held_on.between(ctx.start, ctx.end)
    )


@section("activities", "Aktiviteter", order=40)
def activities(ctx: ReportContext) -> list[Table]:
    consultations = ctx.rows(_consultations)
    by_type = {str(t): n for t, n in consultations}
    items = [(label, by_type[k.value], None) for k, label in REFERRER_LABELS.items() if k.value in by_type]
    tables = [
        share_table(
            "konsultationer",
            "Individuella konsultationer till andra aktörer (utan inskrivning)",
            "Aktör",
            items,
        )
    ]
    groups = ctx.rows(_groups)
    group_table = Table(
        "grupper", "Gruppaktiviteter", ["Grupp", "Träffar", "Närvarotillfällen", "Unika deltagare"]
    )
    for name, n_sessions, n_attendances, n_people in groups:
        group_table.rows.append(Row(name, [Cell(n_sessions), Cell(n_attendances), Cell(n_people)]))
    group_table.rows.append(
        Row(
            "Totalt",
            [Cell(sum(g[1] for g in groups)), Cell(sum(g[2] for g in groups)), Cell(None, "text")],
            is_total=True,
        )
    )
    tables.append(group_table)
    (info,) = ctx.rows(_info_sessions)
    tables.append(
        Table(
            "informationstillfallen",
            "Informationstillfällen",
            ["Mått", "Antal"],
            [Row("Genomförda tillfällen", [Cell(info[0])]), Row("Deltagare totalt", [Cell(int(info[1]))])],
        )
    )
    return tables
