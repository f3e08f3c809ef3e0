"""Registering, correcting and withdrawing consents; spärrar; emergency access.

Services flush; the request commits. A consent's content is never edited:
a correction is a new version that supersedes the old one.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import select
from werkzeug.utils import secure_filename

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Authority, Organisation, User
from tracker.consent.categories import Category
from tracker.consent.models import (
    Block,
    Consent,
    ConsentCategory,
    ConsentDocument,
    ConsentForm,
    ConsentParty,
    ConsentPurpose,
    EmergencyAccess,
    Purpose,
)
from tracker.core.errors import ValidationError
from tracker.core.personnummer import PERSONNUMMER_LIKE
from tracker.core.timeutil import now_utc, today_local
from tracker.extensions import db
from tracker.people.models import Individual

EARLIEST_DATE = date(1990, 1, 1)


class ConsentStatus(StrEnum):
    NOT_YET_VALID = "not_yet_valid"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ConsentStatus.NOT_YET_VALID: "Ej giltigt än",
    ConsentStatus.ACTIVE: "Giltigt",
    ConsentStatus.EXPIRING: "Löper snart ut",
    ConsentStatus.EXPIRED: "Utgånget",
    ConsentStatus.WITHDRAWN: "Återkallat",
    ConsentStatus.SUPERSEDED: "Ersatt av ny version",
}


def consent_status(consent: Consent, on: date | None = None) -> ConsentStatus:
    on = on or today_local()
    if consent.withdrawn_on is not None and consent.withdrawn_on <= on:
        return ConsentStatus.WITHDRAWN
    if consent.superseded_at is not None:
        return ConsentStatus.SUPERSEDED
    if consent.given_on > on:
        return ConsentStatus.NOT_YET_VALID
    if consent.valid_until is not None:
        if consent.valid_until < on:
            return ConsentStatus.EXPIRED
        if (consent.valid_until - on).days <= current_app.config["CONSENT_EXPIRING_DAYS"]:
            return ConsentStatus.EXPIRING
    return ConsentStatus.ACTIVE


def needs_review(consent: Consent, on: date | None = None) -> bool:
    """An open-ended consent is reviewed after CONSENT_REVIEW_MONTHS."""
    on = on or today_local()
    months = current_app.config["CONSENT_REVIEW_MONTHS"]
    return (
        consent.valid_until is None
        and consent_status(consent, on) == ConsentStatus.ACTIVE
        and consent.given_on + relativedelta(months=months) <= on
    )


# ---------------------------------------------------------------- documents

ALLOWED_DOCUMENTS = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


@dataclass
class Upload:
    filename: str
    content: bytes


def _document(upload: Upload) -> ConsentDocument:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if len(upload.content) > limit:
        raise ValidationError({"document": f"Filen är för stor (högst {limit // (1024 * 1024)} MB)."})
    if not upload.content:
        raise ValidationError({"document": "Filen är tom."})
    # Decide the type from the bytes, not from the name or the browser's claim.
    mime = next((m for magic, m in ALLOWED_DOCUMENTS.items() if upload.content.startswith(magic)), None)
    if mime is None:
        raise ValidationError({"document": "Endast PDF, PNG eller JPEG kan laddas upp."})
    filename = secure_filename(upload.filename or "")[:200] or "samtycke"
    return ConsentDocument(
        filename=filename,
        mime_type=mime,
        size_bytes=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_at=now_utc(),
    )


# ---------------------------------------------------------------- consents


@dataclass
class ConsentData:
    authorities: list[str] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    purpose_other: str = ""
    categories: list[str] = field(default_factory=list)
    form: str = ""
    given_on: date | None = None
    valid_until: date | None = None
    note: str = ""
    document: Upload | None = None


def _validate(data: ConsentData) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["authorities"] = sorted({Authority(a) for a in data.authorities})
    except ValueError:
        errors["authorities"] = "Välj parter i listan."
    orgs = []
    if data.organisation_ids:
        orgs = db.session.scalars(
            select(Organisation).where(Organisation.id.in_(set(data.organisation_ids)))
        ).all()
        if len(orgs) != len(set(data.organisation_ids)):
            errors["organisation_ids"] = "Välj organisationer i listan."
    values["organisations"] = orgs
    if not errors and not values["authorities"] and not orgs:
        errors["authorities"] = "Ange minst en part som samtycket gäller."
    try:
        values["purposes"] = sorted({Purpose(p) for p in data.purposes})
    except ValueError:
        errors["purposes"] = "Välj ändamål i listan."
    else:
        if not values["purposes"]:
            errors["purposes"] = "Ange minst ett ändamål."
        elif Purpose.OTHER in values["purposes"] and not data.purpose_other.strip():
            errors["purpose_other"] = "Beskriv det andra ändamålet."
    values["purpose_other"] = data.purpose_other.strip()[:500] or None
    try:
        values["categories"] = sorted({Category(c) for c in data.categories})
    except ValueError:
        errors["categories"] = "Välj uppgiftskategorier i listan."
    else:
        if not values["categories"]:
            errors["categories"] = "Ange minst en kategori av uppgifter."
    try:
        values["form"] = ConsentForm(data.form)
    except ValueError:
        errors["form"] = "Välj hur samtycket lämnades."
    if data.given_on is None:
        errors["given_on"] = "Ange från vilket datum samtycket gäller (ÅÅÅÅ-MM-DD)."
    elif data.given_on < EARLIEST_DATE:
        errors["given_on"] = "Datumet är orimligt tidigt."
    if data.valid_until and data.given_on and data.valid_until < data.given_on:
        errors["valid_until"] = "Slutdatum kan inte ligga före startdatum."
    values["given_on"], values["valid_until"] = data.given_on, data.valid_until
    if len(data.note or "") > 2000:
        errors["note"] = "Högst 2000 tecken."
    values["note"] = (data.note or "").strip() or None
    if data.document is not None:
        try:
            values["document"] = _document(data.document)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    return values


def _build(individual: Individual, values: dict, by: User) -> Consent:
    consent = Consent(
        individual=individual,
        form=values["form"],
        given_on=values["given_on"],
        valid_until=values["valid_until"],
        purpose_other=values["purpose_other"],
        note=values["note"],
        created_by_id=by.id,
    )
    consent.parties = [ConsentParty(authority=a) for a in values["authorities"]] + [
        ConsentParty(organisation=o) for o in values["organisations"]
    ]
    consent.categories = [ConsentCategory(category=c) for c in values["categories"]]
    consent.purposes = [ConsentPurpose(purpose=p) for p in values["purposes"]]
    if values.get("document") is not None:
        consent.document = values["document"]
    db.session.add(consent)
    return consent


def register_consent(individual: Individual, data: ConsentData, by: User) -> Consent:
    consent = _build(individual, _validate(data), by)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=consent, individual_id=individual.id)
    return consent


def correct_consent(old: Consent, data: ConsentData, by: User) -> Consent:
    """A new version replaces the old one, which stays visible as history."""
    if old.superseded_at is not None:
        raise ValidationError({"_": "Samtycket har redan ersatts av en nyare version; rätta den senaste."})
    if old.withdrawn_on is not None:
        raise ValidationError({"_": "Ett återkallat samtycke kan inte rättas. Registrera ett nytt."})
    values = _validate(data)
    if values.get("document") is None and old.document is not None:
        values["document"] = ConsentDocument(
            filename=old.document.filename,
            mime_type=old.document.mime_type,
            size_bytes=old.document.size_bytes,
            sha256=old.document.sha256,
            content=old.document.content,
            uploaded_at=old.document.uploaded_at,
        )
    new = _build(old.individual, values, by)
    new.supersedes_id = old.id
    old.superseded_at = now_utc()
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=new, individual_id=old.individual_id, details=f"supersedes {old.id}")
    return new


def withdraw_consent(consent: Consent, withdrawn_on: date | None, reason: str, by: User) -> None:
    errors = {}
    today = today_local()
    if consent.withdrawn_on is not None:
        errors["_"] = "Samtycket är redan återkallat."
    if consent.superseded_at is not None:
        errors["_"] = "Samtycket har ersatts av en nyare version; återkalla den."
    if withdrawn_on is None:
        errors["withdrawn_on"] = "Ange datum för återkallelsen (ÅÅÅÅ-MM-DD)."
    elif withdrawn_on > today:
        errors["withdrawn_on"] = "Återkallelsen gäller från idag eller tidigare, inte i framtiden."
    elif withdrawn_on < consent.given_on and consent.given_on <= today:
        errors["withdrawn_on"] = "Datumet ligger före samtyckets startdatum."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Ange skälet eller hur personen återkallade samtycket."
    elif len(reason) > 1000:
        errors["reason"] = "Högst 1000 tecken."
    if errors:
        raise ValidationError(errors)
    consent.withdrawn_on = max(withdrawn_on, min(consent.given_on, today))
    consent.withdrawn_at = now_utc()
    consent.withdrawn_by_id = by.id
    consent.withdrawal_reason = reason
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=consent, individual_id=consent.individual_id, details="withdrawn")


def consent_history(individual: Individual) -> list[Consent]:
    """All versions, newest first (superseded and withdrawn ones included)."""
    return db.session.scalars(
        select(Consent)
        .where(Consent.individual_id == individual.id)
        .order_by(Consent.given_on.desc(), Consent.id.desc())
    ).all()


# ---------------------------------------------------------------- spärrar


def add_block(
    individual: Individual,
    category: str | None,
    organisation_id: int | None,
    starts_on: date | None,
    ends_on: date | None,
    note: str,
    by: User,
) -> Block:
    errors = {}
    try:
        category_value = Category(category) if category else None
    except ValueError:
        errors["category"] = "Välj kategori i listan."
        category_value = None
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        errors["organisation_id"] = "Välj organisation i listan."
    if not errors and category_value is None and organisation is None:
        errors["category"] = "En spärr gäller en kategori, en organisation eller båda – välj minst en."
    if starts_on is None:
        errors["starts_on"] = "Ange från vilket datum spärren gäller."
    elif ends_on and ends_on < starts_on:
        errors["ends_on"] = "Slutdatum kan inte ligga före startdatum."
    if len(note or "") > 1000:
        errors["note"] = "Högst 1000 tecken."
    if errors:
        raise ValidationError(errors)
    block = Block(
        individual=individual,
        category=category_value,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        note=(note or "").strip() or None,
        created_by_id=by.id,
    )
    db.session.add(block)
    db.session.flush()
    audit_record(AuditAction.CREATE, obj=block, individual_id=individual.id)
    return block


def lift_block(block: Block, individual_asked: bool, note: str, by: User) -> None:
    """Only the individual can have a spärr lifted, and we record that they asked."""
    errors = {}
    if block.lifted_on is not None:
        errors["_"] = "Spärren är redan hävd."
    if not individual_asked:
        errors["individual_asked"] = "En spärr kan bara hävas på personens egen begäran."
    if not (note or "").strip():
        errors["note"] = "Ange när och hur personen begärde att spärren hävs."
    if errors:
        raise ValidationError(errors)
    block.lifted_on = today_local()
    block.lifted_by_id = by.id
    block.lift_note = note.strip()[:1000]
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=block, individual_id=block.individual_id, details="lifted")


# ---------------------------------------------------------------- emergency access


def checked_emergency_reason(reason: str | None) -> str:
    """The reason for an emergency access, or a ValidationError. Checked before the person is
    looked up, so that the answer to a bad reason never tells whether a number is in Puls."""
    reason = (reason or "").strip()
    if len(reason) < 20:
        raise ValidationError({"reason": "Beskriv skälet till nödöppningen (minst 20 tecken)."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Högst 1000 tecken."})
    if PERSONNUMMER_LIKE.search(" ".join(reason.split())):
        # Every admin reads the reasons on the review page; the access already names the person.
        raise ValidationError({"reason": "Skriv inget personnummer i skälet."})
    return reason


def open_emergency_access(individual: Individual, user: User, reason: str) -> EmergencyAccess:
    reason = checked_emergency_reason(reason)
    now = now_utc()
    access = EmergencyAccess(
        user_id=user.id,
        individual_id=individual.id,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=current_app.config["EMERGENCY_ACCESS_HOURS"]),
    )
    db.session.add(access)
    db.session.flush()
    # The reason (free text, often naming the person and their health) stays with the access, which
    # retention clears; the hash-chained audit log is never anonymised, so it gets the reference only.
    audit_record(AuditAction.EMERGENCY_ACCESS, obj=access, individual_id=individual.id)
    return access


def mark_emergency_reviewed(access: EmergencyAccess, by: User) -> None:
    access.reviewed_by_id = by.id
    access.reviewed_at = now_utc()
    db.session.flush()
    audit_record(AuditAction.UPDATE, obj=access, individual_id=access.individual_id, details="reviewed")
