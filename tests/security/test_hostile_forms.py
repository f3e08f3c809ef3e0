"""Hostile text and malformed dates in every domain form, driven by tests/security/forms_table.py."""

import re

import pytest
from sqlalchemy import func, select

from tests.security.forms_table import (
    DATE_ENDPOINTS,
    ENDPOINTS,
    NOT_FORM_ENDPOINTS,
    NOT_FREE_TEXT,
    World,
    _fields,
    date_fields,
    free_text_fields,
    input_name,
)
from tracker.audit.models import AuditEvent
from tracker.core.forms import PulsForm


def _payload(name: str) -> tuple[str, str]:
    """A per-field payload (so each field's own rendering is checked) and its escaped form."""
    return (
        f"<script>alert({name})</script>{{{{7*7}}}}",
        f"&lt;script&gt;alert({name})&lt;/script&gt;{{{{7*7}}}}",
    )


def _all_forms(cls=PulsForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_forms(sub)


def _snapshot(db, without_audit: bool = False) -> tuple:
    """Row counts of every table (but the audit log, if asked), in one query."""
    db.session.expire_all()
    tables = [t for t in db.metadata.sorted_tables if not (without_audit and t.name == "audit_events")]
    return tuple(
        db.session.execute(
            select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables])
        ).one()
    )


def _stored(db) -> tuple:
    """What a refused request must not change: every table's row count, the audit log included
    but for its reads (a form re-shown with its errors still shows, and audits, what it read)."""
    reads = ["view", "list", "search", "export"]
    not_reads = select(func.count()).where(AuditEvent.action.not_in(reads))
    return (*_snapshot(db, without_audit=True), db.session.scalar(not_reads))


def _messages(body: str) -> list[str]:
    return re.findall(r"<li>([^<]*)</li>", body.split('class="error-summary"', 1)[-1])[:5]


@pytest.fixture
def world(factory, db, login, login_as):
    return World(factory, db, login, login_as)


def test_every_form_is_in_the_table(app):
    forms = {
        f.__name__
        for f in _all_forms()
        if f.__module__.startswith("tracker.") and not f.__name__.startswith("_")
    }
    listed = {e.form.__name__ for e in ENDPOINTS + DATE_ENDPOINTS if e.form} | NOT_FORM_ENDPOINTS.keys()
    assert not forms - listed, f"new form(s) {sorted(forms - listed)}: add to tests/security/forms_table.py"
    assert not listed - forms, "stale entry in tests/security/forms_table.py"
    by_name = {f.__name__: f for f in _all_forms()}
    for form_name, field_name in NOT_FREE_TEXT:
        assert field_name in dict(_fields(by_name[form_name])), (form_name, field_name)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_hostile_text_in_every_free_text_field_is_stored_and_shown_as_text(client, world, endpoint):
    url, data, shown_on = endpoint.setup(world)
    fields = free_text_fields(endpoint)
    assert fields
    for name in fields:
        data[input_name(endpoint, name)] = _payload(name)[0]
    response = client.post(url, data=data)
    assert response.status_code == endpoint.ok_status, _messages(response.get_data(as_text=True))
    pages = ""
    for page in shown_on:
        page = page(world) if callable(page) else page
        shown = client.get(page)
        assert shown.status_code == 200, page
        pages += shown.get_data(as_text=True)
    assert "<script>alert(" not in pages
    unseen = [name for name in fields if _payload(name)[1] not in pages]
    assert not unseen, f"{unseen} not shown (escaped) on {shown_on}"


BAD_DATES = ["2026-02-30", "not-a-date", "0001-01-01", "9999-12-31", "2026-03-16'--"]


@pytest.mark.parametrize("endpoint", DATE_ENDPOINTS, ids=lambda e: e.id)
def test_malformed_dates_are_refused_in_swedish_and_nothing_is_stored(client, world, db, endpoint):
    url, data, _ = endpoint.setup(world)
    for name in free_text_fields(endpoint) if endpoint.form in [e.form for e in ENDPOINTS] else []:
        data.setdefault(input_name(endpoint, name), "Text")
    before = _stored(db)
    for name in date_fields(endpoint.form):
        for value in BAD_DATES:
            extra = endpoint.date_context.get(name, {})
            response = client.post(url, data={**data, **extra, input_name(endpoint, name): value})
            assert response.status_code == endpoint.error_status, (name, value, response.status_code)
            assert _stored(db) == before, (name, value)
            if response.status_code == 302:  # the message is flashed on the page redirected to
                response = client.get(response.headers["Location"])
            body = response.get_data(as_text=True)
            assert "datum" in body.lower() or "ÅÅÅÅ-MM-DD" in body, (name, value)


# Endpoints with no row of someone else's in the URL or body: nothing to reach across units.
NO_FOREIGN_ROW = {"ApiTokenForm", "MeetingForm", "ProjectForm", "HourlyCostForm"}
IDOR_ENDPOINTS = list({e.id: e for e in ENDPOINTS + DATE_ENDPOINTS if e.id not in NO_FOREIGN_ROW}.values())


@pytest.mark.parametrize("endpoint", IDOR_ENDPOINTS, ids=lambda e: e.id)
def test_the_same_role_in_another_unit_cannot_post_to_rows_that_belong_elsewhere(
    client, world, factory, db, endpoint
):
    url, data, _ = endpoint.setup(world)
    owner = world.logged_in
    for name in free_text_fields(endpoint):
        data.setdefault(input_name(endpoint, name), "Text")
    client.post("/logout")
    outsider = factory.user(owner.role, organisation=factory.organisation(owner.organisation.org_type))
    db.session.commit()
    world.login(outsider)
    before = _snapshot(db, without_audit=True)
    response = client.post(url, data=data)
    assert response.status_code in (403, 404), response.status_code
    assert _snapshot(db, without_audit=True) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_over_long_text_in_every_free_text_field_is_refused_and_nothing_is_stored(
    client, world, db, endpoint
):
    url, data, _ = endpoint.setup(world)
    fields = free_text_fields(endpoint)
    for name in fields:
        data[input_name(endpoint, name)] = "Text"
    before = _stored(db)
    for name in fields:
        response = client.post(
            url, data={**data, input_name(endpoint, name): "x" * 20_001}
        )  # above every limit (minutes allow 20 000)
        assert response.status_code in (endpoint.error_status, 413), (name, response.status_code)
        assert _stored(db) == before, name
        if response.status_code == 302:
            response = client.get(response.headers["Location"])
        assert "Högst" in response.get_data(as_text=True) or "för lång" in response.get_data(as_text=True), (
            name
        )
