from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import ApiToken, OrgType
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


def _put_body(individual, **overrides):
    return {
        "personnummer": individual.personnummer,
        "first_name": individual.first_name,
        "last_name": individual.last_name,
        "gender": individual.gender.value,
        "home_municipality": individual.home_municipality,
        "clinic_id": individual.clinic_id,
        "coordinator_id": individual.coordinator_id,
        "fk_officer_id": individual.fk_officer_id,
        "version": individual.version,
        **overrides,
    }


def test_a_coordinator_from_another_organisation_is_refused_so_nothing_is_shared_without_consent(
    api, factory, db, case
):
    kommun_user = factory.user("samordnare", organisation=factory.organisation(OrgType.KOMMUN))
    factory.care_plan(case.individual, goals="Behandling")
    db.session.commit()
    rehab, outsider = api(case.rehab), api(kommun_user)
    path = f"/individuals/{case.individual.public_id}"
    response = rehab("PUT", path, _put_body(case.individual, coordinator_id=kommun_user.id))
    assert response.status_code == 422
    assert "ansvariga enheten" in response.json["errors"]["coordinator_id"]
    created = rehab("POST", "/individuals", _body(case.rehab, coordinator_id=kommun_user.id))
    assert created.status_code == 422 and "coordinator_id" in created.json["errors"]
    assert outsider("GET", f"{path}/plan").status_code == 403
    db.session.expire_all()
    assert db.session.get(Individual, case.individual.id).coordinator_id == case.rehab.id


def test_a_case_never_changes_its_responsible_unit_by_an_edit(api, factory, db, case):
    # Data from before the coordinator rule: a project team's samordnare coordinates the case.
    team = factory.organisation(OrgType.PROJECT)
    samordnare = factory.user("samordnare", organisation=team)
    case.individual.coordinator_id = samordnare.id
    db.session.commit()
    body = _put_body(case.individual, clinic_id=team.id, coordinator_id=None)
    response = api(samordnare)("PUT", f"/individuals/{case.individual.public_id}", body)
    assert response.status_code == 422
    assert "kan inte bytas" in response.json["errors"]["clinic_id"]
    assert api(case.rehab)("GET", f"/individuals/{case.individual.public_id}").status_code == 200


def test_registering_a_personnummer_already_in_puls_is_audited_on_that_person(api, factory, db):
    stranger = factory.individual()  # another clinic's patient
    db.session.commit()
    call = api("rehabkoordinator")
    response = call("POST", "/individuals", _body(call.user, personnummer=stranger.personnummer))
    assert response.status_code == 422
    [event] = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.DENIED, AuditEvent.individual_id == stranger.id
        )
    ).all()
    assert event.user_id == call.user.id and event.details == "personnummer_taken; create"
    assert db.session.scalar(select(func.count()).select_from(Individual)) == 1  # nothing else stored


def test_api_list_and_search_audit_each_person_shown(api, db):
    call = api("rehabkoordinator")
    public_id = call("POST", "/individuals", _body(call.user)).json["id"]
    person = db.session.scalar(select(Individual).where(Individual.public_id == public_id))
    call("GET", "/individuals?per_page=10")
    call("POST", "/individuals/search", {"q": VALID["personnummer"]})
    shown = db.session.execute(
        select(AuditEvent.action, AuditEvent.individual_id).where(
            AuditEvent.action.in_([AuditAction.LIST, AuditAction.SEARCH]),
            AuditEvent.individual_id.is_not(None),
        )
    ).all()
    assert sorted(shown) == sorted([(AuditAction.LIST, person.id), (AuditAction.SEARCH, person.id)])
