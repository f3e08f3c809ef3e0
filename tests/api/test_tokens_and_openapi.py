from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.auth.models import ApiToken


def test_user_creates_a_token_shown_once_and_stored_hashed(client, login_as, db):
    user = login_as("rehabkoordinator")
    response = client.post(
        "/konto/api-nycklar", data={"name": "Journalsystem", "scope": "read", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    secret = body.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("puls_") and token.token_hash != secret and secret not in token.token_hash
    again = client.get("/konto/api-nycklar").get_data(as_text=True)
    assert secret not in again
    assert client.get("/api/v1/individuals", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_token_creation_needs_the_password(client, login_as, db):
    login_as("rehabkoordinator")
    response = client.post("/konto/api-nycklar", data={"name": "X", "scope": "read", "password": "fel"})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_user_revokes_own_token_but_not_others(client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    from tests.factories import api_token

    api_token(user)
    other = factory.user("rehabkoordinator")
    api_token(other)
    db.session.commit()
    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    assert client.post(f"/konto/api-nycklar/{theirs.id}/aterkalla").status_code == 404
    assert client.post(f"/konto/api-nycklar/{mine.id}/aterkalla").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, mine.id).revoked_at is not None
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert "/individuals/{public_id}" in spec["paths"]


def test_docs_page_lists_the_operations(client, login_as):
    login_as("rehabkoordinator")
    body = client.get("/api-dokumentation").get_data(as_text=True)
    assert "POST /api/v1/consent-check" in body
