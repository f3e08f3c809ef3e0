"""API: meetings (same services, invitations and ICS bytes as tracker/meetings/views.py)."""

from datetime import date, datetime, time
from typing import Annotated

from flask_login import current_user
from pydantic import Field

from tracker.api.core import ApiModel, conflict_on_stale, operation, roles
from tracker.api.schemas import Day, DbId, Page, Version
from tracker.core.pagination import paginate
from tracker.core.timeutil import STOCKHOLM
from tracker.meetings import invitations, services
from tracker.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingSeries,
    MeetingStatus,
    RepeatRule,
)
from tracker.meetings.queries import ORGANISER_ROLES, get_meeting_or_404, meetings_query
from tracker.meetings.timing import red_days

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="TT:MM, svensk tid")]


class MeetingListQuery(ApiModel):
    page: Page = 1
    per_page: int = Field(25, ge=1, le=100)
    when: str = Field("upcoming", pattern="^(upcoming|past)$")
    kind: MeetingKind | None = None
    status: MeetingStatus | None = None


class MeetingIn(ApiModel):
    title: str = Field(min_length=1, max_length=200, description="Skriv inga personnummer.")
    kind: MeetingKind
    day: Day
    start_time: Clock
    end_time: Clock
    mode: MeetingMode
    meeting_link: str | None = Field(None, max_length=500)
    address: str | None = Field(None, max_length=300)
    organisation_ids: list[DbId] = Field(default_factory=list, max_length=50)
    user_ids: list[DbId] = Field(default_factory=list, max_length=200)


class MeetingUpdate(MeetingIn):
    version: Version
    scope: str = Field(
        "this", pattern="^(this|following)$", description="I en serie: bara detta eller även följande."
    )


class SeriesIn(MeetingIn):
    repeat: RepeatRule
    interval: int = Field(description="Antal månader eller veckor mellan mötena (1–12).")
    until_on: Day | None = Field(None, description="Slutdatum; ange antingen detta eller count.")
    count: int | None = Field(None, description="Antal tillfällen (2–60) i stället för slutdatum.")


class CancelIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)
    scope: str = Field("this", pattern="^(this|following)$")


class MeetingOut(ApiModel):
    id: int
    title: str
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime
    mode: MeetingMode
    meeting_link: str | None
    address: str | None
    organiser_id: int
    status: MeetingStatus
    cancel_reason: str | None
    series_id: int | None
    organisation_ids: list[int]
    user_ids: list[int]
    version: int


class SeriesOut(ApiModel):
    id: int
    title: str
    repeat: RepeatRule
    interval: int
    first_on: date
    until_on: date | None
    count: int | None
    meetings: list[MeetingOut]
    holiday_warnings: list[str] = Field(description="Tillfällen som infaller på en helgdag (en varning).")


def _out(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "mode": meeting.mode,
        "meeting_link": meeting.meeting_link,
        "address": meeting.address,
        "organiser_id": meeting.organiser_id,
        "status": meeting.status,
        "cancel_reason": meeting.cancel_reason,
        "series_id": meeting.series_id,
        "organisation_ids": sorted(meeting.invited_org_ids),
        "user_ids": sorted(meeting.invited_user_ids),
        "version": meeting.version,
    }


def _data(body: MeetingIn, with_day: bool = True) -> services.MeetingData:
    return services.MeetingData(
        title=body.title,
        kind=body.kind.value,
        day=body.day if with_day else None,
        start_time=time.fromisoformat(body.start_time),
        end_time=time.fromisoformat(body.end_time),
        mode=body.mode.value,
        meeting_link=body.meeting_link,
        address=body.address,
        organisation_ids=body.organisation_ids,
        user_ids=body.user_ids,
    )


def _meeting(manage: bool = False):
    def load(meeting_id: int, **_):
        return {"meeting": get_meeting_or_404(meeting_id, manage=manage)}

    return load


def _everyone(**_):
    """Every signed-in user has a meeting list (what it holds is their invitations)."""


@operation(
    "/meetings",
    "GET",
    summary="Mina möten (kommande eller tidigare)",
    tag="Möten",
    query=MeetingListQuery,
    response=MeetingOut,
    many=True,
    access=_everyone,
)
def list_meetings(query: MeetingListQuery):
    statement = meetings_query(current_user, upcoming=query.when == "upcoming")
    if query.kind:
        statement = statement.where(Meeting.kind == query.kind)
    if query.status:
        statement = statement.where(Meeting.status == query.status)
    page = paginate(statement, query.page, query.per_page)
    page.items = [_out(m) for m in page.items]
    return page


@operation(
    "/meetings/<int:meeting_id>",
    "GET",
    summary="Ett möte",
    tag="Möten",
    response=MeetingOut,
    access=_meeting(),
)
def get_meeting(meeting_id: int, meeting: Meeting):
    return _out(meeting)


@operation(
    "/meetings/<int:meeting_id>.ics",
    "GET",
    summary="Mötet som kalenderfil (samma som nedladdningen i webben)",
    tag="Möten",
    content_type="text/calendar",
    access=_meeting(),
)
def meeting_ics(meeting_id: int, meeting: Meeting):
    return invitations.calendar_response([meeting], f"mote-{meeting.id}.ics")


@operation(
    "/meetings",
    "POST",
    summary="Skapa ett möte (inbjudningar skickas)",
    tag="Möten",
    body=MeetingIn,
    response=MeetingOut,
    status=201,
    access=roles(*ORGANISER_ROLES),
)
def create_meeting(body: MeetingIn):
    meeting = services.create_meeting(_data(body), current_user)
    invitations.send_invitations([meeting], "REQUEST")
    return _out(meeting)


@operation(
    "/meetings/<int:meeting_id>",
    "PUT",
    summary="Ändra ett möte (ange versionen du läste)",
    tag="Möten",
    body=MeetingUpdate,
    response=MeetingOut,
    errors=(409,),
    access=_meeting(manage=True),
)
def update_meeting(meeting_id: int, body: MeetingUpdate, meeting: Meeting):
    scope = body.scope if meeting.series_id else services.SCOPE_THIS
    targets = services.following(meeting) if scope != services.SCOPE_THIS else [meeting]
    before = invitations.recipient_ids(targets)
    with conflict_on_stale():
        changed = services.update_meeting(
            meeting, _data(body, with_day=scope == services.SCOPE_THIS), body.version, scope
        )
    invitations.send_invitations(changed, "REQUEST")
    invitations.send_uninvitations(changed, before)
    return _out(meeting)


@operation(
    "/meetings/<int:meeting_id>/cancel",
    "POST",
    summary="Ställ in ett möte (avbokning skickas)",
    tag="Möten",
    body=CancelIn,
    response=MeetingOut,
    access=_meeting(manage=True),
)
def cancel_meeting(meeting_id: int, body: CancelIn, meeting: Meeting):
    scope = body.scope if meeting.series_id else services.SCOPE_THIS
    cancelled = services.cancel_meeting(meeting, body.reason, scope)
    invitations.send_invitations(cancelled, "CANCEL")
    return _out(meeting)


def _series_out(series: MeetingSeries) -> dict:
    days = [m.starts_at.astimezone(STOCKHOLM).date() for m in series.meetings]
    return {
        "id": series.id,
        "title": series.title,
        "repeat": series.rule,
        "interval": series.repeat_every,
        "first_on": series.first_on,
        "until_on": series.until_on,
        "count": series.occurrence_count,
        "meetings": [_out(m) for m in series.meetings],
        "holiday_warnings": [
            f"{day.isoformat()} är en helgdag ({name}). Flytta eller ställ in det tillfället."
            for day, name in red_days(days)
        ],
    }


@operation(
    "/meeting-series",
    "POST",
    summary="Skapa en mötesserie (samma upprepningsregler som i webben; inbjudningar skickas)",
    tag="Möten",
    body=SeriesIn,
    response=SeriesOut,
    status=201,
    access=roles(*ORGANISER_ROLES),
)
def create_series(body: SeriesIn):
    repeat = services.RepeatData(body.repeat.value, body.interval, body.until_on, body.count)
    series = services.create_series(_data(body), repeat, current_user)
    invitations.send_invitations(series.meetings, "REQUEST")
    return _series_out(series)
