"""The embedded SQLite database: WAL, foreign keys, and the configured sync level."""

import pytest
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db


def _pragmas(tmp_path, **overrides):
    app = create_app(
        "testing",
        overrides={"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", **overrides},
    )
    with app.app_context():
        with db.engine.connect() as connection:
            values = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous")
            }
        db.engine.dispose()
    return values


def test_a_file_database_runs_wal_with_foreign_keys_and_full_sync(tmp_path):
    values = _pragmas(tmp_path)
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}


def test_normal_sync_can_be_chosen(tmp_path):
    assert _pragmas(tmp_path, SQLITE_SYNCHRONOUS="NORMAL")["synchronous"] == 1


def test_an_unknown_sync_level_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="SQLITE_SYNCHRONOUS"):
        _pragmas(tmp_path, SQLITE_SYNCHRONOUS="FAST")
