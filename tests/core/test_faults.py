"""Faults: PostgreSQL going away under load, and the scheduler killed mid-run.

The restart test stops and starts the local PostgreSQL cluster, which every
other test run on the machine shares: it runs only on PostgreSQL, as root
with `pg_ctlcluster` (as in CI), once, and always waits until PostgreSQL
answers again before it ends. Set PULS_SKIP_RESTART_TEST=1 to skip it.
The scheduler test runs on both databases (a SQLite file, or a scratch
PostgreSQL database).
"""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.core.test_two_processes import BIN, PASSWORD, Browser, _free_port, _gunicorn
from tracker.demo import fictional_personnummer
from tracker.people.models import Gender

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = TEST_URL.startswith("postgresql")
needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs TEST_DATABASE_URL on PostgreSQL")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _scratch_database(name: str):
    """A database of our own; its admin connection is made afresh (the server may have restarted)."""
    admin = create_engine(
        make_url(TEST_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _wait_for_postgres()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- PostgreSQL restarted under load ------------------------------------------------------------------


def _cluster() -> tuple[str, str] | None:
    """The local cluster (version, name) serving TEST_DATABASE_URL's port, if we may restart it."""
    url = make_url(TEST_URL)
    if url.host not in ("127.0.0.1", "localhost", None) or not shutil.which("pg_ctlcluster"):
        return None
    if os.geteuid() != 0 or os.environ.get("PULS_SKIP_RESTART_TEST"):
        return None
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        version, name, port, status, *_ = line.split()
        if int(port) == (url.port or 5432) and status == "online":
            return version, name
    return None


def _pg_ctl(cluster: tuple[str, str], action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, "--", "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _wait_for_postgres(timeout: float = 90) -> None:
    engine = create_engine(make_url(TEST_URL).set(database="postgres"))
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        engine.dispose()


class Load(threading.Thread):
    """One client in a loop: read the start page, create a case (two rows: case + audit)."""

    def __init__(self, port: int, browser: Browser, clinic: str, csrf: str):
        super().__init__(daemon=True)
        self.port, self.browser, self.clinic, self.csrf = port, browser, clinic, csrf
        self.rng, self.used = random.Random(8), set()
        self.results: list[tuple[float, str, int, str]] = []  # (time, kind, status, body or name)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self._call("read", "GET", "/", None)
            name = f"Fel{uuid.uuid4().hex[:10]}"
            data = {
                "csrf_token": self.csrf,
                "personnummer": fictional_personnummer(self.rng, self.used, date(1999, 5, 17), Gender.KVINNA),
                "first_name": name,
                "last_name": "Lastsson",
                "gender": "kvinna",
                "home_municipality": "Uppsala",
                "clinic_id": self.clinic,
                "coordinator_id": "",
                "fk_officer_id": "",
                "version": "",
            }
            self._call("write", "POST", "/personer/ny", data, name)
            time.sleep(0.05)

    def _call(self, kind, method, path, data, name=None):
        try:
            status, _location, body = self.browser.request(self.port, method, path, data)
        except OSError as exc:  # the app itself must stay up: record, the test asserts on it
            status, body = -1, repr(exc)
        self.results.append((time.monotonic(), kind, status, name or body))


def _setup_app_database(url: str, env: dict) -> None:
    flask = [str(BIN / "flask"), "--app", "tracker"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*flask, "users", "create", "--email", "rehab@test.example", "--name", "Rut Rehab"]
        + ["--role", "rehabkoordinator", "--org", "Psykiatrin Fel", "--org-type", "region_clinic"]
        + ["--password-stdin"],
        env=env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )


@needs_postgresql
def test_a_postgresql_restart_under_load_gives_the_503_page_then_recovers_and_leaves_no_half_write(tmp_path):
    cluster = _cluster()
    if cluster is None:
        pytest.skip(
            "restarting PostgreSQL needs root, pg_ctlcluster, a local cluster and no PULS_SKIP_RESTART_TEST"
        )
    with _scratch_database(f"puls_bench_faults_{os.getpid()}") as url:
        env = {
            **os.environ,
            "PULS_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": "fault-test-secret",
            "SESSION_COOKIE_SECURE": "false",
        }
        env.pop("TEST_DATABASE_URL", None)
        _setup_app_database(url, env)
        port = _free_port()
        with _gunicorn(env, port, tmp_path / "app.log") as app_process:
            browser = Browser()
            token = browser.csrf(port, "/login")
            status, _, _ = browser.request(
                port,
                "POST",
                "/login",
                {"csrf_token": token, "email": "rehab@test.example", "password": PASSWORD},
            )
            assert status == 302
            status, _, form = browser.request(port, "GET", "/personer/ny")
            clinic = re.search(r'name="clinic_id"[^>]*>\s*<option[^>]*value="(\d+)"', form).group(1)
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            load = Load(port, browser, clinic, csrf)
            load.start()
            try:
                _wait_until(lambda: sum(1 for r in load.results if r[2] in (200, 302)) >= 6, 30)
                outage_start = time.monotonic()
                try:
                    _pg_ctl(cluster, "stop")
                    time.sleep(2)  # requests keep coming while the database is gone
                finally:
                    _pg_ctl(cluster, "start")
                    _wait_for_postgres()
                outage_end = time.monotonic()
                _wait_until(
                    lambda: sum(1 for r in load.results if r[0] > outage_end and r[2] in (200, 302)) >= 4, 60
                )
            finally:
                load.stop.set()
                load.join(timeout=30)
                _wait_for_postgres()
            assert app_process.poll() is None  # the same process served before, during and after
        results = load.results
        summary = [(round(t - outage_start, 2), kind, status) for t, kind, status, _ in results]
        print("requests (seconds from the outage, kind, status):", summary)
        assert all(status in (200, 302, 503) for _, _, status, _ in results), sorted(
            {status for _, _, status, _ in results}
        )
        during = [r for r in results if outage_start <= r[0] <= outage_end]
        failed = [r for r in during if r[2] == 503]
        assert failed, "no request met the outage"
        for _, kind, _, body in failed:
            if kind == "read":
                assert "Tjänsten är inte tillgänglig" in body and "Traceback" not in body
        assert any(r[2] in (200, 302) for r in results if r[0] > outage_end)
        _assert_writes_all_or_nothing(url, [r for r in results if r[1] == "write"])


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _assert_writes_all_or_nothing(url: str, writes: list) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            for _, _, status, name in writes:
                ids = connection.scalars(
                    text("SELECT id FROM individuals WHERE first_name = :name"), {"name": name}
                ).all()
                audited = connection.scalar(
                    text(
                        "SELECT COUNT(*) FROM audit_events WHERE action = 'create' "
                        "AND object_type = 'Individual' AND object_id = ANY(:ids)"
                    ),
                    {"ids": list(ids) or [0]},
                )
                assert len(ids) == audited <= 1, (name, status, ids, audited)
                if status == 302:
                    assert ids, f"a confirmed write is missing: {name}"
    finally:
        engine.dispose()


# --- the scheduler killed mid-run ---------------------------------------------------------------------


@contextmanager
def _job_database(tmp_path):
    """A database a second process can share: a scratch PostgreSQL database, else a SQLite file."""
    if ON_POSTGRESQL:
        with _scratch_database(f"puls_bench_sched_{os.getpid()}") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'scheduler.db'}"


def test_a_scheduler_killed_mid_run_catches_up_on_its_next_start_without_duplicates(tmp_path):
    with _job_database(tmp_path) as url:
        worker = [sys.executable, "-m", "tests.core.scheduler_worker", url]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("TEST_DATABASE_URL", None)
        expected = subprocess.run(
            [*worker, "seed"], env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
        ).stdout.split()
        baseline, expected_reminders, expected_digests = (int(n) for n in expected[-3:])
        assert expected_reminders >= 3

        # First start: the digest job completes, the reminder job is killed after its first row.
        process = subprocess.Popen(
            [*worker, "run", "--hang-after-first-reminder"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            lines = []
            deadline = time.monotonic() + 120
            while "reminder-row-inserted" not in lines:
                line = process.stdout.readline()
                assert line or process.poll() is None, "".join(lines)
                lines.append(line.strip())
                assert time.monotonic() < deadline, lines
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        counts = _notification_counts(url, baseline)
        assert counts["meeting_reminder"] == 0  # the killed run's rows were never committed
        assert counts["digest"] == expected_digests  # the finished job stays done
        assert counts["mails"] == expected_digests

        # Next start, through the real command: catches up on what was missed, duplicates nothing.
        scheduler = [str(BIN / "flask"), "--app", "tracker", "scheduler", "--once"]
        cli_env = {**env, "PULS_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "scheduler-test"}
        cli_env["MAIL_BACKEND"] = "outbox"
        subprocess.run(scheduler, env=cli_env, cwd=ROOT, check=True, capture_output=True, timeout=120)
        counts = _notification_counts(url, baseline)
        assert counts["meeting_reminder"] == expected_reminders
        assert counts["digest"] == expected_digests
        assert counts["mails"] == expected_reminders + expected_digests
        assert counts["duplicates"] == 0

        # And a further start sends nothing new.
        subprocess.run([*worker, "run"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
        assert _notification_counts(url, baseline) == counts


def _notification_counts(url: str, baseline: int) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            by_kind = dict(
                connection.execute(text("SELECT kind, COUNT(*) FROM notifications GROUP BY kind")).all()
            )
            mails = connection.scalar(text("SELECT COUNT(*) FROM outbox_mails"))
            duplicates = connection.scalar(
                text(
                    "SELECT COUNT(*) FROM (SELECT recipient, subject FROM outbox_mails "
                    "GROUP BY recipient, subject HAVING COUNT(*) > 1) AS d"
                )
            )
    finally:
        engine.dispose()
    return {
        "meeting_reminder": by_kind.get("meeting_reminder", 0),
        "digest": by_kind.get("digest", 0),
        "mails": mails - baseline,
        "duplicates": duplicates,
    }
