"""JSON Schema errors as sentences that say what to fix, for every document the workbench
validates (rule documents, trial datasets, a factor's uncertainty).

PURE: jsonschema's error objects in, `Problem`s out (a JSON pointer and a translatable message).
What differs between documents is how a message names a place, so each caller passes `Places`:
the rule template names fields by their schema titles (「累计取舍比例（%）」（total_percent）),
the trial dataset by the line they belong to (活动数据 /lines/3（“外购电力”）的「数量」（amount）).

Decisions:
- A problem with a missing or unknown key points at that key ("/parameters/data_period"), not
  at the object that lacks or carries it, so a form can mark the very field.
- An enumeration is shown with its labels where the schema gives them (x-enum-labels).
- A pattern is explained by the schema's x-pattern-hint when it has one; a regular expression
  is no help to a drafter.
"""

import json
import math
import re
from typing import NamedTuple, Protocol

from workbench.messages import N_, Joined, Message, Translate, identity

TYPE_NAMES = {
    "object": N_("对象（键值对）"),
    "array": N_("列表"),
    "string": N_("文本"),
    "number": N_("数字"),
    "integer": N_("整数"),
    "boolean": N_("是或否（true/false）"),
    "null": N_("空值（null）"),
}
BOUNDS = {
    "minimum": N_("%(place)s不应小于 %(limit)s，现为 %(shown)s。"),
    "exclusiveMinimum": N_("%(place)s应大于 %(limit)s，现为 %(shown)s。"),
    "maximum": N_("%(place)s不应大于 %(limit)s，现为 %(shown)s。"),
    "exclusiveMaximum": N_("%(place)s应小于 %(limit)s，现为 %(shown)s。"),
}


class Problem(NamedTuple):
    path: str  # JSON pointer, "" for the document itself
    sentence: Message  # what to fix, rendered in the reader's language where it is shown

    @property
    def message(self) -> str:
        """The sentence in Chinese (the source language), as the command line prints it."""
        return self.sentence.render()

    def text(self, translate: Translate = identity) -> str:
        return self.sentence.render(translate)


class Places(Protocol):
    def place(self, parts: list) -> Message:
        """How a message names the value at `parts` (the document itself for [])."""

    def field(self, parts: list, key: str) -> Message:
        """How a message names the key `key` of the object at `parts`, after naming the object."""

    def labels(self, parts: list, schema: dict) -> dict:
        """Labels of the allowed values at `parts`, where the schema or the caller knows them."""


def pointer(parts) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def show(value) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def type_of(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def number(value) -> str:
    """1 → "1", 1.0 → "1", 7.5 → "7.5": limits as a standard prints them."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def problems(error, places: Places) -> list[Problem]:
    """The problems one jsonschema error stands for (a `required` error may name several keys)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    parts = list(error.absolute_path)
    path = pointer(parts)
    kind, value, instance = error.validator, error.validator_value, error.instance

    def at(template: str, **params) -> list[Problem]:
        return [Problem(path, Message(template, {"place": places.place(parts), **params}))]

    if kind == "required":
        return [
            Problem(
                pointer([*parts, key]),
                Message(
                    N_("%(owner)s缺少必填项%(field)s，请补上。"),
                    {"owner": places.place(parts), "field": places.field(parts, key)},
                ),
            )
            for key in value
            if isinstance(instance, dict) and key not in instance
        ]
    if kind == "dependentRequired":
        return [
            Problem(
                pointer([*parts, needed]),
                Message(
                    N_("%(owner)s给出了%(given)s，还应给出%(needed)s。"),
                    {
                        "owner": places.place(parts),
                        "given": places.field(parts, key),
                        "needed": places.field(parts, needed),
                    },
                ),
            )
            for key, required in value.items()
            if isinstance(instance, dict) and key in instance
            for needed in required
            if needed not in instance
        ]
    if kind == "additionalProperties":
        known = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        return [
            Problem(
                pointer([*parts, key]),
                Message(
                    N_(
                        "%(place)s中有不认识的键「%(key)s」：模板中没有这一项。请检查拼写或删除它；需要保留的扩展内容请以 x_ 开头命名。"
                    ),
                    {"place": places.place(parts), "key": key},
                ),
            )
            for key in (instance if isinstance(instance, dict) else {})
            if key not in known and not any(re.search(pattern, key) for pattern in patterns)
        ]
    if kind == "oneOf":
        return _one_of(error, parts, places)
    if kind == "type":
        expected = [value] if isinstance(value, str) else value
        return at(
            N_("%(place)s应为%(expected)s，现为%(actual)s %(shown)s。"),
            expected=_either([Message(TYPE_NAMES.get(name, name)) for name in expected]),
            actual=Message(TYPE_NAMES.get(type_of(instance), type_of(instance))),
            shown=show(instance),
        )
    if kind == "enum":
        labels = places.labels(parts, schema)
        allowed = [_choice(item, labels.get(item)) for item in value if item is not None]
        return at(
            N_("%(place)s的取值 %(shown)s 不在允许范围内，应为以下之一：%(allowed)s。"),
            shown=show(instance),
            allowed=_list(allowed),
        )
    if kind == "const":
        return at(N_("%(place)s应为 %(value)s，现为 %(shown)s。"), value=show(value), shown=show(instance))
    if kind in BOUNDS:
        return at(BOUNDS[kind], limit=number(value), shown=show(instance))
    if kind == "pattern":
        hint = schema.get("x-pattern-hint")
        rule = Message(hint) if hint else Message(N_("应符合格式 %(pattern)s"), {"pattern": value})
        return at(N_("%(place)s的值 %(shown)s 格式不正确：%(rule)s。"), shown=show(instance), rule=rule)
    if kind in ("minItems", "maxItems") and schema.get("minItems") == schema.get("maxItems"):
        return at(N_("%(place)s应恰好有 %(count)d 项。"), count=value)
    if kind == "minItems":
        return (
            at(N_("%(place)s不能为空，至少应列出 1 项。"))
            if value == 1
            else at(N_("%(place)s至少应列出 %(count)d 项。"), count=value)
        )
    if kind == "maxItems":
        return at(N_("%(place)s最多只能列出 %(count)d 项。"), count=value)
    if kind == "uniqueItems":
        return at(N_("%(place)s中 %(shown)s 出现了不止一次，每项只能列出一次。"), shown=show(_duplicate(instance)))
    if kind in ("minLength", "minProperties") and value == 1:
        return at(N_("%(place)s不能为空。"))
    if kind == "minLength":
        return at(N_("%(place)s至少应有 %(count)d 个字符。"), count=value)
    if kind == "maxLength":
        return at(N_("%(place)s最多只能有 %(count)d 个字符。"), count=value)
    return at(N_("%(place)s不符合要求（%(keyword)s：%(value)s）。"), keyword=kind, value=show(value))


def _one_of(error, parts: list, places: Places) -> list[Problem]:
    """A choice between keys ("functional_unit" or "declared_unit"), the only oneOf the schemas use."""
    branches = error.validator_value
    keys = [
        branch["required"][0] for branch in branches if list(branch) == ["required"] and len(branch["required"]) == 1
    ]
    path = pointer(parts)
    if len(keys) != len(branches):
        return [Problem(path, Message(N_("%(place)s应恰好符合一种允许的形式。"), {"place": places.place(parts)}))]
    if not isinstance(error.instance, dict):
        return []  # the type error says it already
    names = [places.field(parts, key) for key in keys]
    if any(key in error.instance for key in keys):
        return [
            Problem(path, Message(N_("%(choices)s只能给出其中一个，请删除多余的一项。"), {"choices": _both(names)}))
        ]
    return [Problem(path, Message(N_("应给出%(choices)s中的一个。"), {"choices": _either(names)}))]


def _choice(value, label: str | None) -> Message:
    if label is None:
        return Message(N_("%(value)s"), {"value": show(value)})
    return Message(N_("%(value)s（%(label)s）"), {"value": value, "label": Message(label)})


def enum_labels(schema: dict) -> dict:
    """The x-enum-labels of an enumeration node (Chinese; shown translated)."""
    labels = schema.get("x-enum-labels")
    return labels if isinstance(labels, dict) else {}


def _list(items: list[Message]) -> Joined:
    return Joined(N_("、"), tuple(items))


def _either(items: list[Message]) -> Joined:
    return Joined(N_("或"), tuple(items))


def _both(items: list[Message]) -> Joined:
    return Joined(N_("和"), tuple(items))


def _duplicate(items):
    seen = set()
    for item in items:
        marker = json.dumps(item, ensure_ascii=False, sort_keys=True)
        if marker in seen:
            return item
        seen.add(marker)
    return None


def non_finite(value) -> list[Problem]:
    """NaN and Infinity: Python's JSON reader and JSON Schema's "number" both accept them, and
    neither a calculation nor PostgreSQL's JSON can use them."""
    found, pending = [], [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            found.append(
                Problem(
                    path or "/", Message(N_("%(path)s 应为有限的数值，不能是 NaN 或 Infinity。"), {"path": path or "/"})
                )
            )
        elif isinstance(item, dict):
            pending.extend((f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}", v) for key, v in item.items())
        elif isinstance(item, list):
            pending.extend((f"{path}/{index}", v) for index, v in enumerate(item))
    return found
