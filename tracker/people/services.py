"""Creating, changing and finding individuals. Services flush; views commit."""

from dataclasses import dataclass

from flask import has_request_context
from sqlalchemy import and_, select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.audit.services import record_kept
from tracker.auth.models import Organisation, OrgType, Role, User
from tracker.core import personnummer
from tracker.core.editing import apply_changes, changed_fields, check_version
from tracker.core.errors import ValidationError
from tracker.core.timeutil import STOCKHOLM, today_local
from tracker.extensions import db
from tracker.people.models import CaseContact, Gender, Individual

RESPONSIBLE_ORG_TYPES = {OrgType.REGION_CLINIC, OrgType.REGION_OTHER, OrgType.PROJECT}
COORDINATOR_ROLES = {Role.REHABKOORDINATOR, Role.SAMORDNARE}


@dataclass
class IndividualData:
    personnummer: str
    first_name: str
    last_name: str
    gender: str
    home_municipality: str
    clinic_id: int | None
    coordinator_id: int | None
    fk_officer_id: int | None


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _as_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _validate(data: IndividualData, existing: Individual | None, by: User) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["personnummer"] = personnummer.normalise(data.personnummer)
    except personnummer.InvalidPersonnummer as exc:
        errors["personnummer"] = str(exc)
    else:
        clash = db.session.scalar(
            select(Individual.id).where(Individual.personnummer == values["personnummer"])
        )
        if clash and (existing is None or clash != existing.id):
            errors["personnummer"] = "Det finns redan en person med det numret i Puls."
            _audit_clash(clash, existing)
    for name in ("first_name", "last_name", "home_municipality"):
        value = _clean(getattr(data, name))
        if not value:
            errors[name] = "Fältet måste fyllas i."
        elif len(value) > 100:
            errors[name] = "Högst 100 tecken."
        values[name] = value
    try:
        values["gender"] = Gender(data.gender)
    except ValueError:
        errors["gender"] = "Välj kön i listan."
    clinic = db.session.get(Organisation, data.clinic_id) if data.clinic_id else None
    if clinic is None or clinic.org_type not in RESPONSIBLE_ORG_TYPES or not clinic.is_active:
        errors["clinic_id"] = "Välj en ansvarig mottagning eller enhet i listan."
    values["clinic_id"] = clinic.id if clinic else None
    if clinic is not None and clinic.id != by.organisation_id:
        errors["clinic_id"] = "Du kan bara registrera personer för din egen enhet."
    if existing is not None and clinic is not None and clinic.id != existing.clinic_id:
        # The responsible unit sees and edits the whole case without consent: a case never
        # changes hands by an edit.
        errors["clinic_id"] = "Ansvarig enhet kan inte bytas för en registrerad person."
    coordinator = db.session.get(User, data.coordinator_id) if data.coordinator_id else None
    if data.coordinator_id and (
        coordinator is None or coordinator.role not in COORDINATOR_ROLES or not coordinator.is_active
    ):
        errors["coordinator_id"] = "Välj en aktiv rehabkoordinator eller samordnare i listan."
    elif coordinator is not None and coordinator.organisation_id != values["clinic_id"]:
        # The coordinator is responsible unit too (every category, no consent needed), so only
        # the clinic's own staff can be made coordinator.
        errors["coordinator_id"] = "Välj en rehabkoordinator eller samordnare på den ansvariga enheten."
    values["coordinator_id"] = coordinator.id if coordinator else None
    officer = db.session.get(User, data.fk_officer_id) if data.fk_officer_id else None
    if data.fk_officer_id and (officer is None or officer.role != Role.HANDLAGGARE or not officer.is_active):
        errors["fk_officer_id"] = "Välj en aktiv handläggare på Försäkringskassan i listan."
    values["fk_officer_id"] = officer.id if officer else None
    if errors:
        raise ValidationError(errors)
    return values


def _audit_clash(individual_id: int, existing: Individual | None) -> None:
    """Someone typed the personnummer of a person already in Puls: the answer says so (numbers
    are unique), so the attempt goes into that person's audit trail even though it fails."""
    if has_request_context():  # imports audit their own refused rows
        action = "create" if existing is None else "update"
        record_kept(AuditAction.DENIED, individual_id=individual_id, details=f"personnummer_taken; {action}")


def create_individual(data: IndividualData, by: User) -> Individual:
    values = _validate(data, None, by)
    individual = Individual(**values, created_by_id=by.id)
    individual.refresh_search_name()
    db.session.add(individual)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=individual, individual_id=individual.id)
    return individual


def update_individual(individual: Individual, data: IndividualData, expected_version, by: User) -> Individual:
    check_version(individual, expected_version)
    if individual.anonymised_at is not None:
        raise ValidationError({"personnummer": "Personen är anonymiserad. Uppgifterna kan inte ändras."})
    apply_changes(individual, _validate(data, individual, by), individual_id=individual.id)
    return individual


def update_individual_if_changed(individual: Individual, data: IndividualData, by: User) -> list[str]:
    """Update only what differs; nothing (no version bump, no audit row) when all is equal.

    For repeated imports of the same file: the same rules as update_individual,
    and the changed field names are returned.
    """
    if individual.anonymised_at is not None:
        raise ValidationError({"personnummer": "Personen är anonymiserad. Uppgifterna kan inte ändras."})
    changed = changed_fields(individual, _validate(data, individual, by))
    if changed:
        update_individual(individual, data, individual.version, by)
    return changed


def search_filter(term: str):
    """A WHERE clause for a name or personnummer search term."""
    term = _clean(term)
    if personnummer.looks_like_personnummer(term):
        try:
            return Individual.personnummer == personnummer.normalise(term)
        except personnummer.InvalidPersonnummer:
            return Individual.id.is_(None)
    clauses = []
    for word in term.casefold().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(Individual.search_name.like(f"%{escaped}%", escape="\\"))
    return and_(*clauses) if clauses else Individual.id.is_(None)


def add_contact(individual: Individual, organisation: Organisation, person: str, note: str) -> CaseContact:
    if any(c.organisation_id == organisation.id for c in individual.contacts):
        raise ValidationError({"organisation_id": "Organisationen finns redan bland kontakterna."})
    contact = CaseContact(
        individual=individual,
        organisation=organisation,
        contact_person=_clean(person) or None,
        note=_clean(note) or None,
    )
    db.session.add(contact)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=contact, individual_id=individual.id)
    return contact


def remove_contact(contact: CaseContact) -> None:
    audit_record(AuditAction.DELETE, obj=contact, individual_id=contact.individual_id)
    db.session.delete(contact)
    db.session.flush()


def close_case(individual: Individual, closed_on, reason: str) -> Individual:
    """Avsluta ärendet: the retention period (see people/retention.py) runs from closed_on."""
    reason = _clean(reason)
    errors = {}
    if individual.anonymised_at is not None:
        errors["reason"] = "Personen är redan anonymiserad."
    elif individual.closed_on is not None:
        errors["reason"] = "Ärendet är redan avslutat."
    if closed_on is None:
        errors["closed_on"] = "Ange ett datum."
    elif closed_on > today_local():
        errors["closed_on"] = "Datumet kan inte ligga i framtiden."
    elif closed_on < individual.created_at.astimezone(STOCKHOLM).date():
        errors["closed_on"] = "Datumet kan inte ligga före registreringen."
    if not reason:
        errors["reason"] = "Ange ett skäl."
    elif len(reason) > 500:
        errors["reason"] = "Högst 500 tecken."
    if errors:
        raise ValidationError(errors)
    individual.closed_on = closed_on
    individual.closed_reason = reason
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=individual, individual_id=individual.id, details="case closed")
    return individual


def reopen_case(individual: Individual) -> Individual:
    if individual.anonymised_at is not None:
        raise ValidationError({"reason": "En anonymiserad person kan inte återöppnas."})
    if individual.closed_on is None:
        return individual
    individual.closed_on = None
    individual.closed_reason = None
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=individual, individual_id=individual.id, details="case reopened")
    return individual
