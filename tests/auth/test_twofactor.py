import base64
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import TEST_TOTP_SECRET, login_client, totp_code
from tracker.audit.models import AuditAction, AuditEvent
from tracker.auth import totp
from tracker.auth.models import LoginAttempt, User, UserSession

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def _sessions(db, user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def _audit(db, action, user=None):
    query = select(AuditEvent).where(AuditEvent.action == action)
    if user is not None:
        query = query.where(AuditEvent.object_id == user.id)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
    ],
)
def test_codes_follow_the_rfc_6238_test_vectors(app, frozen_time, unix_time, code):
    # RFC 6238 appendix B, SHA-1, truncated to the 6 digits authenticator apps show.
    frozen_time.move_to(datetime.fromtimestamp(unix_time, UTC))
    with app.app_context():
        assert totp.matching_step(RFC_SECRET, code, None) == unix_time // 30
        assert totp.matching_step(RFC_SECRET, code, unix_time // 30) is None  # already used
        assert totp.matching_step(RFC_SECRET, "000000", None) is None


def test_a_code_from_the_neighbouring_step_is_accepted_but_not_two_steps_away(app):
    with app.app_context():
        for offset, accepted in ((-1, True), (1, True), (-2, False), (2, False)):
            step = totp.matching_step(TEST_TOTP_SECRET, totp_code(offset_steps=offset), None)
            assert (step is not None) is accepted


def test_secrets_are_stored_encrypted(app):
    with app.app_context():
        stored = totp.encrypt_secret(TEST_TOTP_SECRET)
        assert TEST_TOTP_SECRET not in stored
        assert totp.decrypt_secret(stored) == TEST_TOTP_SECRET


def test_a_user_enrols_with_a_server_rendered_qr_code_and_a_code(client, login_as, db):
    user = login_as("rehabkoordinator")
    page = client.get("/konto/tvastegs")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in body and "<script" not in body
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', body).group(1)
    wrong = client.post("/konto/tvastegs", data={"code": "123456"})
    assert wrong.status_code == 422 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.totp_enabled
    assert client.post("/konto/tvastegs", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    db.session.refresh(user)
    assert user.totp_enabled and secret not in user.totp_secret_enc
    after = client.get("/konto/tvastegs").get_data(as_text=True)
    assert secret not in after and "är aktiverad" in after
    [event] = _audit(db, AuditAction.UPDATE, user)
    assert event.details == "totp enrolled"


def test_login_with_two_factor_needs_the_code_before_any_session_exists(client, factory, db):
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    first = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert first.status_code == 302 and first.location.endswith("/login/kod")
    assert _sessions(db, user) == 0
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = client.post("/login/kod", data={"code": totp_code(offset_steps=5)})
    assert wrong.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 1
    assert not _audit(db, AuditAction.LOGIN)
    ok = client.post("/login/kod", data={"code": totp_code()})
    assert ok.status_code == 302 and _sessions(db, user) == 1
    assert client.get("/").status_code == 200
    assert len(_audit(db, AuditAction.LOGIN)) == 1


def test_a_code_cannot_be_replayed_within_its_window(app, client, factory, db):
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    assert login_client(client, user).status_code == 302
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.post("/login/kod", data={"code": totp_code()}).status_code == 401
    assert _sessions(db, user) == 1


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(client, factory, db, frozen_time):
    assert client.get("/login/kod").status_code == 302
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    frozen_time.shift(timedelta(minutes=6))
    response = client.post("/login/kod", data={"code": totp_code()})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert _sessions(db, user) == 0


def test_wrong_codes_count_towards_the_lock_out(app, client, factory, db):
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login/kod", data={"code": "000000"})
    locked = client.post("/login/kod", data={"code": totp_code()})
    assert locked.status_code == 401 and "För många" in locked.get_data(as_text=True)
    assert _sessions(db, user) == 0


def test_an_admin_without_two_factor_can_do_nothing_but_enrol(client, factory, db):
    admin = factory.user("admin", totp=False)
    db.session.commit()
    response = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert response.location.endswith("/konto/tvastegs")
    for url in ("/admin/anvandare", "/", "/logg"):
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked.location.endswith("/konto/tvastegs")
    body = client.get("/konto/tvastegs").get_data(as_text=True)
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', body).group(1)
    assert client.post("/konto/tvastegs", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/admin/anvandare").status_code == 200


def test_the_admin_requirement_can_be_switched_off(client, factory, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REQUIRED_FOR_ADMIN", False)
    admin = factory.user("admin", totp=False)
    db.session.commit()
    assert login_client(client, admin).location == "/"
    assert client.get("/admin/anvandare").status_code == 200


def test_an_admin_resets_a_users_two_factor_and_it_is_audited(app, client, login_as, factory, db):
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    device = app.test_client()
    login_client(device, user)
    admin = login_as("admin")
    assert client.post(f"/admin/anvandare/{user.id}/tvastegs/aterstall").status_code == 302
    db.session.refresh(user)
    assert not user.totp_enabled and user.totp_last_step is None
    assert device.get("/").status_code == 302  # the user's sessions ended
    [event] = [e for e in _audit(db, AuditAction.UPDATE, user) if e.user_id == admin.id]
    assert event.details == "totp reset by admin"
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).location == "/"


def test_only_admins_may_reset_two_factor(client, login_as, factory, db):
    login_as("samordnare")
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    assert client.post(f"/admin/anvandare/{user.id}/tvastegs/aterstall").status_code == 403
    db.session.refresh(user)
    assert user.totp_enabled
    assert _audit(db, AuditAction.DENIED)


def test_a_user_may_switch_two_factor_off_but_an_admin_may_not(client, factory, db, login):
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    login(user)
    assert client.post("/konto/tvastegs/stang-av").status_code == 302
    db.session.refresh(user)
    assert not user.totp_enabled


def test_an_admin_cannot_switch_off_required_two_factor(client, login_as, db):
    admin = login_as("admin")
    client.post("/konto/tvastegs/stang-av")
    db.session.refresh(admin)
    assert admin.totp_enabled


def test_sensitive_actions_ask_for_the_password_again_after_a_while(client, login_as, frozen_time, db):
    user = login_as("samordnare", totp=True)
    frozen_time.shift(timedelta(minutes=11))
    late = client.post("/konto/tvastegs/stang-av")
    # Back to the page with the button afterwards, not to the POST-only action (405).
    assert late.status_code == 302 and late.location.endswith("/konto/bekrafta?next=/konto/tvastegs")
    db.session.refresh(user)
    assert user.totp_enabled  # nothing happened
    assert client.post("/konto/bekrafta?next=/konto/tvastegs", data={"password": "fel"}).status_code == 401
    ok = client.post("/konto/bekrafta?next=/konto/tvastegs", data={"password": PASSWORD})
    assert ok.location == "/konto/tvastegs" and client.get(ok.location).status_code == 200
    assert client.post("/konto/tvastegs/stang-av").status_code == 302
    db.session.refresh(user)
    assert not user.totp_enabled


def test_wrong_passwords_on_the_confirm_page_end_the_session_at_the_lock_out(app, client, login_as, db):
    user = login_as("samordnare")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        response = client.post("/konto/bekrafta", data={"password": "fel"})
        assert response.status_code == 401
    assert "För många misslyckade" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
        )
        == app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    )
    assert client.get("/").status_code == 302


def test_re_authentication_never_redirects_off_site(client, login_as):
    login_as("samordnare")
    response = client.post("/konto/bekrafta?next=https://evil.example/", data={"password": PASSWORD})
    assert response.location == "/"


def test_user_model_never_renders_the_secret_on_admin_pages(client, login_as, factory, db):
    login_as("admin")
    user = factory.user("samordnare", totp=True)
    db.session.commit()
    body = client.get(f"/admin/anvandare/{user.id}").get_data(as_text=True)
    assert TEST_TOTP_SECRET not in body and user.totp_secret_enc not in body
    assert "Återställ tvåstegsverifiering" in body
    assert db.session.get(User, user.id).totp_enabled


def test_the_secret_being_enrolled_is_encrypted_in_the_session_cookie(app, client, login_as):
    login_as("samordnare")
    body = client.get("/konto/tvastegs").get_data(as_text=True)
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', body).group(1)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    stored = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert secret not in str(stored)
    with app.app_context():
        assert totp.decrypt_secret(stored["totp_enrolment"]) == secret
