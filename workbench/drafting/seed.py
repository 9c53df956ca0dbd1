"""Demo rules: 锂离子电池 (a final product, cradle-to-grave) being drafted, and 水泥 (an
intermediate product, cradle-to-gate, drafted by the building-materials group WG-BM), each with a
few revisions so that comparing them shows something, and the comments the cement draft receives
once it is out for consultation (the move to consultation is workbench.workflow's, done by
workbench.demo).

`STAGED_RULES` are three more rules that workbench.demo takes further through the stages, each
from its example document (examples/lime.json, calcium-carbide.json, ethylene.json: written for
the demo from the 1.1 template, with the product's own scope, data and process-emission clause, and
no findings). This module only creates them, on the day they were started, and holds the comment
each received in its consultation; the moves, trials and publication are the demo's. Everything
they say is invented demo data: the drafting units and the commenters say so (演示)."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.models import User, WorkingGroup
from workbench.drafting import service
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.template import TEMPLATES_DIR
from workbench.registry.service import find_product

EXAMPLES = TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples"  # the rules are created on 1.1
DATA_PERIOD = "核算前最近连续 12 个月（不足 12 个月的按实际生产期）"

DEMO_RULES = [
    # (example file, product, working group, author username, reviser username)
    ("lithium-ion-battery.json", "锂离子电池", "WG-LIB", "drafter", "drafter"),
    ("cement.json", "水泥", "WG-BM", "secretariat", "secretariat"),
]
CEMENT_GROUP = "WG-BM"  # the cement rule's drafting group (earlier demos left it without one)
CONSULTATION_DRAFT = "cement.json"

COMMENTS = [
    service.CommentInput(
        name="王工",
        organisation="某水泥集团（演示）",
        clause="5.2",
        kind="technical",
        comment="熟料生产的原料碳酸盐分解排放宜按实测的熟料 CaO、MgO 含量计算，缺省值只在无实测数据时使用。",
        proposed_change="在 6 中增加“有熟料成分化验数据时应使用实测值”。",
    ),
    service.CommentInput(
        name="李研究员",
        organisation="建材研究院（演示）",
        clause="附录A",
        kind="editorial",
        comment="表 A.1 的计量单位列建议统一使用法定计量单位符号。",
    ),
    service.CommentInput(
        name="张女士",
        organisation="",
        clause="",
        kind="general",
        comment="建议说明协同处置废弃物时替代燃料的排放如何处理。",
    ),
]


def _user(session: Session, username: str, fallback):
    """The demo account `username`, or whoever loads the demo when it is missing."""
    return session.scalar(select(User).where(User.username == username, User.active.is_(True))) or fallback


def load(session: Session, today: date, by) -> list[Rule]:
    """Create the demo rules that are missing (matched by title); returns those created now."""
    created = []
    for filename, product_name, group_code, username, reviser in DEMO_RULES:
        document = json.loads((EXAMPLES / filename).read_text(encoding="utf-8"))
        if session.scalar(select(Rule.id).where(Rule.title == document["title"])) is not None:
            continue
        product = find_product(session, product_name)
        group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == group_code)) if group_code else None
        author = _user(session, username, by)
        rule = service.create_rule(session, product=product, working_group=group, by=author, today=today)
        service.save_revision(
            session, rule, document, message="工作组讨论稿：按起草组讨论意见完善全文", based_on=1, by=author
        )
        revised = _with_data_period(document, DATA_PERIOD)
        service.save_revision(
            session, rule, revised, message="明确数据时间范围", based_on=2, by=_user(session, reviser, by)
        )
        created.append(rule)
    return created


def _with_data_period(document: dict, period: str) -> dict:
    """The data period changed where the rule states it: the parameter and the sentence of 5.4,
    which the group has added to (so a save does not rewrite it from the template); 附录B, still
    as the template wrote it, follows the parameter on saving. All three then say the same."""
    revised = json.loads(json.dumps(document))
    before = revised["parameters"]["data_period"]
    revised["parameters"]["data_period"] = period
    for clause in revised["clauses"]:
        if clause["id"] == "time-boundary":
            clause["text"] = clause["text"].replace(before, period)
    return revised


def consultation_drafts(rules: list[Rule]) -> list[Rule]:
    """The demo rules that go out for consultation."""
    example = json.loads((EXAMPLES / CONSULTATION_DRAFT).read_text(encoding="utf-8"))
    return [rule for rule in rules if rule.title == example["title"]]


def add_comments(session: Session, rule: Rule, opened: date, by) -> None:
    """The demo comments on a consultation draft, two of them disposed of by the secretariat."""
    submitted = datetime.combine(opened + timedelta(days=7), time(9, 30)).astimezone()
    for index, comment in enumerate(COMMENTS):
        service.add_comment(
            session, rule, comment, source=f"demo-{index}", by=None, now=submitted + timedelta(hours=index)
        )
    secretariat = _user(session, "secretariat", by)
    comments = service.comments_of(session, rule.id)
    service.dispose(
        session,
        comments[0],
        "partly_accepted",
        "采纳实测优先的原则；缺省值条款保留，作为无化验数据时的方法。",
        by=secretariat,
    )
    service.dispose(session, comments[1], "accepted", "", by=secretariat)


def give_cement_its_group(session: Session) -> bool:
    """The cement rule of an earlier demo had no drafting group, so no drafter could edit it: it
    joins WG-BM. Returns whether it changed (a second load changes nothing)."""
    example = json.loads((EXAMPLES / CONSULTATION_DRAFT).read_text(encoding="utf-8"))
    rule = session.scalar(select(Rule).where(Rule.title == example["title"]))
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == CEMENT_GROUP))
    if rule is None or group is None or rule.working_group is not None:
        return False
    with change_reason(session, "演示数据：水泥规则由建材产品起草组起草"):
        rule.working_group = group
    return True


# --- rules at the later stages -------------------------------------------------------------------


@dataclass(frozen=True)
class StagedRule:
    example: str  # the document, in EXAMPLES
    product: str  # the registry product
    working_group: str
    stage: str  # where the demo leaves the rule
    # How many days before loading the rule entered each stage: "20" is the day it was created.
    days_ago: dict[str, int]
    comment: service.CommentInput  # received during the consultation, disposed of before review
    disposition: str
    reason: str


STAGED_RULES = [
    # Published about four months ago, after a year of drafting, consultation and review.
    StagedRule(
        "lime.json",
        "石灰",
        "WG-BM",
        "60",
        {"20": 430, "30": 365, "40": 290, "50": 200, "60": 120},
        service.CommentInput(
            name="刘工",
            organisation="某钙业公司（演示）",
            clause="7.5",
            kind="technical",
            comment="窑灰和除尘灰没有返回窑内时，其中碳酸盐已分解的部分如何计算？建议给出方法。",
        ),
        "accepted",
        "已在 7.5 补充窑灰和除尘灰的计算要求。",
    ),
    StagedRule(
        "calcium-carbide.json",
        "电石",
        "WG-CHEM",
        "50",
        {"20": 380, "30": 300, "40": 220, "50": 60},
        service.CommentInput(
            name="马工程师",
            organisation="某氯碱化工企业（演示）",
            clause="7.3",
            kind="technical",
            comment="电石炉气外供给其他企业时，炉气中的碳是否仍计入电石的碳足迹？",
            proposed_change="明确外供炉气的处理方法。",
        ),
        "accepted",
        "已在 7.3 和 7.5 明确：外供炉气中的碳作为输出的碳扣除。",
    ),
    StagedRule(
        "ethylene.json",
        "乙烯",
        "WG-CHEM",
        "40",
        {"20": 300, "30": 200, "40": 100},
        service.CommentInput(
            name="赵研究员",
            organisation="石化研究机构（演示）",
            clause="7.3",
            kind="technical",
            comment="建议乙烯与丙烯、丁二烯等联产品按经济价值分配。",
        ),
        "not_accepted",
        "联产品之间有稳定的物理关系，按 GB/T 24067—2024 优先按质量分配；经济价值分配的影响可在敏感性分析中说明。",
    ),
]


def staged_document(staged: StagedRule) -> dict:
    return json.loads((EXAMPLES / staged.example).read_text(encoding="utf-8"))


def morning(day: date) -> datetime:
    """A time on `day` for records the demo dates back (10:00 in China)."""
    return datetime.combine(day, time(2, 0), tzinfo=UTC)


def create_staged(session: Session, staged: StagedRule, today: date, by) -> Rule | None:
    """The rule of `staged` as its group started it (`days_ago["20"]` days before `today`): from the
    template, then the group's draft; None if it exists. Its revisions are dated on the days they
    were written, as the demo tells it."""
    document = staged_document(staged)
    if session.scalar(select(Rule.id).where(Rule.title == document["title"])) is not None:
        return None
    started = today - timedelta(days=staged.days_ago["20"])
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == staged.working_group))
    author = _user(session, "drafter", by)
    rule = service.create_rule(
        session, product=find_product(session, staged.product), working_group=group, by=author, today=started
    )
    service.save_revision(session, rule, document, message="工作组讨论稿（演示）", based_on=1, by=author)
    date_revisions(session, rule, started)
    return rule


def date_revisions(session: Session, rule: Rule, first: date, *, every: int = 14) -> None:
    """The rule's revisions dated as the demo tells its story: the first on `first`, the next
    `every` days later, and so on (they were all written while loading)."""
    for revision in session.scalars(select(RuleRevision).where(RuleRevision.rule_id == rule.id)):
        revision.created_at = morning(first + timedelta(days=every * (revision.number - 1)))


def add_staged_comment(session: Session, rule: Rule, staged: StagedRule, opened: date, by) -> None:
    """The comment `staged` received ten days into its consultation, disposed of by the secretariat."""
    comment = service.add_comment(
        session, rule, staged.comment, source="demo-staged", by=None, now=morning(opened + timedelta(days=10))
    )
    service.dispose(session, comment, staged.disposition, staged.reason, by=_user(session, "secretariat", by))
