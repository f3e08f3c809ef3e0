from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import api_token
from tracker.auth import services
from tracker.auth.models import Organisation, User
from tracker.auth.passwords import verify_password
from tracker.meetings import feeds


def test_admin_creates_an_organisation(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/admin/organisationer", data={"name": "Mottagning Test", "org_type": "region_clinic"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Mottagning Test"))


def test_duplicate_organisation_name_is_refused(client, login_as, factory, db):
    login_as("admin")
    factory.organisation(name="Finns Redan")
    db.session.commit()
    response = client.post("/admin/organisationer", data={"name": "finns redan", "org_type": "kommun"})
    assert response.status_code == 422
    assert "finns redan en organisation" in response.get_data(as_text=True)


def test_admin_creates_a_user_who_can_log_in(client, login_as, factory, db, app):
    login_as("admin")
    clinic = factory.organisation("region_clinic")
    db.session.commit()
    data = {
        "full_name": "Ny Rehab",
        "email": "ny.rehab@test.example",
        "role": "rehabkoordinator",
        "organisation_id": str(clinic.id),
        "password": "ett-långt-lösenord",
    }
    assert client.post("/admin/anvandare", data=data).status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": data["email"], "password": data["password"]}).status_code == 302
    )


def test_role_must_fit_the_organisation_type(client, login_as, factory, db):
    login_as("admin")
    kommun = factory.organisation("kommun")
    db.session.commit()
    data = {
        "full_name": "Fel",
        "email": "fel@test.example",
        "role": "handlaggare",
        "organisation_id": str(kommun.id),
        "password": "ett-långt-lösenord",
    }
    response = client.post("/admin/anvandare", data=data)
    assert response.status_code == 422
    assert "kan inte tillhöra" in response.get_data(as_text=True)
    assert not db.session.scalar(select(User).where(User.email == "fel@test.example"))


def test_weak_password_is_refused_for_new_user(client, login_as, factory, db):
    login_as("admin")
    clinic = factory.organisation("region_clinic")
    db.session.commit()
    data = {
        "full_name": "X",
        "email": "x@test.example",
        "role": "rehabkoordinator",
        "organisation_id": str(clinic.id),
        "password": "kort",
    }
    response = client.post("/admin/anvandare", data=data)
    assert response.status_code == 422
    assert "minst" in response.get_data(as_text=True)


def test_deactivated_user_keeps_history_and_can_be_reactivated(client, login_as, factory, db):
    login_as("admin")
    user = factory.user("rehabkoordinator")
    db.session.commit()
    client.post(f"/admin/anvandare/{user.id}/avaktivera")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active is False
    client.post(f"/admin/anvandare/{user.id}/aktivera")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active is True


def test_admin_password_reset_ends_the_users_sessions(client, login_as, factory, db, app):
    login_as("admin")
    user = factory.user("rehabkoordinator")
    db.session.commit()
    device = app.test_client()
    device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert device.get("/").status_code == 200
    response = client.post(f"/admin/anvandare/{user.id}/losenord", data={"password": "helt-nytt-lösenord"})
    assert response.status_code == 302
    assert device.get("/").status_code == 302


def test_non_admins_are_refused_admin_pages(client, login_as, db):
    for role in ("rehabkoordinator", "handlaggare", "samordnare", "ledning"):
        client.post("/logout")
        login_as(role)
        assert client.get("/admin/anvandare").status_code == 403
        assert client.get("/admin/organisationer").status_code == 403
        assert (
            client.post("/admin/organisationer", data={"name": "X", "org_type": "kommun"}).status_code == 403
        )


def test_users_create_command_reads_password_from_stdin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@test.example",
            "--name",
            "Cli Admin",
            "--role",
            "admin",
            "--org",
            "CLI Region",
            "--org-type",
            "region_other",
            "--password-stdin",
        ],
        input="ett-långt-lösenord\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "cli@test.example"))


def test_users_create_command_refuses_weak_password(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "weak@test.example",
            "--name",
            "W",
            "--role",
            "admin",
            "--org",
            "CLI Region 2",
            "--org-type",
            "region_other",
            "--password-stdin",
        ],
        input="kort\n",
    )
    assert result.exit_code == 1


# ---------------------------------------------------------------- changes to accounts need a recent password


def _account_changes(admin, target):
    """Every admin route that changes who may log in, and how: (path, form data, the GET page to return to)."""
    clinic_id = str(target.organisation_id)
    new_user = {
        "full_name": "Ny Rehab",
        "email": "ny.rehab@test.example",
        "role": "rehabkoordinator",
        "organisation_id": clinic_id,
        "password": "ett-långt-lösenord",
    }
    detail = f"/admin/anvandare/{target.id}"
    return [
        ("/admin/anvandare", new_user, "/admin/anvandare"),
        (f"{detail}/avaktivera", {}, detail),
        (f"{detail}/aktivera", {}, detail),
        (f"{detail}/losenord", {"password": "angriparens-losenord-1"}, detail),
        (f"{detail}/tvastegs/aterstall", {}, detail),
    ]


def _account_state(db, target):
    db.session.expire_all()
    user = db.session.get(User, target.id)
    users = db.session.scalar(select(func.count()).select_from(User))
    return users, user.is_active, user.password_hash, user.totp_secret_enc


def test_a_stale_admin_session_changes_no_account_without_the_password_again(
    client, login, factory, db, frozen_time
):
    admin = factory.user("admin")
    target = factory.user("admin", organisation=factory.organisation("region_clinic"))
    db.session.commit()
    login(admin)
    frozen_time.shift(timedelta(minutes=20))  # past REAUTH_MINUTES, within the idle limit
    before = _account_state(db, target)
    for path, data, back in _account_changes(admin, target):
        response = client.post(path, data=data)
        assert response.status_code == 302, path
        assert response.location == f"/konto/bekrafta?next={back}", path
    assert _account_state(db, target) == before


def test_after_the_password_again_the_admin_resets_another_users_password(
    client, login, factory, db, frozen_time
):
    admin = factory.user("admin")
    target = factory.user("rehabkoordinator")
    db.session.commit()
    login(admin)
    frozen_time.shift(timedelta(minutes=20))
    reset = f"/admin/anvandare/{target.id}/losenord"
    assert client.post(reset, data={"password": "helt-nytt-lösenord"}).location.startswith("/konto/bekrafta")
    confirmed = client.post(f"/konto/bekrafta?next=/admin/anvandare/{target.id}", data={"password": PASSWORD})
    assert confirmed.location == f"/admin/anvandare/{target.id}"
    assert client.post(reset, data={"password": "helt-nytt-lösenord"}).status_code == 302
    db.session.refresh(target)
    assert verify_password(target.password_hash, "helt-nytt-lösenord")


def test_an_admin_cannot_reset_their_own_password_or_second_factor_on_the_admin_pages(
    client, login, factory, db
):
    admin = factory.user("admin")
    db.session.commit()
    login(admin)
    own = f"/admin/anvandare/{admin.id}"
    page = client.get(own).get_data(as_text=True)
    assert "/konto/losenord" in page and f"{own}/losenord" not in page and f"{own}/tvastegs" not in page
    hash_before = admin.password_hash
    assert client.post(f"{own}/tvastegs/aterstall").location == own
    assert client.post(f"{own}/losenord", data={"password": "angriparens-losenord-1"}).location == own
    assert "Ditt eget konto ändrar du" in client.get(own).get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.totp_enabled and admin.password_hash == hash_before


@pytest.mark.parametrize("role", ["rehabkoordinator", "handlaggare", "samordnare", "ledning"])
def test_non_admins_are_refused_every_account_change_with_a_fresh_or_a_stale_session(
    client, login_as, factory, db, frozen_time, role
):
    user = login_as(role)
    target = factory.user("samordnare", totp=True)
    db.session.commit()
    before = _account_state(db, target)
    for path, data, _ in _account_changes(user, target):
        assert client.post(path, data=data).status_code == 403, path
    frozen_time.shift(timedelta(minutes=20))
    for path, data, _ in _account_changes(user, target):
        assert client.post(path, data=data).status_code == 403, path  # not a password prompt
    assert _account_state(db, target) == before


def test_an_admin_password_reset_revokes_the_users_api_tokens_and_calendar_link(
    app, client, login_as, factory, db
):
    login_as("admin")
    user = factory.user("rehabkoordinator")
    secret = api_token(user, "write")
    feed = feeds.issue_token(user)
    db.session.commit()
    outside = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert outside.get("/api/v1/individuals", headers=bearer).status_code == 200
    response = client.post(
        f"/admin/anvandare/{user.id}/losenord", data={"password": "helt-nytt-lösenord"}, follow_redirects=True
    )
    assert "1 API-nyckel och kalenderlänken är återkallade." in response.get_data(as_text=True)
    assert outside.get("/api/v1/individuals", headers=bearer).status_code == 401
    assert outside.get(f"/moten/prenumeration/{feed}.ics").status_code == 404


@pytest.mark.parametrize(
    ("api_tokens", "calendar_link", "sentence"),
    [
        (0, False, "Det fanns inga API-nycklar eller kalenderlänk att återkalla."),
        (1, False, "1 API-nyckel är återkallad."),
        (0, True, "Kalenderlänken är återkallad."),
        (3, True, "3 API-nycklar och kalenderlänken är återkallade."),
    ],
)
def test_the_message_after_a_password_change_says_what_was_revoked(api_tokens, calendar_link, sentence):
    assert services.Revoked(api_tokens, calendar_link).sentence() == sentence
