"""Projects, referrals, enrolment and activities. Services flush; the request commits."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Authority, Organisation, OrgType, Role, User
from tracker.consent.models import Consent, ConsentParty
from tracker.core.editing import check_version, flush_or_stale
from tracker.core.errors import ValidationError
from tracker.core.timeutil import today_local
from tracker.extensions import db
from tracker.people.models import CaseContact, Individual
from tracker.referrals.models import (
    OPEN_STATUSES,
    ActivityGroup,
    Consultation,
    DischargeReason,
    Enrolment,
    GroupAttendance,
    GroupSession,
    InfoSession,
    Project,
    ProjectBudget,
    ProjectKind,
    ProjectMember,
    Referral,
    ReferralStatus,
    ReferrerType,
)

STAFF_ROLES = (Role.SAMORDNARE, Role.REHABKOORDINATOR, Role.LEDNING)


def _clean(text: str | None, field: str, errors: dict, max_len: int, required: bool = False) -> str | None:
    value = " ".join((text or "").split()) if max_len <= 500 else (text or "").strip()
    if required and not value:
        errors[field] = "Fältet måste fyllas i."
    elif len(value) > max_len:
        errors[field] = f"Högst {max_len} tecken."
    return value or None


def _not_future(value: date | None, field: str, errors: dict) -> None:
    if value is None:
        errors.setdefault(field, "Ange ett datum (ÅÅÅÅ-MM-DD).")
    elif value > today_local():
        errors.setdefault(field, "Datumet får inte ligga i framtiden.")


# ---------------------------------------------------------------- projects


@dataclass
class ProjectData:
    name: str
    kind: str
    organisation_id: int | None
    principal_id: int | None
    starts_on: date | None
    ends_on: date | None
    target_group: str | None = None
    planned_participants: int | None = None


def save_project(data: ProjectData, user: User, project: Project | None = None) -> Project:
    errors: dict[str, str] = {}
    name = _clean(data.name, "name", errors, 200, required=True)
    clash = db.session.scalar(select(Project.id).where(Project.name == name))
    if name and clash and (project is None or clash != project.id):
        errors["name"] = "Det finns redan ett projekt med det namnet."
    try:
        kind = ProjectKind(data.kind)
    except ValueError:
        errors["kind"] = "Välj projekttyp i listan."
        kind = None
    org = db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if org is None or org.org_type != OrgType.PROJECT:
        errors["organisation_id"] = "Välj projektets organisation (typ Projekt)."
    principal = db.session.get(Organisation, data.principal_id) if data.principal_id else None
    if data.principal_id and principal is None:
        errors["principal_id"] = "Välj huvudman i listan."
    if data.starts_on is None:
        errors["starts_on"] = "Ange startdatum (ÅÅÅÅ-MM-DD)."
    elif data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = "Slutdatum kan inte vara före startdatum."
    if data.planned_participants is not None and not 0 <= data.planned_participants <= 100_000:
        errors["planned_participants"] = "Ange ett antal mellan 0 och 100 000."
    target = _clean(data.target_group, "target_group", errors, 500)
    if errors:
        raise ValidationError(errors)
    is_new = project is None
    project = project or Project(created_by_id=user.id)
    project.name, project.kind, project.organisation_id = name, kind, org.id
    project.principal_id = principal.id if principal else None
    project.starts_on, project.ends_on = data.starts_on, data.ends_on
    project.target_group, project.planned_participants = target, data.planned_participants
    db.session.add(project)
    db.session.flush()
    audit_record(AuditAction.CREATE if is_new else AuditAction.UPDATE, obj=project)
    return project


def add_member(project: Project, member: User, is_lead: bool) -> ProjectMember:
    if member.role not in STAFF_ROLES:
        raise ValidationError({"user_id": "Bara samordnare, rehabkoordinatorer och ledning kan vara med."})
    row = db.session.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == member.id
        )
    )
    row = row or ProjectMember(project_id=project.id, user_id=member.id)
    row.is_lead = is_lead
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=project, details=f"member user={member.id} lead={is_lead}")
    return row


def set_budget(project: Project, forbund_id: int | None, year: int | None, amount: str) -> ProjectBudget:
    errors = {}
    forbund = db.session.get(Organisation, forbund_id) if forbund_id else None
    if forbund is None or forbund.org_type != OrgType.FORBUND:
        errors["forbund_id"] = "Välj ett samordningsförbund."
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = "Ange ett år mellan 2000 och 2100."
    try:
        value = Decimal(str(amount).replace(" ", "").replace(",", "."))
        if value < 0 or value > Decimal("1e9"):
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = "Ange ett belopp i kronor."
    if errors:
        raise ValidationError(errors)
    row = db.session.scalar(
        select(ProjectBudget).where(
            ProjectBudget.project_id == project.id,
            ProjectBudget.forbund_id == forbund.id,
            ProjectBudget.year == year,
        )
    )
    row = row or ProjectBudget(project_id=project.id, forbund_id=forbund.id, year=year)
    row.amount = value
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=project, details=f"budget {year}")
    return row


# ---------------------------------------------------------------- connecting the case


def connect_project(project: Project, individual: Individual) -> None:
    """Name the project's organisation among the case's contacts (the policy's 'connected')."""
    exists = db.session.scalar(
        select(CaseContact.id).where(
            CaseContact.individual_id == individual.id, CaseContact.organisation_id == project.organisation_id
        )
    )
    if exists is None and individual.clinic_id != project.organisation_id:
        db.session.add(
            CaseContact(
                individual_id=individual.id, organisation_id=project.organisation_id, note=project.name
            )
        )
        db.session.flush()


def derive_authorities(individual: Individual) -> set[Authority]:
    """The authorities involved with the person, from the case's unit, contacts and consents."""
    found: set[Authority] = set()
    if individual.clinic.org_type in (OrgType.REGION_CLINIC, OrgType.REGION_OTHER):
        found.add(Authority.REGION)
    if individual.fk_officer_id:
        found.add(Authority.FK)
    contact_orgs = db.session.scalars(
        select(Organisation)
        .join(CaseContact, CaseContact.organisation_id == Organisation.id)
        .where(CaseContact.individual_id == individual.id)
    )
    found.update(org.authority for org in contact_orgs)
    parties = db.session.execute(
        select(ConsentParty.authority, Organisation.org_type)
        .join(Consent, Consent.id == ConsentParty.consent_id)
        .outerjoin(Organisation, Organisation.id == ConsentParty.organisation_id)
        .where(Consent.individual_id == individual.id, Consent.superseded_at.is_(None))
    )
    for authority, org_type in parties:
        found.add(authority or org_type.authority)
    return found & {Authority.FK, Authority.REGION, Authority.KOMMUN, Authority.AF}


# ---------------------------------------------------------------- referrals


@dataclass
class ReferralData:
    referred_on: date | None
    referrer_type: str
    referrer_org_id: int | None
    reason: str | None


def create_referral(project: Project, individual: Individual, data: ReferralData, user: User) -> Referral:
    errors: dict[str, str] = {}
    _not_future(data.referred_on, "referred_on", errors)
    try:
        referrer_type = ReferrerType(data.referrer_type)
    except ValueError:
        errors["referrer_type"] = "Välj typ av remittent i listan."
    if data.referrer_org_id and db.session.get(Organisation, data.referrer_org_id) is None:
        errors["referrer_org_id"] = "Välj organisation i listan."
    reason = _clean(data.reason, "reason", errors, 5000)
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        project_id=project.id,
        individual_id=individual.id,
        referred_on=data.referred_on,
        referrer_type=referrer_type,
        referrer_org_id=data.referrer_org_id,
        reason=reason,
        status=ReferralStatus.QUEUED,
        created_by_id=user.id,
    )
    db.session.add(referral)
    db.session.flush()
    connect_project(project, individual)
    audit_record(AuditAction.CREATE, obj=referral, individual_id=individual.id)
    return referral


def change_referral_status(referral: Referral, status: str, reason: str | None, user: User) -> Referral:
    errors: dict[str, str] = {}
    try:
        new = ReferralStatus(status)
    except ValueError:
        errors["status"] = "Välj status i listan."
        new = None
    if referral.status not in OPEN_STATUSES:
        errors["status"] = "Remissen är redan avslutad och kan inte ändras."
    text = _clean(reason, "status_reason", errors, 1000)
    if new == ReferralStatus.RETURNED and not text:
        errors["status_reason"] = "Ange varför remissen returneras till remittenten."
    if errors:
        raise ValidationError(errors)
    referral.status, referral.status_reason, referral.status_changed_on = new, text, today_local()
    db.session.flush()
    audit_record(
        AuditAction.UPDATE, obj=referral, individual_id=referral.individual_id, details=f"status={new}"
    )
    return referral


# ---------------------------------------------------------------- enrolment


ENROLMENT_ENUM_FIELDS = (
    "income_before",
    "income_after",
    "occupation_before",
    "occupation_after",
    "education_level",
    "support_before",
)
AUTHORITY_FIELDS = {
    "involves_fk": Authority.FK,
    "involves_region": Authority.REGION,
    "involves_kommun": Authority.KOMMUN,
    "involves_af": Authority.AF,
}


def enrol(
    project: Project, individual: Individual, enrolled_on: date | None, user: User, referral=None, **values
) -> Enrolment:
    errors: dict[str, str] = {}
    _not_future(enrolled_on, "enrolled_on", errors)
    open_enrolment = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.project_id == project.id,
            Enrolment.individual_id == individual.id,
            Enrolment.discharged_on.is_(None),
        )
    )
    if open_enrolment:
        errors["enrolled_on"] = "Personen är redan inskriven i projektet."
    if referral is not None and referral.status not in OPEN_STATUSES:
        errors["enrolled_on"] = "Remissen är redan avslutad."
    if errors:
        raise ValidationError(errors)
    enrolment = Enrolment(
        project_id=project.id, individual_id=individual.id, enrolled_on=enrolled_on, created_by_id=user.id
    )
    derived = derive_authorities(individual)
    for name, authority in AUTHORITY_FIELDS.items():
        setattr(enrolment, name, authority in derived)
    _apply_enrolment_values(enrolment, values)
    if referral is not None:
        enrolment.referral_id = referral.id
        referral.status, referral.status_changed_on = ReferralStatus.ACCEPTED, today_local()
    db.session.add(enrolment)
    db.session.flush()
    connect_project(project, individual)
    audit_record(AuditAction.CREATE, obj=enrolment, individual_id=individual.id)
    return enrolment


def _apply_enrolment_values(enrolment: Enrolment, values: dict) -> None:
    errors = {}
    for name in ENROLMENT_ENUM_FIELDS:
        if name in values:
            column_type = Enrolment.__table__.c[name].type.enum_class
            raw = values[name]
            try:
                setattr(enrolment, name, column_type(raw) if raw else None)
            except ValueError:
                errors[name] = "Välj ett värde i listan."
    for name in AUTHORITY_FIELDS:
        if name in values:
            setattr(enrolment, name, bool(values[name]))
    if errors:
        raise ValidationError(errors)


def update_enrolment(enrolment: Enrolment, values: dict, expected_version=None) -> Enrolment:
    """Change the background data; a stale form (someone saved in between) is refused."""
    check_version(enrolment, expected_version)
    _apply_enrolment_values(enrolment, values)
    flush_or_stale()
    audit_record(AuditAction.UPDATE, obj=enrolment, individual_id=enrolment.individual_id)
    return enrolment


def discharge(enrolment: Enrolment, discharged_on: date | None, reason: str, **values) -> Enrolment:
    errors: dict[str, str] = {}
    _not_future(discharged_on, "discharged_on", errors)
    if discharged_on and discharged_on < enrolment.enrolled_on:
        errors["discharged_on"] = "Utskrivningen kan inte vara före inskrivningen."
    if enrolment.discharged_on is not None:
        errors["discharged_on"] = "Personen är redan utskriven."
    try:
        reason_value = DischargeReason(reason)
    except ValueError:
        errors["discharge_reason"] = "Välj orsak till utskrivning i listan."
    if errors:
        raise ValidationError(errors)
    enrolment.discharged_on, enrolment.discharge_reason = discharged_on, reason_value
    _apply_enrolment_values(enrolment, values)
    db.session.flush()
    audit_record(
        AuditAction.UPDATE, obj=enrolment, individual_id=enrolment.individual_id, details="discharge"
    )
    return enrolment


# ---------------------------------------------------------------- activities


def add_consultation(
    project: Project, held_on, actor_type: str, actor: str, topic: str, user
) -> Consultation:
    errors: dict[str, str] = {}
    _not_future(held_on, "held_on", errors)
    try:
        kind = ReferrerType(actor_type)
    except ValueError:
        errors["actor_type"] = "Välj typ av aktör i listan."
    actor = _clean(actor, "actor", errors, 200, required=True)
    topic = _clean(topic, "topic", errors, 500, required=True)
    if errors:
        raise ValidationError(errors)
    row = Consultation(
        project_id=project.id,
        held_on=held_on,
        actor_type=kind,
        actor=actor,
        topic=topic,
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=row)
    return row


def add_info_session(project: Project, held_on, audience: str, organisation: str, attendees, user):
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Ange ett datum (ÅÅÅÅ-MM-DD)."
    audience = _clean(audience, "audience", errors, 200, required=True)
    organisation = _clean(organisation, "organisation", errors, 200, required=True)
    if attendees is None or not 0 <= attendees <= 10_000:
        errors["attendees"] = "Ange antal deltagare (0–10 000)."
    if errors:
        raise ValidationError(errors)
    row = InfoSession(
        project_id=project.id,
        held_on=held_on,
        audience=audience,
        organisation=organisation,
        attendees=attendees,
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=row)
    return row


def add_group(project: Project, name: str, description: str | None, user) -> ActivityGroup:
    errors: dict[str, str] = {}
    name = _clean(name, "name", errors, 200, required=True)
    description = _clean(description, "description", errors, 1000)
    if errors:
        raise ValidationError(errors)
    group = ActivityGroup(project_id=project.id, name=name, description=description, created_by_id=user.id)
    db.session.add(group)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=group)
    return group


def add_session(group: ActivityGroup, held_on: date | None, individual_ids: list[int], user) -> GroupSession:
    """A held session with its attendance; only people enrolled in the project may attend."""
    errors: dict[str, str] = {}
    _not_future(held_on, "held_on", errors)
    allowed = set(
        db.session.scalars(select(Enrolment.individual_id).where(Enrolment.project_id == group.project_id))
    )
    if set(individual_ids) - allowed:
        errors["attendees"] = "Bara personer inskrivna i projektet kan registreras som närvarande."
    if errors:
        raise ValidationError(errors)
    session = GroupSession(group_id=group.id, held_on=held_on, created_by_id=user.id)
    session.attendances = [GroupAttendance(individual_id=i) for i in sorted(set(individual_ids))]
    db.session.add(session)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=session, details=f"attendees={len(session.attendances)}")
    return session
