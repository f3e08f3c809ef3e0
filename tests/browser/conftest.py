"""Browser journeys: Playwright driving Debian's Chromium against a live Puls.

The server runs in a thread on a file SQLite database built by the real
migrations and filled with the demo data. axe-core (from npm) is injected
to check accessibility. Screenshots go to test-artifacts/.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "puls-demo-2026"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    missing = [p for p in (Path(CHROMIUM), AXE) if not p.exists()]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"browser tests need {', '.join(map(str, missing))} (see .ci/run)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.demo import build
    from tracker.extensions import db

    database = tmp_path_factory.mktemp("browser") / "puls.db"
    app = create_app(
        "development",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": "browser-test-secret",
        },
    )
    with app.app_context():
        upgrade()
        build(60)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    # bypass_csp only so the test can inject axe-core; the app itself never runs inline scripts.
    context = browser.new_context(bypass_csp=True, locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def login(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base_url}/")


def logout(page) -> None:
    page.get_by_role("button", name="Logga ut").click()


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
