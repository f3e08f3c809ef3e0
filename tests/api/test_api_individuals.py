from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import ApiToken
from tracker.people.models import Individual

VALID = {
    "personnummer": "20000517-9809",
    "first_name": "Alva",
    "last_name": "Åberg",
    "gender": "kvinna",
    "home_municipality": "Uppsala",
}


def _body(user, **overrides):
    return {**VALID, "clinic_id": user.organisation_id, **overrides}


def test_create_read_and_list_an_individual(api, db):
    call = api("rehabkoordinator")
    created = call("POST", "/individuals", _body(call.user))
    assert created.status_code == 201, created.json
    assert created.json["personnummer"] == "200005179809"
    public_id = created.json["id"]
    got = call("GET", f"/individuals/{public_id}")
    assert got.status_code == 200 and got.json["last_name"] == "Åberg"
    listed = call("GET", "/individuals?per_page=10&municipality=Uppsala")
    assert listed.json["total"] == 1 and listed.json["items"][0]["id"] == public_id


def test_api_reads_are_audited_like_page_views(api, db):
    call = api("rehabkoordinator")
    public_id = call("POST", "/individuals", _body(call.user)).json["id"]
    call("GET", f"/individuals/{public_id}")
    individual = db.session.scalar(select(Individual).where(Individual.public_id == public_id))
    views = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.VIEW, AuditEvent.individual_id == individual.id
        )
    ).all()
    assert len(views) == 1 and views[0].user_id == call.user.id


def test_missing_or_bad_token_gets_401_problem_json(client, db):
    response = client.get("/api/v1/individuals")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Bearer" in response.headers["WWW-Authenticate"]
    bad = client.get("/api/v1/individuals", headers={"Authorization": "Bearer puls_not-a-real-token"})
    assert bad.status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, login_as, db):
    login_as("rehabkoordinator")
    assert client.get("/api/v1/individuals").status_code == 401


def test_revoked_token_stops_working_at_once(api, client, db):
    call = api("rehabkoordinator")
    assert call("GET", "/individuals").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == call.user.id))
    token.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert call("GET", "/individuals").status_code == 401


def test_expired_token_is_refused(api, db, frozen_time):
    call = api("rehabkoordinator")
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == call.user.id))
    token.expires_at = datetime.now(UTC) + timedelta(hours=1)
    db.session.commit()
    assert call("GET", "/individuals").status_code == 200
    frozen_time.shift(timedelta(hours=2))
    assert call("GET", "/individuals").status_code == 401


def test_deactivated_users_tokens_stop_working(api, db):
    call = api("rehabkoordinator")
    call.user.is_active_account = False
    db.session.commit()
    assert call("GET", "/individuals").status_code == 401


def test_read_only_token_cannot_write(api, db):
    call = api("rehabkoordinator", scope="read")
    response = call("POST", "/individuals", _body(call.user))
    assert response.status_code == 403
    assert "bara läsa" in response.json["detail"]
    assert db.session.scalar(select(Individual)) is None


def test_invalid_input_gives_422_with_field_messages(api, db):
    call = api("rehabkoordinator")
    response = call("POST", "/individuals", _body(call.user, personnummer="20000517-9808", gender="x"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "gender" in response.json["errors"]
    response = call("POST", "/individuals", _body(call.user, personnummer="20000517-9808"))
    assert response.status_code == 422
    assert "kontrollsiffra" in response.json["errors"]["personnummer"]
    assert db.session.scalar(select(Individual)) is None


def test_unknown_fields_and_non_json_bodies_are_refused(api, client, db):
    call = api("rehabkoordinator")
    assert call("POST", "/individuals", _body(call.user, shoe_size=42)).status_code == 422
    response = client.post(
        "/api/v1/individuals", data="not json", headers={"Authorization": f"Bearer {call.secret}"}
    )
    assert response.status_code == 415


def test_unknown_id_gives_404(api, db):
    call = api("rehabkoordinator")
    assert call("GET", "/individuals/" + "0" * 32).status_code == 404


def test_stale_update_gives_409_and_keeps_the_first_change(api, db):
    call = api("rehabkoordinator")
    created = call("POST", "/individuals", _body(call.user)).json
    first = call(
        "PUT",
        f"/individuals/{created['id']}",
        _body(call.user, first_name="Första", version=created["version"]),
    )
    assert first.status_code == 200 and first.json["version"] == created["version"] + 1
    second = call(
        "PUT",
        f"/individuals/{created['id']}",
        _body(call.user, first_name="Andra", version=created["version"]),
    )
    assert second.status_code == 409
    assert call("GET", f"/individuals/{created['id']}").json["first_name"] == "Första"


def test_fk_user_is_refused_another_clinics_individual_and_the_denial_is_audited(api, factory, db):
    owner = api("rehabkoordinator")
    public_id = owner("POST", "/individuals", _body(owner.user)).json["id"]
    fk = api("handlaggare")
    response = fk("GET", f"/individuals/{public_id}")
    assert response.status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED))


def test_search_takes_the_term_in_the_body(api, db):
    call = api("rehabkoordinator")
    call("POST", "/individuals", _body(call.user))
    response = call("POST", "/individuals/search", {"q": "20000517-9809"})
    assert response.status_code == 200 and response.json["total"] == 1


def test_page_size_is_capped(api, db):
    call = api("rehabkoordinator")
    assert call("GET", "/individuals?per_page=1000").status_code == 422
    assert call("GET", "/individuals?per_page=100").status_code == 200


def test_ledning_is_refused_individuals(api, db):
    call = api("ledning")
    assert call("GET", "/individuals").status_code == 403


def test_nul_characters_are_invalid_input_not_a_server_error(api, db):
    call = api("rehabkoordinator")
    response = call("POST", "/individuals/search", {"q": "0\x00"})
    assert response.status_code == 422 and "q" in response.json["errors"]
    assert call("POST", "/meetings", {"title": "A\x00"}).status_code == 422
