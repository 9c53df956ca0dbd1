"""The rule template: 《温室气体 产品碳足迹量化方法与要求 XX产品》 as data.

A template version is a folder `rule_templates/<id>/<version>/`: `manifest.json` (title patterns,
defaults, the clause skeletons in document order), `schema.json` (JSON Schema 2020-12 of the whole
rule document, see docs/rule-document.md), `clauses/*.md` (Markdown skeletons with Jinja2
placeholders), when the manifest names one a data file for the skeletons (1.1: `gwp.json`, the GWP
values printed in 附录C) and, when present, `checks.json` (the codes of the guideline's catalogue
that rules written against this version are checked for; severity, article and message live in the
catalogue, workbench/guideline/catalogue/rules.py). Without checks.json (1.1) every rule check applies.

Pure: jsonschema, Jinja2 and the standard library; no Flask, no database.

Decisions worth knowing:
- The schema is strict about shape only. Whether a schema-valid rule follows the guideline (its
  order of priorities, its boundary for the end use, GB/T 24067 in the references) is for the
  conformance checks, which report it as findings on a document that can still be saved.
- A problem with a missing or unknown key points at that key ("/parameters/data_period"), not at
  the object that lacks or carries it, so a form can mark the very field.
- Skeletons render in a sandbox with StrictUndefined: a misspelt placeholder is an error when the
  template is used, never a silently empty sentence in a standard. Optional parameters are read
  with `p.get(…)`.
- A skeleton may be optional: `"when": "<parameter>"` in the manifest renders it only when the
  rule gives that parameter (1.1: chapter 10 分级 with `performance_classes`). When a change adds
  or removes the parameter, `follow_parameters` adds or removes the chapter (removes it only if
  the drafters have not reworded it).
- Versions: 1.1 only adds optional fields, so a 1.0 document is a 1.1 document once its `template`
  says so. `upgrade` does exactly that and nothing else; everything that reads a stored rule
  (checks, saves, `workbench check`, rendering, trials) reads it upgraded, and saving stores the
  upgraded document. Clauses the 1.0 skeletons wrote (the plain-text formula, 附录B without
  sub-clauses, no 附录C) stay as they are: the checks say what a 1.1 rule lacks, the group edits.
- The GWP values of 附录C are template data (`gwp.json`), not read from workbench/factors: the
  drafting layer does not import the factor library (import-linter), and a rule prints the values
  its template was published with. tests/test_template.py checks they equal the engine's tables.
"""

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import StrictUndefined, pass_context
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from workbench import schema_errors
from workbench.guideline import CATALOGUE
from workbench.guideline.catalogue import SUBJECTS
from workbench.messages import N_, Message
from workbench.schema_errors import Problem

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "rule_templates"
DEFAULT_TEMPLATE = "cfp-product-rule@1.1"  # new rules are written against it
# Template versions read as a later one: a document written against the key is the value's
# document once its "template" says so (the later version only adds optional fields).
UPGRADES = {"cfp-product-rule@1.0": "cfp-product-rule@1.1"}

_REF = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)@([0-9]+(?:\.[0-9]+)*)")
_PRODUCT = "{product}"
RULE_CODES = tuple(check.code for check in SUBJECTS["rule"])


class TemplateError(ValueError):
    """An unknown or malformed template reference, a broken template folder, or a document the
    template cannot render."""


@dataclass(frozen=True)
class Template:
    ref: str
    manifest: dict
    schema: dict
    checks: tuple[str, ...]  # the finding codes this version checks
    skeletons: list[dict]  # id, kind, number, title, when (or None), source (the Markdown/Jinja2 text)
    data: dict = field(default_factory=dict, repr=False)  # the manifest's data file for the skeletons (1.1: GWP values)
    _validator: Draft202012Validator = field(init=False, repr=False, compare=False)
    _labels: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_validator", Draft202012Validator(self.schema))
        object.__setattr__(self, "_labels", _enum_labels(self.schema))

    # -- validation -------------------------------------------------------------------------

    def validate(self, document) -> list[Problem]:
        """Every way `document` departs from the schema, sorted by path (then message)."""
        found: set[Problem] = set()
        places = _SchemaPlaces(self.schema)
        for error in self._validator.iter_errors(document):
            found.update(schema_errors.problems(error, places))
        return sorted(found, key=lambda problem: (problem.path, problem.message))

    # -- titles -----------------------------------------------------------------------------

    def title_for(self, product_name: str) -> str:
        return self.manifest["title_pattern"].replace(_PRODUCT, product_name.strip())

    def title_en_for(self, product_name_en: str) -> str:
        """The English title, or "" when the English product name is not known yet (a pattern
        ending in a dash would look finished and be wrong)."""
        name = product_name_en.strip()
        if name and self.manifest.get("title_en_product_case") == "lower":
            name = _lower_common_noun(name)
        return self.manifest["title_en_pattern"].replace(_PRODUCT, name) if name else ""

    # -- documents --------------------------------------------------------------------------

    def new_document(
        self, *, product_name: str, end_use: str, classification_code: str | None = None, product_name_en: str = ""
    ) -> dict:
        """A complete, schema-valid starting rule for a product, its clauses rendered."""
        name = (product_name or "").strip()
        if not name:
            raise TemplateError("产品名称不能为空。")
        defaults = copy.deepcopy(self.manifest["defaults"])
        if end_use not in defaults["units"]:
            choices = "、".join(f"{value}（{label}）" for value, label in self._labels["end_use"].items())
            raise TemplateError(f"产品用途“{end_use}”不在允许范围内，应为以下之一：{choices}。")

        def fill(text: str) -> str:
            return text.replace(_PRODUCT, name)

        unit = defaults["units"][end_use]
        unit_value = {"description": fill(unit["description"]), "quantity": unit["quantity"], "unit": unit["unit"]}
        if unit.get("reference_product"):
            unit_value["reference_product"] = fill(unit["reference_product"])
        boundary = defaults["system_boundaries"][end_use]
        boundary["justification"] = fill(boundary["justification"])
        included = boundary["stages_included"]
        primary = [stage for stage in defaults["primary_data_stages"] if stage in included]
        product = {"name": name}
        if classification_code and classification_code.strip():
            product["classification_code"] = classification_code.strip()
        product["end_use"] = end_use
        parameters = {
            unit["key"]: unit_value,
            "reference_flow": fill(unit["reference_flow"]),
            "system_boundary": boundary,
            "cut_off": defaults["cut_off"],
            "data_period": defaults["data_period"],
            "primary_data_stages": primary,
            "secondary_data_allowed_stages": [stage for stage in included if stage not in primary],
            **({"primary_data_share": defaults["primary_data_share"]} if "primary_data_share" in defaults else {}),
            "secondary_data_priority": defaults["secondary_data_priority"],
            "activity_data_categories": defaults["activity_data_categories"],
            "electricity": defaults["electricity"],
            "factor_priority": defaults["factor_priority"],
            "allocation": defaults["allocation"],
            "gwp_set": self.manifest["default_gwp_set"],
            "data_quality_method": defaults["data_quality_method"],
            "uncertainty_method": defaults["uncertainty_method"],
            "report_format": defaults["report_format"],
        }
        terms_number = next(skeleton["number"] for skeleton in self.skeletons if skeleton["kind"] == "terms")
        document = {
            "template": self.ref,
            "title": self.title_for(name),
            "title_en": self.title_en_for(product_name_en or ""),
            "product": product,
            "parameters": parameters,
            "normative_references": copy.deepcopy(self.manifest["normative_references"]),
            "terms": [
                {"id": f"{terms_number}.{position}", **term}
                for position, term in enumerate(copy.deepcopy(self.manifest["terms"]), start=1)
            ],
            "clauses": [],
        }
        document["clauses"] = self._render(document)
        problems = self.validate(document)
        if problems:  # a fault of the template folder, not of the caller
            raise TemplateError(f"模板 {self.ref} 生成的文件不符合其模式：{problems[0].path} {problems[0].message}")
        return document

    def render_clauses(self, document) -> list[dict]:
        """The skeletons rendered with the document's parameters, references and terms: a list of
        {id, kind, number, title, text}. The document must fit the schema."""
        problems = self.validate(document)
        if problems:
            first = problems[0]
            raise TemplateError(f"文件不符合模板，无法生成条款文本：{first.path or '/'} {first.message}")
        return self._render(document)

    def follow_parameters(self, before: dict, after: dict, *, validated: bool = False) -> dict:
        """`after` with every clause that still reads as the template wrote it from `before`'s
        data rewritten from `after`'s data, so that changing a parameter (the cut-off, the drafting
        units) changes the sentences that state it. A clause the drafters have reworded is theirs
        and stays as it is; so does any clause edited in this same change. `validated`: the caller
        knows both documents fit this template's schema (the live check, which validates each
        keystroke's document anyway, saves two validations of 10 ms at 200 clauses)."""
        if not validated and (self.validate(before) or self.validate(after)):
            return after  # the save refuses an invalid document anyway; nothing to follow
        try:
            was = {clause["id"]: clause["text"] for clause in self._render(before)}
            now = {clause["id"]: clause["text"] for clause in self._render(after)}
        except TemplateError:
            return after
        previous = {clause["id"]: clause["text"] for clause in before["clauses"]}
        followed = copy.deepcopy(after)
        for clause in followed["clauses"]:
            key = clause["id"]
            if key in was and key in now and previous.get(key) == was[key] == clause["text"]:
                clause["text"] = now[key]
        self._follow_optional(followed, was, now, previous)
        return followed

    def _follow_optional(self, followed: dict, was: dict, now: dict, previous: dict) -> None:
        """An optional chapter appears when its parameter is added and goes when the parameter is
        removed, unless the drafters reworded it (then it is theirs, as any clause)."""
        clauses = followed["clauses"]
        for position, skeleton in enumerate(self.skeletons):
            key = skeleton["when"] and skeleton["id"]
            if not key:
                continue
            present = [index for index, clause in enumerate(clauses) if clause["id"] == key]
            if key in now and key not in was and not present:
                earlier = {other["id"] for other in self.skeletons[:position]}
                after_index = max(
                    (index for index, clause in enumerate(clauses) if clause["id"] in earlier), default=-1
                )
                clause = {name: skeleton[name] for name in ("id", "kind", "number", "title")} | {"text": now[key]}
                clauses.insert(after_index + 1, clause)
            elif (
                key in was
                and key not in now
                and present
                and previous.get(key) == was[key] == clauses[present[0]]["text"]
            ):
                del clauses[present[0]]

    def _render(self, document: dict) -> list[dict]:
        context = self._context(document)
        parameters = document["parameters"]
        clauses = []
        for skeleton in self.skeletons:
            if skeleton["when"] and skeleton["when"] not in parameters:
                continue  # an optional chapter the rule does not have
            try:
                text = _compile(skeleton["source"]).render(context)
            except (jinja2.TemplateError, KeyError, TypeError) as error:
                raise TemplateError(f"条款骨架“{skeleton['id']}”无法生成：{error}") from error
            clauses.append({key: skeleton[key] for key in ("id", "kind", "number", "title")} | {"text": _tidy(text)})
        return clauses

    def _context(self, document: dict) -> dict:
        parameters = document["parameters"]
        unit_key = "functional_unit" if "functional_unit" in parameters else "declared_unit"
        unit = parameters[unit_key]
        per = unit["unit"] if unit["quantity"] == 1 else f"({schema_errors.number(unit['quantity'])} {unit['unit']})"
        return {
            "enum_labels": self._labels,
            "title": document["title"],
            "title_en": document["title_en"],
            "product": {"classification_code": "", **document["product"]},
            "p": parameters,
            "unit_key": unit_key,
            "unit_name": self._schema_title("parameters", unit_key),
            "unit": unit,
            "result_unit": f"kg CO₂e/{per}",
            "references": document["normative_references"],
            "terms": document["terms"],
            "front_matter": {"drafting_units": [], "drafters": [], **document.get("front_matter", {})},
            "figures": {figure["id"]: figure for figure in document.get("figures", [])},
            "gwp": self.data.get("gwp", {"formulas": {}, "sets": {}}),
        }

    def _schema_title(self, *keys: str) -> str:
        node = self.schema
        for key in keys:
            node = node["properties"][key]
        return node["title"]


def _lower_common_noun(name: str) -> str:
    """ "Lithium-ion batteries" → "lithium-ion batteries" after "…requirements for": a common noun
    in lower case, as GB English titles print it. A first word with capitals past its first letter
    (an abbreviation: "PV modules", "LED lamps") is kept; a proper noun ("Portland cement") is
    lowered too, and the drafters correct the proposed title."""
    first = name.split(" ", 1)[0]
    if any(character.isupper() for character in first[1:]):
        return name
    return name[0].lower() + name[1:]


# -- loading ---------------------------------------------------------------------------------


def parse_ref(ref) -> tuple[str, str]:
    """Split a reference: cfp-product-rule@1.0 → ("cfp-product-rule", "1.0")."""
    match = _REF.fullmatch(ref) if isinstance(ref, str) else None
    if match is None:
        raise TemplateError(f"模板标识“{ref}”的格式不正确，应为“模板名@版本”，如 {DEFAULT_TEMPLATE}。")
    return match.group(1), match.group(2)


def load(ref: str = DEFAULT_TEMPLATE) -> Template:
    """The template `ref` from rule_templates/, read once per process."""
    return _load(*parse_ref(ref))


@functools.cache
def _load(name: str, version: str) -> Template:
    folder = TEMPLATES_DIR / name / version
    ref = f"{name}@{version}"
    if not (folder / "manifest.json").is_file():
        known = "、".join(_available()) or "无"
        raise TemplateError(f"没有模板 {ref}。可用的模板：{known}。")
    manifest = _read_json(folder / "manifest.json")
    if (manifest.get("id"), manifest.get("version")) != (name, version):
        raise TemplateError(f"模板 {ref} 的 manifest.json 写的是 {manifest.get('id')}@{manifest.get('version')}。")
    schema = _read_json(folder / "schema.json")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise TemplateError(f"模板 {ref} 的 schema.json 不是有效的 JSON Schema：{error.message}") from error
    # Without checks.json a version is checked for every rule check of the catalogue (1.1 on);
    # a version with one keeps the checks it was published with.
    checks = _read_json(folder / "checks.json") if (folder / "checks.json").is_file() else list(RULE_CODES)
    if not isinstance(checks, list) or not all(isinstance(code, str) for code in checks):
        raise TemplateError(f"模板 {ref} 的 checks.json 应为检查项代码的列表。")
    unknown = [code for code in checks if code not in CATALOGUE]
    if unknown:
        raise TemplateError(f"模板 {ref} 的 checks.json 列出了检查目录中没有的代码：{'、'.join(unknown)}。")
    data = {}
    if manifest.get("gwp_values"):
        data["gwp"] = _read_json(_inside(folder, manifest["gwp_values"]))
    return Template(
        ref=ref,
        manifest=manifest,
        schema=schema,
        checks=tuple(checks),
        skeletons=_skeletons(folder, manifest),
        data=data,
    )


def upgraded_ref(ref):
    """The template version a document written against `ref` is read as: cfp-product-rule@1.0 →
    cfp-product-rule@1.1; any other value (the current version, an unknown one) as it is."""
    while isinstance(ref, str) and ref in UPGRADES:
        ref = UPGRADES[ref]
    return ref


def upgrade(document):
    """`document` as the current version of its template: a 1.0 document with `template` set to
    cfp-product-rule@1.1 and nothing else changed (1.1 only adds optional fields), as a new copy.
    A document already current, written against an unknown template, or not an object at all is
    returned as it is (the same object), for the schema to judge."""
    if not isinstance(document, dict):
        return document
    ref = document.get("template")
    target = upgraded_ref(ref)
    if target == ref:
        return document
    upgraded = copy.deepcopy(document)
    upgraded["template"] = target
    return upgraded


def _available() -> list[str]:
    return sorted(f"{path.parent.parent.name}@{path.parent.name}" for path in TEMPLATES_DIR.glob("*/*/manifest.json"))


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TemplateError(f"模板文件 {path} 无法读取：{error}") from error


def _inside(folder: Path, name: str) -> Path:
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise TemplateError(f"模板文件 {name} 不在模板目录 {folder} 中。")
    return path


def _skeletons(folder: Path, manifest: dict) -> list[dict]:
    skeletons = []
    for entry in manifest["clauses"]:
        path = (folder / entry["file"]).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            raise TemplateError(f"条款骨架文件 {entry['file']} 不在模板目录 {folder} 中。")
        source = path.read_text(encoding="utf-8")
        try:
            _compile(source)
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(f"条款骨架 {entry['file']} 第 {error.lineno} 行有语法错误：{error.message}") from error
        skeleton = {key: entry[key] for key in ("id", "kind", "number", "title")}
        skeletons.append(skeleton | {"when": entry.get("when"), "source": source})
    return skeletons


# -- rendering -------------------------------------------------------------------------------


@pass_context
def _label(context, value, group: str) -> str:
    return context["enum_labels"][group].get(value, value)


@pass_context
def _labels_joined(context, values, group: str, separator: str = "、") -> str:
    labels = context["enum_labels"][group]
    return separator.join(labels.get(value, value) for value in values)


def _sentence(text: str) -> str:
    """A parameter's text as a sentence: stripped, ending in a full stop unless it has one."""
    text = text.strip()
    return text if not text or text[-1] in "。．.！？；：" else text + "。"


def _item_end(text: str, last: bool) -> str:
    """A list item of a parameter's text: its own closing punctuation replaced by the list's, "；"
    between items and "。" after the last (GB/T 1.1 lists)."""
    return text.strip().rstrip("。．.；;，,") + ("。" if last else "；")


def _letter(index: int) -> str:
    """The mark of list item `index` (from 0): a, b, … z, then aa, ab …"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < len(letters) else letters[index // 26 - 1] + letters[index % 26]


def _digits(value) -> str:
    """A number as a standard prints it: digits grouped by three with a space from 1 000 on
    ("25 200", "1 530"), the decimals as given ("27.0")."""
    text = str(value)
    whole, dot, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    if len(whole) > 3:
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = " ".join(groups)
    return f"{sign}{whole}{dot}{decimals}"


_ENVIRONMENT = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False
)
_ENVIRONMENT.filters.update(
    num=schema_errors.number,
    zh=_label,
    zh_join=_labels_joined,
    sentence=_sentence,
    item_end=_item_end,
    letter=_letter,
    digits=_digits,
)


@functools.lru_cache(maxsize=512)
def _compile(source: str) -> jinja2.Template:
    return _ENVIRONMENT.from_string(source)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _enum_labels(schema: dict) -> dict[str, dict[str, str]]:
    """Chinese labels of every enumeration, named by the property (or $defs entry) that holds it;
    for a list of values, by the list's property: {"stage": {"production": "生产", …}, …}."""
    found: dict[str, dict[str, str]] = {}

    def walk(node, name):
        if not isinstance(node, dict):
            return
        if "x-enum-labels" in node and name:
            found.setdefault(name, {}).update(node["x-enum-labels"])
        for key, child in node.get("properties", {}).items():
            walk(child, key)
        for key, child in node.get("$defs", {}).items():
            walk(child, key)
        walk(node.get("items"), name)

    walk(schema, "")
    return found


# -- naming places in schema problems -------------------------------------------------------


class _SchemaPlaces:
    """Schema problems name a field by its schema title: 「累计取舍比例（%）」（total_percent）,
    第 2 项「章条」. A property's own title wins over the title of the definition it refers to."""

    def __init__(self, root: dict):
        self.root = root

    def place(self, parts: list) -> Message:
        if not parts:
            return Message(N_("「规则文件」"))
        title = _title_at(self.root, parts)
        key = parts[-1]
        if isinstance(key, int):
            if title:
                return Message(N_("第 %(n)d 项「%(title)s」"), {"n": key + 1, "title": Message(title)})
            return Message(N_("第 %(n)d 项"), {"n": key + 1})
        if title:
            return Message(N_("「%(title)s」（%(key)s）"), {"title": Message(title), "key": key})
        return Message(N_("「%(key)s」"), {"key": key})

    def field(self, parts: list, key: str) -> Message:
        return self.place([*parts, key])

    def labels(self, parts: list, schema: dict) -> dict:
        return schema_errors.enum_labels(schema)


def _title_at(root: dict, parts: list) -> str | None:
    """The title of the schema node the value at `parts` is validated against, or None."""
    node = root
    title = None
    try:
        for part in parts:
            node = _resolved(root, node)
            if isinstance(part, int):
                node = node["items"]
            elif part in node.get("properties", {}):
                node = node["properties"][part]
            else:
                node = next(
                    (
                        branch["properties"][part]
                        for branch in node.get("oneOf", [])
                        if part in branch.get("properties", {})
                    ),
                    None,
                )
                if node is None:
                    return None
            title = node.get("title")
        while title is None and isinstance(node, dict) and "$ref" in node:
            node = _resolve(root, node["$ref"])
            title = node.get("title")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return title


def _resolved(root: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = _resolve(root, node["$ref"])
    return node


def _resolve(root: dict, ref: str) -> dict:
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
