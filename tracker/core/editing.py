"""Editing a versioned row: refuse stale forms, apply values, audit what changed.

Every domain's update service uses these, so "no lost update" and "audit the
changed fields (never their values)" are implemented once.
"""

from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.extensions import db

STALE_MESSAGE = (
    "Någon annan har ändrat uppgifterna medan du redigerade. Ladda om sidan, "
    "kontrollera ändringarna och spara igen."
)


class StaleEdit(Exception):
    """The record changed since the form was loaded (no lost updates)."""


def check_version(obj, expected_version) -> None:
    """Refuse an edit based on another version than the row has now."""
    if str(expected_version).strip() != str(obj.version):
        raise StaleEdit(STALE_MESSAGE)


def flush_or_stale() -> None:
    """Flush; a concurrent update caught by the version column becomes StaleEdit."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleEdit(STALE_MESSAGE) from exc


def changed_fields(obj, values: dict) -> list[str]:
    return sorted(key for key, value in values.items() if getattr(obj, key) != value)


def apply_changes(obj, values: dict, *, individual_id: int | None) -> list[str]:
    """Set `values` on `obj`, flush, and audit the names of the changed fields."""
    changed = changed_fields(obj, values)
    for key, value in values.items():
        setattr(obj, key, value)
    if hasattr(obj, "refresh_search_name"):
        obj.refresh_search_name()
    flush_or_stale()
    audit_record(
        AuditAction.UPDATE,
        obj=obj,
        individual_id=individual_id,
        details="fields: " + ",".join(changed) if changed else "no changes",
    )
    return changed
