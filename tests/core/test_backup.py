"""`flask backup` / `flask restore` on SQLite always, and on PostgreSQL when the tests run there."""

import os
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import Factory
from tracker import create_app
from tracker.audit.models import AuditAction
from tracker.audit.services import record
from tracker.core import backup as backup_module
from tracker.core.backup import table_counts
from tracker.extensions import db

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_URL.startswith("postgresql")


def _app(uri: str):
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": uri})


def _fill(app) -> dict[str, int]:
    with app.app_context():
        db.create_all()
        factory = Factory(db)
        user = factory.user("rehabkoordinator")
        for _ in range(3):
            person = factory.individual(clinic=user.organisation)
            factory.consent(person)
            record(AuditAction.VIEW, obj=person, individual_id=person.id, user=user)
        db.session.commit()
        counts = table_counts()
        db.session.remove()
        db.engine.dispose()
    assert counts["audit_events"] == 3 and counts["individuals"] == 3
    return counts


def _verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 rows" in result.output


def test_sqlite_backup_restores_into_an_empty_database_with_all_rows_and_an_intact_audit_chain(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.db'}")
    counts = _fill(source)
    snapshot = tmp_path / "puls.backup"
    result = source.test_cli_runner().invoke(args=["backup", str(snapshot)])
    assert result.exit_code == 0, result.output
    assert snapshot.stat().st_size > 0

    target = _app(f"sqlite:///{tmp_path / 'target.db'}")
    result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert table_counts() == counts
        db.engine.dispose()
    _verify(target)


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.db'}")
    _fill(source)
    snapshot = tmp_path / "puls.backup"
    source.test_cli_runner().invoke(args=["backup", str(snapshot)])
    refused = source.test_cli_runner().invoke(args=["restore", str(snapshot)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    forced = source.test_cli_runner().invoke(args=["restore", "--force", str(snapshot)])
    assert forced.exit_code == 0, forced.output
    with source.app_context():
        db.engine.dispose()


def test_backup_never_overwrites_an_existing_file(tmp_path):
    source = _app(f"sqlite:///{tmp_path / 'source.db'}")
    _fill(source)
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"keep me")
    result = source.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and existing.read_bytes() == b"keep me"
    with source.app_context():
        db.engine.dispose()


def test_a_missing_pg_dump_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(backup_module.BackupError, match="pg_dump was not found"):
        backup_module._tool("pg_dump")


def test_connection_parameters_keep_the_password_out_of_the_command_line():
    url = make_url("postgresql+psycopg://puls:s3cret'x@db.example:5433/puls?sslmode=require")
    conninfo, env = backup_module._libpq(url)
    assert "s3cret" not in conninfo and env["PGPASSWORD"] == "s3cret'x"
    assert "host='db.example'" in conninfo and "port='5433'" in conninfo and "sslmode='require'" in conninfo


@contextmanager
def _scratch_databases(*names):
    admin_url = make_url(TEST_URL).set(database="postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [make_url(TEST_URL).set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL on PostgreSQL")
def test_postgresql_backup_restores_into_an_empty_database(tmp_path):
    suffix = os.getpid()
    with _scratch_databases(f"puls_ops_bk_src_{suffix}", f"puls_ops_bk_dst_{suffix}") as (src, dst):
        source = _app(src)
        counts = _fill(source)
        snapshot = tmp_path / "puls.dump"
        result = source.test_cli_runner().invoke(args=["backup", str(snapshot)])
        assert result.exit_code == 0, result.output
        target = _app(dst)
        result = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
        assert result.exit_code == 0, result.output
        with target.app_context():
            assert table_counts() == counts
        _verify(target)
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
