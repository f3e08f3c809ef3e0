"""Hostile text, malformed dates and oversized bodies in every write operation of the JSON API.

Text and date properties are read from the operation's own OpenAPI request schema (dates in its
query parameters too), so a property added later is attacked too; a new write operation fails
until it is listed in api_table.py.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import Enum, String, Text, func, or_, select

from tests.factories import api_token
from tests.security.api_table import NOT_FREE_TEXT, NOT_IN_TABLE, OPERATIONS
from tests.security.forms_table import World
from tests.security.test_hostile_forms import BAD_DATES, _snapshot

PAYLOAD = "<script>alert(1)</script>{{7*7}}"


@pytest.fixture(scope="module")
def openapi(app):
    with app.test_client() as c:
        return c.get("/api/v1/openapi.json").get_json()


def _resolver(doc):
    schemas = doc["components"]["schemas"]

    def resolve(s):
        if "$ref" in s:
            return schemas[s["$ref"].split("/")[-1]]
        if "anyOf" in s:
            return resolve(next(x for x in s["anyOf"] if x.get("type") != "null"))
        return s

    return resolve


def _write_operations(doc) -> dict[str, dict]:
    """operation id -> flattened request-body properties {name: schema}."""
    resolve = _resolver(doc)
    result = {}
    for ops in doc["paths"].values():
        for method, op in ops.items():
            body = op.get("requestBody")
            if method in ("post", "put", "patch") and body:
                schema = resolve(body["content"]["application/json"]["schema"])
                result[op["operationId"]] = {k: resolve(v) for k, v in schema.get("properties", {}).items()}
    return result


def _query_dates(doc, operation_id: str) -> list[str]:
    """Date query parameters of a write operation (a report period, say)."""
    resolve = _resolver(doc)
    return [
        p["name"]
        for ops in doc["paths"].values()
        for op in ops.values()
        if op["operationId"] == operation_id
        for p in op.get("parameters", [])
        if p["in"] == "query" and resolve(p["schema"]).get("format") == "date"
    ]


def _with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {name: value}
    return urlunsplit(parts._replace(query=urlencode(query)))


def _text_props(props: dict) -> list[str]:
    return [
        k
        for k, v in props.items()
        if v.get("type") == "string" and "enum" not in v and "format" not in v and k not in NOT_FREE_TEXT
    ]


def _date_props(props: dict) -> list[str]:
    return [k for k, v in props.items() if v.get("format") == "date"]


@pytest.fixture
def world(factory, db, login, login_as):
    return World(factory, db, login, login_as)


def _call(client, user, db):
    secret = api_token(user)
    db.session.commit()

    def call(method, url, body):
        return client.open(
            f"/api/v1{url}", method=method, json=body, headers={"Authorization": f"Bearer {secret}"}
        )

    return call


def test_every_write_operation_is_in_the_table(openapi):
    operations = set(_write_operations(openapi))
    listed = {o.operation_id for o in OPERATIONS} | NOT_IN_TABLE.keys()
    assert not operations - listed, f"add {sorted(operations - listed)} to tests/security/api_table.py"
    assert not listed - operations, "stale entry in tests/security/api_table.py"


def _stored_verbatim(db, text: str) -> bool:
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        columns = [
            c for c in table.columns if isinstance(c.type, String | Text) and not isinstance(c.type, Enum)
        ]
        if columns and db.session.scalar(
            select(func.count()).select_from(table).where(or_(*[c == text for c in columns]))
        ):
            return True
    return False


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.operation_id)
def test_api_bodies_with_hostile_text_and_bad_dates(client, world, db, openapi, operation):
    props = _write_operations(openapi)[operation.operation_id]
    user, method, url, body = operation.setup(world)
    call = _call(client, user, db)
    before = _snapshot(db)
    attacks = [(name, lambda v, n=name: (url, {**body, n: v})) for name in _date_props(props)] + [
        (name, lambda v, n=name: (_with_query(url, n, v), body))
        for name in _query_dates(openapi, operation.operation_id)
    ]
    for name, attack in attacks:
        for value in BAD_DATES:
            response = call(method, *attack(value))
            assert response.status_code == 422, (name, value, response.status_code)
            message = response.json["errors"][name]
            assert "datum" in message.lower() and "Input should" not in message, (name, value, message)
            assert _snapshot(db) == before, (name, value)
    texts = _text_props(props)
    hostile = {name: f"{PAYLOAD}{name}" for name in texts}
    response = call(method, url, {**body, **hostile})
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]
    assert response.mimetype in ("application/json", "application/problem+json")
    for name, text in hostile.items():
        assert _stored_verbatim(db, text), f"{name} not stored verbatim"


def test_an_oversized_json_body_is_refused_with_413_and_nothing_is_stored(client, world, db, app):
    user, method, url, body = OPERATIONS[0].setup(world)
    call = _call(client, user, db)
    before = _snapshot(db)
    response = call(method, url, {**body, "note": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert _snapshot(db) == before


@pytest.mark.parametrize("field", ["note", "doctor"])
def test_an_over_long_api_text_is_a_422_with_a_message(client, world, db, field):
    user, method, url, body = OPERATIONS[0].setup(world)
    response = _call(client, user, db)(method, url, {**body, field: "x" * 2001})
    assert response.status_code == 422 and field in response.json["errors"]


@pytest.mark.parametrize(
    "term", ["' OR '1'='1", "%", "_", "\\", "' UNION SELECT personnummer FROM individuals --"]
)
def test_sql_metacharacters_in_the_api_search_match_nothing(client, world, db, term):
    call = _call(client, world.rehab, db)
    response = call("POST", "/individuals/search", {"q": term})
    assert response.status_code in (200, 422)
    assert world.person.public_id not in response.get_data(as_text=True)


def test_api_type_errors_are_answered_in_swedish(client, world, db):
    user, method, url, body = OPERATIONS[0].setup(world)
    call = _call(client, user, db)
    response = call(method, url, {**body, "clinic_id": "abc", "certificate_type": "nope", "doctor": 5})
    errors = response.json["errors"]
    assert response.status_code == 422
    assert errors["clinic_id"] == "Ange ett heltal."
    assert errors["certificate_type"] == "Välj ett av de tillåtna värdena."
    assert errors["doctor"] == "Ange en text."
    missing = call(method, url, {})
    assert missing.json["errors"]["issued_on"] == "Fältet måste fyllas i."


# No row of someone else's in the URL or body.
API_NO_FOREIGN_ROW = {"create_meeting", "create_series", "save_week"}
# The foreign row is an id in the body (a clinic, a project): refused as an invalid choice or forbidden.
API_ID_IN_BODY = {"create_individual", "create_time_entry"}


@pytest.mark.parametrize(
    "operation",
    [o for o in OPERATIONS if o.operation_id not in API_NO_FOREIGN_ROW],
    ids=lambda o: o.operation_id,
)
def test_the_same_role_in_another_unit_cannot_write_through_the_api_to_rows_elsewhere(
    client, world, factory, db, operation
):
    owner, method, url, body = operation.setup(world)
    outsider = factory.user(owner.role, organisation=factory.organisation(owner.organisation.org_type))
    call = _call(client, outsider, db)
    before = _snapshot(db, without_audit=True)
    response = call(method, url, body)
    allowed = (403, 404, 422) if operation.operation_id in API_ID_IN_BODY else (403, 404)
    assert response.status_code in allowed, response.status_code
    assert _snapshot(db, without_audit=True) == before
