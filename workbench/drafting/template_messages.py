"""Babel extraction of a rule template's interface strings (babel.cfg names it `rule_template`).

The parameter form shows each schema node's title, description and enum labels; they are the
template's Chinese source text, shown through gettext like any stored Chinese string, so the
English interface needs them in the catalogue too. A template is data, not code, so this reads the
JSON instead of Python calls."""

import json

LABELLED_KEYS = ("title", "description", "x-pattern-hint")


def extract(fileobj, keywords, comment_tags, options):
    """Yield (line, funcname, message, comments) for every label in a schema.json, as Babel expects."""
    schema = json.load(fileobj)
    for text in sorted(set(_labels(schema))):
        yield 1, None, text, []


def _labels(node):
    if isinstance(node, dict):
        for key in LABELLED_KEYS:
            if isinstance(node.get(key), str) and node[key].strip():
                yield node[key]
        for label in (node.get("x-enum-labels") or {}).values():
            if isinstance(label, str):
                yield label
        for value in node.values():
            yield from _labels(value)
    elif isinstance(node, list):
        for item in node:
            yield from _labels(item)
