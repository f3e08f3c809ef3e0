"""`flask users create`: accounts from the command line (password never an argument)."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth import services
from tracker.auth.models import Organisation, OrgType, Role
from tracker.core.errors import ValidationError
from tracker.extensions import db

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Full name shown in the UI.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_name", required=True, help="Organisation name (created if missing).")
@click.option(
    "--org-type",
    type=click.Choice([t.value for t in OrgType]),
    default=None,
    help="Type for a new organisation.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email, full_name, role, org_name, org_type, password_stdin):
    """Create a user; the password is prompted for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Lösenord", hide_input=True, confirmation_prompt=True)
    org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
    try:
        if org is None:
            if org_type is None:
                raise click.UsageError("Organisation not found; give --org-type to create it.")
            org = services.create_organisation(org_name, OrgType(org_type))
        user = services.create_user(email, full_name, Role(role), org, password)
    except ValidationError as error:
        db.session.rollback()
        for field, message in error.errors.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Created user {user.email} ({user.role.value}) in {org.name}.")
