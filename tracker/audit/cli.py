"""`flask audit verify`: check the audit log's hash chain."""

import click
from flask.cli import AppGroup

from tracker.audit.services import verify_chain

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def verify():
    """Recompute the hash chain; exit 1 at the first broken row."""
    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} rows, chain intact.")
        return
    click.echo(
        f"BROKEN: row {report.first_bad_id} does not match the chain "
        f"({report.checked} rows before it are intact).",
        err=True,
    )
    raise SystemExit(1)
