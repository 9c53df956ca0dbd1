"""Pages every visitor sees: the home page, the language switch, and the landing page of each
domain still to be built (none at present). The navigation comes from workbench.site.navigation."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from workbench.auth import service as auth_service
from workbench.auth.forms import LanguageForm
from workbench.i18n import remember_locale
from workbench.page_cache import cached_page
from workbench.site.navigation import BY_KEY, SECTIONS, TO_BUILD
from workbench.web import safe_next

bp = Blueprint("site", __name__)


@bp.app_context_processor
def _navigation():
    return {"NAVIGATION": SECTIONS}


@bp.get("/")
@cached_page()
def home():
    return render_template("site/home.html")


def section(section: str):
    return render_template("site/section.html", section=BY_KEY[section])


# Registered only while some domain is still to be built: an empty `any()` would match nothing
# and still be listed as a route.
if TO_BUILD:
    bp.add_url_rule(f"/<any({', '.join(TO_BUILD)}):section>", view_func=section, methods=["GET"])


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate():
        abort(400)
    remember_locale(form.locale.data)
    if current_user.is_authenticated:
        auth_service.set_locale(current_user, form.locale.data)
    return redirect(safe_next(form.next.data) or url_for("site.home"))
