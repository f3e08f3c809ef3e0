"""Recording certificates, FK decisions and bevakningar. Services flush; the request commits."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.benefits.models import (
    Certificate,
    CertificateType,
    FkDecision,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Level,
    Outcome,
)
from tracker.core.editing import apply_changes, check_version, flush_or_stale
from tracker.core.errors import ValidationError
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import Individual
from tracker.people.services import _as_int, _clean

CLINIC_TYPES = {OrgType.REGION_CLINIC, OrgType.REGION_OTHER}
MAX_PERIOD_YEARS = 3
NOTE_MAX = 2000


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _enum(enum_cls, value, field: str, message: str, errors: dict):
    try:
        return enum_cls(value)
    except ValueError:
        errors[field] = message
        return None


def _text(value, field: str, limit: int, errors: dict) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = f"Högst {limit} tecken."
    return text or None


def _not_future(value: date | None, field: str, errors: dict) -> None:
    if value and value > today_local():
        errors.setdefault(field, "Datumet kan inte ligga i framtiden.")


def _clinic(clinic_id, errors: dict, field: str = "clinic_id") -> Organisation | None:
    clinic = db.session.get(Organisation, _as_int(clinic_id)) if _as_int(clinic_id) else None
    if clinic is None or clinic.org_type not in CLINIC_TYPES or not clinic.is_active:
        errors[field] = "Välj en mottagning i listan."
        return None
    return clinic


def _officer(officer_id, errors: dict, field: str) -> User | None:
    officer = db.session.get(User, _as_int(officer_id)) if _as_int(officer_id) else None
    if officer is None or officer.role != Role.HANDLAGGARE or not officer.is_active:
        errors[field] = "Välj en aktiv handläggare på Försäkringskassan i listan."
        return None
    return officer


# ---------------------------------------------------------------- certificates


@dataclass
class CertificateData:
    issued_on: date | None
    clinic_id: int | str | None
    certificate_type: str
    doctor: str | None = None
    sent_to_fk_on: date | None = None
    note: str | None = None


def _validate_certificate(data: CertificateData) -> dict:
    errors: dict[str, str] = {}
    if data.issued_on is None:
        errors["issued_on"] = "Ange när utlåtandet utfärdades."
    _not_future(data.issued_on, "issued_on", errors)
    clinic = _clinic(data.clinic_id, errors)
    certificate_type = _enum(
        CertificateType, data.certificate_type, "certificate_type", "Välj typ av utlåtande i listan.", errors
    )
    if data.sent_to_fk_on and data.issued_on and data.sent_to_fk_on < data.issued_on:
        errors["sent_to_fk_on"] = "Utlåtandet kan inte ha skickats före det utfärdades."
    _not_future(data.sent_to_fk_on, "sent_to_fk_on", errors)
    doctor = _text(_clean(data.doctor), "doctor", 200, errors)
    note = _text(data.note, "note", NOTE_MAX, errors)
    if errors:
        raise ValidationError(errors)
    return {
        "issued_on": data.issued_on,
        "clinic_id": clinic.id,
        "doctor": doctor,
        "certificate_type": certificate_type,
        "sent_to_fk_on": data.sent_to_fk_on,
        "note": note,
    }


def create_certificate(individual: Individual, data: CertificateData, by: User) -> Certificate:
    certificate = Certificate(individual_id=individual.id, created_by_id=by.id, **_validate_certificate(data))
    db.session.add(certificate)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=certificate, individual_id=individual.id)
    return certificate


def update_certificate(certificate: Certificate, data: CertificateData, expected_version) -> Certificate:
    check_version(certificate, expected_version)
    values = _validate_certificate(data)
    issued_on = values["issued_on"]
    answered = db.session.scalar(
        select(func.min(FkDecision.decided_on)).where(FkDecision.certificate_id == certificate.id)
    )
    if answered and issued_on > answered:
        raise ValidationError({"issued_on": "Ett beslut som besvarar utlåtandet är fattat före det datumet."})
    apply_changes(certificate, values, individual_id=certificate.individual_id)
    return certificate


# ---------------------------------------------------------------- decisions


@dataclass
class DecisionData:
    outcome: str
    officer_id: int | str | None
    decided_on: date | None = None
    level: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    certificate_id: int | str | None = None
    note: str | None = None


def _validate_period(start: date | None, end: date | None, errors: dict, required: bool) -> None:
    if required and start is None:
        errors["period_start"] = "Ange periodens början."
    if required and end is None:
        errors["period_end"] = "Ange periodens slut."
    if end and not start:
        errors.setdefault("period_start", "Ange periodens början.")
    if start and end:
        if end <= start:
            errors["period_end"] = "Periodens slut måste ligga efter dess början."
        elif end >= add_years(start, MAX_PERIOD_YEARS):
            errors["period_end"] = "En beslutsperiod kan vara högst 3 år."


def _validate_decision(individual: Individual, data: DecisionData) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    outcome = _enum(Outcome, data.outcome, "outcome", "Välj utfall i listan.", errors)
    values["outcome"] = outcome
    if outcome == Outcome.PENDING:
        if data.decided_on:
            errors["decided_on"] = "Ett ärende som inte är beslutat har inget beslutsdatum."
    elif outcome and data.decided_on is None:
        errors["decided_on"] = "Ange beslutsdatum."
    _not_future(data.decided_on, "decided_on", errors)
    values["decided_on"] = data.decided_on
    values["level"] = None
    if data.level:
        values["level"] = _enum(Level, data.level, "level", "Välj nivå i listan.", errors)
    elif outcome == Outcome.GRANTED:
        errors["level"] = "Ange nivå för beviljad ersättning."
    _validate_period(data.period_start, data.period_end, errors, required=outcome == Outcome.GRANTED)
    values["period_start"], values["period_end"] = data.period_start, data.period_end
    officer = _officer(data.officer_id, errors, "officer_id")
    values["officer_id"] = officer.id if officer else None
    values["certificate_id"] = None
    if _as_int(data.certificate_id):
        certificate = db.session.get(Certificate, _as_int(data.certificate_id))
        if certificate is None or certificate.individual_id != individual.id:
            errors["certificate_id"] = "Välj ett av personens läkarutlåtanden i listan."
        else:
            values["certificate_id"] = certificate.id
            if data.decided_on and data.decided_on < certificate.issued_on:
                errors["decided_on"] = "Beslutet kan inte vara fattat före läkarutlåtandet det besvarar."
    values["note"] = _text(data.note, "note", NOTE_MAX, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _guard_certificate_link(individual: Individual, data: DecisionData, by, decision) -> DecisionData:
    """Who may not see certificates can neither pick nor drop the link to one."""
    from tracker.consent.categories import Action, Category
    from tracker.consent.policy import may

    if by is not None and not may(by, Action.VIEW, individual, Category.CERTIFICATES):
        return replace(data, certificate_id=decision.certificate_id if decision else None)
    return data


def create_decision(individual: Individual, data: DecisionData, by: User) -> FkDecision:
    data = _guard_certificate_link(individual, data, by, None)
    values = _validate_decision(individual, data)
    decision = FkDecision(individual_id=individual.id, created_by_id=by.id, **values)
    db.session.add(decision)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=decision, individual_id=individual.id)
    return decision


def update_decision(
    decision: FkDecision, data: DecisionData, expected_version, by: User | None = None
) -> FkDecision:
    check_version(decision, expected_version)
    data = _guard_certificate_link(decision.individual, data, by, decision)
    values = _validate_decision(decision.individual, data)
    apply_changes(decision, values, individual_id=decision.individual_id)
    return decision


# ---------------------------------------------------------------- bevakningar


@dataclass
class FollowUpData:
    owner_id: int | str | None
    due_on: date | None
    reason: str
    clinic_id: int | str | None
    coordinator_id: int | str | None = None
    reason_text: str | None = None


def create_follow_up(individual: Individual, data: FollowUpData, by: User) -> FollowUp:
    errors: dict[str, str] = {}
    owner = _officer(data.owner_id, errors, "owner_id")
    if data.due_on is None:
        errors["due_on"] = "Ange när bevakningen förfaller."
    elif data.due_on > add_years(today_local(), MAX_PERIOD_YEARS + 1):
        errors["due_on"] = "Förfallodagen ligger orimligt långt fram."
    reason = _enum(FollowUpReason, data.reason, "reason", "Välj orsak i listan.", errors)
    reason_text = _text(data.reason_text, "reason_text", 500, errors)
    if reason == FollowUpReason.OTHER and not reason_text:
        errors["reason_text"] = "Beskriv orsaken."
    clinic = _clinic(data.clinic_id, errors)
    coordinator = None
    if _as_int(data.coordinator_id):
        coordinator = db.session.get(User, _as_int(data.coordinator_id))
        if (
            coordinator is None
            or coordinator.role != Role.REHABKOORDINATOR
            or not coordinator.is_active
            or (clinic is not None and coordinator.organisation_id != clinic.id)
        ):
            errors["coordinator_id"] = "Välj en aktiv rehabkoordinator på mottagningen."
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(
        individual_id=individual.id,
        owner_id=owner.id,
        due_on=data.due_on,
        reason=reason,
        reason_text=reason_text,
        clinic_id=clinic.id,
        coordinator_id=coordinator.id if coordinator else None,
        status=FollowUpStatus.OPEN,
        created_by_id=by.id,
    )
    db.session.add(follow_up)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=follow_up, individual_id=individual.id)
    return follow_up


def complete_follow_up(follow_up: FollowUp, done_on: date | None, note: str | None, expected_version):
    check_version(follow_up, expected_version)
    errors: dict[str, str] = {}
    if follow_up.status != FollowUpStatus.OPEN:
        errors["done_on"] = "Bevakningen är redan klarmarkerad."
    if done_on is None:
        errors["done_on"] = "Ange när bevakningen blev klar."
    _not_future(done_on, "done_on", errors)
    if done_on and follow_up.created_at and done_on < follow_up.created_at.date() - timedelta(days=1):
        errors["done_on"] = "Bevakningen kan inte ha blivit klar innan den lades upp."
    done_note = _text(note, "done_note", 1000, errors)
    if errors:
        raise ValidationError(errors)
    follow_up.status = FollowUpStatus.DONE
    follow_up.done_on = done_on
    follow_up.done_note = done_note
    flush_or_stale()
    audit_record(AuditAction.UPDATE, obj=follow_up, individual_id=follow_up.individual_id, details="done")
    return follow_up
