"""Plumbing for the JSON API: operations, validation, errors, paging, token auth.

Every operation is declared with `@operation(...)`, which registers the
route, validates query and body with pydantic models, enforces the token's
scope and records what `openapi.py` needs to describe it. Errors are
`application/problem+json` (RFC 9457) with field-level messages.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import ValidationError as PydanticError

from tracker.auth.models import TokenScope
from tracker.core.errors import ValidationError
from tracker.core.pagination import Page
from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_PER_PAGE = 100


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value):
        """PostgreSQL text cannot hold NUL; refuse it as invalid input (422), never a 500."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Texten innehåller otillåtna tecken.")
        if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
            raise ValueError("Texten innehåller otillåtna tecken.")
        return value


class PageQuery(ApiModel):
    page: int = 1
    per_page: int = 25

    def clamp(self) -> tuple[int, int]:
        return max(1, min(self.page, 100_000)), max(1, min(self.per_page, MAX_PER_PAGE))


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    many: bool = False
    errors: tuple[int, ...] = field(default_factory=tuple)
    access: Callable | None = None
    content_type: str | None = None  # a non-JSON response body (e.g. text/calendar)


OPERATIONS: list[Operation] = []


class ApiError(Exception):
    def __init__(self, status: int, title: str, detail: str = "", errors: dict | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def problem(status: int, title: str, detail: str = "", errors: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="puls"'
    return response


# pydantic's messages are English; the API answers in Swedish like the rest of Puls.
SWEDISH_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "extra_forbidden": "Okänt fält.",
    "string_type": "Ange en text.",
    "string_too_short": "Texten är för kort (minst {min_length} tecken).",
    "string_too_long": "Högst {max_length} tecken.",
    "too_short": "För få värden (minst {min_length}).",
    "too_long": "För många värden (högst {max_length}).",
    "date_type": "Ange ett datum som ÅÅÅÅ-MM-DD.",
    "date_parsing": "Ange ett giltigt datum som ÅÅÅÅ-MM-DD.",
    "date_from_datetime_parsing": "Ange ett giltigt datum som ÅÅÅÅ-MM-DD.",
    "date_from_datetime_inexact": "Ange ett datum utan klockslag (ÅÅÅÅ-MM-DD).",
    "datetime_parsing": "Ange en giltig tidpunkt.",
    "datetime_from_date_parsing": "Ange en giltig tidpunkt.",
    "time_parsing": "Ange en giltig tid som TT:MM.",
    "time_type": "Ange en tid som TT:MM.",
    "int_type": "Ange ett heltal.",
    "int_parsing": "Ange ett heltal.",
    "int_from_float": "Ange ett heltal.",
    "float_type": "Ange ett tal.",
    "float_parsing": "Ange ett tal.",
    "decimal_parsing": "Ange ett tal.",
    "bool_type": "Ange true eller false.",
    "bool_parsing": "Ange true eller false.",
    "list_type": "Ange en lista.",
    "dict_type": "Ange ett objekt.",
    "model_type": "Ange ett objekt.",
    "enum": "Välj ett av de tillåtna värdena.",
    "literal_error": "Välj ett av de tillåtna värdena.",
    "greater_than": "Värdet måste vara större än {gt}.",
    "greater_than_equal": "Värdet måste vara minst {ge}.",
    "less_than": "Värdet måste vara mindre än {lt}.",
    "less_than_equal": "Värdet får vara högst {le}.",
    "string_pattern_mismatch": "Ogiltigt format.",
    "json_invalid": "Ogiltig JSON.",
}


def _swedish(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])  # our own validators raise Swedish messages
    template = SWEDISH_MESSAGES.get(error["type"], "Ogiltigt värde.")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _field_errors(exc: PydanticError) -> dict[str, str]:
    errors = {}
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "body"
        errors[location] = _swedish(error)
    return errors


def _parse(model: type[BaseModel] | None, data, where: str):
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise ApiError(422, "Ogiltiga uppgifter", f"Kontrollera {where}.", _field_errors(exc)) from exc


def _body_json():
    if not request.is_json:
        raise ApiError(415, "Fel innehållstyp", "Skicka JSON med Content-Type: application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "Ogiltig JSON", "Kroppen kunde inte tolkas som JSON.")
    return data


def _serialise(op: Operation, result):
    if isinstance(result, Response):
        return result
    if op.many:
        page: Page = result
        return {
            "items": [op.response.model_validate(item).model_dump(mode="json") for item in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    if op.response is None:
        return Response(status=204)
    return op.response.model_validate(result).model_dump(mode="json")


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    many: bool = False,
    errors: tuple[int, ...] = (),
    access: Callable | None = None,
    content_type: str | None = None,
) -> Callable:
    """Declare an API operation.

    `access(**path_args)` runs first, before any input is parsed: it asks the
    policy (and may load objects, returned as extra keyword arguments), so a
    caller who may not touch the case learns nothing from validation errors.
    """

    def decorator(func):
        @wraps(func)
        def view(**kwargs):
            token = g.get("api_token")
            if method in WRITE_METHODS and (token is None or token.scope != TokenScope.WRITE):
                raise ApiError(403, "Otillräcklig behörighet", "API-nyckeln får bara läsa.")
            if access is not None:
                kwargs.update(access(**kwargs) or {})
            parsed_query = _parse(query, request.args.to_dict(flat=True), "frågeparametrarna")
            parsed_body = _parse(body, _body_json(), "innehållet") if body is not None else None
            if query is not None:
                kwargs["query"] = parsed_query
            if body is not None:
                kwargs["body"] = parsed_body
            result = _serialise(op, func(**kwargs))
            if isinstance(result, Response):
                return result
            return jsonify(result), status

        op = Operation(
            rule,
            method,
            func.__name__,
            summary,
            tag,
            query,
            body,
            response,
            status,
            many,
            errors,
            access,
            content_type,
        )
        OPERATIONS.append(op)
        bp.add_url_rule(rule, func.__name__, view, methods=[method])
        return view

    return decorator


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return problem(exc.status, exc.title, exc.detail, exc.errors)


@bp.errorhandler(ValidationError)
def service_validation_error(exc: ValidationError):
    return problem(422, "Ogiltiga uppgifter", "Rätta fälten och försök igen.", exc.errors)


def roles(*allowed):
    """Access rule: only these roles (the policy audits a refusal)."""
    from tracker.consent.policy import require_role

    def check(**_):
        require_role(current_user, *allowed)

    return check


def individual_access(action, category, *allowed_roles):
    """Access rule: load `public_id` through the policy, then check the role."""
    from tracker.consent.policy import require_role
    from tracker.people.queries import get_individual_or_404

    def load(public_id: str, **_):
        individual = get_individual_or_404(public_id, action, category)
        if allowed_roles:
            require_role(current_user, *allowed_roles)
        return {"individual": individual}

    return load


def record_access(loader, action, name: str, *allowed_roles):
    """Access rule for `/<thing>s/<int:<name>_id>`: load the record through its
    `get_<thing>_or_404(id, action)` (the policy on its individual), then check the role."""
    from tracker.consent.policy import require_role

    def load(**kwargs):
        obj = loader(kwargs[f"{name}_id"], action)
        if allowed_roles:
            require_role(current_user, *allowed_roles)
        return {name: obj}

    return load


def all_items(items) -> Page:
    """A one-page result for short per-case lists."""
    items = list(items)
    return Page(items=items, page=1, per_page=max(len(items), 1), total=len(items))


@contextmanager
def conflict_on_stale():
    """Turn the services' StaleEdit into 409 problem+json."""
    from tracker.core.editing import StaleEdit

    try:
        yield
    except StaleEdit as stale:
        raise ApiError(409, "Posten har ändrats", str(stale)) from stale


def load_token_user(req):
    """Flask-Login request loader: `Authorization: Bearer puls_...` on /api/ paths only."""
    from tracker.auth.tokens import authenticate_token

    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = authenticate_token(header[len("Bearer ") :].strip())
    if token is None:
        return None
    g.api_token = token
    current_app.logger.debug("api token %s used", token.prefix)
    return token.user
