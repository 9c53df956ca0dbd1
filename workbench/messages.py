"""Sentences the system writes now and shows later, in whichever language the reader chose.

PURE: standard library only, so the guideline, the calculation engine and the reports can build
sentences without Flask. A sentence is a `Message`: a Chinese template marked with `N_` (Babel
extracts it for the English catalogue) and its parameters. It is rendered when shown, through the
`translate` function of whoever shows it (the web layer passes Flask-Babel's gettext; the command
line and stored records use the Chinese source as it is).

Parameters may themselves be translatable:
- `Term`: a word of the guideline's vocabulary (a life-cycle stage, a data type) with its Chinese
  label, shown in the reader's language (workbench.guideline.vocabulary makes them);
- `Terms`: several, joined with "、" (", " in English);
- another `Message`, rendered first (a unit that cannot be read, inside a finding).
Anything else is shown as it is (numbers through the template's own format, such as %(share).2f).

Parameters travel as JSON (stored calculation results, the API): `params_to_json` and
`params_from_json` keep terms and nested messages apart from plain values, so a result stored
today can still be shown in English tomorrow.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

Translate = Callable[[str], str]


def N_(text: str) -> str:
    """Marks Chinese text for translation where it is written; it is translated when shown."""
    return text


LIST_SEPARATOR = N_("、")  # how a list of words is joined in a sentence; ", " in English


def identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Term:
    """A word of a vocabulary: its code (stored, compared) and its Chinese label (shown)."""

    vocabulary: str
    code: str
    label: str

    def render(self, translate: Translate = identity) -> str:
        return translate(self.label) if self.label else self.code


@dataclass(frozen=True)
class Terms:
    """Several words of one vocabulary, in order."""

    items: tuple[Term, ...]

    def render(self, translate: Translate = identity) -> str:
        return join((term.render(translate) for term in self.items), translate)


@dataclass(frozen=True)
class Message:
    template: str  # Chinese, marked with N_ where it is written
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Translate = identity) -> str:
        return render(self.template, self.params, translate)

    def __str__(self) -> str:
        return self.render()

    def __hash__(self) -> int:  # parameters are a dict; equal messages read the same
        return hash(self.render())


@dataclass(frozen=True)
class Joined:
    """Several messages in one sentence, joined by a translated word ("、", "或", "和")."""

    separator: str  # Chinese, N_
    items: tuple

    def render(self, translate: Translate = identity) -> str:
        return translate(self.separator).join(_shown(item, translate) for item in self.items)


def join(words: Iterable[str], translate: Translate = identity) -> str:
    return translate(LIST_SEPARATOR).join(words)


def _shown(value, translate: Translate):
    if isinstance(value, Term | Terms | Message | Joined):
        return value.render(translate)
    return value


def render(template: str, params: Mapping[str, object], translate: Translate = identity) -> str:
    text = translate(template)
    if not params:
        return text
    return text % {name: _shown(value, translate) for name, value in params.items()}


# --- JSON ------------------------------------------------------------------------------------------


def params_to_json(params: Mapping[str, object]) -> dict:
    return {name: _value_to_json(value) for name, value in params.items()}


def params_from_json(data: Mapping) -> dict:
    return {str(name): _value_from_json(value) for name, value in data.items()}


def _term_to_json(term: Term) -> dict:
    return {"term": term.vocabulary, "code": term.code, "label": term.label}


def _term_from_json(data: Mapping) -> Term:
    return Term(str(data.get("term", "")), str(data.get("code", "")), str(data.get("label", "")))


def _value_to_json(value):
    if isinstance(value, Term):
        return _term_to_json(value)
    if isinstance(value, Terms):
        return {"terms": [_term_to_json(term) for term in value.items]}
    if isinstance(value, Message):
        return {"message": value.template, "params": params_to_json(value.params)}
    if isinstance(value, Joined):
        return {"joined": value.separator, "items": [_value_to_json(item) for item in value.items]}
    return value


def _value_from_json(value):
    if isinstance(value, dict):
        if "term" in value:
            return _term_from_json(value)
        if "terms" in value:
            return Terms(tuple(_term_from_json(item) for item in value["terms"] if isinstance(item, dict)))
        if "message" in value:
            return Message(str(value["message"]), params_from_json(value.get("params") or {}))
        if "joined" in value:
            return Joined(str(value["joined"]), tuple(_value_from_json(item) for item in value.get("items") or []))
    return value
