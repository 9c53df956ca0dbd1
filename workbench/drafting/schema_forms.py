"""Forms generated from the template's JSON Schema, so that a new template version brings its own
fields: each field is named by its JSON pointer, which is also how findings point at it.

Pure: no Flask. `fields_for` describes the fields with the document's values; `apply` reads a
submitted form back into a copy of the document. Values that do not fit (a word in a number
field) are kept as typed, so the schema check names the field and nothing typed is lost.

Decisions worth knowing:
- Scalars, enumerations and lists of enumerations or lines are form fields; lists of objects
  (1.1: additional units, unit processes, greenhouse gases, electricity sources, figures) are not:
  they are edited on the document (JSON) page and kept as they are by a form save. An object
  that requires such a list (1.1: `performance_classes` and its classes) is left to that page
  whole, so the form never saves half of it.
"""

import copy
import math
from dataclasses import dataclass, field

# The parts of the document the parameters form edits; references, terms and clauses have pages of their own.
EDITABLE = ("title", "title_en", "product", "front_matter", "parameters")
ORDERED = {"secondary_data_priority", "factor_priority"}  # order is meaning: a priority list
LONG_TEXT = {
    "justification",
    "conditions",
    "description",
    "reference_flow",
    "data_quality_method",
    "uncertainty_method",
    "report_format",
}


@dataclass
class Field:
    path: str
    label: str
    kind: str  # text, textarea, lines, number, select, checkboxes, ordered, boolean, group
    description: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: object = None
    required: bool = False
    children: list["Field"] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "field" + self.path.replace("/", "-")


def _resolve(schema: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = schema
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def _get(document, path: str):
    node = document
    for part in path.strip("/").split("/"):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _choices(node: dict) -> list[tuple[str, str]]:
    labels = node.get("x-enum-labels", {})
    return [(value, labels.get(value, value)) for value in node.get("enum", []) if value is not None]


def _field(schema: dict, node: dict, path: str, key: str, required: bool, document) -> Field | None:
    node = _resolve(schema, node)
    label = node.get("title") or key
    description = node.get("description", "")
    kind_of = node.get("type")
    if isinstance(kind_of, list):
        kind_of = next((kind for kind in kind_of if kind != "null"), None)
    value = _get(document, path)
    if kind_of == "object" or "properties" in node:
        needed = set(node.get("required", []))
        built = {
            name: _field(schema, child_node, f"{path}/{name}", name, name in needed, document)
            for name, child_node in node.get("properties", {}).items()
        }
        if any(built[name] is None for name in needed if name in built):
            return None  # it needs a list of objects: edited whole on the document page
        children = [child for child in built.values() if child is not None]
        return Field(path, label, "group", description, required=required, children=children)
    if kind_of == "array":
        items = _resolve(schema, node.get("items", {}))
        if items.get("type") == "string" and "enum" not in items:
            return Field(path, label, "lines", description, value="\n".join(value or []), required=required)
        if "enum" not in items:
            return None  # lists of objects are edited on their own pages
        kind = "ordered" if key in ORDERED or node.get("x-ordered") else "checkboxes"
        return Field(path, label, kind, description, _choices(items), list(value or []), required)
    if "enum" in node:
        return Field(path, label, "select", description, _choices(node), value, required)
    if kind_of in ("number", "integer"):
        return Field(path, label, "number", description, value=value, required=required)
    if kind_of == "boolean":
        return Field(path, label, "boolean", description, value=bool(value), required=required)
    long = key in LONG_TEXT or node.get("maxLength", 0) > 200
    return Field(path, label, "textarea" if long else "text", description, value=value, required=required)


def fields_for(schema: dict, document: dict) -> list[Field]:
    properties = schema.get("properties", {})
    needed = set(schema.get("required", []))
    return [
        built
        for key in EDITABLE
        if key in properties and (built := _field(schema, properties[key], f"/{key}", key, key in needed, document))
    ]


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text  # kept as typed: the schema check names the field
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _read(spec: Field, form):
    """The submitted value of `spec`, or `_ABSENT` when the field should not appear."""
    name = spec.path
    if spec.kind == "group":
        values = {child.path.rsplit("/", 1)[1]: _read(child, form) for child in spec.children}
        meaningful = any(value not in ("", None, [], False, _ABSENT) for value in values.values())
        return values if meaningful or spec.required else _ABSENT
    if spec.kind == "checkboxes":
        chosen = set(form.getlist(name))
        return [value for value, _label in spec.choices if value in chosen]
    if spec.kind == "ordered":
        ordered = []
        for position in range(1, len(spec.choices) + 1):
            value = form.get(f"{name}#{position}", "")
            if value and value not in ordered:
                ordered.append(value)
        return ordered
    if spec.kind == "boolean":
        return name in form
    if spec.kind == "lines":
        lines = [line.strip() for line in (form.get(name) or "").splitlines()]
        return [line for line in lines if line] or (_ABSENT if not spec.required else [])
    text = (form.get(name) or "").replace("\r\n", "\n").strip()
    if spec.kind == "number":
        return _number(text) if text else (_ABSENT if not spec.required else None)
    if spec.kind == "select":
        return text if text else _ABSENT
    return text if text or spec.required else _ABSENT


_ABSENT = object()


def apply(schema: dict, document: dict, form) -> dict:
    """A copy of `document` with the form's values in the editable parts."""
    updated = copy.deepcopy(document)
    for spec in fields_for(schema, document):
        key = spec.path.strip("/")
        value = _read(spec, form)
        if spec.kind == "group" and isinstance(value, dict):
            merged = _merge(updated.get(key), value)
            updated[key] = merged
        elif value is _ABSENT:
            updated.pop(key, None)
        else:
            updated[key] = value
    return updated


def _merge(original, submitted: dict) -> dict:
    """Submitted values over the original object; keys the form does not show (x_ extensions,
    lists of objects) are kept; optional sub-objects left empty are removed."""
    merged = dict(original) if isinstance(original, dict) else {}
    for key, value in submitted.items():
        if value is _ABSENT:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
