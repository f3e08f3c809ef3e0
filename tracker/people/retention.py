"""Retention (gallring): anonymise individuals whose case closed long enough ago.

`flask --app tracker retention run [--dry-run]`. Identity (personnummer,
names) and free text are removed; gender, home municipality, organisations,
every date and the age at each enrolment stay, so counts and reports are
unchanged. The audit log is append-only and keeps its rows (they carry no
names or personnummer).

Pluggable: a domain with free text about the individual registers a
function that clears it (called before the identity is removed), e.g. in
its views module:

    from tracker.people.retention import anonymiser

    @anonymiser("meetings")
    def clear_meeting_notes(individual) -> None:
        db.session.execute(update(MeetingNote).where(...).values(text=None))
"""

import secrets
import string
from collections.abc import Callable

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select, update

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.consent.models import Block, Consent, ConsentDocument, EmergencyAccess
from tracker.core.timeutil import now_utc, today_local
from tracker.extensions import db
from tracker.people.models import CaseContact, Individual

ANONYMISED_NAME = "Anonymiserad"
# Letters after "ANON" can never pass as a personnummer (12 digits), and the
# 8 random characters keep the unique column unique.
_PLACEHOLDER_ALPHABET = string.ascii_uppercase + string.digits

ANONYMISERS: dict[str, Callable[[Individual], None]] = {}


def anonymiser(key: str):
    def register(func):
        ANONYMISERS[key] = func
        return func

    return register


def placeholder_personnummer() -> str:
    while True:
        candidate = "ANON" + "".join(secrets.choice(_PLACEHOLDER_ALPHABET) for _ in range(8))
        if not db.session.scalar(select(Individual.id).where(Individual.personnummer == candidate)):
            return candidate


def retention_cutoff():
    """Cases closed on or before this date are due."""
    return today_local() - relativedelta(years=current_app.config["RETENTION_YEARS_AFTER_DISCHARGE"])


def due_individuals() -> list[Individual]:
    return db.session.scalars(
        select(Individual)
        .where(
            Individual.closed_on.is_not(None),
            Individual.closed_on <= retention_cutoff(),
            Individual.anonymised_at.is_(None),
        )
        .order_by(Individual.id)
    ).all()


def anonymise(individual: Individual) -> None:
    if individual.anonymised_at is not None:
        return
    # The anonymisers run while the identity is still there, so that a domain can first keep
    # what its reports derive from it (e.g. the age at enrolment) in a form that identifies no one.
    for func in ANONYMISERS.values():
        func(individual)
    individual.personnummer = placeholder_personnummer()
    individual.first_name = ANONYMISED_NAME
    individual.last_name = ANONYMISED_NAME
    individual.refresh_search_name()
    individual.closed_reason = None
    individual.anonymised_at = now_utc()
    db.session.flush()
    audit_record(
        AuditAction.UPDATE, obj=individual, individual_id=individual.id, details="retention: anonymised"
    )


@anonymiser("people")
def _clear_contacts(individual: Individual) -> None:
    db.session.execute(
        update(CaseContact)
        .where(CaseContact.individual_id == individual.id)
        .values(contact_person=None, note=None)
    )


@anonymiser("consent")
def _clear_consent_free_text(individual: Individual) -> None:
    consent_ids = select(Consent.id).where(Consent.individual_id == individual.id).scalar_subquery()
    db.session.execute(delete(ConsentDocument).where(ConsentDocument.consent_id.in_(consent_ids)))
    db.session.execute(
        update(Consent)
        .where(Consent.individual_id == individual.id)
        .values(note=None, purpose_other=None, withdrawal_reason=None)
    )
    db.session.execute(
        update(Block).where(Block.individual_id == individual.id).values(note=None, lift_note=None)
    )
    db.session.execute(
        update(EmergencyAccess)
        .where(EmergencyAccess.individual_id == individual.id)
        .values(reason=ANONYMISED_NAME)
    )


def run(dry_run: bool = False) -> int:
    """Anonymise every due individual, one transaction each; returns how many were due."""
    due = due_individuals()
    if dry_run:
        return len(due)
    ids = [individual.id for individual in due]
    for individual_id in ids:
        individual = db.session.get(Individual, individual_id)
        anonymise(individual)
        db.session.commit()
    return len(ids)


retention_cli = AppGroup("retention", help="Retention: anonymise closed cases after the retention period.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only count who is due; change nothing.")
def run_command(dry_run: bool) -> None:
    """Anonymise individuals whose case closed RETENTION_YEARS_AFTER_DISCHARGE years ago."""
    years = current_app.config["RETENTION_YEARS_AFTER_DISCHARGE"]
    count = run(dry_run=dry_run)
    if dry_run:
        click.echo(f"{count} individuals closed {years}+ years ago would be anonymised (dry run).")
    else:
        click.echo(f"Anonymised {count} individuals closed {years}+ years ago.")
