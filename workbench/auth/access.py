"""Who is asking: sessions (Flask-Login), personal API tokens, CSRF, and the permission gate.

Everything a request needs to know about its user comes from the signed session cookie or the
token and the database, never from process memory, so any worker can answer any request.
"""

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from workbench.audit import Actor, set_actor
from workbench.auth import permissions, service
from workbench.auth.models import User, actor_of
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.error_pages import error_response, wants_json
from workbench.errors import AccessDenied, SignInRequired

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("请先登录后再访问该页面。")
login_manager.login_message_category = "warning"
login_manager.session_protection = "basic"

csrf = CSRFProtect()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session names the user and the generation of their credentials; an old generation
    (password changed, account deactivated) no longer signs anyone in."""
    user_id, _, generation = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_generation) != generation:
        return None
    return user


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
    user = service.user_for_token(db.session, token)
    if user is None:
        abort(401)
    g.api_user = user


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


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)

    @app.before_request
    def check_csrf_and_actor():
        # Token-authenticated API calls carry no cookie a third-party page could ride on, so
        # they need no CSRF token; every other state-changing request does.
        if request.method not in SAFE_METHODS and not (request.blueprint == "api" and bearer_token()):
            csrf.protect()
        set_actor(db.session, request_actor)

    @app.errorhandler(AccessDenied)
    def refuse(error: AccessDenied):
        # A visitor is sent to sign in and comes back afterwards; the API answers 401.
        if isinstance(error, SignInRequired) and not wants_json():
            return login_manager.unauthorized()
        return error_response(error.status)
