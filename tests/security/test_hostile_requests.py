"""SQL metacharacters, oversized bodies, malformed dates and personnummer, other organisations' ids."""

import io

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.consent.models import Block, Consent
from tracker.people.models import CaseContact, Individual


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- SQL metacharacters


@pytest.mark.parametrize(
    "term",
    [
        "' OR '1'='1",
        "' OR 1=1 --",
        "Robert'); DROP TABLE individuals;--",
        '" OR ""="',
        "%",
        "_",
        "%%__%%",
        "\\",
        "\\%",
        "1; SELECT pg_sleep(5)",
        "' UNION SELECT personnummer FROM individuals --",
    ],
)
def test_sql_metacharacters_in_search_match_nothing_and_break_nothing(client, own_case, factory, db, term):
    _, person = own_case
    other = factory.individual()  # another unit's person: never listed
    db.session.commit()
    before = _count(db, Individual)
    response = client.post("/personer/sok", data={"q": term})
    assert response.status_code in (200, 422)  # 422: too short to search for
    body = response.get_data(as_text=True)
    assert person.public_id not in body and other.public_id not in body
    assert _count(db, Individual) == before


def test_sql_metacharacters_in_audit_filters_are_refused_or_harmless(client, login_as, db):
    login_as("admin")
    for query in (
        "?action=' OR 1=1 --",
        "?user_id=1 OR 1=1",
        "?individual=' OR '1'='1",
        "?from=2026-01-01'--",
        "?page=-1; DROP TABLE audit_events",
    ):
        response = client.get("/admin/logg/" + query)
        assert response.status_code in (200, 422), query
    assert _count(db, AuditEvent) > 0


# ---------------------------------------------------------------- oversized bodies


def test_an_oversized_body_is_refused_with_413_and_nothing_is_stored(client, own_case, app, db):
    _, person = own_case
    before = _count(db, Consent)
    huge = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt",
        data={
            "authorities": ["fk"],
            "purposes": ["rehab_exchange"],
            "categories": ["identity"],
            "form": "written",
            "given_on": "2026-03-01",
            "document": (io.BytesIO(huge), "stor.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "För stor förfrågan" in response.get_data(as_text=True)
    assert _count(db, Consent) == before


def test_an_oversized_plain_form_is_refused_with_413(client, own_case, app):
    _, person = own_case
    response = client.post(
        f"/personer/{person.public_id}/kontakter",
        data={"note": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("field", "limit"), [("first_name", 100), ("last_name", 100), ("home_municipality", 100)]
)
def test_over_long_text_fields_are_refused_with_a_message(client, login_as, db, field, limit):
    user = login_as("rehabkoordinator")
    data = {
        "personnummer": "20000517-9809",
        "first_name": "Alva",
        "last_name": "Åberg",
        "gender": "kvinna",
        "home_municipality": "Uppsala",
        "clinic_id": str(user.organisation_id),
        "coordinator_id": str(user.id),
        "fk_officer_id": "",
        field: "x" * (limit + 1),
    }
    before = _count(db, Individual)
    response = client.post("/personer/ny", data=data)
    assert response.status_code == 422
    assert "Högst 100 tecken" in response.get_data(as_text=True)
    assert _count(db, Individual) == before


def test_an_over_long_consent_note_is_refused(client, own_case, db):
    _, person = own_case
    response = client.post(
        f"/personer/{person.public_id}/samtycken/nytt",
        data={
            "authorities": ["fk"],
            "purposes": ["rehab_exchange"],
            "categories": ["identity"],
            "form": "written",
            "given_on": "2026-03-01",
            "note": "x" * 2001,
        },
    )
    assert response.status_code == 422
    assert _count(db, Consent) == 0


# ---------------------------------------------------------------- malformed dates and personnummer


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "16/03/2026", "igår", "2026-03-16'; --", "9999999-01-01", "<b>"]
)
def test_malformed_dates_are_refused_and_nothing_is_stored(client, own_case, db, value):
    _, person = own_case
    consent = client.post(
        f"/personer/{person.public_id}/samtycken/nytt",
        data={
            "authorities": ["fk"],
            "purposes": ["rehab_exchange"],
            "categories": ["identity"],
            "form": "written",
            "given_on": value,
        },
    )
    assert consent.status_code == 422
    block = client.post(
        f"/personer/{person.public_id}/sparrar/ny",
        data={"category": "plan", "organisation_id": "", "starts_on": value, "note": ""},
    )
    assert block.status_code == 422
    closing = client.post(f"/personer/{person.public_id}/avsluta", data={"closed_on": value, "reason": "x"})
    assert closing.status_code == 422
    audit = client.get(f"/admin/logg/?from={value}")
    assert audit.status_code in (403, 422)  # not an admin: refused before the filter
    assert _count(db, Consent) == 0 and _count(db, Block) == 0
    db.session.refresh(person)
    assert person.closed_on is None


@pytest.mark.parametrize(
    "number",
    [
        "20000517-9808",  # wrong check digit
        "20001317-9809",  # month 13
        "abc",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "2000051798091234",
        "0000000000",
        "ANON12345678",  # what retention writes: never a valid number
    ],
)
def test_malformed_personnummer_is_refused_everywhere(client, own_case, db, number):
    user, _ = own_case
    before = _count(db, Individual)
    response = client.post(
        "/personer/ny",
        data={
            "personnummer": number,
            "first_name": "Alva",
            "last_name": "Åberg",
            "gender": "kvinna",
            "home_municipality": "Uppsala",
            "clinic_id": str(user.organisation_id),
            "coordinator_id": str(user.id),
            "fk_officer_id": "",
        },
    )
    assert response.status_code == 422
    assert "<script>alert" not in response.get_data(as_text=True)
    assert _count(db, Individual) == before
    check = client.post("/samtyckeskontroll", data={"personnummer": number})
    assert check.status_code in (403, 422)


# ---------------------------------------------------------------- another organisation's ids (IDOR)


@pytest.fixture
def foreign(factory, db):
    """An individual of another unit, with a consent, a block and a contact."""
    person = factory.individual()
    consent = factory.consent(person, note="original")
    block = factory.block(person, category="plan", note="original")
    contact = factory.contact(person, factory.organisation("kommun"))
    db.session.commit()
    return person, consent, block, contact


def test_another_units_individual_cannot_be_read_or_changed_by_its_public_id(client, own_case, foreign, db):
    person, *_ = foreign
    version = person.version
    for url in (
        f"/personer/{person.public_id}",
        f"/personer/{person.public_id}/andra",
        f"/personer/{person.public_id}/samtycken",
        f"/personer/{person.public_id}/samtycken/blankett",
        f"/personer/{person.public_id}/registerutdrag",
        f"/personer/{person.public_id}/registerutdrag.json",
        f"/personer/{person.public_id}/avsluta",
    ):
        assert client.get(url).status_code == 403, url
    posts = {
        f"/personer/{person.public_id}/andra": {"first_name": "Ändrad", "version": str(version)},
        f"/personer/{person.public_id}/kontakter": {"organisation_id": "1"},
        f"/personer/{person.public_id}/samtycken/nytt": {"given_on": "2026-03-01"},
        f"/personer/{person.public_id}/sparrar/ny": {"starts_on": "2026-03-01"},
        f"/personer/{person.public_id}/avsluta": {"closed_on": "2026-03-16", "reason": "x"},
        f"/personer/{person.public_id}/ateroppna": {},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
    db.session.refresh(person)
    assert person.version == version and person.closed_on is None
    assert _count(db, Consent) == 1 and _count(db, Block) == 1 and _count(db, CaseContact) == 1
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)).all()
    assert len(denied) >= 13


def test_another_units_records_cannot_be_reached_by_their_integer_ids(client, own_case, foreign, db):
    _, own_person = own_case
    person, consent, block, contact = foreign
    for url in (
        f"/samtycken/{consent.id}/ratta",
        f"/samtycken/{consent.id}/aterkalla",
        f"/samtycken/{consent.id}/dokument",
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(
        f"/samtycken/{consent.id}/aterkalla", data={"withdrawn_on": "2026-03-10", "reason": "x"}
    ).status_code in (403, 404)
    assert client.post(f"/sparrar/{block.id}/hav", data={"note": "x"}).status_code in (403, 404)
    # Someone else's contact through one's own individual's URL: nothing happens.
    client.post(f"/personer/{own_person.public_id}/kontakter/{contact.id}/ta-bort")
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None
    assert db.session.get(Block, block.id).lifted_on is None
    assert db.session.get(CaseContact, contact.id) is not None


@pytest.mark.parametrize(
    "url",
    [
        "/personer/does-not-exist",
        "/personer/' OR 1=1 --",
        "/personer/..%2F..%2Fetc%2Fpasswd",
        "/samtycken/999999/ratta",
        "/samtycken/-1/ratta",
        "/samtycken/abc/ratta",
        "/sparrar/999999/hav",
    ],
)
def test_unknown_or_malformed_ids_answer_404(client, own_case, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_non_admins_cannot_reach_admin_pages_by_url(client, own_case, factory, db):
    other = factory.user("samordnare")
    db.session.commit()
    for url in ("/admin/anvandare", f"/admin/anvandare/{other.id}", "/admin/organisationer", "/admin/logg/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/anvandare/{other.id}/avaktivera").status_code == 403
    db.session.refresh(other)
    assert other.is_active
