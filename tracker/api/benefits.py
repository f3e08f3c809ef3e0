"""API: läkarutlåtanden, FK decisions and bevakningar (same services as tracker/benefits/views.py)."""

from datetime import date, datetime

from flask_login import current_user
from pydantic import Field

from tracker.api.core import (
    ApiModel,
    all_items,
    conflict_on_stale,
    individual_access,
    operation,
    record_access,
    roles,
)
from tracker.api.schemas import Day, DbId, Version
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role
from tracker.benefits import queries, services
from tracker.benefits.models import (
    CertificateType,
    FkDecision,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Level,
    Outcome,
)
from tracker.consent.categories import Action, Category
from tracker.consent.policy import may
from tracker.core.pagination import Page
from tracker.people.models import Individual

CASE_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE, Role.HANDLAGGARE)
CERTIFICATE_EDITORS = (Role.REHABKOORDINATOR,)
FK_RECORD_EDITORS = (Role.REHABKOORDINATOR, Role.HANDLAGGARE)
ORM = ApiModel.model_config | {"from_attributes": True}


# ---------------------------------------------------------------- models


class CertificateIn(ApiModel):
    issued_on: Day
    clinic_id: DbId
    certificate_type: CertificateType
    doctor: str | None = Field(None, max_length=200)
    sent_to_fk_on: Day | None = None
    note: str | None = Field(None, max_length=2000)


class CertificateUpdate(CertificateIn):
    version: Version


class CertificateOut(ApiModel):
    id: int
    issued_on: date
    clinic_id: int
    certificate_type: CertificateType
    doctor: str | None
    sent_to_fk_on: date | None
    note: str | None
    version: int

    model_config = ORM


class DecisionIn(ApiModel):
    outcome: Outcome
    officer_id: DbId
    decided_on: Day | None = None
    level: Level | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    certificate_id: DbId | None = Field(
        None, description="Utlåtandet beslutet besvarar (ignoreras om du inte får se utlåtanden)."
    )
    note: str | None = Field(None, max_length=2000)


class DecisionUpdate(DecisionIn):
    version: Version


class DecisionOut(ApiModel):
    id: int
    outcome: Outcome
    officer_id: int
    decided_on: date | None
    level: Level | None
    period_start: date | None
    period_end: date | None
    certificate_id: int | None
    note: str | None
    version: int


class FollowUpIn(ApiModel):
    owner_id: DbId = Field(description="Handläggaren på FK som äger bevakningen.")
    due_on: Day
    reason: FollowUpReason
    reason_text: str | None = Field(None, max_length=500)
    clinic_id: DbId
    coordinator_id: DbId | None = None


class FollowUpDoneIn(ApiModel):
    done_on: Day
    done_note: str | None = Field(None, max_length=1000)
    version: Version


class FollowUpOut(ApiModel):
    id: int
    individual_id: str
    owner_id: int
    due_on: date
    reason: FollowUpReason
    reason_text: str | None
    clinic_id: int
    coordinator_id: int | None
    status: FollowUpStatus
    done_on: date | None
    done_note: str | None
    version: int
    created_at: datetime | None


class WorklistQuery(ApiModel):
    sort: str = Field("forfallodag", pattern="^(forfallodag|namn|orsak|mottagning)$")
    due_before: Day | None = Field(None, description="Bara bevakningar som förfaller före detta datum.")


# ---------------------------------------------------------------- serialising


def _certificate_data(body: CertificateIn) -> services.CertificateData:
    return services.CertificateData(
        issued_on=body.issued_on,
        clinic_id=body.clinic_id,
        certificate_type=body.certificate_type.value,
        doctor=body.doctor,
        sent_to_fk_on=body.sent_to_fk_on,
        note=body.note,
    )


def _decision_data(body: DecisionIn) -> services.DecisionData:
    return services.DecisionData(
        outcome=body.outcome.value,
        officer_id=body.officer_id,
        decided_on=body.decided_on,
        level=body.level.value if body.level else None,
        period_start=body.period_start,
        period_end=body.period_end,
        certificate_id=body.certificate_id,
        note=body.note,
    )


def _decision_out(decision: FkDecision, show_certificate: bool) -> dict:
    return {
        "id": decision.id,
        "outcome": decision.outcome,
        "officer_id": decision.officer_id,
        "decided_on": decision.decided_on,
        "level": decision.level,
        "period_start": decision.period_start,
        "period_end": decision.period_end,
        # The link reveals a certificate: only for who may see certificates.
        "certificate_id": decision.certificate_id if show_certificate else None,
        "note": decision.note,
        "version": decision.version,
    }


def _follow_up_out(follow_up: FollowUp, individual: Individual) -> dict:
    return {
        "id": follow_up.id,
        "individual_id": individual.public_id,
        "owner_id": follow_up.owner_id,
        "due_on": follow_up.due_on,
        "reason": follow_up.reason,
        "reason_text": follow_up.reason_text,
        "clinic_id": follow_up.clinic_id,
        "coordinator_id": follow_up.coordinator_id,
        "status": follow_up.status,
        "done_on": follow_up.done_on,
        "done_note": follow_up.done_note,
        "version": follow_up.version,
        "created_at": follow_up.created_at,
    }


def _sees_certificates(individual: Individual) -> bool:
    return bool(may(current_user, Action.VIEW, individual, Category.CERTIFICATES))


# ---------------------------------------------------------------- certificates


@operation(
    "/individuals/<public_id>/certificates",
    "GET",
    summary="Läkarutlåtanden för en person",
    tag="Förmåner",
    response=CertificateOut,
    many=True,
    access=individual_access(Action.VIEW, Category.CERTIFICATES, *CASE_ROLES),
)
def list_certificates(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, object_type="Certificate", individual_id=individual.id, details="api")
    return all_items(queries.case_certificates(individual.id))


@operation(
    "/individuals/<public_id>/certificates",
    "POST",
    summary="Registrera läkarutlåtande",
    tag="Förmåner",
    body=CertificateIn,
    response=CertificateOut,
    status=201,
    access=individual_access(Action.EDIT, Category.CERTIFICATES, *CERTIFICATE_EDITORS),
)
def create_certificate(public_id: str, body: CertificateIn, individual: Individual):
    return services.create_certificate(individual, _certificate_data(body), current_user)


@operation(
    "/certificates/<int:certificate_id>",
    "PUT",
    summary="Ändra läkarutlåtande (ange versionen du läste)",
    tag="Förmåner",
    body=CertificateUpdate,
    response=CertificateOut,
    errors=(409,),
    access=record_access(queries.get_certificate_or_404, Action.EDIT, "certificate", *CERTIFICATE_EDITORS),
)
def update_certificate(certificate_id: int, body: CertificateUpdate, certificate):
    with conflict_on_stale():
        return services.update_certificate(certificate, _certificate_data(body), body.version)


# ---------------------------------------------------------------- decisions


@operation(
    "/individuals/<public_id>/decisions",
    "GET",
    summary="Försäkringskassans beslut för en person",
    tag="Förmåner",
    response=DecisionOut,
    many=True,
    access=individual_access(Action.VIEW, Category.FK_RECORDS, *CASE_ROLES),
)
def list_decisions(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, object_type="FkDecision", individual_id=individual.id, details="api")
    show = _sees_certificates(individual)
    return all_items(_decision_out(d, show) for d in queries.case_decisions(individual.id))


@operation(
    "/individuals/<public_id>/decisions",
    "POST",
    summary="Registrera beslut",
    tag="Förmåner",
    body=DecisionIn,
    response=DecisionOut,
    status=201,
    access=individual_access(Action.EDIT, Category.FK_RECORDS, *FK_RECORD_EDITORS),
)
def create_decision(public_id: str, body: DecisionIn, individual: Individual):
    decision = services.create_decision(individual, _decision_data(body), current_user)
    return _decision_out(decision, _sees_certificates(individual))


@operation(
    "/decisions/<int:decision_id>",
    "PUT",
    summary="Ändra beslut (ange versionen du läste)",
    tag="Förmåner",
    body=DecisionUpdate,
    response=DecisionOut,
    errors=(409,),
    access=record_access(queries.get_decision_or_404, Action.EDIT, "decision", *FK_RECORD_EDITORS),
)
def update_decision(decision_id: int, body: DecisionUpdate, decision: FkDecision):
    with conflict_on_stale():
        services.update_decision(decision, _decision_data(body), body.version, current_user)
    return _decision_out(decision, _sees_certificates(decision.individual))


# ---------------------------------------------------------------- bevakningar


@operation(
    "/individuals/<public_id>/follow-ups",
    "GET",
    summary="Bevakningar för en person",
    tag="Förmåner",
    response=FollowUpOut,
    many=True,
    access=individual_access(Action.VIEW, Category.FK_RECORDS, *CASE_ROLES),
)
def list_follow_ups(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, object_type="FollowUp", individual_id=individual.id, details="api")
    return all_items(_follow_up_out(f, individual) for f in queries.case_follow_ups(individual.id))


@operation(
    "/follow-ups",
    "GET",
    summary="Min arbetslista: mina öppna bevakningar (handläggare)",
    tag="Förmåner",
    query=WorklistQuery,
    response=FollowUpOut,
    many=True,
    access=roles(Role.HANDLAGGARE),
)
def worklist(query: WorklistQuery) -> Page:
    data = queries.worklist_records(current_user, query.sort)
    rows = [
        _follow_up_out(f, i)
        for f, i in data.overdue + data.due_soon + data.later
        if query.due_before is None or f.due_on < query.due_before
    ]
    return all_items(rows)


@operation(
    "/individuals/<public_id>/follow-ups",
    "POST",
    summary="Lägg en bevakning",
    tag="Förmåner",
    body=FollowUpIn,
    response=FollowUpOut,
    status=201,
    access=individual_access(Action.EDIT, Category.FK_RECORDS, *FK_RECORD_EDITORS),
)
def create_follow_up(public_id: str, body: FollowUpIn, individual: Individual):
    data = services.FollowUpData(
        owner_id=body.owner_id,
        due_on=body.due_on,
        reason=body.reason.value,
        reason_text=body.reason_text,
        clinic_id=body.clinic_id,
        coordinator_id=body.coordinator_id,
    )
    return _follow_up_out(services.create_follow_up(individual, data, current_user), individual)


@operation(
    "/follow-ups/<int:follow_up_id>/done",
    "POST",
    summary="Klarmarkera en bevakning (ange versionen du läste)",
    tag="Förmåner",
    body=FollowUpDoneIn,
    response=FollowUpOut,
    errors=(409,),
    access=record_access(queries.get_follow_up_or_404, Action.EDIT, "follow_up", *FK_RECORD_EDITORS),
)
def complete_follow_up(follow_up_id: int, body: FollowUpDoneIn, follow_up: FollowUp):
    with conflict_on_stale():
        services.complete_follow_up(follow_up, body.done_on, body.done_note, body.version)
    return _follow_up_out(follow_up, follow_up.individual)
