"""Fixtures: one database per run, each test inside a rolled-back transaction.

Set TEST_DATABASE_URL to run on PostgreSQL; the default is in-memory SQLite.
"""

import os
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import event

from tracker import create_app
from tracker.extensions import db as _db

FROZEN_NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)  # a Monday, 10:30 in Stockholm
PASSWORD = "correct-horse-battery"


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context, as in production.

    Without this, requests reuse the test's app context and with it `g`
    (Flask-Login's cached user) and the database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app("testing", overrides={"TESTING": True})
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def db(app):
    """The database, with everything a test does rolled back afterwards."""
    with app.app_context():
        engines = _db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def count_queries(db):
    """`with count_queries() as counter:` ... `counter.count`."""

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []
        connection = db.engines[None]

        def on_execute(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(connection, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            event.remove(connection, "before_cursor_execute", on_execute)

    return counting


@pytest.fixture
def factory(db):
    from tests.factories import Factory

    return Factory(db)


@pytest.fixture
def login(client):
    """Log a user in through the real login form."""

    def do_login(user, password: str = PASSWORD):
        from tests.factories import login_client

        # Users with two-factor (factory admins) answer the code step too.
        response = login_client(client, user, password, db=_db)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def login_as(factory, login):
    """Create a user with a role (and a fitting organisation) and log in."""

    def do_login_as(role: str, **kwargs):
        user = factory.user(role=role, **kwargs)
        _db.session.commit()
        login(user)
        return user

    return do_login_as


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL', 'sqlite (in memory)')}"
