"""The OpenAPI 3.1 document, generated from the registered operations and their
pydantic models (JSON Schema 2020-12, which OpenAPI 3.1 uses as is)."""

import re

from pydantic.json_schema import models_json_schema

from tracker.api.core import OPERATIONS, Operation

REF = "#/components/schemas/{model}"
PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["type", "title", "status"],
}
ERROR_TEXTS = {
    400: "Ogiltig JSON",
    401: "API-nyckel saknas eller är ogiltig",
    403: "Policyn eller nyckelns behörighet säger nej",
    404: "Finns inte",
    409: "Posten har ändrats sedan du läste den",
    413: "För stor förfrågan",
    415: "Fel innehållstyp",
    422: "Ogiltiga uppgifter (fältvisa meddelanden i errors)",
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        schema = (
            {"type": "integer"} if converter == "int" else {"type": "string", "pattern": "^[0-9a-f]{32}$"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def _models() -> list:
    pairs = []
    for op in OPERATIONS:
        for model, mode in (
            (op.query, "validation"),
            (op.body, "validation"),
            (op.response, "serialization"),
        ):
            if model is not None and (model, mode) not in pairs:
                pairs.append((model, mode))
    return pairs


def _page_schema(ref: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
        "required": ["items", "page", "per_page", "total"],
    }


def _operation(op: Operation, refs: dict, schemas: dict) -> dict:
    _, params = _path(op.rule)
    if op.query is not None:
        query_schema = schemas[op.query.__name__]
        required = set(query_schema.get("required", []))
        for name, schema in query_schema["properties"].items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": schema})
    statuses = {401, 403, *op.errors}
    if op.query is not None or op.body is not None:
        statuses.add(422)
    if op.body is not None:
        statuses |= {400, 413, 415}
    if "<" in op.rule:
        statuses.add(404)
    responses = {
        str(code): {
            "description": ERROR_TEXTS[code],
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
        }
        for code in sorted(statuses)
    }
    if op.content_type is not None:
        responses[str(op.status)] = {
            "description": "Svar",
            "content": {op.content_type: {"schema": {"type": "string"}}},
        }
    elif op.response is None:
        responses[str(op.status)] = {"description": "Klart"}
    else:
        ref = refs[(op.response, "serialization")]
        schema = _page_schema(ref) if op.many else ref
        responses[str(op.status)] = {
            "description": "Svar",
            "content": {"application/json": {"schema": schema}},
        }
    spec = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    }
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return spec


def build_spec(server_url: str = "/api/v1") -> dict:
    refs, definitions = models_json_schema(_models(), ref_template=REF)
    schemas = dict(definitions.get("$defs", {}))
    schemas["Problem"] = PROBLEM
    paths: dict = {}
    for op in OPERATIONS:
        path, _ = _path(op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Puls API",
            "version": "1",
            "description": "Samma tjänster, validering och åtkomstpolicy som webbsidorna. "
            "Autentisering med personlig API-nyckel: Authorization: Bearer <nyckel>. "
            "Personnummer skickas i kroppen, aldrig i URL:en.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
