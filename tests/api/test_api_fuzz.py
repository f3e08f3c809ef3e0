"""Property-based run of the API from its own OpenAPI document (schemathesis).

Every operation is called with generated input by a user who owns a case:
no response may be a 500, and every response must match the documented
status codes, content types and schemas.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import api_token
from tracker import create_app

app = create_app("testing", overrides={"TESTING": True})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def owner_token(factory, db):
    user = factory.user("rehabkoordinator")
    factory.individual(clinic=user.organisation)
    secret = api_token(user)
    db.session.commit()
    return secret


@pytest.fixture(autouse=True)
def use_fuzz_app(db, monkeypatch):
    """Point the module-level app's database at the test transaction."""
    from tracker.extensions import db as _db

    engines = _db._app_engines
    test_app = next(a for a in engines if a is not app)
    engines[app] = engines[test_app]
    yield
    del engines[app]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_schema(case, owner_token):
    response = case.call(headers={"Authorization": f"Bearer {owner_token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
