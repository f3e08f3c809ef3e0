"""API: project activities — consultations, information sessions, group sessions with attendance
(same services as tracker/referrals/views.py)."""

from datetime import date

from flask_login import current_user
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api.core import ApiError, ApiModel, all_items, operation
from tracker.api.referrals import ORM, _project
from tracker.api.schemas import Day
from tracker.consent.policy import visible_individuals
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.referrals import queries, services
from tracker.referrals.models import ActivityGroup, Consultation, InfoSession, Project, ReferrerType


class ConsultationIn(ApiModel):
    held_on: Day
    actor_type: ReferrerType
    actor: str = Field(min_length=1, max_length=200)
    topic: str = Field(min_length=1, max_length=500)


class ConsultationOut(ApiModel):
    id: int
    held_on: date
    actor_type: ReferrerType
    actor: str
    topic: str

    model_config = ORM


class InfoSessionIn(ApiModel):
    held_on: Day
    audience: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    attendees: int = Field(ge=0, le=10_000)


class InfoSessionOut(ApiModel):
    id: int
    held_on: date
    audience: str
    organisation: str
    attendees: int

    model_config = ORM


class GroupIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=1000)


class GroupOut(ApiModel):
    id: int
    name: str
    description: str | None
    session_count: int


class SessionIn(ApiModel):
    held_on: Day
    attendee_ids: list[str] = Field(
        default_factory=list, max_length=500, description="Närvarande personers id (inskrivna i projektet)."
    )


class SessionOut(ApiModel):
    id: int
    group_id: int
    held_on: date
    attendee_count: int


def _group_access(group_id: int, **_):
    group = db.session.get(ActivityGroup, group_id)
    if group is None:
        raise ApiError(404, "Finns inte", "Gruppen finns inte.")
    queries.get_project_or_404(group.project_id)
    return {"group": group}


# ---------------------------------------------------------------- activities


def _rows(model, project: Project):
    return db.session.scalars(
        select(model).where(model.project_id == project.id).order_by(model.held_on.desc(), model.id.desc())
    ).all()


@operation(
    "/projects/<int:project_id>/consultations",
    "GET",
    summary="Konsultationer",
    tag="Aktiviteter",
    response=ConsultationOut,
    many=True,
    access=_project(),
)
def list_consultations(project_id: int, project: Project):
    return all_items(_rows(Consultation, project))


@operation(
    "/projects/<int:project_id>/consultations",
    "POST",
    summary="Registrera en konsultation",
    tag="Aktiviteter",
    body=ConsultationIn,
    response=ConsultationOut,
    status=201,
    access=_project(),
)
def add_consultation(project_id: int, body: ConsultationIn, project: Project):
    return services.add_consultation(
        project, body.held_on, body.actor_type.value, body.actor, body.topic, current_user
    )


@operation(
    "/projects/<int:project_id>/info-sessions",
    "GET",
    summary="Informationstillfällen",
    tag="Aktiviteter",
    response=InfoSessionOut,
    many=True,
    access=_project(),
)
def list_info_sessions(project_id: int, project: Project):
    return all_items(_rows(InfoSession, project))


@operation(
    "/projects/<int:project_id>/info-sessions",
    "POST",
    summary="Registrera ett informationstillfälle",
    tag="Aktiviteter",
    body=InfoSessionIn,
    response=InfoSessionOut,
    status=201,
    access=_project(),
)
def add_info_session(project_id: int, body: InfoSessionIn, project: Project):
    return services.add_info_session(
        project, body.held_on, body.audience, body.organisation, body.attendees, current_user
    )


@operation(
    "/projects/<int:project_id>/groups",
    "GET",
    summary="Gruppaktiviteter",
    tag="Aktiviteter",
    response=GroupOut,
    many=True,
    access=_project(),
)
def list_groups(project_id: int, project: Project):
    groups = db.session.scalars(
        select(ActivityGroup)
        .where(ActivityGroup.project_id == project.id)
        .options(selectinload(ActivityGroup.sessions))
        .order_by(ActivityGroup.name)
    ).all()
    return all_items(
        {"id": g.id, "name": g.name, "description": g.description, "session_count": len(g.sessions)}
        for g in groups
    )


@operation(
    "/projects/<int:project_id>/groups",
    "POST",
    summary="Skapa en gruppaktivitet",
    tag="Aktiviteter",
    body=GroupIn,
    response=GroupOut,
    status=201,
    access=_project(),
)
def add_group(project_id: int, body: GroupIn, project: Project):
    group = services.add_group(project, body.name, body.description, current_user)
    return {"id": group.id, "name": group.name, "description": group.description, "session_count": 0}


@operation(
    "/groups/<int:group_id>/sessions",
    "POST",
    summary="Registrera en träff med närvaro",
    tag="Aktiviteter",
    body=SessionIn,
    response=SessionOut,
    status=201,
    access=_group_access,
)
def add_session(group_id: int, body: SessionIn, group: ActivityGroup):
    wanted = set(body.attendee_ids)
    found = dict(
        db.session.execute(
            select(Individual.public_id, Individual.id).where(
                Individual.public_id.in_(wanted), visible_individuals(current_user)
            )
        ).all()
    )
    if wanted - set(found):
        raise ApiError(
            422,
            "Ogiltiga uppgifter",
            errors={"attendee_ids": "Okänd person eller person du inte har åtkomst till."},
        )
    session = services.add_session(group, body.held_on, sorted(found.values()), current_user)
    return {"id": session.id, "group_id": group.id, "held_on": session.held_on, "attendee_count": len(found)}
