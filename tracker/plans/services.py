"""Writing vårdplaner, SIP details and insatser (with status history). Services flush only."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, User
from tracker.benefits.services import _not_future, _text
from tracker.core.editing import apply_changes, check_version, flush_or_stale
from tracker.core.errors import ValidationError
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.people.services import _as_int
from tracker.plans.models import ALLOWED_TRANSITIONS, CarePlan, Insats, InsatsStatus, InsatsStatusChange

GOALS_MAX = 5000


@dataclass
class PlanData:
    established_on: date | None
    goals: str | None
    follow_up_on: date | None = None
    is_sip: bool = False
    sip_meeting_on: date | None = None
    sip_organisation_ids: list = field(default_factory=list)


def _validate_plan(data: PlanData) -> dict:
    errors: dict[str, str] = {}
    if data.established_on is None:
        errors["established_on"] = "Ange när planen upprättades."
    _not_future(data.established_on, "established_on", errors)
    goals = _text(data.goals, "goals", GOALS_MAX, errors)
    if not goals:
        errors.setdefault("goals", "Beskriv planens mål.")
    if data.follow_up_on and data.established_on and data.follow_up_on < data.established_on:
        errors["follow_up_on"] = "Uppföljningen kan inte ligga före planens datum."
    organisations: list[Organisation] = []
    if data.is_sip:
        if data.sip_meeting_on is None:
            errors["sip_meeting_on"] = "Ange datum för SIP-mötet."
        ids = sorted({i for i in (_as_int(v) for v in data.sip_organisation_ids) if i})
        if ids:
            organisations = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))))
        if not ids or len(organisations) != len(ids):
            errors["sip_organisation_ids"] = "Välj de organisationer som deltar i SIP:en."
    if errors:
        raise ValidationError(errors)
    return {
        "established_on": data.established_on,
        "goals": goals,
        "follow_up_on": data.follow_up_on,
        "is_sip": bool(data.is_sip),
        "sip_meeting_on": data.sip_meeting_on if data.is_sip else None,
        "sip_organisations": organisations,
    }


def create_plan(individual: Individual, data: PlanData, by: User) -> CarePlan:
    if db.session.scalar(select(CarePlan.id).where(CarePlan.individual_id == individual.id)):
        raise ValidationError({"goals": "Personen har redan en vårdplan; ändra den i stället."})
    values = _validate_plan(data)
    plan = CarePlan(individual_id=individual.id, created_by_id=by.id, **values)
    db.session.add(plan)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=plan, individual_id=individual.id)
    return plan


def update_plan(plan: CarePlan, data: PlanData, expected_version) -> CarePlan:
    check_version(plan, expected_version)
    values = _validate_plan(data)
    apply_changes(plan, values, individual_id=plan.individual_id)
    return plan


@dataclass
class InsatsData:
    what: str | None
    organisation_id: int | str | None
    starts_on: date | None
    ends_on: date | None = None
    status: str = InsatsStatus.PLANNED.value


def add_insats(plan: CarePlan, data: InsatsData, by: User) -> Insats:
    errors: dict[str, str] = {}
    what = _text(data.what, "what", 300, errors)
    if not what:
        errors.setdefault("what", "Beskriv insatsen.")
    org_id = _as_int(data.organisation_id)
    organisation = db.session.get(Organisation, org_id) if org_id else None
    if organisation is None or not organisation.is_active:
        errors["organisation_id"] = "Välj ansvarig organisation i listan."
    if data.starts_on is None:
        errors["starts_on"] = "Ange startdatum."
    if data.ends_on and data.starts_on and data.ends_on < data.starts_on:
        errors["ends_on"] = "Slutdatum kan inte ligga före startdatum."
    if data.status not in (InsatsStatus.PLANNED, InsatsStatus.ONGOING):
        errors["status"] = "En ny insats är planerad eller pågående."
    if errors:
        raise ValidationError(errors)
    status = InsatsStatus(data.status)
    insats = Insats(
        plan=plan,
        individual_id=plan.individual_id,
        what=what,
        organisation_id=organisation.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=status,
        created_by_id=by.id,
    )
    db.session.add(insats)
    db.session.flush()
    _history(insats, None, status, today_local(), None, by)
    audit_record(AuditAction.CREATE, obj=insats, individual_id=plan.individual_id)
    return insats


def _history(insats: Insats, old, new, on: date, reason: str | None, by: User) -> None:
    db.session.add(
        InsatsStatusChange(
            insats_id=insats.id,
            individual_id=insats.individual_id,
            from_status=old,
            to_status=new,
            changed_on=on,
            reason=reason,
            created_by_id=by.id,
        )
    )


def change_insats_status(
    insats: Insats, to_status: str, changed_on: date | None, reason: str | None, expected_version, by: User
) -> Insats:
    check_version(insats, expected_version)
    errors: dict[str, str] = {}
    try:
        new = InsatsStatus(to_status)
    except ValueError:
        new = None
    if new not in ALLOWED_TRANSITIONS[insats.status]:
        errors["status"] = f"En insats som är {insats.status.label.lower()} kan inte få den statusen."
    if changed_on is None:
        errors["changed_on"] = "Ange datum för ändringen."
    _not_future(changed_on, "changed_on", errors)
    reason = _text(reason, "reason", 1000, errors)
    if new == InsatsStatus.INTERRUPTED and not reason:
        errors["reason"] = "Ange varför insatsen avbröts."
    if errors:
        raise ValidationError(errors)
    old = insats.status
    insats.status = new
    if new == InsatsStatus.INTERRUPTED:
        insats.interruption_reason = reason
    if new in (InsatsStatus.COMPLETED, InsatsStatus.INTERRUPTED) and insats.ends_on is None:
        insats.ends_on = max(changed_on, insats.starts_on)
    flush_or_stale()
    _history(insats, old, new, changed_on, reason, by)
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=insats, individual_id=insats.individual_id, details=f"status={new}")
    return insats
