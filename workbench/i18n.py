"""Interface language: Chinese first, English second.

Source strings are written in Chinese, so the default locale needs no catalogue and can never show
an untranslated English string; `translations/en` carries the English. The choice is kept in the
session cookie (and on the user's account), never in process memory, so every worker agrees.
"""

import re
from datetime import date

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, format_date, format_datetime, get_translations
from markupsafe import Markup, escape

from workbench.config import PROJECT_ROOT
from workbench.errors import InvalidInput
from workbench.guideline import CATALOGUE
from workbench.guideline.articles import citation_text
from workbench.guideline.findings import SEVERITY_LABELS, Finding, Severity
from workbench.guideline.vocabulary import VOCABULARIES
from workbench.messages import N_, Joined, Message, Term, Terms

LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
SESSION_KEY = "locale"

babel = Babel()


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


def translate(text: str) -> str:
    """`text` in the reader's language: the catalogue's translation of a Chinese source string,
    without formatting (so a stored sentence with "%" in it stays as it is)."""
    return get_translations().gettext(text) if text else ""


def say(message: Message | Terms | str) -> str:
    """A message of the system's (workbench.messages) in the reader's language; text the system
    did not write (a name, a stored sentence of another time) as it is."""
    return message if isinstance(message, str) else message.render(translate)


def finding_text(finding: Finding | dict) -> str:
    """A finding's message in the reader's language; a stored one (a dict) as well."""
    found = finding if isinstance(finding, Finding) else Finding.from_dict(finding)
    return found.text(translate)


# Chinese characters: a name or a quotation of the rule inside an English sentence is marked as such.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _marked_param(value):
    if isinstance(value, Message):  # a sentence inside the sentence: its names are marked too
        return _marked_message(value.template, value.params)
    if isinstance(value, Term | Terms | Joined):
        return value.render(translate)
    if isinstance(value, str) and _HAN.search(value):
        return Markup('<span lang="zh-CN">%s</span>') % value
    return value


def content_lang(text) -> Markup:
    """` lang="zh-CN"` for a value shown as it was stored that is Chinese (a name, a title someone
    typed), to put on the element holding it; nothing for the system's own words, translated."""
    return Markup(' lang="zh-CN"') if isinstance(text, str) and _HAN.search(text) else Markup("")


def finding_html(finding: Finding | dict) -> Markup:
    """A finding's message in the reader's language as HTML: the names and quotations it holds
    (a product's name, a clause's words) are marked lang="zh-CN", for a screen reader to read
    them as Chinese inside an English sentence. Everything is escaped."""
    found = finding if isinstance(finding, Finding) else Finding.from_dict(finding)
    return _marked_message(found.template, found.params)


def _marked_message(template: str, params) -> Markup:
    text = escape(translate(template))
    if not params:
        return text
    return text % {name: _marked_param(value) for name, value in params.items()}


# How workbench.auth.models.actor_of names whoever acted, kept with the records: "display name (username)".
_ACTOR_LABEL = re.compile(r"^(?P<name>.+) \((?P<username>[^()\s]+)\)$")
_ANONYMOUS = "anonymous"


def person_name(label: str | None) -> str:
    """The name of whoever a stored actor label names, as people are shown everywhere: by their
    display name, not their username; the system and anonymous visitors in the reader's language."""
    if not label:
        return ""
    if label == "system":
        return translate(N_("系统"))
    if label.startswith(_ANONYMOUS):
        return translate(N_("匿名访客"))
    match = _ACTOR_LABEL.match(label)
    return match["name"] if match else label


def person_username(label: str | None) -> str:
    """The username a stored actor label holds ("" when it holds none)."""
    match = _ACTOR_LABEL.match(label or "")
    return match["username"] if match else ""


def is_person(label: str | None) -> bool:
    """Whether a stored actor label names a person (whose name stays as they gave it)."""
    return bool(label) and label != "system" and not label.startswith(_ANONYMOUS)


def article_text(citation: str) -> str:
    """A citation (指引（四）, GB/T 1.1—2020 8.3) in the reader's language."""
    return citation_text(citation or "", translate)


class FindingsRefused(InvalidInput):
    """Refused for the errors among `findings`, which are kept whole (`findings`, and in the
    details each with its code, severity, article and message in the reader's language), so that a
    form or a client shows the warnings beside the errors. Nothing was saved."""

    code = "findings_refused"

    def __init__(self, findings: list[Finding]):
        errors = [found for found in findings if found.severity == Severity.ERROR]
        super().__init__(
            "；".join(f"{article_text(found.article)}：{finding_text(found)}" for found in errors),
            details={
                "findings": [
                    {
                        "code": found.code,
                        "severity": found.severity.value,
                        "article": article_text(found.article),
                        "message": finding_text(found),
                    }
                    for found in findings
                ]
            },
        )
        self.findings = findings


def severity_text(severity: str) -> str:
    return translate(SEVERITY_LABELS.get(severity, N_("提示")))


def finding_summary(code: str) -> str:
    """What the catalogue's finding `code` asks, in one sentence in the reader's language."""
    check = CATALOGUE.get(code)
    return translate(check.summary) if check is not None else code


def label(vocabulary: str, code) -> str:
    """The label of a word of the guideline's vocabulary (workbench.guideline.vocabulary) in the
    reader's language: label("stage", "production") is 生产 or "Production"."""
    words = VOCABULARIES.get(vocabulary)
    if words is None or code not in words:
        return "" if code is None else str(code)
    return translate(words.label(code))


def time_html(value) -> Markup:
    """A moment as every page shows it, "2026-09-27 14:30" in the reader's time zone, held in a
    <time> element, which the stylesheet keeps on one line: a narrow column on a phone would
    otherwise break it at its hyphens ("2026-" above "09-27"). "—" when there is none."""
    if not value:
        return Markup("—")
    return Markup('<time datetime="%s">%s</time>') % (
        format_datetime(value, "yyyy-MM-dd'T'HH:mm"),
        format_datetime(value, "yyyy-MM-dd HH:mm"),
    )


def date_html(value) -> Markup:
    """A day, "2026-09-27", in a <time> element kept on one line like `time_html`; "—" when none."""
    if not value:
        return Markup("—")
    text = format_date(value, "yyyy-MM-dd") if isinstance(value, date) else str(value)
    return Markup('<time datetime="%s">%s</time>') % (text, text)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "workbench" / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        say=say,
        finding_text=finding_text,
        finding_html=finding_html,
        person_name=person_name,
        content_lang=content_lang,
        is_person=is_person,
        person_username=person_username,
        article_text=article_text,
        severity_text=severity_text,
        label=label,
        finding_summary=finding_summary,
    )
    app.jinja_env.filters.update(datetime=time_html, date=date_html)
