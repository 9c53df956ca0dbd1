"""TC548's coordination report (指引（十三）: 规范性和协调性): the technical choices of every rule side
by side, and where rules of related products disagree without a stated reason. PURE.

The choices come from each rule's `parameters` (template cfp-product-rule): boundary type,
declared or functional unit, cut-off, GWP set, electricity method (grid factor, contractual
instruments) and factor year, data period, allocation method, primary-data definition (share and
stages) and data-quality method.

Two rules are related when
- their products are in one catalogue branch: the same product, the same parent, or one the
  ancestor of the other; or
- one product is an input of the other's rule: its name or an alias of two characters or more
  appears in the rule's unit processes (names, descriptions), greenhouse-gas sources or electricity
  conditions (of the section and of each source). The electricity product ("电力" or an alias) is an
  input of every rule with an electricity section: the aluminium rule's electricity is set against
  the electricity rule.

Which differences are findings (guideline catalogue, coordination.py): the GWP set, the cut-off,
the electricity method and year, the data period, the allocation method, the primary-data definition
and the data-quality method, for every related pair; the boundary type only when both products have
the same end use, since final and intermediate products legitimately differ (指引（三）). The unit is
shown, never compared: products have their own units. A choice one of the two rules leaves empty is
not compared (the rule's own checks ask for it). A difference the secretariat explained (a reason
recorded for the pair and the choice) is listed apart, with its reason, instead of as a finding.

Work grows with the related pairs, not with all pairs: rules are grouped by product, parent and
ancestor, and inputs are found by a substring search of each rule's text for the names of products
that have rules. The order of everything is deterministic (rule codes, then choice order).
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from workbench.guideline import Finding, finding
from workbench.guideline.articles import GB_T_24067, cite
from workbench.guideline.vocabulary import BOUNDARIES, END_USES, GRID_FACTORS, LIFE_CYCLE_STAGES, Vocabulary
from workbench.messages import N_, Message

ELECTRICITY_NAMES = frozenset({"电力"})  # the product whose rule is set against every rule's electricity
MIN_INPUT_NAME = 2  # shorter names ("铝") would match inside too many words
_BIGRAMS = re.compile(r"(?=(..))", re.DOTALL)  # every two characters of a text, overlapping

ALLOCATION_METHODS = Vocabulary(
    "allocation_method",
    N_("分配方法"),
    GB_T_24067,
    {
        "avoid": N_("避免分配（过程细分）"),
        "physical": N_("物理关系分配"),
        "economic": N_("经济价值分配"),
        "system_expansion": N_("系统扩展"),
        "other": N_("其他方法"),
    },
)
GRID_FACTOR_YEARS = Vocabulary(
    "grid_factor_year",
    N_("电网因子年份"),
    cite(4),
    {"data_period": N_("与数据时间范围对应的年份"), "latest": N_("最新发布的年份")},
)
PRIMARY_DATA_SHARES = Vocabulary(
    "primary_data_share",
    N_("初级数据占比的定义"),
    cite(4),
    {"site_activity": N_("现场活动数据占比"), "activity_and_factor": N_("活动数据和因子均为初级数据（PACT）")},
)


@dataclass(frozen=True)
class ChoiceKind:
    key: str  # stored with a reason (CoordinationReason.choice)
    label: str  # column heading, N_
    path: str  # where the rule states it
    code: str | None  # the finding when related rules differ; None: shown, never compared
    variant: str = ""


CHOICE_KINDS: tuple[ChoiceKind, ...] = (
    ChoiceKind("boundary", N_("系统边界"), "/parameters/system_boundary/type", "coordination_boundary"),
    ChoiceKind("unit", N_("声明单位/功能单位"), "/parameters/declared_unit", None),
    ChoiceKind("cut_off", N_("取舍准则"), "/parameters/cut_off", "coordination_cut_off"),
    ChoiceKind("gwp_set", N_("GWP 数据集"), "/parameters/gwp_set", "coordination_gwp_set"),
    ChoiceKind(
        "electricity_method", N_("外购电力核算方法"), "/parameters/electricity/grid_factor", "coordination_electricity"
    ),
    ChoiceKind(
        "electricity_year",
        N_("电网因子年份"),
        "/parameters/electricity/grid_factor_year",
        "coordination_electricity",
        "year",
    ),
    ChoiceKind("data_period", N_("数据时间范围"), "/parameters/data_period", "coordination_data_period"),
    ChoiceKind("allocation", N_("分配方法"), "/parameters/allocation/method", "coordination_allocation"),
    ChoiceKind("primary_data", N_("初级数据定义"), "/parameters/primary_data_share", "coordination_primary_data"),
    ChoiceKind("data_quality", N_("数据质量评价方法"), "/parameters/data_quality_method", "coordination_data_quality"),
)
KINDS = {kind.key: kind for kind in CHOICE_KINDS}
COMPARED = tuple(kind for kind in CHOICE_KINDS if kind.code is not None)
# The choices a reason can be recorded for: those compared.
REASON_CHOICES = tuple(kind.key for kind in COMPARED)

# Relations between two rules, strongest first: a pair related several ways is named by the first.
SAME_PRODUCT, ANCESTOR, SIBLING, INPUT = "same_product", "ancestor", "sibling", "input"
RELATION_ORDER = (SAME_PRODUCT, ANCESTOR, SIBLING, INPUT)


@dataclass(frozen=True)
class RuleFacts:
    """What the report needs of one rule, as plain data."""

    rule_id: int
    code: str
    title: str
    product_id: int | None
    product_name: str
    parameters: Mapping | None
    product_aliases: tuple[str, ...] = ()
    parent_id: int | None = None
    end_use: str = ""
    stage: str = ""
    designation: str = ""  # the registry entry's number(s); empty while it has none
    standard_id: int | None = None

    @property
    def label(self) -> str:
        """How messages name it: its standard number, else its rule code; and its product."""
        return f"{self.designation or self.code}（{self.product_name}）"


@dataclass(frozen=True)
class StandardFacts:
    """A published standard no rule of the workbench was drafted as: a row without choices."""

    standard_id: int
    designation: str
    title: str
    product_id: int | None
    product_name: str
    level: str = ""


@dataclass(frozen=True)
class Choice:
    value: object  # compared (hashable); None when the rule does not state it
    shown: object  # a message parameter: str, Term or Message


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side table: a rule with its choices, or a published standard
    without a rule (`choices` None)."""

    rule_id: int | None
    code: str
    title: str
    product_id: int | None
    product_name: str
    end_use: str
    stage: str
    designation: str
    standard_id: int | None
    choices: Mapping[str, Choice] | None


@dataclass(frozen=True)
class Disagreement:
    """Two related rules (rule_id < other_rule_id) differ on one choice."""

    rule_id: int
    other_rule_id: int
    choice: str
    relation: str
    finding: Finding
    reason: str | None = None  # the secretariat's, when the difference is on purpose

    @property
    def pair(self) -> tuple[int, int]:
        return (self.rule_id, self.other_rule_id)


@dataclass(frozen=True)
class Report:
    rows: list[Row]
    disagreements: list[Disagreement]  # reported: no reason recorded
    explained: list[Disagreement] = field(default_factory=list)  # reason recorded

    @property
    def findings(self) -> list[Finding]:
        return [item.finding for item in self.disagreements]

    def involving(self, rule_ids: Iterable[int]) -> list[Disagreement]:
        wanted = set(rule_ids)
        return [item for item in self.disagreements if item.rule_id in wanted or item.other_rule_id in wanted]

    def by_pair(self) -> list[tuple[tuple[int, int], list[Disagreement]]]:
        """The disagreements grouped by pair of rules, in report order."""
        groups: dict[tuple[int, int], list[Disagreement]] = {}
        for item in self.disagreements:
            groups.setdefault(item.pair, []).append(item)
        return list(groups.items())


# --- the choices of one rule ----------------------------------------------------------------------


def _text(value) -> str | None:
    """Free text compared without its spacing and final full stop; empty is not stated."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()).rstrip("。.")
    return text or None


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _section(parameters: Mapping, key: str) -> Mapping:
    value = parameters.get(key)
    return value if isinstance(value, Mapping) else {}


def _term(vocabulary: Vocabulary, code) -> Choice:
    if not isinstance(code, str) or not code:
        return Choice(None, "")
    return Choice(code, vocabulary.term(code))


def choices(parameters: Mapping | None) -> dict[str, Choice]:
    """The technical choices a rule's parameters state, by choice key."""
    p = parameters if isinstance(parameters, Mapping) else {}
    boundary = _section(p, "system_boundary")
    unit = _section(p, "declared_unit") or _section(p, "functional_unit")
    cut_off = _section(p, "cut_off")
    electricity = _section(p, "electricity")
    allocation = _section(p, "allocation")
    found: dict[str, Choice] = {"boundary": _term(BOUNDARIES, boundary.get("type"))}

    description = _text(unit.get("description"))
    found["unit"] = Choice(description, description or (_text(unit.get("unit")) or ""))

    item, total = _number(cut_off.get("per_item_percent")), _number(cut_off.get("total_percent"))
    found["cut_off"] = (
        Choice(
            (item, total),
            Message(N_("单项 %(item)s %%，累计 %(total)s %%"), {"item": _pct(item), "total": _pct(total)}),
        )
        if item is not None and total is not None
        else Choice(None, "")
    )

    gwp = _text(p.get("gwp_set"))
    found["gwp_set"] = Choice(gwp, gwp or "")

    grid = electricity.get("grid_factor")
    instruments = electricity.get("contractual_instruments_allowed")
    if isinstance(grid, str) and grid and isinstance(instruments, bool):
        allowed = Message(N_("允许合同凭证") if instruments else N_("不允许合同凭证"))
        found["electricity_method"] = Choice(
            (grid, instruments),
            Message(N_("%(grid)s；%(instruments)s"), {"grid": GRID_FACTORS.term(grid), "instruments": allowed}),
        )
    else:
        found["electricity_method"] = Choice(None, "")
    found["electricity_year"] = _term(GRID_FACTOR_YEARS, electricity.get("grid_factor_year"))

    period = _text(p.get("data_period"))
    found["data_period"] = Choice(period, period or "")
    found["allocation"] = _term(ALLOCATION_METHODS, allocation.get("method"))

    share = p.get("primary_data_share")
    stages = p.get("primary_data_stages")
    stage_list = tuple(stage for stage in stages if isinstance(stage, str)) if isinstance(stages, list) else None
    if isinstance(share, str) and share and stage_list is not None:
        found["primary_data"] = Choice(
            (share, frozenset(stage_list)),
            Message(
                N_("%(share)s；须用初级数据的阶段：%(stages)s"),
                {"share": PRIMARY_DATA_SHARES.term(share), "stages": LIFE_CYCLE_STAGES.terms(stage_list)},
            ),
        )
    else:
        found["primary_data"] = Choice(None, "")

    quality = _text(p.get("data_quality_method"))
    found["data_quality"] = Choice(quality, quality or "")
    return found


def _pct(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def _input_text(parameters: Mapping | None) -> str:
    """The text in which inputs are named: unit processes, greenhouse-gas sources, electricity."""
    if not isinstance(parameters, Mapping):
        return ""
    parts: list[str] = []
    for process in parameters.get("unit_processes") or ():
        if isinstance(process, Mapping):
            parts += [str(process.get("name") or ""), str(process.get("description") or "")]
    for gas in parameters.get("greenhouse_gases") or ():
        if isinstance(gas, Mapping):
            parts.append(str(gas.get("source") or ""))
    electricity = _section(parameters, "electricity")
    parts.append(str(electricity.get("conditions") or ""))
    for source in electricity.get("sources") or ():
        if isinstance(source, Mapping):
            parts.append(str(source.get("conditions") or ""))
    return "\n".join(part for part in parts if part)


# --- relations ------------------------------------------------------------------------------------


def _ancestors(product_id: int, parents: Mapping[int, int | None], memo: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    if product_id in memo:
        return memo[product_id]
    found: list[int] = []
    current = parents.get(product_id)
    while current is not None and current not in found and current != product_id:
        found.append(current)
        current = parents.get(current)
    memo[product_id] = tuple(found)
    return memo[product_id]


@dataclass
class _Relation:
    kind: str
    detail: Message


def relations(
    rules: Sequence[RuleFacts], parents: Mapping[int, int | None], names: Mapping[int, str]
) -> dict[tuple[int, int], _Relation]:
    """Every related pair of rules (lower id first) with how they are related (the strongest way)."""
    found: dict[tuple[int, int], _Relation] = {}

    def add(a: RuleFacts, b: RuleFacts, kind: str, detail: Message) -> None:
        if a.rule_id == b.rule_id:
            return
        pair = (a.rule_id, b.rule_id) if a.rule_id < b.rule_id else (b.rule_id, a.rule_id)
        known = found.get(pair)
        if known is None or RELATION_ORDER.index(kind) < RELATION_ORDER.index(known.kind):
            found[pair] = _Relation(kind, detail)

    by_product: dict[int, list[RuleFacts]] = defaultdict(list)
    for rule in rules:
        if rule.product_id is not None:
            by_product[rule.product_id].append(rule)
    memo: dict[int, tuple[int, ...]] = {}
    by_parent: dict[int, list[int]] = defaultdict(list)
    for product_id in by_product:
        parent = parents.get(product_id)
        if parent is not None:
            by_parent[parent].append(product_id)

    for product_id, group in by_product.items():
        name = names.get(product_id, group[0].product_name)
        for index, rule in enumerate(group):  # the same product
            for other in group[index + 1 :]:
                add(rule, other, SAME_PRODUCT, Message(N_("同为“%(product)s”的规则"), {"product": name}))
        for ancestor in _ancestors(product_id, parents, memo):  # one the ancestor of the other
            for upper in by_product.get(ancestor, ()):
                detail = Message(
                    N_("“%(upper)s”是“%(lower)s”的上级产品"),
                    {"upper": names.get(ancestor, upper.product_name), "lower": name},
                )
                for rule in group:
                    add(upper, rule, ANCESTOR, detail)
    for parent, children in by_parent.items():  # the same parent
        detail = Message(N_("同属“%(parent)s”"), {"parent": names.get(parent, "")})
        for index, product_id in enumerate(children):
            for other_id in children[index + 1 :]:
                for rule in by_product[product_id]:
                    for other in by_product[other_id]:
                        add(rule, other, SIBLING, detail)

    # Inputs: the names of products that have rules, searched in each rule's text; a name is
    # looked for only where the text holds its rarest two characters (those the fewest names
    # share: names of one family, 水泥熟料 and 水泥制品, start alike but end apart).
    searched: list[tuple[str, int]] = []
    electricity_products: list[int] = []
    for product_id, group in by_product.items():
        own = {group[0].product_name, *group[0].product_aliases}
        if own & ELECTRICITY_NAMES:
            electricity_products.append(product_id)
        searched += [(text, product_id) for text in sorted(own) if len(text) >= MIN_INPUT_NAME]
    bigrams = {text: set(_BIGRAMS.findall(text)) for text, _product_id in searched}
    sharing = Counter(bigram for found in bigrams.values() for bigram in found)
    candidates: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for text, product_id in searched:
        candidates[min(bigrams[text], key=lambda bigram: (sharing[bigram], bigram))].append((text, product_id))
    for rule in rules:
        text = _input_text(rule.parameters)
        inputs: set[int] = set()
        for pair in candidates.keys() & set(_BIGRAMS.findall(text)):
            inputs.update(product_id for name, product_id in candidates[pair] if name in text)
        if isinstance(rule.parameters, Mapping) and _section(rule.parameters, "electricity"):
            inputs.update(electricity_products)
        inputs.discard(rule.product_id)
        for product_id in sorted(inputs):
            detail = Message(
                N_("“%(input)s”是“%(product)s”的输入"),
                {"input": names.get(product_id, by_product[product_id][0].product_name), "product": rule.product_name},
            )
            for supplier in by_product[product_id]:
                add(supplier, rule, INPUT, detail)
    return found


# --- the report -----------------------------------------------------------------------------------


def compare(
    rules: Sequence[RuleFacts],
    *,
    standards: Sequence[StandardFacts] = (),
    parents: Mapping[int, int | None] | None = None,
    names: Mapping[int, str] | None = None,
    reasons: Mapping[tuple[int, int, str], str] | None = None,
) -> Report:
    """The report over `rules` (and the published `standards` no rule was drafted as).

    `parents` and `names` describe the whole product tree (products without rules link branches
    too); without them the rules' own parent ids and product names are used. `reasons` maps
    (rule_id, other_rule_id, choice), with rule_id < other_rule_id, to the recorded reason."""
    ordered = sorted(rules, key=lambda rule: (rule.code, rule.rule_id))
    if parents is None:
        parents = {rule.product_id: rule.parent_id for rule in ordered if rule.product_id is not None}
    if names is None:
        names = {rule.product_id: rule.product_name for rule in ordered if rule.product_id is not None}
    reasons = reasons or {}
    stated = {rule.rule_id: choices(rule.parameters) for rule in ordered}
    rows = [
        Row(
            rule.rule_id,
            rule.code,
            rule.title,
            rule.product_id,
            rule.product_name,
            rule.end_use,
            rule.stage,
            rule.designation,
            rule.standard_id,
            stated[rule.rule_id],
        )
        for rule in ordered
    ]
    rows += [
        Row(
            None,
            "",
            standard.title,
            standard.product_id,
            standard.product_name,
            "",
            "",
            standard.designation,
            standard.standard_id,
            None,
        )
        for standard in sorted(standards, key=lambda item: (item.designation, item.standard_id))
    ]

    by_id = {rule.rule_id: rule for rule in ordered}
    position = {rule.rule_id: index for index, rule in enumerate(ordered)}
    reported: list[Disagreement] = []
    explained: list[Disagreement] = []
    pairs = relations(ordered, parents, names)
    for pair in sorted(pairs, key=lambda pair: (position[pair[0]], position[pair[1]])):
        relation = pairs[pair]
        first, second = by_id[pair[0]], by_id[pair[1]]
        # Messages name the rules in report order; the pair itself is kept by id.
        if position[first.rule_id] > position[second.rule_id]:
            first, second = second, first
        mine, theirs = stated[first.rule_id], stated[second.rule_id]
        for kind in COMPARED:
            if kind.key == "boundary" and (not first.end_use or first.end_use != second.end_use):
                continue
            a, b = mine[kind.key], theirs[kind.key]
            if a.value is None or b.value is None or a.value == b.value:
                continue
            params = {
                "rule": first.label,
                "other": second.label,
                "relation": relation.detail,
                "value": a.shown,
                "other_value": b.shown,
            }
            if kind.key == "boundary":
                params["end_use"] = END_USES.term(first.end_use)
            item = Disagreement(
                pair[0],
                pair[1],
                kind.key,
                relation.kind,
                finding(
                    kind.code,
                    kind.path,
                    kind.variant,
                    standard_ids=tuple(sorted({i for i in (first.standard_id, second.standard_id) if i is not None})),
                    **params,
                ),
            )
            reason = reasons.get((pair[0], pair[1], kind.key))
            if reason is None:
                reported.append(item)
            else:
                explained.append(
                    Disagreement(item.rule_id, item.other_rule_id, item.choice, item.relation, item.finding, reason)
                )
    return Report(rows, reported, explained)


def pair_pages(
    pairs: Sequence[tuple[tuple[int, int], list[Disagreement]]], size: int
) -> list[list[tuple[tuple[int, int], list[Disagreement]]]]:
    """`pairs` (Report.by_pair) cut into pages of at most `size` findings, a pair never split over
    two pages (a pair has at most one finding per compared choice). Always at least one page."""
    pages: list[list[tuple[tuple[int, int], list[Disagreement]]]] = []
    current: list[tuple[tuple[int, int], list[Disagreement]]] = []
    count = 0
    for pair, items in pairs:
        if current and count + len(items) > size:
            pages.append(current)
            current, count = [], 0
        current.append((pair, items))
        count += len(items)
    pages.append(current)
    return pages


def in_branch(report: Report, product_ids: set[int]) -> Report:
    """The rows of products in `product_ids`, and the disagreements that involve one of them."""
    rows = [row for row in report.rows if row.product_id in product_ids]
    rule_ids = {row.rule_id for row in rows if row.rule_id is not None}
    return Report(
        rows,
        report.involving(rule_ids),
        [item for item in report.explained if {item.rule_id, item.other_rule_id} & rule_ids],
    )
