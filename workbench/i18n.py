"""Interface language: Chinese first, English second.

Source strings are written in Chinese, so the default locale needs no catalogue and can never show
an untranslated English string; `translations/en` carries the English. The choice is kept in the
session cookie (and on the user's account), never in process memory, so every worker agrees.
"""

from flask import Flask, has_request_context, request, session
from flask_babel import Babel

from workbench.config import PROJECT_ROOT

LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
SESSION_KEY = "locale"

babel = Babel()


def N_(text: str) -> str:
    """Marks Chinese text that is stored as it is (a reason the system writes into the audit
    trail, say) and translated only when displayed: `{{ _(stored) }}`."""
    return text


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get(SESSION_KEY)
    if chosen in LOCALES:
        return chosen
    # API clients have no switch to click; they say what they read in Accept-Language.
    if request.path.startswith("/api/"):
        return "en" if request.accept_languages.best_match(["zh-CN", "zh", "en"]) == "en" else DEFAULT_LOCALE
    return DEFAULT_LOCALE


def remember_locale(locale: str) -> None:
    session[SESSION_KEY] = locale


def html_lang(locale) -> str:
    return "en" if str(locale).startswith("en") else "zh-CN"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "workbench" / "translations"))
    babel.init_app(app, locale_selector=select_locale)
