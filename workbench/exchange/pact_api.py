"""The PACT host endpoint (Technical Specifications v3): a partner's system pulls an enterprise's
shared footprints.

- POST /pact/auth/token: OAuth2 client credentials (Authlib, see workbench.exchange.oauth),
  rate-limited; answers in RFC 6749's shape.
- GET /pact/3/footprints: the client's enterprise's shared footprints, filtered by v3's criteria
  (productId, companyId, geography, classification, validOn, validAfter, validBefore, status;
  the list ones repeated, matched without regard to case) and paged with `limit` and `offset`; a
  `Link: <…>; rel="next"` header while more remain, absolute on WORKBENCH_PUBLIC_URL when set
  (web.external_url: never a forged Host header; the query is encoded, never passed to url_for).
- GET /pact/3/footprints/<id>: one document. Another enterprise's footprint and an unknown id
  get the same 404 NoSuchFootprint, so ids cannot be probed.
- POST /pact/3/events (scope events:write): CloudEvents (structured JSON). A request for
  footprints is stored for the enterprise to answer on its partners page; notifications are
  stored as received. The same event sent twice is stored once (a unique constraint; the loser of
  a race is answered as a duplicate). Rate-limited per client, and at most MAX_OPEN_REQUESTS
  unanswered requests per client: more are refused until the enterprise answers some.
- GET /pact/openapi.json: this blueprint's own OpenAPI 3.1 document (these endpoints are not part
  of /api/v1 and its document).

Only the bearer token authenticates: a session cookie is never read here, which is why the
blueprint is exempt from CSRF. Every error is PACT's error body: {"code", "message"}.
Status and order are SQL; without a document filter the page is SQL too (LIMIT/OFFSET, one row
more to know whether a next page exists). The document filters run in Python (JSON queries differ
between SQLite and PostgreSQL) over a stream of the documents alone, stopping once the page and
one more are found.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InsufficientScopeError
from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from workbench import json_input, throttle
from workbench.audit import Actor, set_actor
from workbench.auth.access import client_address, exempt_from_csrf
from workbench.db import db, utcnow
from workbench.exchange import oauth
from workbench.exchange.footprints import shared_footprints
from workbench.exchange.models import FootprintStatus, PactClient, PactEvent, PactEventStatus, SharedFootprint
from workbench.exchange.pact_openapi import (
    DATE_FILTERS,
    EVENT_TYPES,
    LIST_FILTERS,
    MAX_EVENT_LIST,
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUES,
    MAX_LIMIT,
    MAX_OFFSET,
    REQUEST_CREATED,
    openapi_document,
)
from workbench.web import external_url

bp = Blueprint("pact", __name__, url_prefix="/pact")
exempt_from_csrf(bp)

DEFAULT_LIMIT = 50
MAX_EVENT_BYTES = 256 * 1024
MAX_TOKEN_REQUEST_BYTES = 4096
MAX_OPEN_REQUESTS = 1000  # unanswered requests for footprints stored per client
EVENTS_PER_CLIENT = throttle.limit("60 per minute")
# A footprint without a validity period is valid for three years after its reference period (v3).
DEFAULT_VALIDITY = timedelta(days=3 * 365)

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
    basic = request.authorization if request.authorization and request.authorization.type == "basic" else None
    client_id = unquote((basic.username if basic else None) or request.form.get("client_id", "") or "")
    secret = unquote((basic.password if basic else None) or request.form.get("client_secret", "") or "")
    authenticated = oauth.credentials_valid(db.session, client_id, secret)
    retry_at = oauth.token_request_allowed(client_id or "-", client_address(), authenticated=authenticated)
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
    if "status" in criteria and footprint.status != criteria["status"]:
        return False
    return document_matches(footprint.document, criteria)


def document_matches(document, criteria: dict) -> bool:
    """Whether a footprint's document meets the document filters (all but `status`, which SQL does)."""
    document = document if isinstance(document, dict) else {}
    pcf = document.get("pcf") if isinstance(document.get("pcf"), dict) else {}
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


def footprint_page(organisation_id: int, criteria: dict, offset: int, limit: int) -> tuple[list[dict], bool]:
    """One page of the enterprise's shared footprints meeting `criteria`, newest first, and
    whether more follow. Reads at most offset + limit + 1 matching documents."""
    statement = shared_footprints(db.session, organisation_id).with_only_columns(SharedFootprint.document)
    if "status" in criteria:
        statement = statement.where(SharedFootprint.status == criteria["status"])
    if not any(criteria.get(name) for name in (*LIST_FILTERS, *DATE_FILTERS)):
        found = list(db.session.scalars(statement.offset(offset).limit(limit + 1)))
        return found[:limit], len(found) > limit
    found, wanted = [], offset + limit + 1
    for document in db.session.scalars(statement.execution_options(yield_per=200)):
        if document_matches(document, criteria):
            found.append(document)
            if len(found) == wanted:
                break
    return found[offset : offset + limit], len(found) == wanted


@bp.get("/3/footprints")
def list_footprints():
    client = _authorised("footprint:list")
    limit = _count_arg("limit", DEFAULT_LIMIT, MAX_LIMIT, 1)
    offset = _count_arg("offset", 0, MAX_OFFSET, 0)
    criteria = _criteria()
    page, more = footprint_page(client.organisation_id, criteria, offset, limit)
    response = jsonify({"data": page})
    if more:
        arguments = request.args.to_dict(flat=False)
        arguments.update(limit=[str(limit)], offset=[str(offset + limit)])
        following = external_url("pact.list_footprints", query=arguments)
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
    if any(isinstance(value, list) and len(value) > MAX_EVENT_LIST for value in data.values()):
        raise bad_request(f"A list in data has at most {MAX_EVENT_LIST} items.")
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
        if not isinstance(pf_ids, list) or not pf_ids or not all(_short(value, 200) for value in pf_ids):
            raise bad_request(f"data.pfIds must be a list of 1 to {MAX_EVENT_LIST} footprint ids.")
    elif not _short(data.get("requestEventId"), 200):
        raise bad_request("data.requestEventId must name the request this event answers.")


def _short(value, maximum: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= maximum


def _already_stored(client: PactClient, event: dict) -> bool:
    return (
        db.session.scalar(
            select(PactEvent.id).where(
                PactEvent.client_id == client.id, PactEvent.event_id == event["id"], PactEvent.source == event["source"]
            )
        )
        is not None
    )


@bp.post("/3/events")
def events():
    client = _authorised(oauth.EVENTS_SCOPE)
    outcome = throttle.hit(EVENTS_PER_CLIENT, "pact-events", f"client:{client.id}")
    if not outcome.allowed:
        wait = max(1, int((outcome.resets_at - datetime.now(UTC)).total_seconds()))
        raise PactError(429, "BadRequest", "Too many events: try again later.", {"Retry-After": str(wait)})
    event = _event_body()
    check_event(event)
    if _already_stored(client, event):
        return Response(status=200)
    request_event = event["type"] == REQUEST_CREATED
    if request_event:
        open_requests = select(PactEvent.id).where(
            PactEvent.client_id == client.id, PactEvent.status == PactEventStatus.RECEIVED
        )
        if db.session.scalar(open_requests.offset(MAX_OPEN_REQUESTS - 1).limit(1)) is not None:
            raise PactError(
                429, "BadRequest", f"{MAX_OPEN_REQUESTS} requests of this client await an answer: wait for them."
            )
    try:
        with db.session.begin_nested():  # a concurrent copy of the same event may commit first
            oauth.record_event(db.session, client, event, request=request_event)
            db.session.flush()
    except IntegrityError:
        pass  # the unique (client, source, id): already stored, answered as a duplicate
    return Response(status=200)


# --- the document ---------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(url_for("pact.token", _external=True)))
