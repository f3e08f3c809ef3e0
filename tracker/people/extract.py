"""The register extract (registerutdrag): everything Puls holds about one individual.

Pluggable: each domain registers a function returning its section, e.g. in
its views module (so it is imported when the app starts):

    from tracker.people.extract import extract_section

    @extract_section("meetings", "Möten", order=40)
    def meetings_extract(individual) -> list[dict]:
        return [{"Datum": m.starts_on, "Anteckning": m.note} for m in ...]

A section is a list of items; an item maps Swedish labels to values (str,
int, date, datetime, bool, None or a list of those). Sections read
everything about the individual, whatever the reader's categories: the
extract is the controller's answer to the individual and only the
responsible unit may make it. A fixed number of queries per section.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from tracker.audit.models import AuditEvent
from tracker.auth.models import Organisation, User
from tracker.consent.categories import CATEGORY_LABELS
from tracker.consent.models import Block, Consent, ConsentDocument, EmergencyAccess
from tracker.core.timeutil import format_date, format_datetime
from tracker.extensions import db
from tracker.people.models import CaseContact, Individual


@dataclass(frozen=True)
class ExtractSection:
    key: str
    title: str
    order: int
    build: Callable[[Individual], list[dict]]


EXTRACT_SECTIONS: dict[str, ExtractSection] = {}


def extract_section(key: str, title: str, order: int = 100):
    def register(func):
        EXTRACT_SECTIONS[key] = ExtractSection(key, title, order, func)
        return func

    return register


def _plain(value):
    """JSON- and print-friendly values: dates and times as Swedish local text."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def build_extract(individual: Individual) -> dict:
    sections = []
    for section in sorted(EXTRACT_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        items = [
            {label: _plain(value) for label, value in item.items()} for item in section.build(individual)
        ]
        sections.append({"key": section.key, "title": section.title, "items": items})
    return {"individual": individual.public_id, "sections": sections}


# ---------------------------------------------------------------- foundation sections


@extract_section("identity", "Identitet", order=10)
def identity_extract(individual: Individual) -> list[dict]:
    return [
        {
            "Personnummer": individual.personnummer_display,
            "Förnamn": individual.first_name,
            "Efternamn": individual.last_name,
            "Kön": individual.gender.label,
            "Hemkommun": individual.home_municipality,
            "Ansvarig enhet": individual.clinic.name,
            "Rehabkoordinator/samordnare": individual.coordinator.full_name
            if individual.coordinator
            else None,
            "Handläggare FK": individual.fk_officer.full_name if individual.fk_officer else None,
            "Registrerad": individual.created_at,
            "Ärendet avslutat": individual.closed_on,
            "Skäl till avslut": individual.closed_reason,
            "Anonymiserad": individual.anonymised_at,
        }
    ]


@extract_section("contacts", "Kontakter i ärendet", order=20)
def contacts_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(CaseContact).where(CaseContact.individual_id == individual.id).order_by(CaseContact.id)
    )
    return [
        {
            "Organisation": c.organisation.name,
            "Kontaktperson": c.contact_person,
            "Anteckning": c.note,
            "Tillagd": c.created_at,
        }
        for c in rows
    ]


def _party_names(consent: Consent) -> list[str]:
    from tracker.auth.models import AUTHORITY_LABELS

    return [
        p.organisation.name if p.organisation_id else AUTHORITY_LABELS[p.authority] for p in consent.parties
    ]


@extract_section("consents", "Samtycken (alla versioner)", order=30)
def consents_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(Consent).where(Consent.individual_id == individual.id).order_by(Consent.id)
    ).all()
    documents = dict(
        db.session.execute(
            select(ConsentDocument.consent_id, ConsentDocument.filename).where(
                ConsentDocument.consent_id.in_([c.id for c in rows])
            )
        ).all()
    )
    return [
        {
            "Samtycke nr": c.id,
            "Ersätter nr": c.supersedes_id,
            "Form": c.form.label,
            "Lämnat": c.given_on,
            "Giltigt till": c.valid_until,
            "Parter": _party_names(c),
            "Uppgifter": [CATEGORY_LABELS[cat.category] for cat in c.categories],
            "Ändamål": [p.purpose.label for p in c.purposes],
            "Annat ändamål": c.purpose_other,
            "Anteckning": c.note,
            "Ersatt": c.superseded_at,
            "Återkallat": c.withdrawn_on,
            "Skäl till återkallelse": c.withdrawal_reason,
            "Inskannad blankett": documents.get(c.id),
        }
        for c in rows
    ]


@extract_section("blocks", "Spärrar", order=31)
def blocks_extract(individual: Individual) -> list[dict]:
    rows = db.session.scalars(
        select(Block)
        .options(joinedload(Block.organisation))
        .where(Block.individual_id == individual.id)
        .order_by(Block.id)
    )
    return [
        {
            "Uppgifter": CATEGORY_LABELS[b.category] if b.category else "Alla",
            "Gäller organisation": b.organisation.name if b.organisation_id else "Alla",
            "Från": b.starts_on,
            "Till": b.ends_on,
            "Anteckning": b.note,
            "Hävd": b.lifted_on,
            "Anteckning vid hävning": b.lift_note,
        }
        for b in rows
    ]


@extract_section("emergency", "Nödöppningar", order=32)
def emergency_extract(individual: Individual) -> list[dict]:
    rows = db.session.execute(
        select(EmergencyAccess, User.full_name, Organisation.name)
        .join(User, User.id == EmergencyAccess.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(EmergencyAccess.individual_id == individual.id)
        .order_by(EmergencyAccess.id)
    )
    return [
        {
            "Av": name,
            "Organisation": org,
            "Skäl": access.reason,
            "Öppnad": access.started_at,
            "Gällde till": access.expires_at,
            "Granskad": access.reviewed_at,
        }
        for access, name, org in rows
    ]


# ---------------------------------------------------------------- the audit trail


def audit_trail(individual: Individual) -> list[dict]:
    """Who read or changed the individual's data: only rows about this individual."""
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, actor.full_name, Organisation.name)
        .outerjoin(actor, actor.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(AuditEvent.individual_id == individual.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return [
        {
            "Tid": _plain(event.occurred_at),
            "Händelse": event.action_label,
            "Användare": name or event.user_label,
            "Organisation": org,
            "Roll": event.role,
            "Uppgift": event.object_type,
            "Skäl": event.reason,
        }
        for event, name, org in rows
    ]
