"""Deny by default: every endpoint not explicitly public needs a login."""

import re

from werkzeug.routing.converters import NumberConverter

from tracker.core.web import is_public_endpoint

EXPLICITLY_PUBLIC = {
    "static",
    "auth.login",
    "twofactor.login_code",
    "api.openapi_json",
}  # the API description holds no data


def _sample_url(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        value = "1" if isinstance(rule._converters[argument], NumberConverter) else "x"
        url = re.sub(rf"<[^>]*{argument}>", value, url)
    return url


def test_every_endpoint_that_is_not_public_sends_anonymous_users_to_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if is_public_endpoint(app, rule.endpoint):
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (rule.endpoint, method)
            elif url.endswith(".ics"):
                assert response.status_code == 404, (rule.endpoint, method)
            else:
                assert response.status_code == 302, (rule.endpoint, method, response.status_code)
                assert "/login" in response.headers["Location"], rule.endpoint
            checked += 1
    assert checked > 10


def test_public_endpoints_are_only_the_expected_ones(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)}
    # Token-protected calendar feeds may join this list; nothing else.
    unexpected = {e for e in public - EXPLICITLY_PUBLIC if not e.endswith("feed")}
    assert not unexpected


def test_security_headers_are_set_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_gives_swedish_404(client, login_as):
    login_as("rehabkoordinator")
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_oversized_request_body_gets_clear_error_and_saves_nothing(app, client, login_as, db):
    from sqlalchemy import func, select

    from tracker.people.models import Individual

    login_as("rehabkoordinator")
    before = db.session.scalar(select(func.count()).select_from(Individual))
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/personer/ny", data={"first_name": big})
    assert response.status_code == 413
    assert "För stor förfrågan" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Individual)) == before
