"""Running an import: a dry run, or the real run in one all-or-nothing savepoint.

Every row goes through the owning domain's services (the rules live once).
Each row runs in its own SAVEPOINT so one bad row cannot leave half its
writes behind while the rest of the file is checked; the whole import runs
in an outer SAVEPOINT that is kept only if it is a real run without a
single error. Services flush; the request (or the CLI) commits.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from openpyxl.utils import get_column_letter
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import User
from tracker.core.editing import StaleEdit
from tracker.core.errors import ValidationError
from tracker.core.timeutil import now_utc
from tracker.extensions import db
from tracker.imports import cells
from tracker.imports.kinds import KindSpec
from tracker.imports.kinds.base import Context, RowErrors, RowParser, RowRefused, Status
from tracker.imports.models import PendingImport
from tracker.imports.reader import FileProblem, Table, read_table


@dataclass
class RowError:
    column: str  # the Swedish header ("" for the whole row)
    message: str


@dataclass
class RowResult:
    number: int
    status: Status
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Denial:
    row: int
    reason: str
    individual_id: int | None


@dataclass
class ImportResult:
    spec: KindSpec
    dry_run: bool
    rows: list[RowResult]
    denials: list[Denial] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status != Status.ERROR for r in self.rows)

    @property
    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == Status.ERROR]

    @property
    def written(self) -> bool:
        return not self.dry_run and self.ok

    def summary(self) -> str:
        """For the audit log: counts only (no file name or hash: a one-row file's hash gives its number away)."""
        c = self.counts
        outcome = "dry run" if self.dry_run else ("written" if self.ok else "rejected, nothing written")
        return (
            f"import {self.spec.kind.value} ({outcome}): rows={len(self.rows)} "
            f"create={c[Status.CREATE]} update={c[Status.UPDATE]} unchanged={c[Status.UNCHANGED]} "
            f"errors={c[Status.ERROR]}"
        )


def may_import(user: User, spec: KindSpec) -> bool:
    return bool(user and user.is_active and user.role in spec.roles)


def read(spec: KindSpec, content: bytes) -> tuple[Table, dict[str, int]]:
    """The table and where each known column is; file-level problems as ValidationError."""
    config = current_app.config
    try:
        table = read_table(content, max_rows=config["IMPORT_MAX_ROWS"], max_bytes=config["IMPORT_MAX_BYTES"])
    except FileProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    return table, map_headers(spec, table)


def map_headers(spec: KindSpec, table: Table) -> dict[str, int]:
    by_header = {cells.key(name): c for c in spec.columns for name in (c.header, *c.aliases)}
    index: dict[str, int] = {}
    unknown, repeated = [], []
    for position, header in enumerate(table.headers):
        if not header:
            continue
        column = by_header.get(cells.key(header))
        if column is None:
            unknown.append(get_column_letter(position + 1))
        elif column.key in index:
            repeated.append(column.header)
        else:
            index[column.key] = position
    missing = [c.header for c in spec.columns if c.required and c.key not in index]
    problems = []
    if missing:
        problems.append("Kolumner saknas: " + ", ".join(missing) + ".")
    if unknown:
        # Column letters, not the text: a file without a header row has data there.
        problems.append(
            "Okända kolumnrubriker i kolumn " + ", ".join(unknown) + ". Använd rubrikerna i mallen."
        )
    if repeated:
        problems.append("Kolumnen finns flera gånger: " + ", ".join(repeated) + ".")
    if problems:
        raise ValidationError({"file": " ".join(problems)})
    return index


def run_import(spec: KindSpec, content: bytes, user: User, *, dry_run: bool) -> ImportResult:
    """Check (and unless `dry_run` write) every row; on any error nothing is written.

    The caller has checked `may_import`. Raises ValidationError({"file": ...})
    for a file that cannot be read at all.
    """
    if not may_import(user, spec):
        raise PermissionError("role")
    table, index = read(spec, content)
    result = ImportResult(spec, dry_run, [])
    ctx = Context(user)
    parsed = _parse_rows(spec, ctx, table, index)
    spec.prepare([values for _number, values, _errors in parsed if values is not None], ctx)
    outer = db.session.begin_nested()
    try:
        for number, values, errors in parsed:
            if errors:
                result.rows.append(RowResult(number, Status.ERROR, errors))
            else:
                result.rows.append(_apply_row(spec, ctx, number, values, result.denials))
    except BaseException:
        outer.rollback()
        raise
    if dry_run or not result.ok:
        outer.rollback()
    else:
        outer.commit()
    for denial in result.denials:
        audit_record(
            AuditAction.DENIED,
            individual_id=denial.individual_id,
            details=f"{denial.reason}; import {spec.kind.value} row={denial.row}",
        )
    # CREATE only when rows were written; a dry or rejected run read the cases it names.
    audit_record(
        AuditAction.CREATE if result.written else AuditAction.VIEW,
        object_type="Import",
        details=result.summary(),
    )
    return result


def _parse_rows(spec: KindSpec, ctx: Context, table: Table, index: dict[str, int]) -> list[tuple]:
    """(row number, values or None, errors) for every row; a repeated natural key is an error."""
    parsed, seen = [], {}
    for number, row in table.rows:
        raw = {key: row[i] if i < len(row) else None for key, i in index.items()}
        try:
            values = spec.parse(RowParser(raw), ctx)
            key = spec.key(values)
            if key in seen:
                raise RowErrors({None: spec.duplicate_message.format(row=seen[key]) + "."})
            seen[key] = number
        except RowErrors as error:
            parsed.append((number, None, [RowError(spec.header(c), m) for c, m in error.errors.items()]))
        else:
            parsed.append((number, values, []))
    return parsed


def _apply_row(spec: KindSpec, ctx: Context, number: int, values: dict, denials: list) -> RowResult:
    """One row through the domain services, in its own SAVEPOINT."""
    try:
        savepoint = db.session.begin_nested()
        try:
            status = spec.apply(values, ctx)
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return RowResult(number, status)
    except RowErrors as error:
        errors = [RowError(spec.header(col), msg) for col, msg in error.errors.items()]
    except ValidationError as error:
        errors = [RowError(spec.header(spec.field_columns.get(f)), msg) for f, msg in error.errors.items()]
    except RowRefused as refused:
        denials.append(Denial(number, refused.reason, refused.individual_id))
        errors = [RowError(spec.header(refused.column), refused.message)]
    except StaleEdit as stale:
        errors = [RowError("", str(stale))]
    except IntegrityError:
        errors = [RowError("", "Raden krockar med uppgifter som redan finns i Puls.")]
    return RowResult(number, Status.ERROR, errors)


# ---------------------------------------------------------------- pending imports


def store_pending(spec: KindSpec, content: bytes, user: User) -> PendingImport:
    """Keep a checked file in the database until the user confirms (any app process may)."""
    discard_expired()
    now = now_utc()
    pending = PendingImport(
        token=secrets.token_urlsafe(32),
        user_id=user.id,
        kind=spec.kind,
        content=content,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=now,
        expires_at=now + timedelta(minutes=current_app.config["IMPORT_PENDING_MINUTES"]),
    )
    db.session.add(pending)
    db.session.flush()
    return pending


def pending_for(token: str, spec: KindSpec, user: User) -> PendingImport | None:
    if not token or len(token) > 64:
        return None
    # FOR UPDATE: a double-clicked confirmation waits for the first one, then finds the row gone.
    return db.session.scalar(
        select(PendingImport)
        .where(
            PendingImport.token == token,
            PendingImport.user_id == user.id,
            PendingImport.kind == spec.kind,
            PendingImport.expires_at > now_utc(),
        )
        .with_for_update()
    )


def confirm_pending(pending: PendingImport, spec: KindSpec, user: User) -> ImportResult:
    result = run_import(spec, pending.content, user, dry_run=False)
    if result.ok:
        db.session.delete(pending)
        db.session.flush()
    return result


def discard_expired() -> int:
    """Files left unconfirmed hold personal data: remove them once they expire."""
    return db.session.execute(delete(PendingImport).where(PendingImport.expires_at <= now_utc())).rowcount
