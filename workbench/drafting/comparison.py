"""Comparing two versions of a rule document, in words: each changed field named by its title in the
template's schema (边界类型, not /parameters/system_boundary/type) with its values as the parameters
form shows them (摇篮到大门, not cradle_to_gate; lists joined; 是/否), and each changed clause as a
redline in which Markdown tables stay tables.

Pure: the standard library and workbench.messages; no Flask, no database. Labels and values are
`Message`/`Term`/`Terms`/`Joined` objects (or the document's own text), rendered in the reader's
language where they are shown (`say` in the pages).

Decisions worth knowing:
- Items of a list of objects are matched by what identifies them (a term's or unit process's id, a
  reference's number, a gas, an electricity source, a grade), not by position: removing the second
  reference shows one removed reference, not every later one changed. Lists without such a key
  (additional units) are matched by position.
- Lists of plain values (stages, priorities, drafters) are one value: "原材料获取、生产".
- Blank is blank: a missing field, "", [] and {} are the same to a reader, so no row says "— → —".
- The public comparison leaves out what only the workbench needs (`INTERNAL`): the template
  reference, the rule's code, revision id, stage code, level code and checksum of the publication
  block, and every x_ extension. Stage label, dates, number and issuers stay: they are the cover.
- Figures' image data (base64) show as their size, never as text.
- Tables in clause text are compared as tables (row by row, cell by cell) when both versions have
  them in the same places; a table added or removed is shown whole, inserted or deleted. Text
  around them is a redline as before: by line, then by character within a changed line.
"""

import difflib
import re
from dataclasses import dataclass, field

from workbench.messages import N_, Joined, Message, Term, Terms

# Paths the public comparison leaves out (prefixes of JSON pointers), and top-level x_ extensions.
INTERNAL = (
    "/template",
    "/publication/rule",
    "/publication/revision_id",
    "/publication/stage",
    "/publication/level",
    "/publication/checksum",
)
IDENTITY_KEYS = ("id", "number", "gas", "source", "grade")  # what names an item of a list of objects
ITEM_NAMES = ("zh", "name", "caption", "number", "gas", "grade")  # how an item is named in a label
CHARACTER_DIFF_LIMIT = 4000  # characters compared one by one; character diffs are quadratic
PLACE_SEPARATOR = N_(" › ")
UNNAMED_GROUPS = ("/parameters/",)  # groups not repeated in every label


# --- structured parts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed field: where (JSON pointer of the newer version, the older one for what was
    removed), the raw values, and the same in words."""

    path: str
    before: object
    after: object
    label: object  # Message / Joined (from the schema), or the path when there is no schema
    shown_before: object  # Message / Term / Terms / Joined / str, or None for blank
    shown_after: object


@dataclass(frozen=True)
class _Leaf:
    pointer: str
    value: object
    node: dict  # the schema node the value is validated against ({} if unknown)
    place: tuple  # label parts: Message titles and item names


def _resolved(root: dict, node) -> dict:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 20:
        target = root
        try:
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, TypeError):
            return {}
        # A property's own title (功能单位) wins over its definition's (单位).
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        seen += 1
    return node if isinstance(node, dict) else {}


def _property(root: dict, node: dict, key: str) -> dict:
    """The schema of property `key` of an object node, looking into oneOf branches too."""
    node = _resolved(root, node)
    if key in node.get("properties", {}):
        return _resolved(root, node["properties"][key])
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        branch = _resolved(root, branch)
        if key in branch.get("properties", {}):
            return _resolved(root, branch["properties"][key])
    return {}


def _identity(items: list) -> str | None:
    """The key whose value names each item of a list of objects uniquely, if there is one."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in IDENTITY_KEYS:
        values = [item.get(key) for item in items]
        if all(isinstance(value, str) and value for value in values) and len(set(values)) == len(values):
            return key
    return None


def _item_name(root: dict, item_node: dict, item: dict, key: str | None, index: int):
    for name in ITEM_NAMES:
        if isinstance(item.get(name), str) and item[name].strip():
            return item[name].strip()
    if key is not None:
        labels = _property(root, item_node, key).get("x-enum-labels", {})
        return Message(labels[item[key]]) if item[key] in labels else item[key]
    return Message(N_("第 %(n)d 项"), {"n": index + 1})


def _leaves(value, node: dict, root: dict, pointer: str, place: tuple, key: tuple = ()) -> dict[tuple, _Leaf]:
    """Every leaf of `value` by its identity (keys, and items by what names them), with its
    pointer, its schema node and its place in words."""
    node = _resolved(root, node)
    if isinstance(value, dict):
        found: dict[tuple, _Leaf] = {}
        for name, item in value.items():
            child = _property(root, node, name)
            title = child.get("title")
            part = Message(title) if title else name
            found.update(_leaves(item, child, root, f"{pointer}/{name}", (*place, part), (*key, name)))
        return found
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        item_node = _resolved(root, node.get("items", {}))
        identity = _identity(value)
        found = {}
        for index, item in enumerate(value):
            ident = ("#", item[identity]) if identity else ("#", index)
            name = _item_name(root, item_node, item, identity, index) if isinstance(item, dict) else index + 1
            found.update(_leaves(item, item_node, root, f"{pointer}/{index}", (*place, name), (*key, ident)))
        return found
    return {key: _Leaf(pointer, value, node, place)}


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def shown(value, node: dict, root: dict, pointer: str = ""):
    """A value as the parameters form shows it, in words; None for blank."""
    if _blank(value):
        return None
    node = _resolved(root, node)
    if pointer.startswith("/figures/") and pointer.endswith("/data") and isinstance(value, str):
        return Message(N_("%(size)s KB"), {"size": max(1, round(len(value) * 3 / 4 / 1024))})
    if isinstance(value, bool):
        return Message(N_("是")) if value else Message(N_("否"))
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        item_node = _resolved(root, node.get("items", {}))
        labels = item_node.get("x-enum-labels", {})
        if labels and all(isinstance(item, str) for item in value):
            return Terms(tuple(Term("", item, labels.get(item, "")) for item in value))
        return Joined(N_("、"), tuple(item if isinstance(item, str) else _number(item) for item in value))
    labels = node.get("x-enum-labels", {})
    if isinstance(value, str) and value in labels:
        return Message(labels[value])
    return value if isinstance(value, str) else str(value)


def _plain(value) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, list):
        return "、".join(_plain(item) or "" for item in value)
    return value if isinstance(value, str) else _number(value)


def _label(place: tuple, pointer: str):
    if not place:
        return pointer or "/"
    if pointer.startswith(UNNAMED_GROUPS) and len(place) > 1:
        place = place[1:]  # 边界类型 is a parameter, and the page says so once, not on every row
    return Joined(PLACE_SEPARATOR, tuple(part if isinstance(part, Message | str) else str(part) for part in place))


def is_internal(pointer: str) -> bool:
    """What only the workbench needs, left out of the public comparison."""
    if pointer.startswith("/x_"):
        return True
    return any(pointer == prefix or pointer.startswith(prefix + "/") for prefix in INTERNAL)


def structured_changes(old: dict, new: dict, schema: dict | None = None, *, public: bool = False) -> list[Change]:
    """The changed fields outside the clauses, in the newer version's order (removed ones last).
    With the template's `schema`, each is named and shown in words; without, by its pointer."""
    root = schema or {}
    before = _leaves({k: v for k, v in old.items() if k != "clauses"}, root, root, "", ())
    after = _leaves({k: v for k, v in new.items() if k != "clauses"}, root, root, "", ())
    changes = []
    for key in [*after, *(key for key in before if key not in after)]:
        old_leaf, new_leaf = before.get(key), after.get(key)
        old_value = old_leaf.value if old_leaf else None
        new_value = new_leaf.value if new_leaf else None
        if old_value == new_value or (_blank(old_value) and _blank(new_value)):
            continue
        leaf = new_leaf or old_leaf
        if public and is_internal(leaf.pointer):
            continue
        if schema is None:
            label, shown_old, shown_new = leaf.pointer, _plain(old_value), _plain(new_value)
        else:
            label = _label(leaf.place, leaf.pointer)
            shown_old = shown(old_value, old_leaf.node if old_leaf else {}, root, leaf.pointer)
            shown_new = shown(new_value, new_leaf.node if new_leaf else {}, root, leaf.pointer)
        changes.append(Change(leaf.pointer, old_value, new_value, label, shown_old, shown_new))
    return changes


# --- clause text ----------------------------------------------------------------------------------


Segments = list[tuple[str, str]]  # (operation, text): "equal", "insert", "delete"


@dataclass
class TableDiff:
    """A Markdown table compared row by row and cell by cell: each row is (change, cells), change
    one of "equal", "changed", "insert", "delete"; each cell a redline."""

    header: list[Segments]
    rows: list[tuple[str, list[Segments]]]


@dataclass
class ClauseDiff:
    id: str
    title: str
    change: str  # "added", "removed", "changed", "same"
    segments: Segments  # the whole text (heading and body) as one redline
    blocks: list[tuple[str, object]] = field(default_factory=list)  # ("text", Segments) | ("table", TableDiff)


def _diff(before, after, join) -> list[tuple[str, object, object]]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return [(operation, join(before[a1:a2]), join(after[b1:b2])) for operation, a1, a2, b1, b2 in matcher.get_opcodes()]


def redline(before: str, after: str) -> Segments:
    """A redline of clause text: by line first, then by character within changed lines
    (Chinese has no spaces to split words on). Long rewrites stay whole, so any two
    revisions compare quickly however long the clause."""
    segments: Segments = []
    for operation, old, new in _diff(before.splitlines(keepends=True), after.splitlines(keepends=True), "".join):
        if operation == "equal":
            segments.append(("equal", old))
        elif old and new and len(old) + len(new) <= CHARACTER_DIFF_LIMIT:
            for inner, old_part, new_part in _diff(old, new, "".join):
                if inner == "equal":
                    segments.append(("equal", old_part))
                    continue
                segments.extend(part for part in (("delete", old_part), ("insert", new_part)) if part[1])
        else:
            segments.extend(part for part in (("delete", old), ("insert", new)) if part[1])
    return segments


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", text)]


def _starts_table(line: str, following: str) -> bool:
    """A header row and a delimiter row of as many cells (GFM), e.g. "| 项目 | 值 |" and "|---|---|"."""
    return (
        "|" in line
        and "-" in following
        and _DELIMITER_ROW.match(following) is not None
        and len(_cells(line)) == len(_cells(following))
    )


def blocks(text: str) -> list[tuple[str, object]]:
    """Text split into ("text", str) and ("table", [header cells, row cells…]) blocks; a table is
    a line with "|" followed by a delimiter row (|---|---|), and the lines with "|" after it."""
    lines = text.splitlines(keepends=True)
    found: list[tuple[str, object]] = []
    pending: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _starts_table(line, lines[index + 1] if index + 1 < len(lines) else ""):
            rows = [_cells(line)]
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                rows.append(_cells(lines[index]))
                index += 1
            _add_text(found, pending)
            pending = []
            found.append(("table", rows))
            continue
        pending.append(line)
        index += 1
    _add_text(found, pending)
    return found


def _add_text(found: list, lines: list[str]) -> None:
    """A text block without the blank lines that part it from a table (they are not content)."""
    text = "".join(lines).strip("\n")
    if text:
        found.append(("text", text))


def _whole(cells: list[str], operation: str) -> list[Segments]:
    return [[(operation, cell)] if cell else [] for cell in cells]


def _row_redline(before: list[str], after: list[str]) -> list[Segments]:
    width = max(len(before), len(after))
    before, after = before + [""] * (width - len(before)), after + [""] * (width - len(after))
    return [redline(old, new) for old, new in zip(before, after, strict=True)]


def table_diff(before: list[list[str]], after: list[list[str]]) -> TableDiff:
    """Two tables (first row the header) compared row by row; rows replaced one for one are
    compared cell by cell."""
    rows: list[tuple[str, list[Segments]]] = []
    old_rows, new_rows = before[1:], after[1:]
    matcher = difflib.SequenceMatcher(a=[tuple(r) for r in old_rows], b=[tuple(r) for r in new_rows], autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            rows.extend(("equal", _whole(row, "equal")) for row in new_rows[b1:b2])
            continue
        paired = min(a2 - a1, b2 - b1) if operation == "replace" else 0
        for offset in range(paired):
            rows.append(("changed", _row_redline(old_rows[a1 + offset], new_rows[b1 + offset])))
        rows.extend(("delete", _whole(row, "delete")) for row in old_rows[a1 + paired : a2])
        rows.extend(("insert", _whole(row, "insert")) for row in new_rows[b1 + paired : b2])
    return TableDiff(header=_row_redline(before[0], after[0]), rows=rows)


def _text_of_table(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(row) for row in rows) + "\n"


def block_redline(before: str, after: str) -> list[tuple[str, object]]:
    """The redline of a clause as text and table blocks. Blocks are paired by kind in order (the
    common case: a table edited in place); a block without a partner is shown inserted or deleted."""
    old_blocks, new_blocks = blocks(before), blocks(after)
    matcher = difflib.SequenceMatcher(
        a=[kind for kind, _ in old_blocks], b=[kind for kind, _ in new_blocks], autojunk=False
    )
    result: list[tuple[str, object]] = []

    def alone(kind, content, operation):
        if kind == "table":
            header = _whole(content[0], operation)
            result.append(("table", TableDiff(header, [(operation, _whole(row, operation)) for row in content[1:]])))
        elif content:
            result.append(("text", [(operation, content)]))

    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            for (kind, old), (_kind, new) in zip(old_blocks[a1:a2], new_blocks[b1:b2], strict=True):
                result.append(("table", table_diff(old, new)) if kind == "table" else ("text", redline(old, new)))
            continue
        for kind, content in old_blocks[a1:a2]:
            alone(kind, content, "delete")
        for kind, content in new_blocks[b1:b2]:
            alone(kind, content, "insert")
    return result


def clause_text(clause: dict | None) -> str:
    if clause is None:
        return ""
    heading = " ".join(part for part in (clause.get("number", ""), clause.get("title", "")) if part)
    return f"{heading}\n{clause.get('text', '')}"


def clause_changes(old: dict, new: dict) -> list[ClauseDiff]:
    """Each clause of either version, in the newer version's order (removed ones last)."""
    old_clauses = {clause.get("id"): clause for clause in old.get("clauses", [])}
    new_clauses = {clause.get("id"): clause for clause in new.get("clauses", [])}
    order = [clause.get("id") for clause in new.get("clauses", [])]
    order += [key for key in old_clauses if key not in new_clauses]
    diffs = []
    for clause_id in order:
        before, after = old_clauses.get(clause_id), new_clauses.get(clause_id)
        text_before, text_after = clause_text(before), clause_text(after)
        change = "added" if before is None else "removed" if after is None else "same"
        if change == "same" and text_before != text_after:
            change = "changed"
        same = change == "same"
        diffs.append(
            ClauseDiff(
                id=clause_id,
                title=(after or before).get("title", ""),
                change=change,
                segments=[("equal", text_after)] if same else redline(text_before, text_after),
                blocks=[] if same else block_redline(text_before, text_after),
            )
        )
    return diffs


def compare(old: dict, new: dict, schema: dict | None = None, *, public: bool = False):
    """Structured parts as `Change`s, and each clause as a redline."""
    return structured_changes(old, new, schema, public=public), clause_changes(old, new)
