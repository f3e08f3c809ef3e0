from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import api_token, login_client
from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth.models import ApiToken, LoginAttempt
from tracker.auth.passwords import verify_password
from tracker.meetings import feeds


def _audit_actions(db):
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_login_with_correct_password_is_audited_and_shows_start_page(client, factory, db):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditAction.LOGIN in _audit_actions(db)


def test_wrong_password_is_refused_in_swedish_and_audited(client, factory, db):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "fel-lösenord"})
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in response.get_data(as_text=True)
    assert AuditAction.LOGIN_FAILED in _audit_actions(db)
    assert client.get("/").status_code == 302


def test_unknown_account_gets_the_same_message_as_wrong_password(client, db):
    response = client.post("/login", data={"email": "nobody@test.example", "password": "whatever-123"})
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in response.get_data(as_text=True)


def test_account_is_locked_after_repeated_failures_even_with_the_right_password(app, client, factory, db):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "wrong-password"})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)


def test_lock_out_expires_after_the_window(app, client, factory, db, frozen_time):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "wrong-password"})
    frozen_time.shift(timedelta(minutes=app.config["LOGIN_LOCK_WINDOW_MINUTES"] + 1))
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_address_is_locked_after_many_failures_across_accounts(app, client, db):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        client.post("/login", data={"email": f"guess{n}@test.example", "password": "wrong-password"})
    response = client.post("/login", data={"email": "another@test.example", "password": "x" * 12})
    assert "För många misslyckade inloggningar" in response.get_data(as_text=True)


def test_after_login_only_local_paths_are_followed(client, factory, db):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        client.post("/logout")
        response = client.post(f"/login?next={target}", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == "/", target
    client.post("/logout")
    response = client.post("/login?next=/personer/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/personer/"


def test_copied_session_cookie_stops_working_after_logout(app, client, login_as, db):
    login_as("rehabkoordinator")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert thief.get("/").status_code == 302


def test_password_change_ends_all_sessions(app, client, login_as, db):
    user = login_as("rehabkoordinator")
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/").status_code == 200
    response = client.post(
        "/konto/losenord",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert other_device.get("/").status_code == 302
    assert client.get("/").status_code == 302
    assert (
        client.post("/login", data={"email": user.email, "password": "a-new-long-password"}).status_code
        == 302
    )


def test_password_change_with_short_password_is_refused_and_nothing_changes(client, login_as, db):
    login_as("rehabkoordinator")
    response = client.post(
        "/konto/losenord", data={"current_password": PASSWORD, "new_password": "kort", "confirm": "kort"}
    )
    assert response.status_code == 422
    assert "minst" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_deactivated_user_is_logged_out_at_once(app, client, login_as, factory, db):
    user = login_as("rehabkoordinator")
    admin_client = app.test_client()
    admin = factory.user("admin")
    db.session.commit()
    login_client(admin_client, admin)
    assert admin_client.post(f"/admin/anvandare/{user.id}/avaktivera").status_code == 302
    assert client.get("/").status_code == 302
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_session_ends_after_idle_timeout(app, client, login_as, frozen_time):
    login_as("rehabkoordinator")
    assert client.get("/").status_code == 200
    frozen_time.shift(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    assert client.get("/").status_code == 302


def test_activity_keeps_the_session_alive(app, client, login_as, frozen_time):
    login_as("rehabkoordinator")
    for _ in range(3):
        frozen_time.shift(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5))
        assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, factory, db):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_form_without_csrf_token_is_rejected(app, client, login_as, monkeypatch, db):
    login_as("rehabkoordinator")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/konto/losenord", data={"current_password": PASSWORD})
    assert response.status_code == 400
    assert "säkerhetstoken" in response.get_data(as_text=True)


# ---------------------------------------------------------------- passwords asked for inside a session


def _failures(db, user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
    )


def _token_form(password):
    return "/konto/api-nycklar", {"name": "Skript", "scope": "write", "password": password}


def _change_form(password):
    new = "ett-nytt-langt-losenord"
    return "/konto/losenord", {"current_password": password, "new_password": new, "confirm": new}


def _post(client, form, password, **kwargs):
    path, data = form(password)
    return client.post(path, data=data, **kwargs)


@pytest.mark.parametrize("form", [_token_form, _change_form], ids=["api_token", "password_change"])
def test_wrong_passwords_inside_a_session_count_towards_the_lock_out_and_end_the_session(
    app, client, login_as, db, form
):
    user = login_as("rehabkoordinator")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for attempt in range(1, limit + 1):
        response = _post(client, form, "fel-gissning-123")
        assert response.status_code == 422
        assert _failures(db, user) == attempt
    assert "För många misslyckade" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the session ended at the lock-out
    refused = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 401
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize("form", [_token_form, _change_form], ids=["api_token", "password_change"])
def test_a_locked_out_account_cannot_prove_its_password_inside_a_session(app, client, login_as, db, form):
    user = login_as("rehabkoordinator")
    guesser = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        guesser.post("/login", data={"email": user.email, "password": "fel-gissning-123"})
    response = _post(client, form, PASSWORD)
    assert response.status_code == 422 and "För många misslyckade" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_wrong_password_inside_a_session_is_audited_with_the_page_it_came_from(client, login_as, db):
    user = login_as("rehabkoordinator")
    _post(client, _token_form, "fel")
    _post(client, _change_form, "fel")
    details = db.session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.action == AuditAction.LOGIN_FAILED, AuditEvent.object_id == user.id
        )
    ).all()
    assert details == ["wrong_password_api_token", "wrong_password_change"]


@pytest.mark.parametrize("form", [_token_form, _change_form], ids=["api_token", "password_change"])
def test_the_account_pages_refuse_anyone_not_logged_in(client, factory, db, form):
    user = factory.user("rehabkoordinator")
    db.session.commit()
    response = _post(client, form, PASSWORD)
    assert response.status_code == 302 and response.location.startswith("/login")
    assert _failures(db, user) == 0


def test_an_own_password_change_revokes_the_users_api_tokens_and_calendar_link(app, client, login_as, db):
    user = login_as("rehabkoordinator")
    bearer = {"Authorization": f"Bearer {api_token(user)}"}
    api_token(user, "read")
    feed = feeds.issue_token(user)
    db.session.commit()
    outside = app.test_client()
    assert outside.get("/api/v1/individuals", headers=bearer).status_code == 200
    response = _post(client, _change_form, PASSWORD, follow_redirects=True)
    assert "2 API-nycklar och kalenderlänken är återkallade." in response.get_data(as_text=True)
    assert outside.get("/api/v1/individuals", headers=bearer).status_code == 401
    assert outside.get(f"/moten/prenumeration/{feed}.ics").status_code == 404
