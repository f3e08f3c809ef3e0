"""Writing and verifying the audit log.

Each row carries a SHA-256 over its own content and the previous row's hash,
so a changed or deleted row breaks the chain from that point on. On
PostgreSQL a transaction-level advisory lock serialises writers so that two
processes never chain onto the same predecessor.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert, select, text

from tracker.audit.models import AuditAction, AuditEvent
from tracker.core.timeutil import now_utc
from tracker.core.types import UTCDateTime
from tracker.extensions import db

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 7_362_101  # arbitrary, fixed: "the audit chain"

_HASHED_FIELDS = (
    "occurred_at",
    "user_id",
    "user_label",
    "organisation_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "individual_id",
    "reason",
    "details",
    "remote_addr",
)


def compute_hash(event, prev_hash: str) -> str:
    """Hash an AuditEvent or a row of the audit table onto its predecessor."""
    return _hash_content(_hashed_content(event), prev_hash)


def _hashed_content(event) -> dict:
    content = {field: getattr(event, field) for field in _HASHED_FIELDS}
    content["occurred_at"] = UTCDateTime().process_result_value(content["occurred_at"], None).isoformat()
    return content


def _hash_content(content: dict, prev_hash: str) -> str:
    payload = prev_hash + json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


# Core statements built once: no ORM overhead on every page view.
_TABLE = AuditEvent.__table__
_LAST_HASH = select(_TABLE.c.row_hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = insert(_TABLE)


def _last_hash() -> str:
    return db.session.scalar(_LAST_HASH) or GENESIS_HASH


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def _event(action: AuditAction, actor, **fields) -> AuditEvent:
    return AuditEvent(
        occurred_at=now_utc(),
        user_id=actor.id if actor else None,
        user_label=actor.email if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        role=str(actor.role) if actor else None,
        action=str(action),
        remote_addr=request.remote_addr if has_request_context() else None,
        **fields,
    )


def _chain_end() -> str:
    """The hash to chain onto. The chain's lock first, then what the request changed so far (the
    lock is taken before the flush's row locks, so the order of locks is the same in every
    transaction that writes an audit row)."""
    _lock_chain()
    db.session.flush()
    return _last_hash()


def record(
    action: AuditAction,
    *,
    obj=None,
    object_type: str | None = None,
    object_id: int | None = None,
    individual_id: int | None = None,
    reason: str | None = None,
    details: str | None = None,
    user=None,
) -> AuditEvent:
    """Add one audit row to the current transaction (the caller commits).

    `details` must never contain a personnummer or a name: the log itself is
    read by reviewers who may not see the case.
    """
    actor = user if user is not None else _actor()
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else obj.id
    event = _event(
        action,
        actor,
        object_type=object_type,
        object_id=object_id,
        individual_id=individual_id,
        reason=reason,
        details=details,
    )
    if action in _READS:
        _note_read(
            record,
            action,
            object_type=object_type,
            object_id=object_id,
            individual_id=individual_id,
            reason=reason,
            details=details,
            user=user,
        )
    event.prev_hash = _chain_end()
    event.row_hash = compute_hash(event, event.prev_hash)
    # A Core insert, not `session.add()` and a flush: one row on every page
    # view, and the unit of work costs more than the insert. The returned
    # event is not in the session (nothing changes an audit row).
    values = {field: getattr(event, field) for field in _INSERTED_FIELDS}
    event.id = db.session.execute(_INSERT, values).inserted_primary_key[0]
    return event


_INSERTED_FIELDS = (*_HASHED_FIELDS, "prev_hash", "row_hash")


def record_list(
    action: AuditAction,
    individual_ids,
    *,
    object_type: str,
    object_id: int | None = None,
    details: str | None = None,
) -> None:
    """A list of people shown: one row for the list as asked (also when it is empty) and one
    per person shown, for that person's own trail (loggkontroll, registerutdrag)."""
    record(action, object_type=object_type, object_id=object_id, details=details)
    record_each(action, individual_ids, object_type=object_type, object_id=object_id, details=details)


def record_kept(action: AuditAction, **fields) -> None:
    """Audit an attempt that must stay in the log even when the request fails (a refused probe
    for a personnummer answers 422, and a failed request rolls back). The row is written at the
    end of the request, after its rollback or before its commit (`write_kept`)."""
    if not (has_request_context() and g.get("puls_request_finishes")):
        # No end of a web request will write it (a command acting as a user in a request
        # context): the caller's own transaction carries it, as any audit row.
        record(action, **fields)
        return
    g.setdefault("puls_kept_audit", []).append((action, fields))


def write_kept(*, reads_shown: bool = False) -> int:
    """Write the rows `record_kept` held back (core.web.finish calls this once per request).

    `reads_shown`: the request failed but its answer still shows what it read (a page re-shown
    with a form's errors or a conflict), so the reads audited during the request, which its
    rollback undid, are written again.
    """
    kept = g.pop("puls_kept_audit", [])
    reads = g.pop("puls_reads", [])
    for action, fields in kept:
        record(action, **fields)
    if not reads_shown:
        return len(kept)
    for write, args, fields in reads:
        write(*args, **fields)
    return len(kept) + len(reads)


# Reads of personal data: written again when a failed request still shows them (`write_kept`).
_READS = frozenset({AuditAction.VIEW, AuditAction.LIST, AuditAction.SEARCH, AuditAction.EXPORT})


def _note_read(write, *args, **fields) -> None:
    if has_request_context():
        g.setdefault("puls_reads", []).append((write, args, fields))


def record_each(
    action: AuditAction,
    individual_ids,
    *,
    object_type: str,
    object_id: int | None = None,
    details: str | None = None,
) -> int:
    """One audit row per individual shown (in the given order, duplicates once), for lists that
    show personal data of many people: each read then belongs to the person's own trail
    (loggkontroll, registerutdrag). One lock, one read of the chain's end and one executemany."""
    ids = list(dict.fromkeys(i for i in individual_ids if i is not None))
    if not ids:
        return 0
    if action in _READS:
        _note_read(record_each, action, ids, object_type=object_type, object_id=object_id, details=details)
    # Every row is the same event but for the individual: built and prepared for hashing once.
    event = _event(
        action,
        _actor(),
        object_type=object_type,
        object_id=object_id,
        individual_id=None,
        reason=None,
        details=details,
    )
    values = {field: getattr(event, field) for field in _HASHED_FIELDS}
    content = _hashed_content(event)
    prev_hash = _chain_end()
    rows = []
    for individual_id in ids:
        content["individual_id"] = individual_id
        row_hash = _hash_content(content, prev_hash)
        rows.append({**values, "individual_id": individual_id, "prev_hash": prev_hash, "row_hash": row_hash})
        prev_hash = row_hash
    # Executed in list order on both databases, so ids ascend along the chain.
    db.session.execute(_INSERT, rows)
    return len(rows)


@dataclass
class ChainReport:
    checked: int
    first_bad_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def _events_in_order(batch: int = 2000) -> Iterator:
    """Plain rows (not ORM objects) in id order, a batch at a time."""
    table = AuditEvent.__table__
    last_id = 0
    while True:
        rows = db.session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> ChainReport:
    prev = GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.prev_hash != prev or compute_hash(event, prev) != event.row_hash:
            return ChainReport(checked=checked, first_bad_id=event.id)
        prev = event.row_hash
        checked += 1
    return ChainReport(checked=checked, first_bad_id=None)
