"""API operations declared once: the route, its request validation and its OpenAPI 3.1 entry.

OpenAPI 3.1 uses JSON Schema 2020-12 as is, so the schema that documents a request body is the
one jsonschema validates it against: the document cannot drift from what the server accepts.
"""

import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from workbench.errors import InvalidInput, WorkbenchError

API_VERSION = "1.0.0"
ERROR_STATUSES = {
    400: "Malformed request (not JSON, or CSRF token missing)",
    401: "Not signed in, or the personal token is unknown or revoked",
    403: "The user's role may not perform this operation",
    404: "No such record",
    409: "Conflicts with saved data (for example a duplicate code)",
    422: "The body does not satisfy the schema or the domain rules",
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


class ApiSpec:
    def __init__(self, blueprint: Blueprint, *, title: str, components: dict):
        self.blueprint = blueprint
        self.title = title
        self.components = components
        self.operations: list[Operation] = []

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
    ):
        """Register `view(**path_args, body=...)` at `rule` for `method`, documented and validated."""

        def decorator(view):
            validator = self.validator(body) if body is not None else None

            @wraps(view)
            def handler(**path_args):
                if validator is not None:
                    path_args["body"] = self._validated_body(validator)
                return view(**path_args)

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
                )
            )
            return handler

        return decorator

    @staticmethod
    def _validated_body(validator: Draft202012Validator) -> dict:
        data = request.get_json(silent=True)
        if data is None:
            raise MalformedRequest(_("请求体必须是 JSON，并带有 Content-Type: application/json。"))
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
            path = self.blueprint.url_prefix + _RULE_ARGUMENT.sub(r"{\g<name>}", op.rule)
            path = path.rstrip("/") or "/"
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
                "schema": {"type": "integer", "minimum": 1}
                if match["converter"] in ("id", "int")
                else {"type": "string"},
            }
            for match in _RULE_ARGUMENT.finditer(rule)
        ]
