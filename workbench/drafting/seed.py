"""Demo rules: 锂离子电池 (a final product, cradle-to-grave) being drafted, and 水泥 (an
intermediate product, cradle-to-gate), each with a few revisions so that comparing them shows
something, and the comments the cement draft receives once it is out for consultation (the move
to consultation is workbench.workflow's, done by workbench.demo)."""

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth.models import User, WorkingGroup
from workbench.drafting import service
from workbench.drafting.models import Rule
from workbench.drafting.template import TEMPLATES_DIR
from workbench.registry.service import find_product

EXAMPLES = TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples"  # the rules are created on 1.1
DATA_PERIOD = "核算前最近连续 12 个月（不足 12 个月的按实际生产期）"

DEMO_RULES = [
    # (example file, product, working group, author username, reviser username)
    ("lithium-ion-battery.json", "锂电池", "WG-LIB", "drafter", "drafter"),
    ("cement.json", "水泥", None, "secretariat", "secretariat"),
]
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
