"""CFP Standards Workbench: where China's product carbon-footprint accounting rules are written."""

import os
import re
from pathlib import Path

from flask import Flask, request, session
from flask_babel import get_locale

from workbench.config import load_settings, stored_secret_key

# Strict enough that a Markdown or user value can never run script or pull from another site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    """The application, configured from WORKBENCH_* variables and then `config`."""
    settings = load_settings(os.environ, config)
    _check_settings(settings)
    data_dir = Path(settings["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, instance_path=str(data_dir))
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = stored_secret_key(data_dir)
    app.json.ensure_ascii = False  # Chinese stays readable in JSON
    _register_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    @app.after_request
    def security_headers(response):
        if "_user_id" in session and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")  # nothing private in any cache
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


def _register_extensions(app: Flask) -> None:
    from workbench import db, error_pages, i18n, throttle
    from workbench.auth import access
    from workbench.web import IdConverter

    app.url_map.converters["id"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx (or a load balancer and nginx), the client's address and scheme are those
        # the trusted proxies report; without this every visitor would share the proxy's address
        # for rate limits and sign-in records. Only as many hops as are really there are trusted.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    db.init_app(app)
    throttle.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    error_pages.register_error_handlers(app)
    from workbench.jobs import runner

    runner.init_app(app)


def _check_settings(settings: dict) -> None:
    """Settings read by code below the configuration, refused at start rather than on a page."""
    from workbench.catalogue.coverage import InvalidLevels, parse_levels

    try:
        parse_levels(settings.get("COVERAGE_TARGET_LEVELS"))
    except InvalidLevels as error:
        raise ValueError(f"WORKBENCH_TARGET_LEVELS: {error}") from None
    department = str(settings.get("PLAN_NUMBER_DEPARTMENT", "469"))
    if not re.fullmatch(r"[0-9]{3}", department):  # ASCII digits: \d takes ４６９
        raise ValueError(
            f"WORKBENCH_PLAN_NUMBER_DEPARTMENT: {department!r} is not a three-digit department code (such as 469)"
        )


def _register_blueprints(app: Flask) -> None:
    # Each domain's api module declares its operations on the one API blueprint when imported; the
    # OpenAPI document lists them in this order.
    # isort: off
    import workbench.api.views  # noqa: F401
    import workbench.auth.api  # noqa: F401
    import workbench.history.api  # noqa: F401
    import workbench.registry.api  # noqa: F401
    import workbench.factors.api  # noqa: F401
    import workbench.trials.api  # noqa: F401
    import workbench.catalogue.api  # noqa: F401
    import workbench.catalogue.proposal_api  # noqa: F401
    import workbench.catalogue.coverage_api  # noqa: F401
    import workbench.evaluation.api  # noqa: F401
    import workbench.evaluation.evaluation_api  # noqa: F401
    import workbench.evaluation.coordination_api  # noqa: F401
    import workbench.evaluation.adoption_api  # noqa: F401
    import workbench.exchange.api  # noqa: F401
    import workbench.exchange.declaration_api  # noqa: F401
    import workbench.publishing.tasks  # noqa: F401  (the job kinds, so every app and worker knows them)
    import workbench.trials.tasks  # noqa: F401
    import workbench.drafting.figure_views  # noqa: F401  (the figure uploads, on the drafting blueprint)

    # isort: on
    from workbench.api.spec import bp as api
    from workbench.auth.directory import bp as directory
    from workbench.auth.views import bp as auth
    from workbench.catalogue.coverage_views import bp as coverage
    from workbench.catalogue.proposal_views import bp as proposals
    from workbench.catalogue.views import bp as catalogue
    from workbench.drafting.views import bp as drafting
    from workbench.evaluation.adoption_views import bp as adoption
    from workbench.evaluation.coordination_views import bp as coordination
    from workbench.evaluation.feedback_views import bp as feedback
    from workbench.evaluation.review_views import bp as reviews
    from workbench.evaluation.views import bp as evaluation
    from workbench.exchange.declaration_views import bp as declarations
    from workbench.exchange.factor_views import bp as factor_exchange
    from workbench.exchange.international_views import bp as international
    from workbench.exchange.pact_api import bp as pact
    from workbench.exchange.partner_views import bp as partners
    from workbench.exchange.views import bp as exchange
    from workbench.factors.views import bp as factors
    from workbench.history.views import bp as history
    from workbench.jobs.views import bp as jobs
    from workbench.publishing.views import bp as portal
    from workbench.publishing.views import workspace as publishing
    from workbench.registry.views import bp as registry
    from workbench.site.views import bp as site
    from workbench.trials.trial_views import bp as trials
    from workbench.workflow.views import bp as workflow

    for blueprint in (
        site,
        auth,
        directory,
        history,
        registry,
        workflow,
        drafting,
        publishing,
        trials,
        factors,
        catalogue,
        proposals,
        coverage,
        evaluation,
        feedback,
        reviews,
        coordination,
        adoption,
        exchange,
        partners,
        factor_exchange,
        declarations,
        international,
        pact,
        portal,
        jobs,
        api,
    ):
        app.register_blueprint(blueprint)


def stored_text(text: str | None) -> str:
    """Text kept in the database, shown in the user's language when it is one of the system's
    own sentences (marked with N_). Unlike `_()` in templates it neither formats `%` nor marks
    the result safe, so user-written text stays escaped and cannot break the page."""
    from flask_babel import get_translations

    return get_translations().gettext(text) if text else ""


def _register_template_helpers(app: Flask) -> None:
    from workbench.auth.access import current_principal
    from workbench.auth.forms import LanguageForm
    from workbench.auth.models import ORGANISATION_KIND_LABELS, ROLE_LABELS
    from workbench.auth.permissions import Action, can
    from workbench.forms import ConfirmForm
    from workbench.i18n import LOCALES, html_lang, select_locale
    from workbench.web import url_with

    @app.context_processor
    def helpers():
        return {
            "can": lambda action, target=None: can(current_principal(), action, target),
            "Action": Action,
            "LOCALES": LOCALES,
            "current_locale": select_locale(),  # the key of LOCALES, not Babel's "zh_Hans_CN"
            "html_lang": html_lang(get_locale()),
            "language_form": LanguageForm,
            "logout_form": ConfirmForm,
            "ROLE_LABELS": ROLE_LABELS,
            "ORGANISATION_KIND_LABELS": ORGANISATION_KIND_LABELS,
        }

    app.jinja_env.globals["url_with"] = url_with  # a global, so imported macros see it too
    app.jinja_env.globals["stored"] = stored_text
