"""The AE project report's pulsmöten section: meetings held in the period and the cases taken up.

Listed in SECTION_MODULES (tracker/reports/registry.py). "The project's
organisations" are its own organisation, its huvudman and the organisations
of its members; a pulsmöte counts when one of them organised it or was
invited to it. Meetings are counted by their Stockholm start day.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.consent.categories import Category
from tracker.core.timeutil import STOCKHOLM, format_datetime
from tracker.extensions import db
from tracker.meetings.models import AgendaCase, Meeting, MeetingInvitation, MeetingKind, MeetingStatus
from tracker.referrals.models import Project, ProjectKind, ProjectMember
from tracker.reports.drill import drill_set
from tracker.reports.population import in_population
from tracker.reports.tables import Cell, ReportContext, Row, Table, section


def project_organisations(ctx: ReportContext):
    members = (
        select(User.organisation_id)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == ctx.project.id)
    )
    own = select(Project.organisation_id).where(Project.id == ctx.project.id)
    principal = select(Project.principal_id).where(
        Project.id == ctx.project.id, Project.principal_id.is_not(None)
    )
    return members.union(own, principal)


def pulsmoten_clause(ctx: ReportContext, statuses=(MeetingStatus.HELD,)):
    start = datetime.combine(ctx.start, time(), tzinfo=STOCKHOLM)
    end = datetime.combine(ctx.end + timedelta(days=1), time(), tzinfo=STOCKHOLM)
    orgs = project_organisations(ctx)
    organiser = select(User.id).where(User.organisation_id.in_(orgs))
    invited = select(MeetingInvitation.meeting_id).where(
        or_(
            MeetingInvitation.organisation_id.in_(orgs),
            MeetingInvitation.user_id.in_(organiser),
        )
    )
    return and_(
        Meeting.kind == MeetingKind.PULSMOTE,
        Meeting.status.in_(statuses),
        Meeting.starts_at >= start,
        Meeting.starts_at < end,
        or_(Meeting.organiser_id.in_(organiser), Meeting.id.in_(invited)),
    )


def discussed_clause(ctx: ReportContext):
    held = select(Meeting.id).where(pulsmoten_clause(ctx))
    return and_(AgendaCase.meeting_id.in_(held), in_population(ctx, AgendaCase.individual_id))


@section("pulsmoten", "Pulsmöten", order=65, kinds={ProjectKind.AE})
def pulsmoten(ctx: ReportContext) -> list[Table]:
    held, cancelled = db.session.execute(
        select(
            func.count(case((Meeting.status == MeetingStatus.HELD, Meeting.id))),
            func.count(case((Meeting.status == MeetingStatus.CANCELLED, Meeting.id))),
        ).where(pulsmoten_clause(ctx, (MeetingStatus.HELD, MeetingStatus.CANCELLED)))
    ).one()
    n_cases, n_people = db.session.execute(
        select(func.count(AgendaCase.id), func.count(distinct(AgendaCase.individual_id))).where(
            discussed_clause(ctx)
        )
    ).one()
    table = Table("pulsmoten", "Pulsmöten under perioden", ["Mått", "Antal"])
    table.rows = [
        Row("Genomförda pulsmöten", [Cell(held)]),
        Row("Inställda pulsmöten", [Cell(cancelled)]),
        Row("Ärenden som togs upp (ärendepunkter)", [Cell(n_cases, drill={"set": "discussed"})]),
        Row("Personer vars ärende togs upp", [Cell(n_people)]),
    ]
    table.note = "Pulsmöten som projektets organisationer ordnade eller var inbjudna till."
    return [table]


@drill_set(
    "discussed",
    "Ärenden som togs upp på pulsmöten",
    categories=(Category.MEETING_NOTES,),
    columns=[
        ("Möte", lambda a: a.meeting.title),
        ("Tid", lambda a: format_datetime(a.meeting.starts_at)),
    ],
    options=(joinedload(AgendaCase.meeting),),
)
def discussed_drill(ctx: ReportContext, args):
    return AgendaCase, [discussed_clause(ctx)]
