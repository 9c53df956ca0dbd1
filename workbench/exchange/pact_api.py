"""The PACT host endpoint (Technical Specifications v3): a partner's system pulls an enterprise's
shared footprints.

- POST /pact/auth/token: OAuth2 client credentials (Authlib, see workbench.exchange.oauth),
  rate-limited; answers in RFC 6749's shape.
- GET /pact/3/footprints: the client's enterprise's shared footprints, filtered by v3's criteria
  (productId, companyId, geography, classification, validOn, validAfter, validBefore, status;
  the list ones repeated, matched without regard to case) and paged with `limit` and `offset`; a
  `Link: <…>; rel="next"` header, absolute on the request's own host, while more remain.
- GET /pact/3/footprints/<id>: one document. Another enterprise's footprint and an unknown id
  get the same 404 NoSuchFootprint, so ids cannot be probed.
- POST /pact/3/events: CloudEvents (structured JSON). A request for footprints is stored for
  the enterprise to answer on its partners page; notifications are stored as received. The same
  event sent twice is stored once.
- GET /pact/openapi.json: this blueprint's own OpenAPI 3.1 document (these endpoints are not part
  of /api/v1 and its document).

Only the bearer token authenticates: a session cookie is never read here, which is why the
blueprint is exempt from CSRF. Every error is PACT's error body: {"code", "message"}.
Filtering happens on the stored documents in Python: one enterprise shares hundreds of
footprints, not millions, and JSON queries differ between SQLite and PostgreSQL.
"""

from datetime import UTC, datetime, timedelta

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InsufficientScopeError
from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from workbench import json_input
from workbench.audit import Actor, set_actor
from workbench.auth.access import client_address, exempt_from_csrf
from workbench.db import db, utcnow
from workbench.exchange import oauth
from workbench.exchange.footprints import shared_footprints
from workbench.exchange.models import FootprintStatus, PactClient, PactEvent, SharedFootprint

bp = Blueprint("pact", __name__, url_prefix="/pact")
exempt_from_csrf(bp)

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_FILTER_VALUES = 50
MAX_FILTER_LENGTH = 500
MAX_EVENT_BYTES = 256 * 1024
MAX_TOKEN_REQUEST_BYTES = 4096
LIST_FILTERS = ("productId", "companyId", "geography", "classification")
DATE_FILTERS = ("validOn", "validAfter", "validBefore")
# A footprint without a validity period is valid for three years after its reference period (v3).
DEFAULT_VALIDITY = timedelta(days=3 * 365)

EVENT_PREFIX = "org.wbcsd.pact.ProductFootprint."
REQUEST_CREATED = EVENT_PREFIX + "RequestCreatedEvent.3"
EVENT_TYPES = {
    REQUEST_CREATED,
    EVENT_PREFIX + "RequestFulfilledEvent.3",
    EVENT_PREFIX + "RequestRejectedEvent.3",
    EVENT_PREFIX + "PublishedEvent.3",
}
EVENT_MEDIA_TYPES = {"application/cloudevents+json", "application/json"}


@bp.record_once
def _set_up(state) -> None:
    oauth.init_app(state.app, lambda: db.session)


class PactError(Exception):
    """An answer in PACT's error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def bad_request(message: str) -> PactError:
    return PactError(400, "BadRequest", message)


NO_SUCH_FOOTPRINT = "The specified footprint does not exist."


@bp.errorhandler(PactError)
def _pact_error(error: PactError):
    response = jsonify({"code": error.code, "message": error.message})
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    codes = {403: "AccessDenied", 404: "NoSuchFootprint", 501: "NotImplemented"}
    status = error.code or 500
    code = codes.get(status, "BadRequest" if status < 500 else "InternalError")
    return _pact_error(PactError(status, code, error.description or error.name))


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"  # footprints are the enterprise's to share, not a cache's
    return response


def _authorised(scope: str | None) -> PactClient:
    """The client whose bearer token this request carries (a session cookie counts for nothing)."""
    try:
        token = oauth.protector().acquire_token([scope] if scope else None)
    except oauth.TokenExpired:
        raise PactError(401, "TokenExpired", "The access token has expired.", {"WWW-Authenticate": "Bearer"}) from None
    except InsufficientScopeError:
        raise PactError(403, "AccessDenied", f"The access token does not grant the scope {scope}.") from None
    except OAuth2Error:
        raise PactError(
            401, "AccessDenied", "A valid bearer access token is required.", {"WWW-Authenticate": "Bearer"}
        ) from None
    client = token.record.client
    oauth.note_use(client, utcnow())
    # What the request changes is recorded as done by the partner's client, never by a cookie's user.
    set_actor(db.session, Actor(None, f"PACT client {client.name} ({client.client_id})"))
    return client


# --- token ----------------------------------------------------------------------------------------


@bp.post("/auth/token")
def token():
    if request.content_length is None or request.content_length > MAX_TOKEN_REQUEST_BYTES:
        return _oauth_error(400, "invalid_request", "The request body must be a small form (grant_type).")
    client_id = (request.authorization.username if request.authorization else None) or request.form.get("client_id", "")
    retry_at = oauth.token_request_allowed(client_id or "-", client_address())
    if retry_at is not None:
        response = _oauth_error(429, "slow_down", "Too many token requests: try again later.")
        response.headers["Retry-After"] = str(max(1, int((retry_at - datetime.now(UTC)).total_seconds())))
        return response
    return oauth.server().create_token_response()


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


# --- footprints -----------------------------------------------------------------------------------


def _count_arg(name: str, default: int, maximum: int, minimum: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdecimal()) or len(text) > 9 or not minimum <= int(text) <= maximum:
        raise bad_request(f"{name} must be a whole number from {minimum} to {maximum}.")
    return int(text)


def _date_arg(name: str) -> datetime | None:
    text = request.args.get(name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text[:64].replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name} must be an ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z.") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _criteria() -> dict:
    criteria = {}
    for name in LIST_FILTERS:
        values = request.args.getlist(name)
        if len(values) > MAX_FILTER_VALUES or any(len(value) > MAX_FILTER_LENGTH for value in values):
            raise bad_request(f"{name}: at most {MAX_FILTER_VALUES} values of {MAX_FILTER_LENGTH} characters.")
        if values:
            criteria[name] = {value.strip().casefold() for value in values if value.strip()}
    for name in DATE_FILTERS:
        criteria[name] = _date_arg(name)
    status = request.args.get("status")
    if status is not None:
        matches = [member for member in FootprintStatus if member.value.casefold() == status.casefold()]
        if not matches:
            raise bad_request("status must be Active or Deprecated.")
        criteria["status"] = matches[0]
    return criteria


def _moment(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _folded(values) -> set[str]:
    return {value.casefold() for value in values if isinstance(value, str)} if isinstance(values, list) else set()


def _geographies(pcf: dict) -> set[str]:
    """The footprint's geography, and the country a subdivision lies in (CN-BJ is within CN)."""
    names = ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision")
    found = {pcf[name].casefold() for name in names if isinstance(pcf.get(name), str)}
    return found | {code.split("-")[0] for code in found if "-" in code}


def _validity(document: dict, pcf: dict) -> tuple[datetime | None, datetime | None]:
    start = _moment(document.get("validityPeriodStart")) or _moment(pcf.get("referencePeriodEnd"))
    end = _moment(document.get("validityPeriodEnd")) or (start + DEFAULT_VALIDITY if start else None)
    return start, end


def matches(footprint: SharedFootprint, criteria: dict) -> bool:
    """Whether a shared footprint meets every criterion given (v3's ListFootprints filters)."""
    document = footprint.document if isinstance(footprint.document, dict) else {}
    pcf = document.get("pcf") if isinstance(document.get("pcf"), dict) else {}
    if "status" in criteria and footprint.status != criteria["status"]:
        return False
    fields = {
        "productId": _folded(document.get("productIds")),
        "companyId": _folded(document.get("companyIds")),
        "classification": _folded(document.get("productClassifications")),
        "geography": _geographies(pcf),
    }
    if any(name in criteria and not (criteria[name] & fields[name]) for name in LIST_FILTERS):
        return False
    start, end = _validity(document, pcf)
    if criteria["validOn"] and not (start and end and start <= criteria["validOn"] <= end):
        return False
    if criteria["validAfter"] and not (start and start > criteria["validAfter"]):
        return False
    return not (criteria["validBefore"] and not (end and end < criteria["validBefore"]))


@bp.get("/3/footprints")
def list_footprints():
    client = _authorised("footprint:list")
    limit = _count_arg("limit", DEFAULT_LIMIT, MAX_LIMIT, 1)
    offset = _count_arg("offset", 0, MAX_OFFSET, 0)
    criteria = _criteria()
    found = [
        footprint
        for footprint in db.session.scalars(shared_footprints(db.session, client.organisation_id))
        if matches(footprint, criteria)
    ]
    page = found[offset : offset + limit]
    response = jsonify({"data": [footprint.document for footprint in page]})
    if offset + limit < len(found):
        arguments = request.args.to_dict(flat=False)
        arguments.update(limit=str(limit), offset=str(offset + limit))
        following = url_for("pact.list_footprints", _external=True, **arguments)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.get("/3/footprints/<pf_id>")
def get_footprint(pf_id: str):
    client = _authorised("footprint:read")
    footprint = None
    if len(pf_id) <= 36:
        footprint = db.session.scalar(
            shared_footprints(db.session, client.organisation_id).where(
                SharedFootprint.pf_id.in_({pf_id, pf_id.lower()})
            )
        )
    if footprint is None:
        raise PactError(404, "NoSuchFootprint", NO_SUCH_FOOTPRINT)
    return jsonify({"data": footprint.document})


# --- events ---------------------------------------------------------------------------------------


def _event_body() -> dict:
    if request.mimetype not in EVENT_MEDIA_TYPES:
        raise bad_request("Send the event as application/cloudevents+json (structured mode).")
    if request.content_length is not None and request.content_length > MAX_EVENT_BYTES:
        raise PactError(413, "BadRequest", f"An event is at most {MAX_EVENT_BYTES // 1024} KB.")
    raw = request.stream.read(MAX_EVENT_BYTES + 1)
    if len(raw) > MAX_EVENT_BYTES:
        raise PactError(413, "BadRequest", f"An event is at most {MAX_EVENT_BYTES // 1024} KB.")
    try:
        event = json_input.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("The body is not a JSON document (UTF-8).") from None
    if not isinstance(event, dict):
        raise bad_request("The event must be a JSON object.")
    return event


def _text(event: dict, name: str, maximum: int, *, required: bool = True) -> None:
    value = event.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise bad_request(f"{name} must be a non-empty string of at most {maximum} characters.")


def check_event(event: dict) -> None:
    """Refuse an event that is not a v3 PACT CloudEvent, saying which attribute is wrong."""
    if event.get("specversion") != "1.0":
        raise bad_request('specversion must be "1.0" (CloudEvents 1.0).')
    _text(event, "id", 200)
    _text(event, "source", 500)
    _text(event, "time", 64, required=False)
    if event.get("type") not in EVENT_TYPES:
        raise bad_request("type must be one of: " + ", ".join(sorted(EVENT_TYPES)) + ".")
    data = event.get("data")
    if not isinstance(data, dict):
        raise bad_request("data must be a JSON object.")
    if event["type"] == REQUEST_CREATED:
        for name in LIST_FILTERS:
            values = data.get(name)
            if values is not None and (
                not isinstance(values, list)
                or not 0 < len(values) <= MAX_FILTER_VALUES
                or not all(isinstance(value, str) and 0 < len(value) <= MAX_FILTER_LENGTH for value in values)
            ):
                raise bad_request(f"data.{name} must be a list of 1 to {MAX_FILTER_VALUES} strings.")
        for name in DATE_FILTERS:
            if name in data and _moment(data[name]) is None:
                raise bad_request(f"data.{name} must be an ISO 8601 date-time.")
        if "status" in data and data["status"] not in {member.value for member in FootprintStatus}:
            raise bad_request("data.status must be Active or Deprecated.")
        if "comment" in data and (not isinstance(data["comment"], str) or len(data["comment"]) > 2000):
            raise bad_request("data.comment must be a string of at most 2000 characters.")
    elif event["type"].endswith("PublishedEvent.3"):
        pf_ids = data.get("pfIds")
        if not isinstance(pf_ids, list) or not pf_ids or not all(isinstance(value, str) for value in pf_ids):
            raise bad_request("data.pfIds must be a non-empty list of footprint ids.")
    elif not isinstance(data.get("requestEventId"), str):
        raise bad_request("data.requestEventId must name the request this event answers.")


@bp.post("/3/events")
def events():
    client = _authorised(None)
    event = _event_body()
    check_event(event)
    already = db.session.scalar(
        db.select(PactEvent.id).where(
            PactEvent.client_id == client.id,
            PactEvent.event_id == event["id"],
            PactEvent.source == event["source"],
        )
    )
    if already is None:
        oauth.record_event(db.session, client, event, request=event["type"] == REQUEST_CREATED)
    return Response(status=200)


# --- the document ---------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(url_for("pact.token", _external=True)))


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json_response(description: str, data: dict, **more) -> dict:
    schema = {"type": "object", "required": ["data"], "properties": {"data": data}}
    return {"description": description, "content": {"application/json": {"schema": schema}}, **more}


def openapi_document(token_url: str) -> dict:
    """The OpenAPI 3.1 document of this host: written here from what the views do."""
    strings = {
        "type": "array",
        "items": {"type": "string", "maxLength": MAX_FILTER_LENGTH},
        "maxItems": MAX_FILTER_VALUES,
    }
    list_parameters = [
        {"name": name, "in": "query", "explode": True, "schema": strings, "description": description}
        for name, description in (
            ("productId", "Footprints naming one of these product ids (URNs); case-insensitive."),
            ("companyId", "Footprints naming one of these company ids (URNs); case-insensitive."),
            (
                "geography",
                "Region, country (ISO 3166-1) or subdivision (ISO 3166-2); a country matches its subdivisions.",
            ),
            ("classification", "Footprints with one of these product classifications."),
        )
    ]
    date_parameters = [
        {
            "name": name,
            "in": "query",
            "schema": {"type": "string", "format": "date-time", "maxLength": 64},
            "description": text,
        }
        for name, text in (
            ("validOn", "Footprints whose validity period includes this moment."),
            ("validAfter", "Footprints whose validity starts after this moment."),
            ("validBefore", "Footprints whose validity ends before this moment."),
        )
    ]
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
        {
            "name": "offset",
            "in": "query",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "description": "Where the page starts; the Link header of the previous page sets it.",
        },
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": [member.value for member in FootprintStatus]},
        },
    ]
    errors = {
        "400": _error_response("The request is malformed."),
        "401": _error_response("No valid access token, or it has expired (code TokenExpired)."),
        "403": _error_response("The token lacks the scope."),
    }
    footprint = {
        "type": "object",
        "description": "A PACT v3 ProductFootprint.",
        "required": ["id"],
        "properties": {"id": {"type": "string", "format": "uuid"}},
    }
    security = [{"pactClientCredentials": ["footprint:list", "footprint:read"]}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CFP Standards Workbench: PACT host",
            "version": "3.0.0",
            "description": "An enterprise's shared product footprints, for its trading partners (PACT Technical Specifications v3).",
        },
        "paths": {
            "/pact/auth/token": {
                "post": {
                    "operationId": "pactToken",
                    "summary": "An access token for client credentials (HTTP Basic or form).",
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grant_type"],
                                    "properties": {
                                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                                        "scope": {"type": "string", "maxLength": 200},
                                        "client_id": {"type": "string", "maxLength": 64},
                                        "client_secret": {"type": "string", "maxLength": 200},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The token.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}},
                        },
                        "400": {"description": "RFC 6749 section 5.2 error."},
                        "401": {"description": "Unknown or revoked client, or wrong secret."},
                        "429": {"description": "Too many token requests."},
                    },
                }
            },
            "/pact/3/footprints": {
                "get": {
                    "operationId": "pactListFootprints",
                    "summary": "The enterprise's shared footprints, filtered and paged.",
                    "security": security,
                    "parameters": list_parameters + date_parameters + paging,
                    "responses": {
                        "200": _json_response(
                            "One page; a Link header with rel=next while more remain.",
                            {"type": "array", "items": {"$ref": "#/components/schemas/ProductFootprint"}},
                            headers={"Link": {"schema": {"type": "string"}}},
                        ),
                        **errors,
                    },
                }
            },
            "/pact/3/footprints/{id}": {
                "get": {
                    "operationId": "pactGetFootprint",
                    "summary": "One shared footprint.",
                    "security": security,
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 36}}
                    ],
                    "responses": {
                        "200": _json_response("The footprint.", {"$ref": "#/components/schemas/ProductFootprint"}),
                        "404": _error_response(
                            "No such footprint among this enterprise's shared ones (code NoSuchFootprint)."
                        ),
                        **errors,
                    },
                }
            },
            "/pact/3/events": {
                "post": {
                    "operationId": "pactEvents",
                    "summary": "A CloudEvent: a request for footprints, or a notification.",
                    "security": security,
                    "requestBody": {
                        "required": True,
                        "content": {"application/cloudevents+json": {"schema": {"$ref": "#/components/schemas/Event"}}},
                    },
                    "responses": {
                        "200": {"description": "Accepted and stored; empty body."},
                        "413": _error_response("The event is too large."),
                        **errors,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "pactClientCredentials": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": token_url,
                            "scopes": {
                                "footprint:list": "List the shared footprints.",
                                "footprint:read": "Read one shared footprint.",
                            },
                        }
                    },
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": [
                                "BadRequest",
                                "AccessDenied",
                                "TokenExpired",
                                "NoSuchFootprint",
                                "NotImplemented",
                                "InternalError",
                            ],
                        },
                        "message": {"type": "string"},
                    },
                },
                "Token": {
                    "type": "object",
                    "required": ["access_token", "token_type", "expires_in"],
                    "properties": {
                        "access_token": {"type": "string"},
                        "token_type": {"type": "string", "enum": ["Bearer"]},
                        "expires_in": {"type": "integer"},
                        "scope": {"type": "string"},
                    },
                },
                "ProductFootprint": footprint,
                "Event": {
                    "type": "object",
                    "required": ["specversion", "id", "source", "type", "data"],
                    "properties": {
                        "specversion": {"const": "1.0"},
                        "id": {"type": "string", "maxLength": 200},
                        "source": {"type": "string", "maxLength": 500},
                        "time": {"type": "string", "maxLength": 64},
                        "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
                        "data": {"type": "object"},
                    },
                },
            },
        },
    }
