"""The PACT host's partners: OAuth2 client-credentials access (Authlib) and what partners send.

A trading partner's system is a PactClient of one enterprise. A member of the enterprise creates
it and is shown the secret once; only the secret's SHA-256 is stored, and so is only the
SHA-256 of every access token (PactToken), which expires after an hour; no refresh tokens are
issued (the client-credentials grant needs none: the partner asks again). Revoking a client stops
its tokens at once, because the token validator checks the client on every request, and deletes
them too.

Authlib does the protocol: the token endpoint (`AuthorizationServer` with the
`ClientCredentialsGrant`, client_secret_basic as PACT asks, and client_secret_post) and the bearer
check (`ResourceProtector` with a `BearerTokenValidator`). The models stay plain tables: small
adapters give Authlib the ClientMixin and TokenMixin it expects. One server per application, kept
in `app.extensions`, set up by the PACT blueprint when it is registered (`init_app`).

The token endpoint is rate-limited with workbench.throttle, like sign-ins: every request counts
against its address, and a wrong secret against the client id too, so guessing a secret costs
time. Only failures count per client: anyone who knows a client id (it is not secret) could
otherwise lock the partner out with a few wrong secrets. The secret is checked first (one
SHA-256), and a right one is refused only when its address is over the address's own limit.

Scopes: PACT's footprint:list and footprint:read, and the workbench's events:write for
POST /pact/3/events. A client that asks for none gets all three; a scope the host does not know
is refused (invalid_scope), never silently dropped to an empty grant.

Events (PactEvent): a partner's request for footprints is stored RECEIVED for the enterprise to
answer on its partners page; answering records the shared footprints chosen (FULFILLED) or the
reason (REJECTED). The workbench does not send events to the partner's system: the partner pulls
the footprints named in the answer through the footprints endpoint.
"""

import hmac
import secrets
from datetime import datetime, timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator, InvalidTokenError
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workbench import throttle
from workbench.auth.models import Organisation, token_digest
from workbench.auth.permissions import Action, require
from workbench.db import utcnow
from workbench.errors import Conflict, InvalidInput
from workbench.exchange.models import PactClient, PactEvent, PactEventStatus, PactToken, SharedFootprint

TOKEN_LIFETIME = timedelta(hours=1)
# PACT's own scope names and the one events need; a client that asks for none gets all three.
EVENTS_SCOPE = "events:write"
SCOPES = ("footprint:list", "footprint:read", EVENTS_SCOPE)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
MAX_NAME = 200
MAX_REASON = 2000
MAX_ANSWER_FOOTPRINTS = 100
# "Last used" is written at most this often, so a busy partner costs no write per request.
USE_PRECISION = timedelta(minutes=5)
TOKEN_FAILURES_PER_CLIENT = throttle.limit("20 per 5 minutes")
TOKEN_REQUESTS_PER_ADDRESS = throttle.limit("60 per 5 minutes")
EXTENSION = "workbench.pact_oauth"


# --- Authlib's view of the tables -----------------------------------------------------------------


class Client(ClientMixin):
    """A PactClient as Authlib sees it: confidential, client credentials only, no redirects."""

    def __init__(self, record: PactClient):
        self.record = record

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return " ".join(SCOPES)
        # The server refuses unknown names before this (scopes_supported): what is left is granted.
        return " ".join(name for name in scope.split() if name in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(token_digest(client_secret or ""), self.record.secret_digest)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class Token(TokenMixin):
    """A PactToken as Authlib sees it: revoked when its client is."""

    def __init__(self, record: PactToken, now: datetime):
        self.record, self.now = record, now

    def check_client(self, client) -> bool:
        return client.get_client_id() == self.record.client.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return int((self.record.expires_at - self.record.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.record.expires_at <= self.now

    def is_revoked(self) -> bool:
        return self.record.client.revoked_at is not None

    def get_user(self) -> None:
        return None

    def get_client(self) -> Client:
        return Client(self.record.client)


class TokenExpired(InvalidTokenError):
    """An expired token: PACT answers it with its own code (TokenExpired), not AccessDenied."""


class _Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)


class _Validator(BearerTokenValidator):
    def __init__(self, session_of):
        super().__init__()
        self.session_of = session_of

    def authenticate_token(self, token_string: str) -> Token | None:
        record = self.session_of().scalar(select(PactToken).where(PactToken.token_digest == token_digest(token_string)))
        return Token(record, utcnow()) if record is not None else None

    def validate_token(self, token, scopes, request):
        if token is not None and token.is_expired() and not token.is_revoked():
            raise TokenExpired(realm=self.realm)
        super().validate_token(token, scopes, request)


def init_app(app: Flask, session_of) -> None:
    """An Authlib server and resource protector for `app`; `session_of()` is the request's session."""

    def query_client(client_id: str) -> Client | None:
        if not isinstance(client_id, str) or len(client_id) > 64:
            return None
        record = session_of().scalar(select(PactClient).where(PactClient.client_id == client_id))
        return Client(record) if record is not None and record.revoked_at is None else None

    def save_token(token: dict, request) -> None:
        session = session_of()
        now = utcnow()
        client = request.client.record
        # The client's expired tokens go as it asks for a new one: the table holds at most the
        # tokens of the last hour per client, plus those of clients that stopped asking.
        session.execute(
            delete(PactToken)
            .where(PactToken.client_id == client.id, PactToken.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        session.add(
            PactToken(
                client_id=client.id,
                token_digest=token_digest(token["access_token"]),
                scope=token.get("scope", ""),
                issued_at=now,
                expires_at=now + timedelta(seconds=token["expires_in"]),
            )
        )
        client.last_used_at = now

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(
            lambda client, grant_type, user, scope: secrets.token_urlsafe(32),
            expires_generator=lambda client, grant_type: int(TOKEN_LIFETIME.total_seconds()),
        ),
    )
    server.register_grant(_Grant)
    server.scopes_supported = list(SCOPES)  # an unknown scope: invalid_scope
    protector = ResourceProtector()
    protector.register_token_validator(_Validator(session_of))
    app.extensions[EXTENSION] = (server, protector)


def server() -> AuthorizationServer:
    return current_app.extensions[EXTENSION][0]


def protector() -> ResourceProtector:
    return current_app.extensions[EXTENSION][1]


def credentials_valid(session: Session, client_id: str, secret: str) -> bool:
    """Whether `client_id` names a working client and `secret` is its secret (one SHA-256)."""
    if not client_id or not secret or len(client_id) > 64 or len(secret) > 200:
        return False
    record = session.scalar(select(PactClient).where(PactClient.client_id == client_id))
    return record is not None and record.revoked_at is None and Client(record).check_client_secret(secret)


def token_request_allowed(client_id: str, address: str, *, authenticated: bool) -> datetime | None:
    """Count one token request; None when it may go on, else when the caller may try again. Every
    request counts against its address; a failed authentication also against the client id, and
    only a failed one is refused for the client's count."""
    outcome = throttle.hit(TOKEN_REQUESTS_PER_ADDRESS, "pact-token", f"address:{throttle.address_key(address)}")
    if not outcome.allowed:
        return outcome.resets_at
    if authenticated:
        return None
    failures = throttle.hit(TOKEN_FAILURES_PER_CLIENT, "pact-token-failure", f"client:{client_id[:64]}")
    return None if failures.allowed else failures.resets_at


def note_use(client: PactClient, now: datetime) -> None:
    if client.last_used_at is None or now - client.last_used_at >= USE_PRECISION:
        client.last_used_at = now


# --- clients --------------------------------------------------------------------------------------


def create_client(session: Session, *, organisation: Organisation, name: str, by) -> tuple[PactClient, str]:
    """A new client of `organisation`, named after the partner; the secret is returned once."""
    require(by, Action.MANAGE_PACT_CLIENTS, _Owned(organisation.id))
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("请填写合作方名称，例如对方企业的名称。"), details={"name": _("必填")})
    if len(name) > MAX_NAME:
        raise InvalidInput(_("合作方名称最多 %(count)d 个字符。", count=MAX_NAME), details={"name": _("过长")})
    secret = secrets.token_urlsafe(32)
    client = PactClient(
        organisation_id=organisation.id,
        name=name,
        client_id=secrets.token_hex(16),
        secret_digest=token_digest(secret),
        created_by_id=getattr(by, "id", None),
        created_at=utcnow(),
    )
    session.add(client)
    session.flush()
    return client, secret


def revoke_client(session: Session, client: PactClient, *, by) -> None:
    """Revoke a client: no new tokens, and its tokens are deleted (they already stop working)."""
    require(by, Action.MANAGE_PACT_CLIENTS, client)
    if client.revoked_at is not None:
        raise Conflict(_("该客户端已于 %(when)s 撤销。", when=client.revoked_at.strftime("%Y-%m-%d %H:%M")))
    client.revoked_at = utcnow()
    client.revoked_by_id = getattr(by, "id", None)
    session.execute(delete(PactToken).where(PactToken.client_id == client.id))


def clients_of(session: Session, organisation_id: int) -> list[PactClient]:
    """An enterprise's clients, the working ones first, newest first."""
    statement = (
        select(PactClient)
        .where(PactClient.organisation_id == organisation_id)
        .order_by(PactClient.revoked_at.is_not(None), PactClient.created_at.desc(), PactClient.id.desc())
    )
    return list(session.scalars(statement))


class _Owned:
    """A target for the permission rules: "something of this enterprise"."""

    def __init__(self, organisation_id: int):
        self.organisation_id = organisation_id


# --- events ---------------------------------------------------------------------------------------


def record_event(session: Session, client: PactClient, event: dict, *, request: bool) -> PactEvent:
    """Store an event a partner sent (already checked by the endpoint). A request for footprints
    waits for an answer (RECEIVED); a notification needs none and is stored as answered."""
    now = utcnow()
    record = PactEvent(
        organisation_id=client.organisation_id,
        client_id=client.id,
        event_id=event["id"],
        type=event["type"],
        source=event.get("source", ""),
        data=event.get("data") or {},
        received_at=now,
        status=PactEventStatus.RECEIVED if request else PactEventStatus.FULFILLED,
        answered_at=None if request else now,
    )
    session.add(record)
    return record


def events_of(session: Session, organisation_id: int, *, limit: int = 200) -> list[PactEvent]:
    statement = (
        select(PactEvent)
        .where(PactEvent.organisation_id == organisation_id)
        .order_by(PactEvent.received_at.desc(), PactEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def _open_request(event: PactEvent, by) -> None:
    require(by, Action.SHARE_FOOTPRINT, event)
    if event.status != PactEventStatus.RECEIVED:
        raise Conflict(_("该请求已经答复过，不能再次答复。"))


def fulfil_request(session: Session, event: PactEvent, footprints: list[SharedFootprint], *, by) -> None:
    """Answer a partner's request with shared footprints of the enterprise (their PACT ids are
    recorded; the partner fetches them from the footprints endpoint)."""
    _open_request(event, by)
    if not footprints:
        raise InvalidInput(_("请至少选择一项共享的碳足迹；没有合适的请选择拒绝并说明理由。"))
    if len(footprints) > MAX_ANSWER_FOOTPRINTS:
        raise InvalidInput(_("一次最多答复 %(count)d 项碳足迹。", count=MAX_ANSWER_FOOTPRINTS))
    if any(footprint.organisation_id != event.organisation_id for footprint in footprints):
        raise InvalidInput(_("只能用本企业共享的碳足迹答复。"))
    event.status = PactEventStatus.FULFILLED
    event.answer = {"pfIds": sorted({footprint.pf_id for footprint in footprints})}
    event.answered_by_id = getattr(by, "id", None)
    event.answered_at = utcnow()


def decline_request(session: Session, event: PactEvent, *, reason: str, by) -> None:
    """Decline a partner's request, with the reason the partner will read."""
    _open_request(event, by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请说明拒绝的理由。"), details={"reason": _("必填")})
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("理由最多 %(count)d 个字符。", count=MAX_REASON), details={"reason": _("过长")})
    event.status = PactEventStatus.REJECTED
    event.answer = {"reason": reason}
    event.answered_by_id = getattr(by, "id", None)
    event.answered_at = utcnow()
