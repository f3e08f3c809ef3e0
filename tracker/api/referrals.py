"""API: projects, referrals, enrolments and activities (same services as tracker/referrals/views.py)."""

from datetime import date

from flask_login import current_user
from pydantic import Field

from tracker.api.core import ApiModel, all_items, conflict_on_stale, operation
from tracker.api.schemas import Day, DbId, Version
from tracker.audit.models import AuditAction
from tracker.audit.services import record_list as audit_list
from tracker.people.queries import get_individual_or_404
from tracker.referrals import queries, services
from tracker.referrals.models import (
    DischargeReason,
    EducationLevel,
    Enrolment,
    IncomeSource,
    Occupation,
    Project,
    ProjectKind,
    Referral,
    ReferralStatus,
    ReferrerType,
    SupportDuration,
)

ORM = ApiModel.model_config | {"from_attributes": True}


# ---------------------------------------------------------------- models


class ProjectOut(ApiModel):
    id: int
    name: str
    kind: ProjectKind
    organisation_id: int
    starts_on: date
    ends_on: date | None
    is_lead: bool


class ReferralIn(ApiModel):
    individual_id: str = Field(pattern="^[0-9a-f]{32}$", description="Personens id (inte personnummer).")
    referred_on: Day
    referrer_type: ReferrerType
    referrer_org_id: DbId | None = None
    reason: str | None = Field(None, max_length=5000)


class ReferralStatusIn(ApiModel):
    status: ReferralStatus
    status_reason: str | None = Field(None, max_length=1000)


class ReferralOut(ApiModel):
    id: int
    project_id: int
    individual_id: str
    referred_on: date
    referrer_type: ReferrerType
    referrer_org_id: int | None
    reason: str | None
    status: ReferralStatus
    status_changed_on: date | None
    status_reason: str | None
    waiting_days: int


class EnrolIn(ApiModel):
    enrolled_on: Day
    income_before: IncomeSource | None = None
    occupation_before: Occupation | None = None
    education_level: EducationLevel | None = None
    support_before: SupportDuration | None = None
    involves_fk: bool | None = Field(None, description="Utelämnat: härleds från ärendet.")
    involves_region: bool | None = None
    involves_kommun: bool | None = None
    involves_af: bool | None = None


class EnrolmentUpdate(ApiModel):
    """Background data at enrolment and discharge; every field is set (null clears it)."""

    income_before: IncomeSource | None
    occupation_before: Occupation | None
    education_level: EducationLevel | None
    support_before: SupportDuration | None
    income_after: IncomeSource | None
    occupation_after: Occupation | None
    involves_fk: bool
    involves_region: bool
    involves_kommun: bool
    involves_af: bool
    version: Version


class DischargeIn(ApiModel):
    discharged_on: Day
    discharge_reason: DischargeReason
    income_after: IncomeSource | None = None
    occupation_after: Occupation | None = None


class EnrolmentOut(ApiModel):
    id: int
    project_id: int
    individual_id: str
    referral_id: int | None
    enrolled_on: date
    discharged_on: date | None
    discharge_reason: DischargeReason | None
    income_before: IncomeSource | None
    income_after: IncomeSource | None
    occupation_before: Occupation | None
    occupation_after: Occupation | None
    education_level: EducationLevel | None
    support_before: SupportDuration | None
    involves_fk: bool
    involves_region: bool
    involves_kommun: bool
    involves_af: bool
    version: int


# ---------------------------------------------------------------- helpers


def _project(staff: bool = True):
    def load(project_id: int, **_):
        return {"project": queries.get_project_or_404(project_id, staff=staff)}

    return load


def _referral_access(referral_id: int, **_):
    return {"referral": queries.get_referral_or_404(referral_id)}


def _enrolment_access(enrolment_id: int, **_):
    return {"enrolment": queries.get_enrolment_or_404(enrolment_id)}


def _referral_out(referral: Referral) -> dict:
    return {
        "id": referral.id,
        "project_id": referral.project_id,
        "individual_id": referral.individual.public_id,
        "referred_on": referral.referred_on,
        "referrer_type": referral.referrer_type,
        "referrer_org_id": referral.referrer_org_id,
        "reason": referral.reason,
        "status": referral.status,
        "status_changed_on": referral.status_changed_on,
        "status_reason": referral.status_reason,
        "waiting_days": queries.waiting_days(referral),
    }


ENROLMENT_FIELDS = (
    "id", "project_id", "referral_id", "enrolled_on", "discharged_on", "discharge_reason",
    "income_before", "income_after", "occupation_before", "occupation_after", "education_level",
    "support_before", "involves_fk", "involves_region", "involves_kommun", "involves_af", "version",
)  # fmt: skip


def _enrolment_out(enrolment: Enrolment) -> dict:
    out = {name: getattr(enrolment, name) for name in ENROLMENT_FIELDS}
    out["individual_id"] = enrolment.individual.public_id
    return out


# ---------------------------------------------------------------- projects and referrals


@operation("/projects", "GET", summary="Mina projekt", tag="Projekt", response=ProjectOut, many=True)
def list_projects():
    projects = [p for p in queries.projects_for(current_user) if queries.is_project_staff(current_user, p)]
    return all_items(
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "organisation_id": p.organisation_id,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "is_lead": queries.is_project_lead(current_user, p),
        }
        for p in projects
    )


@operation(
    "/projects/<int:project_id>/referrals",
    "GET",
    summary="Projektets kö: öppna remisser, längst väntande först",
    tag="Projekt",
    response=ReferralOut,
    many=True,
    access=_project(),
)
def list_referrals(project_id: int, project: Project):
    queue = queries.queue(project)
    audit_list(
        AuditAction.LIST,
        [r.individual_id for r in queue],
        object_type="Referral",
        object_id=project.id,
        details=f"api queue={len(queue)}",
    )
    return all_items(_referral_out(r) for r in queue)


@operation(
    "/projects/<int:project_id>/referrals",
    "POST",
    summary="Registrera en remiss till projektet",
    tag="Projekt",
    body=ReferralIn,
    response=ReferralOut,
    status=201,
    access=_project(),
)
def create_referral(project_id: int, body: ReferralIn, project: Project):
    individual = get_individual_or_404(body.individual_id)
    data = services.ReferralData(
        body.referred_on, body.referrer_type.value, body.referrer_org_id, body.reason
    )
    return _referral_out(services.create_referral(project, individual, data, current_user))


@operation(
    "/referrals/<int:referral_id>/status",
    "POST",
    summary="Ändra en remiss status",
    tag="Projekt",
    body=ReferralStatusIn,
    response=ReferralOut,
    access=_referral_access,
)
def change_referral_status(referral_id: int, body: ReferralStatusIn, referral: Referral):
    services.change_referral_status(referral, body.status.value, body.status_reason, current_user)
    return _referral_out(referral)


# ---------------------------------------------------------------- enrolments


@operation(
    "/projects/<int:project_id>/enrolments",
    "GET",
    summary="Inskrivna i projektet just nu",
    tag="Projekt",
    response=EnrolmentOut,
    many=True,
    access=_project(),
)
def list_enrolments(project_id: int, project: Project):
    enrolments = queries.current_enrolments(project)
    audit_list(
        AuditAction.LIST,
        [e.individual_id for e in enrolments],
        object_type="Enrolment",
        object_id=project.id,
        details=f"api enrolled={len(enrolments)}",
    )
    return all_items(_enrolment_out(e) for e in enrolments)


@operation(
    "/referrals/<int:referral_id>/enrolment",
    "POST",
    summary="Skriv in personen från remissen (remissen blir antagen)",
    tag="Projekt",
    body=EnrolIn,
    response=EnrolmentOut,
    status=201,
    access=_referral_access,
)
def enrol(referral_id: int, body: EnrolIn, referral: Referral):
    values = body.model_dump(exclude={"enrolled_on"}, exclude_none=True)
    values = {k: v.value if hasattr(v, "value") else v for k, v in values.items()}
    enrolment = services.enrol(
        referral.project, referral.individual, body.enrolled_on, current_user, referral=referral, **values
    )
    return _enrolment_out(enrolment)


@operation(
    "/enrolments/<int:enrolment_id>/discharge",
    "POST",
    summary="Skriv ut personen ur projektet",
    tag="Projekt",
    body=DischargeIn,
    response=EnrolmentOut,
    access=_enrolment_access,
)
def discharge(enrolment_id: int, body: DischargeIn, enrolment: Enrolment):
    services.discharge(
        enrolment,
        body.discharged_on,
        body.discharge_reason.value,
        income_after=body.income_after.value if body.income_after else None,
        occupation_after=body.occupation_after.value if body.occupation_after else None,
    )
    return _enrolment_out(enrolment)


@operation(
    "/enrolments/<int:enrolment_id>",
    "PUT",
    summary="Ändra uppgifterna vid in- och utskrivning (ange versionen du läste)",
    tag="Projekt",
    body=EnrolmentUpdate,
    response=EnrolmentOut,
    errors=(409,),
    access=_enrolment_access,
)
def update_enrolment(enrolment_id: int, body: EnrolmentUpdate, enrolment: Enrolment):
    values = {
        name: value.value if hasattr(value, "value") else value
        for name, value in body.model_dump(exclude={"version"}).items()
    }
    with conflict_on_stale():
        services.update_enrolment(enrolment, values, body.version)
    return _enrolment_out(enrolment)
