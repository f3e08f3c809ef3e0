"""Two gunicorn processes on one PostgreSQL: sessions and data are shared, logout is global.

Runs only when TEST_DATABASE_URL is PostgreSQL; uses its own scratch database.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL on PostgreSQL"
)
BIN = Path(sys.executable).parent
PASSWORD = "ett-långt-lösenord-för-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser: one cookie, no redirects followed."""

    def __init__(self):
        self.cookie = None

    def request(self, port: int, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read().decode("utf-8")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("puls_session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, response.getheader("Location"), payload
        finally:
            connection.close()

    def csrf(self, port: int, path: str) -> str:
        status, _, body = self.request(port, "GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)


@contextmanager
def _scratch_database(name: str):
    admin = create_engine(make_url(TEST_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _gunicorn(env: dict, port: int, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}") from None
                    time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_two_app_processes_share_sessions_and_data_and_logout_ends_the_session_on_both(tmp_path):
    with _scratch_database(f"puls_ops_mp_{os.getpid()}") as url:
        env = {
            **os.environ,
            "PULS_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": "two-process-test-secret",
            "SESSION_COOKIE_SECURE": "false",
        }
        env.pop("TEST_DATABASE_URL", None)
        flask = [str(BIN / "flask"), "--app", "tracker"]
        subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
        subprocess.run(
            [*flask, "users", "create", "--email", "sam@test.example", "--name", "Sam Samordnare"]
            + ["--role", "samordnare", "--org", "Projekt Puls", "--org-type", "project", "--password-stdin"],
            env=env,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
            timeout=60,
        )
        port_a, port_b = _free_port(), _free_port()
        with _gunicorn(env, port_a, tmp_path / "a.log"), _gunicorn(env, port_b, tmp_path / "b.log"):
            browser = Browser()
            token = browser.csrf(port_a, "/login")
            status, location, _ = browser.request(
                port_a,
                "POST",
                "/login",
                {"csrf_token": token, "email": "sam@test.example", "password": PASSWORD},
            )
            assert status == 302 and location.endswith("/"), status

            status, _, body = browser.request(port_b, "GET", "/")
            assert status == 200 and "Sam Samordnare" in body  # A's session is valid on B

            status, _, form = browser.request(port_a, "GET", "/personer/ny")
            clinic = re.search(r'name="clinic_id"[^>]*>\s*<option[^>]*value="(\d+)"', form).group(1)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            status, location, _ = browser.request(
                port_a,
                "POST",
                "/personer/ny",
                {
                    "csrf_token": token,
                    "personnummer": "20000517-9809",
                    "first_name": "Tvåprocess",
                    "last_name": "Testsson",
                    "gender": "kvinna",
                    "home_municipality": "Uppsala",
                    "clinic_id": clinic,
                    "coordinator_id": "",
                    "fk_officer_id": "",
                    "version": "",
                },
            )
            assert status == 302 and "/personer/" in location
            path = "/" + location.split("/", 3)[3] if location.startswith("http") else location
            status, _, body = browser.request(port_b, "GET", path)
            assert status == 200 and "Tvåprocess Testsson" in body  # A's change seen through B

            old_cookie = browser.cookie
            token = browser.csrf(port_b, "/")
            status, _, _ = browser.request(port_b, "POST", "/logout", {"csrf_token": token})
            assert status == 302
            browser.cookie = old_cookie  # replay the pre-logout cookie against A
            status, location, _ = browser.request(port_a, "GET", "/")
            assert status == 302 and "/login" in location
