"""API operations declared once: the route, its request validation and its OpenAPI 3.1 entry.

OpenAPI 3.1 uses JSON Schema 2020-12 as is, so the schema that documents a request body is the
one jsonschema validates it against: the document cannot drift from what the server accepts.

Every domain declares its operations on the one blueprint here (`bp`, `spec`) in its own api.py,
adds its schemas with `spec.add_components`, and pages its lists with `paginated`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from workbench import json_input
from workbench.db import db, write
from workbench.errors import InvalidInput, WorkbenchError
from workbench.web import LARGEST_ID, page_number

API_VERSION = "1.0.0"
ERROR_STATUSES = {
    400: "Malformed request (not JSON, or CSRF token missing)",
    401: "Not signed in, or the personal token is unknown or revoked",
    403: "The user's role may not perform this operation",
    404: "No such record",
    405: "The address does not take this method (Allow lists those it does)",
    409: "Conflicts with saved data (for example a duplicate code)",
    422: "The body does not satisfy the schema or the domain rules",
    503: "The database could not save the change (disk full, connection lost): nothing was saved, try again",
}
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


class MalformedRequest(WorkbenchError):
    status = 400
    code = "malformed_request"


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    body: dict | None
    responses: dict[int, tuple[str, dict | None]]
    public: bool
    parameters: list[dict] = field(default_factory=list)
    authorise: Callable[..., None] | None = None


class ApiSpec:
    def __init__(self, blueprint: Blueprint, *, title: str, components: dict):
        self.blueprint = blueprint
        self.title = title
        self.components = dict(components)
        self.operations: list[Operation] = []

    def add_components(self, schemas: dict) -> None:
        """Named schemas for `ref(name)`; a name can be declared once."""
        taken = sorted(set(schemas) & set(self.components))
        if taken:
            raise ValueError(f"API components declared twice: {', '.join(taken)}")
        self.components.update(schemas)

    def validator(self, schema: dict) -> Draft202012Validator:
        """A validator for `schema` in which `#/components/schemas/…` references resolve."""
        return Draft202012Validator({**schema, "components": {"schemas": self.components}})

    def operation(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        tag: str,
        body: dict | None = None,
        responses: dict[int, tuple[str, dict | None]],
        public: bool = False,
        parameters=(),
        authorise: Callable[..., None] | None = None,
    ):
        """Register `view(**path_args, body=...)` at `rule` for `method`, documented and validated.

        `authorise(**path_args)` refuses a user who may not perform the operation at all (raising
        AccessDenied); it runs before the query and the body are read, so that a refused user learns
        nothing from a validation error. The view and its service still decide on the record."""

        def decorator(view):
            validator = self.validator(body) if body is not None else None
            queries = [parameter for parameter in parameters if parameter["in"] == "query"]

            @wraps(view)
            def handler(**path_args):
                if authorise is not None:
                    authorise(**path_args)
                self._check_query(queries)
                if validator is not None:
                    path_args["body"] = self._validated_body(validator)
                # Committed here, so that a refused write is answered as an error of this API:
                # a lost race 409 (or the domain's own refusal, such as stale_version), 503 when
                # the database cannot write; never a 500.
                return write(lambda: view(**path_args))

            self.blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=handler, methods=[method])
            self.operations.append(
                Operation(
                    rule=rule,
                    method=method.lower(),
                    endpoint=f"{self.blueprint.name}.{view.__name__}",
                    summary=summary,
                    tag=tag,
                    body=body,
                    responses=responses,
                    public=public,
                    parameters=list(parameters),
                    authorise=authorise,
                )
            )
            return handler

        return decorator

    @staticmethod
    def _check_query(parameters: list[dict]) -> None:
        """Refuse query arguments that do not fit their declared schema (`?per_page=null`), before
        any view reads them."""
        problems = []
        for parameter in parameters:
            name, schema = parameter["name"], parameter["schema"]
            if name not in request.args:
                if parameter.get("required"):
                    problems.append({"parameter": name, "message": _("缺少参数 %(name)s。", name=name)})
                continue
            text = request.args.getlist(name)[-1]
            if not Draft202012Validator(schema).is_valid(_query_value(text, schema)):
                problems.append({"parameter": name, "message": _query_problem(name, text, schema)})
        if problems:
            raise InvalidInput(problems[0]["message"], details={"errors": problems})

    @staticmethod
    def _validated_body(validator: Draft202012Validator) -> dict:
        if not request.is_json:
            raise MalformedRequest(_("请求体必须是 JSON，并带有 Content-Type: application/json。"))
        # get_data refuses a body over MAX_CONTENT_LENGTH (413) before reading it; the depth is
        # measured before parsing.
        try:
            text = request.get_data(cache=True).decode("utf-8")
            data = json_input.loads(text, parse_float=json_input.integral_floats)
        except json_input.NestedTooDeeply as error:
            raise MalformedRequest(
                _("请求体的 JSON 嵌套超过 %(max)d 层，无法处理：请减少嵌套层级。", max=error.limit)
            ) from None
        except ValueError:  # not UTF-8, not JSON, or a number of thousands of digits
            raise MalformedRequest(_("请求体必须是 JSON，并带有 Content-Type: application/json。")) from None
        errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
        if errors:
            raise InvalidInput(
                _("请求体不符合接口要求：%(first)s", first=errors[0].message),
                details={
                    "errors": [
                        {"pointer": "/" + "/".join(str(part) for part in error.absolute_path), "message": error.message}
                        for error in errors
                    ]
                },
            )
        return data

    def document(self, server_url: str) -> dict:
        paths: dict[str, dict] = {}
        for op in self.operations:
            # As served, trailing slash included: "/api/v1" would only redirect to "/api/v1/".
            path = self.blueprint.url_prefix + _RULE_ARGUMENT.sub(r"{\g<name>}", op.rule)
            entry = {
                "operationId": op.endpoint.split(".", 1)[1],
                "summary": op.summary,
                "tags": [op.tag],
                "parameters": [*self._path_parameters(op.rule), *op.parameters],
                "responses": {
                    str(status): self._response(description, schema)
                    for status, (description, schema) in op.responses.items()
                },
            }
            for status, description in ERROR_STATUSES.items():
                if status == 401 and op.public:
                    continue
                entry["responses"].setdefault(
                    str(status),
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            if op.body is not None:
                entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
                entry["responses"].setdefault(
                    "413",
                    {
                        "description": "The body is larger than the server accepts (WORKBENCH_MAX_UPLOAD_MB); "
                        "refused before it is read",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            if op.public:
                entry["security"] = [{}, {"bearerToken": []}, {"sessionCookie": []}]
            paths.setdefault(path, {})[op.method] = entry
        return {
            "openapi": "3.1.0",
            "info": {
                "title": self.title,
                "version": API_VERSION,
                "description": (
                    "JSON API of the CFP Standards Workbench. Authenticate with a personal token "
                    "(`Authorization: Bearer wbt_…`, created on the account page) or with the browser "
                    "session; session-authenticated calls that change data must send the page's CSRF "
                    "token in the `X-CSRFToken` header. Errors have the body "
                    '`{"error": {"code", "message", "details"}}`; messages follow Accept-Language (zh-CN or en).'
                ),
            },
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "servers": [{"url": server_url}],
            "security": [{"bearerToken": []}, {"sessionCookie": []}],
            "paths": paths,
            "components": {
                "schemas": self.components,
                "securitySchemes": {
                    "bearerToken": {"type": "http", "scheme": "bearer", "description": "Personal API token"},
                    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
                },
            },
        }

    @staticmethod
    def _response(description: str, schema: dict | None) -> dict:
        response = {"description": description}
        if schema is not None:
            response["content"] = {"application/json": {"schema": schema}}
        return response

    @staticmethod
    def _path_parameters(rule: str) -> list[dict]:
        return [
            {
                "name": match["name"],
                "in": "path",
                "required": True,
                # The `id` converter's range: anything outside it is a 404 before any query runs.
                "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
                if match["converter"] in ("id", "int")
                else {"type": "string"},
            }
            for match in _RULE_ARGUMENT.finditer(rule)
        ]


# --- the blueprint every domain's API adds to --------------------------------------------------------

MAX_PAGE_SIZE = 200

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
spec = ApiSpec(bp, title="CFP Standards Workbench API", components={"Error": ERROR_SCHEMA})

PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50},
    },
]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def _query_value(text: str, schema: dict):
    """A query argument as the type its schema declares, where it reads as one; else the text."""
    types = schema.get("type")
    types = {types} if isinstance(types, str) else set(types or ())
    if "integer" in types and re.fullmatch(r"[+-]?[0-9]{1,30}", text):
        return int(text)
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return text


def _query_problem(name: str, text: str, schema: dict) -> str:
    shown = text if len(text) <= 50 else text[:49] + "…"
    if "enum" in schema:
        choices = "、".join(str(choice) for choice in schema["enum"])
        return _("参数 %(name)s 的值“%(value)s”无效，可选：%(choices)s。", name=name, value=shown, choices=choices)
    if schema.get("type") == "boolean":
        return _("参数 %(name)s 应为 true 或 false，现为“%(value)s”。", name=name, value=shown)
    if schema.get("type") == "integer" and "maximum" in schema:
        return _(
            "参数 %(name)s 应为 %(min)d 到 %(max)d 之间的整数，现为“%(value)s”。",
            name=name,
            min=schema.get("minimum", 0),
            max=schema["maximum"],
            value=shown,
        )
    if schema.get("type") == "integer" and "minimum" in schema:
        return _(
            "参数 %(name)s 应为不小于 %(min)d 的整数，现为“%(value)s”。", name=name, min=schema["minimum"], value=shown
        )
    if schema.get("type") == "integer":
        return _("参数 %(name)s 应为整数，现为“%(value)s”。", name=name, value=shown)
    return _("参数 %(name)s 的值“%(value)s”无效。", name=name, value=shown)


def paginated(query, serialise):
    """One page of `query` as {items, page, per_page, total}, paged by ?page= and ?per_page=
    (their types and ranges checked against PAGING before the view runs)."""
    per_page = request.args.get("per_page", 50, type=int)
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InvalidInput(_("每页条数（per_page）须在 1 到 %(max)d 之间。", max=MAX_PAGE_SIZE))
    page = db.paginate(query, page=page_number(), per_page=per_page)
    return jsonify(
        items=[serialise(item) for item in page.items], page=page.page, per_page=page.per_page, total=page.total
    )


def created(shape: dict, location: str):
    """201 Created with the new record's shape and its address in Location."""
    response = jsonify(shape)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def query_choice(name: str, allowed) -> str | None:
    """The query argument `name` if given, refused unless it is one of `allowed`; None if absent."""
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in allowed:
        raise InvalidInput(_("参数 %(name)s 的值“%(value)s”无效。", name=name, value=value[:50]))
    return value
