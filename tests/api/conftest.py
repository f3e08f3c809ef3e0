import pytest

from tests.factories import api_token


@pytest.fixture
def api(client, factory, db):
    """`api(role_or_user, scope)` -> a callable making authenticated JSON requests."""

    def make(who="rehabkoordinator", scope="write", **user_kwargs):
        user = factory.user(who, **user_kwargs) if isinstance(who, str) else who
        secret = api_token(user, scope)
        db.session.commit()

        def call(method, url, json=None, headers=None):
            all_headers = {"Authorization": f"Bearer {secret}", **(headers or {})}
            return client.open(f"/api/v1{url}", method=method, json=json, headers=all_headers)

        call.user = user
        call.secret = secret
        return call

    return make
