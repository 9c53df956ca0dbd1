"""Operations on rules: create from the template, save revisions, check, suppress findings,
take and dispose of consultation comments, compare revisions, export.

Plain functions taking a session, used by the pages, the CLI and the tests alike; they never
commit. Each operation that changes something takes the acting user (`by`) and asks
`require(by, …)` itself. The template, the checks and the stage rules are pure modules; this one
feeds them. Moving a rule through its stages needs trials and publications too: that is
workbench.workflow, above this package.
"""

import contextlib
import difflib
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from workbench import json_input, markdown, throttle
from workbench.audit import change_reason
from workbench.auth.models import actor_of
from workbench.auth.permissions import NO_WORKING_GROUP, Action, require
from workbench.dates import today
from workbench.db import utcnow
from workbench.drafting import checks, stages
from workbench.drafting import template as templates
from workbench.drafting.models import (
    CommentKind,
    ConsultationComment,
    Disposition,
    FindingSuppression,
    Rule,
    RuleRevision,
    StageEvent,
)
from workbench.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, WorkbenchError, refuse
from workbench.guideline import Finding
from workbench.guideline.findings import counts as count_findings
from workbench.i18n import say
from workbench.messages import N_, Message
from workbench.registry import numbers
from workbench.registry import service as registry
from workbench.registry.models import Level, Product, Standard, StandardNumber, Status
from workbench.schema_errors import Problem
from workbench.spreadsheet import CONTROL_CHARACTERS, safe_text

MAX_COMMENT_LENGTH = 4000
COMMENTS_PER_HOUR = 10  # from one address: enough for a real reviewer, too few for a flood


class StaleRevision(Conflict):
    """Someone saved a newer revision since this author opened the rule."""

    code = "stale_revision"


# --- rules and revisions --------------------------------------------------------------------------


def _next_code(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(Rule)) or 0
    while True:
        count += 1
        code = f"CFP-R-{count:04d}"
        if session.scalar(select(Rule.id).where(Rule.code == code)) is None:
            return code


def get_rule(session: Session, rule_id: int) -> Rule:
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(_("没有这项规则。"))
    return rule


def create_rule(session: Session, *, product: Product, working_group=None, by, today: date) -> Rule:
    """A new rule for `product` from the template: title from the pattern, boundary proposed from
    the product's end use, and a national standard project at stage 20 in the registry (refused
    there if the level rules forbid it). A drafter creates rules for their own working groups."""
    require(by, Action.CREATE_RULE, working_group or NO_WORKING_GROUP)  # drafters: their own groups
    if product.is_archived:
        refuse("product", _("“%(name)s”已归档，不能再选用。", name=product.name))
    template = templates.load()
    document = template.new_document(
        product_name=product.name,
        end_use=product.end_use.value,
        classification_code=product.classification_code,
        product_name_en=product.name_en or "",
    )
    standard = _registry_project(session, product, document["title"], today, by)
    rule = Rule(
        code=_next_code(session),
        title=document["title"],
        template=template.ref,
        product=product,
        working_group=working_group,
        standard=standard,
        stage=stages.DRAFTING,
        stage_entered_on=today,
    )
    session.add(rule)
    session.flush()
    _write_revision(session, rule, document, message=N_("由模板创建"), based_on=None, by=by)
    return rule


def _registry_project(session: Session, product: Product, title: str, today: date, by) -> Standard:
    """The national project this rule is drafted as: one the registry already lists for the
    product (planned or in preparation, not yet drafted here), now at the drafting stage; or a
    new one, refused there if the level rules forbid it."""
    drafted = select(Rule.standard_id).where(Rule.standard_id.is_not(None))
    existing = session.scalar(
        select(Standard)
        .where(
            Standard.product_id == product.id,
            Standard.level == Level.NATIONAL,
            Standard.status.in_([Status.PLANNED, Status.DRAFTING]),
            Standard.archived_at.is_(None),
            Standard.id.not_in(drafted),
        )
        .order_by(Standard.id)
    )
    if existing is not None:
        with change_reason(session, N_("起草组开始起草")):
            existing.status = Status.DRAFTING
        return existing
    return registry.register_rule_project(
        session,
        registry.StandardInput(
            level=Level.NATIONAL,
            title=title,
            status=Status.DRAFTING,
            product=product,
            committee="SAC/TC548",
            note=N_("由规则起草工作台创建"),
        ),
        by=by,
        on=today,
    )


def revision(session: Session, rule: Rule, number: int | None = None) -> RuleRevision:
    number = rule.current_revision if number is None else number
    found = session.scalar(select(RuleRevision).where(RuleRevision.rule_id == rule.id, RuleRevision.number == number))
    if found is None:
        raise WorkbenchError(_("规则 %(code)s 没有第 %(number)d 版修订。", code=rule.code, number=number))
    return found


def latest_counts(session: Session, rule_ids: list[int]) -> dict[int, RuleRevision]:
    """Each rule's current revision (its error and warning counts as saved), for lists."""
    if not rule_ids:
        return {}
    rows = session.scalars(
        select(RuleRevision)
        .options(defer(RuleRevision.document))
        .join(Rule, (Rule.id == RuleRevision.rule_id) & (Rule.current_revision == RuleRevision.number))
        .where(Rule.id.in_(rule_ids))
    )
    return {revision.rule_id: revision for revision in rows}


def reference_status(session: Session, document: dict) -> Callable[[str], str | None]:
    """The registry's status of each standard the document references (by number key), read in
    one query for all of them, for the checks."""
    keys = set()
    references = document.get("normative_references") if isinstance(document, dict) else None
    for reference in references if isinstance(references, list) else []:
        number = reference.get("number") if isinstance(reference, dict) else None
        if isinstance(number, str):
            with contextlib.suppress(numbers.InvalidNumber):  # the checks report a bad number
                keys.add(numbers.parse(number).key)
    statuses: dict[str, str] = {}
    if keys:
        on = today()
        rows = session.execute(
            select(StandardNumber.key, Standard).join(Standard).where(StandardNumber.key.in_(keys))
        ).all()
        statuses = {key: standard.display_status(on) for key, standard in rows}
    return statuses.get


def findings(session: Session, rule: Rule, document: dict) -> list[Finding]:
    template = templates.load(rule.template)
    found = checks.check(document, enabled=template.checks, reference_status=reference_status(session, document))
    # A suppression holds for the finding it was made for: same code, place and message. When
    # clauses move, another finding at the same index is not silently suppressed with it.
    messages = {(finding.code, finding.path): finding.message for finding in found}
    suppressions = session.execute(
        select(
            FindingSuppression.code, FindingSuppression.path, FindingSuppression.reason, FindingSuppression.message
        ).where(FindingSuppression.rule_id == rule.id)
    ).all()
    matching = [
        (code, path, reason) for code, path, reason, message in suppressions if messages.get((code, path)) == message
    ]
    return checks.apply_suppressions(found, matching)


def _write_revision(session, rule, document, *, message, based_on, by) -> RuleRevision:
    counts = count_findings(findings(session, rule, document))
    author = actor_of(by)
    rule.current_revision += 1
    saved = RuleRevision(
        rule=rule,
        number=rule.current_revision,
        based_on=based_on,
        document=document,
        message=(message or "").strip()[:500],
        author_id=author.user_id,
        author_label=author.label,
        created_at=utcnow(),
        errors=counts["errors"],
        warnings=counts["warnings"],
    )
    session.add(saved)
    session.flush()
    return saved


def validate(rule_or_ref, document) -> list[Problem]:
    ref = rule_or_ref.template if isinstance(rule_or_ref, Rule) else rule_or_ref
    if not isinstance(document, dict):
        return [Problem("", Message(N_("规则文件须是一个 JSON 对象。")))]
    if _depth(document) > MAX_DEPTH:
        return [Problem("", Message(N_("规则文件嵌套超过 %(max)d 层，不是规则文件。"), {"max": MAX_DEPTH}))]
    try:
        return templates.load(ref or templates.DEFAULT_TEMPLATE).validate(document)
    except templates.TemplateError as error:
        return [Problem("/template", Message(N_("%(reason)s"), {"reason": str(error)}))]


def _refuse_constant(name: str):
    raise ValueError(_("JSON 中不能有 %(name)s：请填写有限的数值。", name=name))


def parse_json(text: str):
    """A rule document from JSON text; ValueError with a sentence naming the line and column."""
    try:
        return json_input.loads(text, parse_constant=_refuse_constant)
    except json_input.NestedTooDeeply:
        raise ValueError(_("JSON 嵌套过深，不是规则文件。")) from None
    except json.JSONDecodeError as error:
        raise ValueError(
            _(
                "不是有效的 JSON：第 %(line)d 行第 %(column)d 列，%(reason)s",
                line=error.lineno,
                column=error.colno,
                reason=error.msg,
            )
        ) from None
    except RecursionError:
        raise ValueError(_("JSON 嵌套过深，不是规则文件。")) from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise ValueError(_("JSON 中的数值无法读取：%(reason)s", reason=str(error)[:200])) from None


MAX_DEPTH = 32  # rule documents are a few levels deep; deeper input is refused before any walk


def _depth(value, limit: int = MAX_DEPTH) -> int:
    stack, deepest = [(value, 1)], 1
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


# A clause whose HTML would be far longer than its text (workbench.markdown.MAX_EXPANSION): an
# input limit like the clause length, refused on saving and previewing, not a guideline finding.
TOO_EXPANDED = N_(
    "条款正文转换为网页后过长（超过原文的 20 倍），通常是一个很长的链接地址被引用式链接（如 [a]）反复使用："
    "请缩短链接地址，或减少引用次数。"
)


def _rule_problems(rule: Rule, document: dict) -> list[Problem]:
    """What the schema cannot know: the rule's product is the catalogue's, the title fits, and
    no clause's text renders to HTML far longer than itself."""
    problems = []
    if document["product"]["name"] not in rule.product.names:
        problems.append(
            Problem(
                "/product/name",
                Message(
                    N_("本规则的产品是“%(product)s”（可用其名称或别名），不能改为其他产品。"),
                    {"product": rule.product.name},
                ),
            )
        )
    if len(document["title"]) > 300:
        problems.append(Problem("/title", Message(N_("标准名称不能超过 300 个字符。"))))
    for index, clause in enumerate(document.get("clauses", [])):
        if markdown.expands_too_far(clause.get("text") or ""):
            problems.append(Problem(f"/clauses/{index}/text", Message(TOO_EXPANDED)))
    return problems


def save_revision(session: Session, rule: Rule, document: dict, *, message: str, based_on: int, by) -> RuleRevision:
    """Save the whole document as the next revision. Refused when someone saved another revision
    after `based_on` (the caller keeps the author's text to merge), or when the document does not
    fit the template's schema (the problems name their JSON paths)."""
    require(by, Action.EDIT_RULE, rule)
    if rule.is_archived:
        raise Conflict(_("规则“%(code)s”已归档，不能再修改。", code=rule.code))
    if based_on != rule.current_revision:
        newer = revision(session, rule)
        raise StaleRevision(
            _(
                "您打开的是第 %(based)d 版，之后 %(author)s 已保存了第 %(current)d 版。您的内容没有保存，仍保留在下方："
                "请对照最新版合并后再保存。",
                based=based_on,
                author=newer.author_label,
                current=rule.current_revision,
            ),
            details={"current_revision": rule.current_revision},
        )
    # A published file's "publication" block describes that publication, not a draft.
    document = {key: value for key, value in document.items() if key != "publication"}
    problems = validate(rule, document) or _rule_problems(rule, document)
    if problems:
        raise InvalidInput(
            _("内容不符合模板：%(path)s %(message)s", path=problems[0].path or "/", message=say(problems[0].sentence)),
            details={"problems": [{"path": problem.path, "message": say(problem.sentence)} for problem in problems]},
        )
    if not stages.STAGES[rule.stage].editable:
        raise Conflict(_("已出版的规则不能直接修改：请先进入复审并转入修订（起草）阶段。"))
    if rule.current_revision:
        document = templates.load(rule.template).follow_parameters(revision(session, rule).document, document)
    saved = _write_revision(session, rule, document, message=message, based_on=based_on, by=by)
    if document["title"] != rule.title:
        with change_reason(session, N_("规则名称随修订更新")):
            rule.title = document["title"]
            if rule.standard is not None:
                rule.standard.title = document["title"]
    return saved


def suppress(session: Session, rule: Rule, *, code: str, path: str, reason: str, by) -> FindingSuppression:
    require(by, Action.EDIT_RULE, rule)
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        refuse("reason", _("请写明忽略的理由（至少 4 个字），它会记入审计日志并显示在检查结果旁。"))
    if len(reason) > 1000:
        refuse("reason", _("理由不能超过 1000 个字符。"))
    current = findings(session, rule, revision(session, rule).document)
    target = next((finding for finding in current if finding.code == code and finding.path == path), None)
    if target is None:
        refuse("code", _("当前修订没有这项检查结果，无需忽略。"))
    exists = session.scalar(
        select(FindingSuppression).where(
            FindingSuppression.rule_id == rule.id, FindingSuppression.code == code, FindingSuppression.path == path
        )
    )
    if exists is not None:
        raise Conflict(_("这项检查结果已被忽略。"))
    suppression = FindingSuppression(
        rule=rule,
        code=code,
        path=path,
        message=target.message,
        reason=reason,
        created_by_id=by.id,
        created_at=utcnow(),
    )
    session.add(suppression)
    session.flush()
    return suppression


def unsuppress(session: Session, suppression: FindingSuppression, *, by) -> None:
    require(by, Action.EDIT_RULE, suppression.rule)
    session.delete(suppression)
    session.flush()


# --- stages ---------------------------------------------------------------------------------------


def set_number(session: Session, rule: Rule, number: str, *, by, today: date) -> None:
    """Give the rule's registry entry its standard number on publication (50 → 60)."""
    parsed = registry.parse_numbers(number, Level.NATIONAL, field_name="number")
    standard = rule.standard
    data = registry.StandardInput(
        level=standard.level,
        numbers="；".join(item.canonical for item in parsed),
        title=standard.title,
        status=Status.PUBLISHED,
        product=standard.product,
        committee=standard.committee,
        issuer=standard.issuer or N_("国家市场监督管理总局 国家标准化管理委员会"),
        published_on=today,
        note=standard.note,
    )
    registry.update_standard(session, standard, data, by=by, reason=N_("规则出版"), on=today)


def stage_events(session: Session, rule: Rule) -> list[StageEvent]:
    return session.scalars(select(StageEvent).where(StageEvent.rule_id == rule.id).order_by(StageEvent.id)).all()


def consultation_revision(session: Session, rule: Rule) -> RuleRevision:
    """The consultation draft: the revision the rule had when it went out for comments. Drafters
    may go on working; the public and the comments refer to the text that was published."""
    number = session.scalar(
        select(StageEvent.revision)
        .where(StageEvent.rule_id == rule.id, StageEvent.to_stage == stages.CONSULTATION)
        .order_by(StageEvent.id.desc())
        .limit(1)
    )
    return revision(session, rule, number)


# --- consultation ---------------------------------------------------------------------------------


@dataclass
class CommentInput:
    name: str
    organisation: str
    clause: str
    kind: str
    comment: str
    proposed_change: str = ""


def source_of(address: str, secret: str) -> str:
    """A keyed hash of the commenter's address: enough to limit floods, not to identify anyone."""
    return hashlib.sha256(f"{secret}:{address}".encode()).hexdigest()


def add_comment(
    session: Session, rule: Rule, data: CommentInput, *, source: str, by, now: datetime
) -> ConsultationComment:
    """A comment on the consultation draft, from anyone (`by` may be a visitor)."""
    require(by, Action.COMMENT_ON_RULE, rule)
    if not stages.STAGES[rule.stage].public_draft:
        raise Conflict(_("该规则目前不在征求意见阶段，不能提交意见。"))
    # Counted atomically before anything is stored (workbench.throttle): parallel posts from one
    # address cannot all see room for one more.
    outcome = throttle.hit(throttle.limit(f"{COMMENTS_PER_HOUR} per hour"), "comment", source)
    if not outcome.allowed:
        raise TooManyAttempts(
            _(
                "一小时内最多提交 %(count)d 条意见，请于 %(when)s 之后再提交；较长的意见可合并在一条中。",
                count=COMMENTS_PER_HOUR,
                when=format_datetime(outcome.resets_at, "short"),
            ),
            retry_at=outcome.resets_at,
        )
    data = CommentInput(**{key: (value or "").translate(CONTROL_CHARACTERS) for key, value in vars(data).items()})
    name = " ".join((data.name or "").split())
    if not name:
        refuse("name", _("请填写姓名。"))
    text = (data.comment or "").strip()
    if not text:
        refuse("comment", _("请填写意见。"))
    for field_name, value, limit in (
        ("name", name, 100),
        ("organisation", data.organisation, 200),
        ("clause", data.clause, 100),
        ("comment", text, MAX_COMMENT_LENGTH),
        ("proposed_change", data.proposed_change, MAX_COMMENT_LENGTH),
    ):
        if len(value or "") > limit:
            refuse(field_name, _("不能超过 %(max)d 个字符。", max=limit))
    try:
        kind = CommentKind(data.kind)
    except ValueError:
        refuse("kind", _("请选择意见类型：一般、技术或编辑。"))
    comment = ConsultationComment(
        rule=rule,
        revision=consultation_revision(session, rule).number,
        author_id=by.id if by is not None and by.is_authenticated else None,
        name=name,
        organisation=" ".join((data.organisation or "").split()),
        clause=" ".join((data.clause or "").split()),
        kind=kind,
        comment=text,
        proposed_change=(data.proposed_change or "").strip(),
        submitted_at=now,
        source=source,
    )
    session.add(comment)
    session.flush()
    return comment


def comments_of(session: Session, rule_id: int) -> list[ConsultationComment]:
    return session.scalars(
        select(ConsultationComment).where(ConsultationComment.rule_id == rule_id).order_by(ConsultationComment.id)
    ).all()


def dispose(
    session: Session, comment: ConsultationComment, disposition: str, reason: str, *, by
) -> ConsultationComment:
    require(by, Action.EDIT_RULE, comment.rule)
    try:
        chosen = Disposition(disposition)
    except ValueError:
        refuse("disposition", _("请选择处理意见：采纳、部分采纳或未采纳。"))
    reason = (reason or "").strip()
    if chosen != Disposition.ACCEPTED and not reason:
        refuse("reason", _("部分采纳或未采纳的意见须写明理由。"))
    if len(reason) > MAX_COMMENT_LENGTH:
        refuse("reason", _("不能超过 %(max)d 个字符。", max=MAX_COMMENT_LENGTH))
    comment.disposition = chosen
    comment.disposition_reason = reason
    session.flush()
    return comment


def comments_table_xlsx(rule: Rule, comments: list[ConsultationComment]) -> bytes:
    """征求意见汇总处理表 as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from workbench.drafting.models import COMMENT_KIND_LABELS, DISPOSITION_LABELS

    book = Workbook()
    sheet = book.active
    sheet.title = _("征求意见汇总处理表")[:31]
    sheet.append([_("《%(title)s》征求意见汇总处理表", title=rule.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        _("序号"),
        _("章条编号"),
        _("意见类型"),
        _("意见内容"),
        _("修改建议"),
        _("提出单位"),
        _("提出人"),
        _("处理意见"),
        _("理由"),
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, comment in enumerate(comments, start=1):
        values = [
            comment.clause,
            str(COMMENT_KIND_LABELS[comment.kind]),
            comment.comment,
            comment.proposed_change,
            comment.organisation,
            comment.name,
            str(DISPOSITION_LABELS[comment.disposition]) if comment.disposition else _("未处理"),
            comment.disposition_reason,
        ]
        sheet.append([index, *(safe_text(value) for value in values)])
    for column, width in zip("ABCDEFGHI", (6, 10, 8, 50, 40, 20, 10, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- comparing revisions --------------------------------------------------------------------------


def flatten(value, prefix: str = "") -> dict[str, object]:
    """JSON pointer → scalar (lists of scalars stay whole, as they read as one value)."""
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}/{key}"))
        return flat
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}/{index}"))
        return flat
    return {prefix: value}


@dataclass
class ClauseDiff:
    id: str
    title: str
    change: str  # "added", "removed", "changed", "same"
    segments: list[tuple[str, str]]  # (operation, text): "equal", "insert", "delete"


CHARACTER_DIFF_LIMIT = 4000  # characters compared one by one; character diffs are quadratic


def _diff(before, after, join) -> list[tuple[str, object, object]]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return [(operation, join(before[a1:a2]), join(after[b1:b2])) for operation, a1, a2, b1, b2 in matcher.get_opcodes()]


def redline(before: str, after: str) -> list[tuple[str, str]]:
    """A redline of clause text: by line first, then by character within changed lines
    (Chinese has no spaces to split words on). Long rewrites stay whole, so any two
    revisions compare quickly however long the clause."""
    segments: list[tuple[str, str]] = []
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


def compare(old: dict, new: dict) -> tuple[list[tuple[str, object, object]], list[ClauseDiff]]:
    """Parameters (and other structured parts) side by side, and each clause as a redline."""
    structured_old = {key: value for key, value in old.items() if key != "clauses"}
    structured_new = {key: value for key, value in new.items() if key != "clauses"}
    flat_old, flat_new = flatten(structured_old), flatten(structured_new)
    rows = [
        (path, flat_old.get(path), flat_new.get(path))
        for path in sorted(set(flat_old) | set(flat_new))
        if flat_old.get(path) != flat_new.get(path)
    ]
    old_clauses = {clause.get("id"): clause for clause in old.get("clauses", [])}
    new_clauses = {clause.get("id"): clause for clause in new.get("clauses", [])}
    diffs = []
    order = [clause.get("id") for clause in new.get("clauses", [])]
    order += [key for key in old_clauses if key not in new_clauses]
    for clause_id in order:
        before, after = old_clauses.get(clause_id), new_clauses.get(clause_id)
        text_before = _clause_text(before)
        text_after = _clause_text(after)
        change = "added" if before is None else "removed" if after is None else "same"
        if change == "same" and text_before != text_after:
            change = "changed"
        diffs.append(
            ClauseDiff(
                id=clause_id,
                title=(after or before).get("title", ""),
                change=change,
                segments=redline(text_before, text_after) if change != "same" else [("equal", text_after)],
            )
        )
    return rows, diffs


def _clause_text(clause: dict | None) -> str:
    if clause is None:
        return ""
    heading = " ".join(part for part in (clause.get("number", ""), clause.get("title", "")) if part)
    return f"{heading}\n{clause.get('text', '')}"
