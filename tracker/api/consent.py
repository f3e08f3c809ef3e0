"""API: consents, spärrar and the consent check."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import ApiError, individual_access, operation, roles
from tracker.api.schemas import (
    BlockIn,
    BlockOut,
    ConsentCheckIn,
    ConsentCheckOut,
    ConsentIn,
    ConsentOut,
    WithdrawIn,
)
from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import Role
from tracker.consent import queries, services
from tracker.consent.categories import Action, Category
from tracker.consent.models import Block, Consent
from tracker.consent.policy import require, require_role
from tracker.core import personnummer
from tracker.core.pagination import Page
from tracker.extensions import db
from tracker.people.models import Individual

EDITOR_ROLES = (Role.REHABKOORDINATOR, Role.SAMORDNARE)
CHECK_ROLES = (Role.HANDLAGGARE, Role.SAMORDNARE, Role.REHABKOORDINATOR)


def _out(consent: Consent) -> dict:
    return {
        "id": consent.id,
        "status": services.consent_status(consent).value,
        "authorities": [p.authority for p in consent.parties if p.authority],
        "organisation_ids": [p.organisation_id for p in consent.parties if p.organisation_id],
        "purposes": sorted(consent.purpose_set),
        "categories": sorted(consent.category_set),
        "form": consent.form,
        "given_on": consent.given_on,
        "valid_until": consent.valid_until,
        "withdrawn_on": consent.withdrawn_on,
        "supersedes_id": consent.supersedes_id,
        "superseded": consent.superseded_at is not None,
    }


def _all(items: list) -> Page:
    return Page(items=items, page=1, per_page=max(len(items), 1), total=len(items))


def _consent_access(consent_id: int, **_):
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        abort(404)
    require(current_user, Action.EDIT, consent.individual, Category.IDENTITY)
    require_role(current_user, *EDITOR_ROLES)
    return {"consent": consent}


@operation(
    "/individuals/<public_id>/consents",
    "GET",
    summary="Samtycken (alla versioner)",
    tag="Samtycken",
    response=ConsentOut,
    many=True,
    access=individual_access(Action.VIEW, Category.IDENTITY),
)
def list_consents(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, object_type="Consent", individual_id=individual.id, details="api")
    return _all([_out(c) for c in services.consent_history(individual)])


@operation(
    "/individuals/<public_id>/consents",
    "POST",
    summary="Registrera samtycke",
    tag="Samtycken",
    body=ConsentIn,
    response=ConsentOut,
    status=201,
    access=individual_access(Action.EDIT, Category.IDENTITY, *EDITOR_ROLES),
)
def register_consent(public_id: str, body: ConsentIn, individual: Individual):
    data = services.ConsentData(
        authorities=[a.value for a in body.authorities],
        organisation_ids=body.organisation_ids,
        purposes=[p.value for p in body.purposes],
        purpose_other=body.purpose_other,
        categories=[c.value for c in body.categories],
        form=body.form.value,
        given_on=body.given_on,
        valid_until=body.valid_until,
        note=body.note,
    )
    return _out(services.register_consent(individual, data, current_user))


@operation(
    "/consents/<int:consent_id>/withdraw",
    "POST",
    summary="Återkalla samtycke (gäller omedelbart)",
    tag="Samtycken",
    body=WithdrawIn,
    response=ConsentOut,
    access=_consent_access,
)
def withdraw_consent(consent_id: int, body: WithdrawIn, consent: Consent):
    services.withdraw_consent(consent, body.withdrawn_on, body.reason, current_user)
    return _out(consent)


@operation(
    "/consent-check",
    "POST",
    summary="Finns ett giltigt samtycke för min organisation? (inget annat ur ärendet visas)",
    tag="Samtycken",
    body=ConsentCheckIn,
    response=ConsentCheckOut,
    access=roles(*CHECK_ROLES),
)
def consent_check(body: ConsentCheckIn):
    try:
        number = personnummer.normalise(body.personnummer)
    except personnummer.InvalidPersonnummer as exc:
        raise ApiError(422, "Ogiltiga uppgifter", errors={"personnummer": str(exc)}) from exc
    answer, individual = queries.check_for_party(current_user, number)
    audit_record(
        AuditAction.CONSENT_CHECK,
        object_type="Individual",
        individual_id=individual.id if individual else None,
        details=f"api covered={answer.covered}",
    )
    return {
        "covered": answer.covered,
        "purposes": answer.purposes or [],
        "categories": answer.categories or [],
        "valid_until": answer.valid_until,
    }


@operation(
    "/individuals/<public_id>/blocks",
    "GET",
    summary="Spärrar",
    tag="Samtycken",
    response=BlockOut,
    many=True,
    access=individual_access(Action.VIEW, Category.IDENTITY),
)
def list_blocks(public_id: str, individual: Individual):
    audit_record(AuditAction.VIEW, object_type="Block", individual_id=individual.id, details="api")
    blocks = db.session.scalars(select(Block).where(Block.individual_id == individual.id).order_by(Block.id))
    return _all(blocks.all())


@operation(
    "/individuals/<public_id>/blocks",
    "POST",
    summary="Registrera spärr",
    tag="Samtycken",
    body=BlockIn,
    response=BlockOut,
    status=201,
    access=individual_access(Action.EDIT, Category.IDENTITY, *EDITOR_ROLES),
)
def add_block(public_id: str, body: BlockIn, individual: Individual):
    return services.add_block(
        individual,
        body.category.value if body.category else None,
        body.organisation_id,
        body.starts_on,
        body.ends_on,
        body.note,
        current_user,
    )
