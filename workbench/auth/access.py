"""Who is asking: sessions (Flask-Login), personal API tokens, CSRF, and the permission gate.

Everything a request needs to know about its user comes from the signed session cookie or the
token and the database, never from process memory, so any worker can answer any request.
"""

from datetime import timedelta

from flask import Flask, abort, current_app, g, request
from flask_babel import format_datetime, format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from workbench import throttle
from workbench.audit import Actor, set_actor
from workbench.auth import permissions, service
from workbench.auth.models import User, actor_of
from workbench.auth.permissions import Action
from workbench.db import db, utcnow
from workbench.error_pages import error_response, wants_json
from workbench.errors import AccessDenied, SignInRequired, TooManyAttempts

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("请先登录后再访问该页面。")
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"

csrf = CSRFProtect()
# Blueprints that no cookie authenticates (the PACT host: OAuth2 bearer tokens only), so a
# third-party page has nothing to ride on: CSRF does not apply to them (see exempt_from_csrf).
CSRF_FREE_BLUEPRINTS: set[str] = set()


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session and remember-me cookies name a sign-in record (workbench.auth.models.SignIn);
    once it has ended (signed out here or everywhere, password changed, account deactivated) or
    gone idle, neither cookie signs anyone in, on any server."""
    record = service.sign_in_for(db.session, token, address=client_address(), now=utcnow())
    if record is None:
        return None
    g.sign_in = record
    return record.user


def client_address() -> str:
    """The client's address as the trusted proxies reported it (see WORKBENCH_TRUSTED_PROXIES)."""
    return request.remote_addr or "-"


def current_sign_in():
    """This browser's sign-in record, when it is signed in with a session."""
    current_user._get_current_object()  # loads the user, and with it the record
    return g.get("sign_in")


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def current_principal():
    """The user of this request: the token's owner on token-authenticated API calls, else the session's."""
    return g.get("api_user") or current_user


def authenticate_api_token() -> None:
    """For API requests carrying `Authorization: Bearer …`: that token alone decides who asks."""
    token = bearer_token()
    if token is None:
        return
    user = service.user_for_token(db.session, token, address=client_address(), now=utcnow())
    if user is None:
        abort(401)
    g.api_user = user


def limit_api_rate() -> None:
    """Each API caller (an account, or a visitor's address) has an allowance per minute
    (WORKBENCH_API_RATE_LIMIT), counted atomically on every server (workbench.throttle)."""
    principal = current_principal()
    caller = f"user:{principal.id}" if principal.is_authenticated else f"address:{client_address()}"
    allowance = throttle.limit(current_app.config["API_RATE_LIMIT"])
    outcome = throttle.hit(allowance, "api", caller)
    if not outcome.allowed:
        raise TooManyAttempts(
            _(
                "API 调用过于频繁（每个账号或地址每 %(window)s 最多 %(count)d 次）：请于 %(when)s 之后再试。",
                window=format_timedelta(timedelta(seconds=allowance.get_expiry()), threshold=1),
                count=allowance.amount,
                when=format_datetime(outcome.resets_at, "medium"),
            ),
            retry_at=outcome.resets_at,
        )


def require_signed_in() -> None:
    """Send visitors to sign in (401 on the API) before anything about a record is looked up."""
    if not current_principal().is_authenticated:
        raise SignInRequired("signed_in")


def require(action: Action, target=None) -> None:
    """Stop the request unless the current user may perform `action` (on `target`): the same
    rule the services apply to the acting user."""
    permissions.require(current_principal(), action, target)


def request_actor() -> Actor:
    return actor_of(current_principal())


def exempt_from_csrf(blueprint) -> None:
    """Exempt a blueprint whose views read no session cookie from the CSRF check."""
    CSRF_FREE_BLUEPRINTS.add(blueprint.name)
    csrf.exempt(blueprint)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)

    @app.before_request
    def check_csrf_and_actor():
        # Token-authenticated API calls carry no cookie a third-party page could ride on, so
        # they need no CSRF token; every other state-changing request does. An API write with
        # neither a token nor a signed-in session is answered 401 (sign in), not a CSRF 400: no
        # API operation changes anything for a visitor. A request no route answers (404, 405)
        # runs no view, so there is nothing to protect.
        if request.method not in SAFE_METHODS and request.routing_exception is None:
            if request.blueprint in CSRF_FREE_BLUEPRINTS:
                pass
            elif request.blueprint != "api":
                csrf.protect()
            elif not bearer_token():
                if not current_user.is_authenticated:
                    raise SignInRequired("api.write")
                csrf.protect()
        set_actor(db.session, request_actor)

    @app.errorhandler(AccessDenied)
    def refuse(error: AccessDenied):
        # A visitor is sent to sign in and comes back afterwards; the API answers 401.
        if isinstance(error, SignInRequired) and not wants_json():
            return login_manager.unauthorized()
        return error_response(error.status)
