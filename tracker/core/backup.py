"""`flask backup PATH` and `flask restore PATH`: consistent snapshots of the database.

SQLite uses the online backup API (a consistent copy while the app runs);
PostgreSQL uses pg_dump's custom format (one snapshot transaction) and
pg_restore in a single transaction, so a failed restore changes nothing.
"""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump/pg_restore with fixed argument lists, no shell)
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL

from tracker.extensions import db


class BackupError(click.ClickException):
    pass


def table_counts() -> dict[str, int]:
    """Rows per table (alembic_version included), for checks and comparisons."""
    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }


def is_empty() -> bool:
    return not any(count for name, count in table_counts().items() if name != "alembic_version")


# ---------------------------------------------------------------- SQLite


def _sqlite_path(url: URL) -> str:
    if url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return url.database


def _sqlite_copy(source: str, target: str) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


# ---------------------------------------------------------------- PostgreSQL


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A keyword/value connection string (no password) and the environment with PGPASSWORD."""
    params = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    params.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    conninfo = " ".join(
        f"{key}='{str(value).replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
        for key, value in params.items()
        if value not in (None, "")
    )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            f"(same major version as the server or newer), e.g. `apt-get install postgresql-client`."
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[:2000]}")


# ---------------------------------------------------------------- commands


def backup(path: Path) -> None:
    url = db.engine.url
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), str(path))
    elif url.get_backend_name() == "postgresql":
        conninfo, env = _libpq(url)
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", f"--dbname={conninfo}"], env
        )
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def restore(path: Path, force: bool = False) -> None:
    url = db.engine.url
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    if not force and not is_empty():
        raise BackupError("The target database is not empty. Use --force to overwrite it.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old contents
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(str(path), _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        conninfo, env = _libpq(url)
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={conninfo}",
                str(path),
            ],
            env,
        )
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")
    db.engine.dispose()


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent snapshot of the database to PATH."""
    backup(path)
    click.echo(f"Backup written to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the database from a snapshot made by `backup`."""
    restore(path, force=force)
    counts = table_counts()
    click.echo(f"Restored {path}: {len(counts)} tables, {sum(counts.values())} rows.")
