"""API: the vårdplan (SIP) and its insatser (same services as tracker/plans/views.py)."""

from datetime import date

from flask_login import current_user
from pydantic import Field

from tracker.api.core import (
    ApiError,
    ApiModel,
    conflict_on_stale,
    individual_access,
    operation,
    record_access,
)
from tracker.api.schemas import Day, DbId, Version
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role
from tracker.consent.categories import Action, Category
from tracker.people.models import Individual
from tracker.plans import queries, services
from tracker.plans.models import CarePlan, Insats, InsatsStatus

PLAN_EDITORS = (Role.REHABKOORDINATOR, Role.SAMORDNARE)


class PlanIn(ApiModel):
    established_on: Day
    goals: str = Field(min_length=1, max_length=5000)
    follow_up_on: Day | None = None
    is_sip: bool = False
    sip_meeting_on: Day | None = None
    sip_organisation_ids: list[DbId] = Field(default_factory=list, max_length=50)
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Krävs när planen finns: versionen du läste (annars 409)."
    )


class StatusChangeOut(ApiModel):
    from_status: InsatsStatus | None
    to_status: InsatsStatus
    changed_on: date
    reason: str | None

    model_config = ApiModel.model_config | {"from_attributes": True}


class InsatsOut(ApiModel):
    id: int
    what: str
    organisation_id: int
    starts_on: date
    ends_on: date | None
    status: InsatsStatus
    interruption_reason: str | None
    version: int
    history: list[StatusChangeOut]


class PlanOut(ApiModel):
    id: int
    established_on: date
    goals: str
    follow_up_on: date | None
    is_sip: bool
    sip_meeting_on: date | None
    sip_organisation_ids: list[int]
    version: int
    insatser: list[InsatsOut]


class InsatsIn(ApiModel):
    what: str = Field(min_length=1, max_length=300)
    organisation_id: DbId
    starts_on: Day
    ends_on: Day | None = None
    status: InsatsStatus = InsatsStatus.PLANNED


class InsatsStatusIn(ApiModel):
    status: InsatsStatus
    changed_on: Day
    reason: str | None = Field(None, max_length=1000)
    version: Version


def _insats_out(insats: Insats, history: dict) -> dict:
    return {
        "id": insats.id,
        "what": insats.what,
        "organisation_id": insats.organisation_id,
        "starts_on": insats.starts_on,
        "ends_on": insats.ends_on,
        "status": insats.status,
        "interruption_reason": insats.interruption_reason,
        "version": insats.version,
        "history": history.get(insats.id, []),
    }


def _plan_out(plan: CarePlan) -> dict:
    history = queries.history_for(plan.individual_id)
    return {
        "id": plan.id,
        "established_on": plan.established_on,
        "goals": plan.goals,
        "follow_up_on": plan.follow_up_on,
        "is_sip": plan.is_sip,
        "sip_meeting_on": plan.sip_meeting_on,
        "sip_organisation_ids": sorted(o.id for o in plan.sip_organisations),
        "version": plan.version,
        "insatser": [_insats_out(i, history) for i in plan.insatser],
    }


def _plan_or_404(individual: Individual) -> CarePlan:
    plan = queries.plan_for(individual.id)
    if plan is None:
        raise ApiError(404, "Finns inte", "Personen har ingen vårdplan.")
    return plan


@operation(
    "/individuals/<public_id>/plan",
    "GET",
    summary="Personens vårdplan med insatser och statushistorik",
    tag="Planer",
    response=PlanOut,
    access=individual_access(Action.VIEW, Category.PLAN, *PLAN_EDITORS),
)
def get_plan(public_id: str, individual: Individual):
    plan = _plan_or_404(individual)
    audit_record(AuditAction.VIEW, obj=plan, individual_id=individual.id, details="api")
    return _plan_out(plan)


@operation(
    "/individuals/<public_id>/plan",
    "PUT",
    summary="Upprätta eller ändra vårdplanen (ange versionen när planen finns)",
    tag="Planer",
    body=PlanIn,
    response=PlanOut,
    errors=(409,),
    access=individual_access(Action.EDIT, Category.PLAN, *PLAN_EDITORS),
)
def put_plan(public_id: str, body: PlanIn, individual: Individual):
    data = services.PlanData(
        established_on=body.established_on,
        goals=body.goals,
        follow_up_on=body.follow_up_on,
        is_sip=body.is_sip,
        sip_meeting_on=body.sip_meeting_on,
        sip_organisation_ids=body.sip_organisation_ids,
    )
    plan = queries.plan_for(individual.id)
    with conflict_on_stale():
        if plan is None:
            plan = services.create_plan(individual, data, current_user)
        else:
            if body.version is None:
                raise ApiError(422, "Ogiltiga uppgifter", errors={"version": "Ange versionen du läste."})
            services.update_plan(plan, data, body.version)
    return _plan_out(plan)


@operation(
    "/individuals/<public_id>/plan/insatser",
    "POST",
    summary="Lägg till en insats i vårdplanen",
    tag="Planer",
    body=InsatsIn,
    response=InsatsOut,
    status=201,
    access=individual_access(Action.EDIT, Category.PLAN, *PLAN_EDITORS),
)
def add_insats(public_id: str, body: InsatsIn, individual: Individual):
    plan = _plan_or_404(individual)
    data = services.InsatsData(
        what=body.what,
        organisation_id=body.organisation_id,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        status=body.status.value,
    )
    insats = services.add_insats(plan, data, current_user)
    return _insats_out(insats, queries.history_for(individual.id))


@operation(
    "/insatser/<int:insats_id>/status",
    "POST",
    summary="Ändra en insats status (planerad → pågående → avslutad/avbruten)",
    tag="Planer",
    body=InsatsStatusIn,
    response=InsatsOut,
    errors=(409,),
    access=record_access(queries.get_insats_or_404, Action.EDIT, "insats", *PLAN_EDITORS),
)
def change_insats_status(insats_id: int, body: InsatsStatusIn, insats: Insats):
    with conflict_on_stale():
        services.change_insats_status(
            insats, body.status.value, body.changed_on, body.reason, body.version, current_user
        )
    return _insats_out(insats, queries.history_for(insats.individual_id))
