"""`flask --app tracker import KIND FILE --user EMAIL [--dry-run]`: an import from the command line.

It runs as the named user, so the same roles, policy and audit apply as on
the import page; the audit rows name that user with address "cli".
"""

from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_login import login_user
from sqlalchemy import select

from tracker.audit.models import AuditAction
from tracker.audit.services import record as audit_record
from tracker.auth.models import User
from tracker.auth.services import normalise_email
from tracker.core.errors import ValidationError
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.kinds import SPECS, spec_for
from tracker.imports.kinds.base import Status

KIND_NAMES = ", ".join(kind.value for kind in SPECS)


@contextmanager
def acting_as(user: User):
    """A request context logged in as `user`, so services audit in that user's name."""
    with current_app.test_request_context("/import", environ_base={"REMOTE_ADDR": "cli"}):
        login_user(user)
        yield


@click.command("import")
@click.argument("kind", metavar="TYP")
@click.argument("path", metavar="FIL", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="Importera som den här användaren (e-postadress).")
@click.option("--dry-run", is_flag=True, help="Provkör: visa resultatet per rad men spara inget.")
@with_appcontext
def import_command(kind: str, path: Path, email: str, dry_run: bool):
    """Importera TYP (personer, samtycken, inskrivningar, tid) från en CSV- eller XLSX-FIL."""
    spec = spec_for(kind)
    if spec is None:
        raise click.UsageError(f"Okänd typ av import. Välj en av: {KIND_NAMES}.")
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        raise click.ClickException("Det finns ingen aktiv användare med den e-postadressen.")
    with path.open("rb") as handle:
        content = handle.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    with acting_as(user):
        if not services.may_import(user, spec):
            audit_record(AuditAction.DENIED, details=f"role; import {spec.kind.value} (cli)")
            db.session.commit()
            raise click.ClickException(f"Användaren får inte importera {spec.title.lower()}.")
        try:
            result = services.run_import(spec, content, user, dry_run=dry_run)
        except ValidationError as error:
            db.session.rollback()
            raise click.ClickException(" ".join(error.errors.values())) from None
        # A failed or dry run keeps only its audit rows; the rows' writes were rolled back.
        db.session.commit()
    _echo(result)
    if not result.ok:
        raise SystemExit(1)


def _echo(result: services.ImportResult) -> None:
    preview = result.dry_run or not result.ok
    for row in result.rows:
        if row.errors:
            for error in row.errors:
                where = f"rad {row.number}, {error.column}" if error.column else f"rad {row.number}"
                click.echo(f"{where}: {error.message}", err=True)
        else:
            click.echo(f"rad {row.number}: {row.status.label(preview)}")
    counts = result.counts
    if result.dry_run or not result.ok:
        totals = (
            f"{counts[Status.CREATE]} skapas, {counts[Status.UPDATE]} uppdateras, "
            f"{counts[Status.UNCHANGED]} oförändrade, {counts[Status.ERROR]} rader med fel."
        )
    else:
        totals = (
            f"{counts[Status.CREATE]} skapade, {counts[Status.UPDATE]} uppdaterade, "
            f"{counts[Status.UNCHANGED]} oförändrade."
        )
    if result.dry_run:
        click.echo(f"Provkörning, inget sparat: {totals}")
    elif result.ok:
        click.echo(f"Importen är klar: {totals}")
    else:
        click.echo(f"Inget sparat, filen har fel: {totals}", err=True)
