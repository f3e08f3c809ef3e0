"""A lost database connection gives the Swedish 503 page, also when it fails at the commit."""

from sqlalchemy.exc import OperationalError

from tracker.extensions import db


def _lost(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))


def test_a_database_error_in_a_view_gives_the_swedish_503_page(client, login_as, monkeypatch):
    login_as("rehabkoordinator")
    monkeypatch.setattr("tracker.core.views.build_home_panels", _lost)
    response = client.get("/")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Tjänsten är inte tillgänglig" in body and "Inga ändringar sparades" in body


def test_a_connection_lost_at_the_commit_gives_the_503_page_not_a_500(app, client, login_as, monkeypatch):
    login_as("rehabkoordinator")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    monkeypatch.setattr(db.session, "commit", _lost)
    response = client.get("/")
    assert response.status_code == 503
    assert "Databasen svarar inte" in response.get_data(as_text=True)


def test_other_errors_still_give_the_500_page(app, client, login_as, monkeypatch):
    login_as("rehabkoordinator")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("tracker.core.views.build_home_panels", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Något gick fel" in response.get_data(as_text=True)
