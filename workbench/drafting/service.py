"""Operations on rules: create from the template, save revisions, check, suppress findings,
take and dispose of consultation comments, compare revisions, export.

Plain functions taking a session, used by the pages, the CLI and the tests alike; they never
commit. Each operation that changes something takes the acting user (`by`) and asks
`require(by, …)` itself. The template, the checks and the stage rules are pure modules; this one
feeds them. Moving a rule through its stages needs trials and publications too: that is
workbench.workflow, above this package.
"""

import contextlib
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, defer

from workbench import json_input, markdown, throttle
from workbench.audit import SYSTEM, change_reason
from workbench.auth.models import actor_of
from workbench.auth.permissions import NO_WORKING_GROUP, Action, require
from workbench.dates import today
from workbench.db import utcnow
from workbench.drafting import checks, comparison, stages
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
from workbench.registry.models import DISPLAY_STATUS_LABELS, Level, Product, Standard, StandardNumber, Status
from workbench.schema_errors import Problem
from workbench.spreadsheet import CONTROL_CHARACTERS, safe_text

MAX_COMMENT_LENGTH = 4000
COMMENTS_PER_HOUR = 10  # from one address: enough for a real reviewer, too few for a flood


APPROVED_STAGE = "10"  # 立项: the rule of an approved proposal starts here (create_rule's `stage`)


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


def create_rule(
    session: Session,
    *,
    product: Product,
    working_group=None,
    by,
    today: date,
    new_project: bool = False,
    standard: Standard | None = None,
    stage: str = stages.DRAFTING,
) -> Rule:
    """A new rule for `product` from the template: title from the pattern, boundary proposed from
    the product's end use, and a national standard project at stage 20 in the registry (refused
    there if the level rules forbid it). A drafter creates rules for their own working groups.

    The project is `standard` when given (a rule imported from that published standard);
    otherwise the product's planned project, taken over; otherwise a new one. A second national
    project is never made silently: when the product already has a national standard or project,
    `NationalExists` names them, and only `new_project=True` registers another one.

    `stage` "10" (立项) makes the rule of an approved proposal (workbench.catalogue.proposals):
    its project stays planned until the secretariat moves the rule on to drafting."""
    require(by, Action.CREATE_RULE, working_group or NO_WORKING_GROUP)  # drafters: their own groups
    if stage not in (APPROVED_STAGE, stages.DRAFTING):
        raise ValueError(f"a rule starts at stage {APPROVED_STAGE} or {stages.DRAFTING}, not {stage}")
    if product.is_archived:
        refuse("product", _("“%(name)s”已归档，不能再选用。", name=product.name))
    template = templates.load()
    document = template.new_document(
        product_name=product.name,
        end_use=product.end_use.value,
        classification_code=product.classification_code,
        product_name_en=product.name_en or "",
    )
    if standard is None:
        standard = _registry_project(
            session,
            product,
            document["title"],
            today,
            by,
            new_project=new_project,
            status=Status(stages.STAGES[stage].registry_status),
        )
    rule = Rule(
        code=_next_code(session),
        title=document["title"],
        template=template.ref,
        product=product,
        working_group=working_group,
        standard=standard,
        stage=stage,
        stage_entered_on=today,
    )
    session.add(rule)
    session.flush()
    _write_revision(session, rule, document, message=N_("由模板创建"), based_on=None, by=by)
    return rule


class NationalExists(Conflict):
    """The product already has a national standard or project: making another one is a decision."""

    code = "national_exists"


# A national standard or project that still counts (not withdrawn, replaced or archived).
ACTIVE_STATUSES = (Status.PLANNED, Status.DRAFTING, Status.CONSULTATION, Status.PUBLISHED, Status.UNDER_REVISION)


def national_entries(session: Session, product: Product) -> list[tuple[Standard, Rule | None]]:
    """The product's national standards and projects that still count, each with the rule drafted
    as it (if any), oldest first."""
    rows = session.execute(
        select(Standard, Rule)
        .outerjoin(Rule, Rule.standard_id == Standard.id)
        .where(
            Standard.product_id == product.id,
            Standard.level == Level.NATIONAL,
            Standard.status.in_(ACTIVE_STATUSES),
            Standard.archived_at.is_(None),
        )
        .order_by(Standard.id, Rule.id)
    ).all()
    return [(standard, rule) for standard, rule in rows]


def national_exists(product: Product, entries: list[tuple[Standard, Rule | None]]) -> NationalExists:
    """The refusal naming the national standards and projects the product has already."""
    names = []
    details = []
    on = today()
    for standard, rule in entries:
        status = str(DISPLAY_STATUS_LABELS.get(standard.display_status(on), standard.status.value))
        name = f"{standard.numbers}《{standard.title}》" if standard.numbers else f"《{standard.title}》"
        names.append(
            _("%(name)s（%(status)s，规则 %(rule)s）", name=name, status=status, rule=rule.code)
            if rule is not None
            else _("%(name)s（%(status)s）", name=name, status=status)
        )
        details.append(
            {
                "standard_id": standard.id,
                "name": name,
                "status": status,
                "rule": rule.code if rule is not None else None,
                "rule_id": rule.id if rule is not None else None,
            }
        )
    return NationalExists(
        _(
            "“%(product)s”已有国家标准或国家标准项目：%(names)s。为免重复立项，没有再建国家标准项目：请决定"
            "是作为已有规则的新修订，还是仍然新建一个国家标准项目（如修订项目）。",
            product=product.name,
            names="；".join(names),
        ),
        details={"national": details},
    )


def _registry_project(
    session: Session,
    product: Product,
    title: str,
    today: date,
    by,
    *,
    new_project: bool = False,
    status: Status = Status.DRAFTING,
) -> Standard:
    """The national project this rule is drafted as: one the registry already lists for the
    product (planned or in preparation, not yet drafted here), now at the drafting stage; or a
    new one, refused there if the level rules forbid it. When the product has any other national
    standard or project, a new one is registered only with `new_project` (else NationalExists)."""
    if not new_project:
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
            if existing.status != status:
                with change_reason(session, N_("起草组开始起草")):
                    existing.status = status
            return existing
        entries = national_entries(session, product)
        if entries:
            raise national_exists(product, entries)
    return registry.register_rule_project(
        session,
        registry.StandardInput(
            level=Level.NATIONAL,
            title=title,
            status=status,
            product=product,
            committee="SAC/TC548",
            note=N_("由规则起草工作台创建"),
        ),
        by=by,
        on=today,
    )


def rule_of_standard(session: Session, standard: Standard) -> Rule | None:
    """The rule drafted as `standard`: the newest one not archived, else the newest; None for a
    standard the workbench did not draft (an imported one)."""
    return session.scalar(
        select(Rule)
        .where(Rule.standard_id == standard.id)
        .order_by(Rule.archived_at.is_not(None), Rule.id.desc())
        .limit(1)
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


@dataclass(frozen=True)
class RegisteredReferences:
    """What the registry knows of the standards a document references, by number key: the
    status (withdrawn, replaced …) and the registered title, for the checks."""

    statuses: dict[str, str]
    titles: dict[str, str]

    def status(self, key: str) -> str | None:
        return self.statuses.get(key)

    def title(self, key: str) -> str | None:
        return self.titles.get(key)


def registered_references(session: Session, document: dict) -> RegisteredReferences:
    """The registry's status and title of each standard the document references, read in one
    query for all of them."""
    keys = set()
    references = document.get("normative_references") if isinstance(document, dict) else None
    for reference in references if isinstance(references, list) else []:
        number = reference.get("number") if isinstance(reference, dict) else None
        if isinstance(number, str):
            with contextlib.suppress(numbers.InvalidNumber):  # the checks report a bad number
                keys.add(numbers.parse(number).key)
    statuses: dict[str, str] = {}
    titles: dict[str, str] = {}
    if keys:
        on = today()
        rows = session.execute(
            select(StandardNumber.key, Standard).join(Standard).where(StandardNumber.key.in_(keys))
        ).all()
        statuses = {key: standard.display_status(on) for key, standard in rows}
        titles = {key: standard.title for key, standard in rows if standard.title}
    return RegisteredReferences(statuses, titles)


def reference_status(session: Session, document: dict) -> Callable[[str], str | None]:
    """The registry's status of each standard the document references (by number key)."""
    return registered_references(session, document).status


def findings(session: Session, rule: Rule, document: dict) -> list[Finding]:
    """The findings on `document` as a revision of `rule`: the template's checks, the registry's
    statuses and titles of its references and the product catalogue's end use of its product,
    with the rule's suppressions applied."""
    template = template_of(rule)
    document = templates.upgrade(document)  # a 1.0 document is checked as 1.1
    registered = registered_references(session, document)
    found = checks.check(
        document,
        enabled=template.checks,
        reference_status=registered.status,
        reference_title=registered.title,
        catalogue_end_use=str(rule.product.end_use) if rule.product is not None else None,
    )
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


def template_of(rule: Rule) -> templates.Template:
    """The template a rule is read, checked and saved with: a rule written against 1.0 as 1.1
    (templates.upgrade); saving it stores the upgraded document and `rule.template` follows."""
    return templates.load(templates.upgraded_ref(rule.template))


def _write_revision(session, rule, document, *, message, based_on, by, author=None) -> RuleRevision:
    counts = count_findings(findings(session, rule, document))
    author = author or actor_of(by)
    rule.current_revision += 1
    saved = RuleRevision(
        rule=rule,
        number=rule.current_revision,
        based_on=based_on,
        document=document,
        parameters=document.get("parameters") if isinstance(document, dict) else None,
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
    try:  # a 1.0 document (or rule) is validated as 1.1, the version a save stores it as
        return templates.load(templates.upgraded_ref(ref or templates.DEFAULT_TEMPLATE)).validate(
            templates.upgrade(document)
        )
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
    fit the template's schema (the problems name their JSON paths).

    A document identical to the current revision (as it would be stored) writes nothing: the
    current revision is returned, and `saved.number == based_on` tells the caller so."""
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
    # A published file's "publication" block describes that publication, not a draft; a 1.0
    # document is stored as 1.1 (templates.upgrade).
    document = templates.upgrade({key: value for key, value in document.items() if key != "publication"})
    problems = validate(rule, document) or _rule_problems(rule, document)
    if problems:
        raise InvalidInput(
            _("内容不符合模板：%(path)s %(message)s", path=problems[0].path or "/", message=say(problems[0].sentence)),
            details={"problems": [{"path": problem.path, "message": say(problem.sentence)} for problem in problems]},
        )
    if not stages.STAGES[rule.stage].editable:
        raise Conflict(_("已出版的规则不能直接修改：请先进入复审并转入修订（起草）阶段。"))
    if rule.current_revision:
        before = templates.upgrade(revision(session, rule).document)
        document = template_of(rule).follow_parameters(before, document)
        if document == _stored_document(session, rule):
            return revision(session, rule)
    saved = _write_revision(session, rule, document, message=message, based_on=based_on, by=by)
    _follow_template(session, rule, document)
    if document["title"] != rule.title:
        with change_reason(session, N_("规则名称随修订更新")):
            rule.title = document["title"]
            if rule.standard is not None:
                rule.standard.title = document["title"]
    return saved


def _follow_template(session: Session, rule: Rule, document: dict) -> None:
    """After a save, the rule names the template version its document was stored as (a 1.0 rule
    saved once is a 1.1 rule from then on)."""
    if rule.template != document["template"]:
        with change_reason(session, N_("规则文件按新版模板保存")):
            rule.template = document["template"]


def template_upgrade(session: Session, rule: Rule) -> tuple[str, str] | None:
    """(from, to): the older template version the rule's current revision is written against and
    the version it is read as, or None when it is on the current version already."""
    stored = revision(session, rule).document.get("template")
    target = templates.upgraded_ref(rule.template)
    if stored == target and rule.template == target:
        return None
    return (stored if isinstance(stored, str) else rule.template), target


def upgrade_template(session: Session, rule: Rule, *, by) -> RuleRevision | None:
    """Make the migration on read permanent (`workbench rules migrate`): the current revision,
    upgraded (templates.upgrade: the template reference changes, nothing else), written as the
    next revision by "system" with the message 模板升级到 1.1, and `rule.template` updated. The
    revision is audited like any save, under whoever runs the command. None when the rule is on
    the current version already, so running it twice writes nothing the second time.

    Refused, as a save is, for an archived rule and for a published one: a published text gets no
    new revision behind the group's back; it is read as 1.1 all the same and is upgraded by the
    first save once it is under revision."""
    require(by, Action.EDIT_RULE, rule)
    change = template_upgrade(session, rule)
    if change is None:
        return None
    if rule.is_archived:
        raise Conflict(_("规则“%(code)s”已归档，不能再修改。", code=rule.code))
    if not stages.STAGES[rule.stage].editable:
        raise Conflict(_("已出版的规则不写入新的修订；它仍按新版模板读取，进入复审并转入修订后第一次保存时升级。"))
    current = revision(session, rule)
    document = templates.upgrade(current.document)
    if document is current.document:  # only the rule's own reference was behind
        _follow_template(session, rule, document)
        return None
    problems = validate(rule, document)
    if problems:
        raise InvalidInput(
            _("内容不符合模板：%(path)s %(message)s", path=problems[0].path or "/", message=say(problems[0].sentence))
        )
    version = templates.parse_ref(change[1])[1]
    saved = _write_revision(
        session,
        rule,
        document,
        message=f"模板升级到 {version}",
        based_on=rule.current_revision,
        by=by,
        author=SYSTEM,
    )
    _follow_template(session, rule, document)
    return saved


@dataclass
class DraftCheck:
    """What the live check of an unsaved document found: the document as a save would store it,
    its findings (suppressions applied) and what keeps it from being saved (schema problems)."""

    document: dict
    findings: list[Finding]
    problems: list[Problem]


def check_draft(session: Session, rule: Rule, document: dict, *, by, current: RuleRevision | None = None) -> DraftCheck:
    """Check `document` as the drafting pages send it while the user types: the same steps as
    `save_revision` up to the write (the publication block dropped, the schema, the clause texts
    following changed parameters), then the findings. Nothing is written, nothing is audited.
    `current` is the current revision when the caller has it loaded already."""
    require(by, Action.EDIT_RULE, rule)
    document = templates.upgrade({key: value for key, value in document.items() if key != "publication"})
    problems = validate(rule, document) or _rule_problems(rule, document)
    stored = (current or revision(session, rule)).document
    before, template = templates.upgrade(stored), template_of(rule)
    if not problems and not _same_except_clauses(before, document):
        # Clause texts follow the parameters on saving (template.follow_parameters): checked as
        # saved, a changed cut-off is not reported against a sentence the save would rewrite.
        # A revision stored as this template version fit its schema when it was saved (template
        # versions never change), and `document` was validated just now: neither again.
        fits = stored.get("template") == template.ref or not template.validate(before)
        if fits:
            document = template.follow_parameters(before, document, validated=True)
    return DraftCheck(document=document, findings=findings(session, rule, document), problems=problems)


def _same_except_clauses(before: dict, after: dict) -> bool:
    """Whether only clauses differ: then no clause follows a parameter (the clause editor's case),
    and the two schema validations of follow_parameters are saved."""
    return before.keys() == after.keys() and all(before[key] == after[key] for key in after if key != "clauses")


def _stored_document(session: Session, rule: Rule) -> dict:
    """The current revision's document as stored, read afresh: a caller may have changed the
    loaded copy in place (a JSON column does not track that), and then compared with itself."""
    return session.scalar(
        select(RuleRevision.document).where(
            RuleRevision.rule_id == rule.id, RuleRevision.number == rule.current_revision
        )
    )


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


def public_revision(session: Session, rule: Rule) -> RuleRevision:
    """The revision a publication at the rule's present stage sends out: while the draft is out for
    consultation, the one that was sent out (the group may go on editing, but the public reads and
    comments on one text for the whole 60 days); at any other stage, the current one."""
    if stages.STAGES[rule.stage].public_draft:
        return consultation_revision(session, rule)
    return revision(session, rule)


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


class StaleConsultationDraft(Conflict):
    """The commenter read a revision that is no longer the consultation draft (it was sent out again)."""

    code = "stale_consultation_draft"


# A comment that arrives again this soon from the same source, word for word, is the same comment
# sent twice (a double click, a page sent again after a slow answer), not a second opinion.
DUPLICATE_COMMENT_WINDOW = timedelta(minutes=10)


class DuplicateComment(Conflict):
    """The same comment from the same source arrived again: it is kept once. `comment` is the one kept."""

    code = "duplicate_comment"

    def __init__(self, message, *, comment):
        super().__init__(message, details={"comment_id": comment.id})
        self.comment = comment


def add_comment(
    session: Session, rule: Rule, data: CommentInput, *, source: str, by, now: datetime, revision: int | None = None
) -> ConsultationComment:
    """A comment on the consultation draft, from anyone (`by` may be a visitor). `revision` is the
    revision the commenter was reading (the pages send it with the form); a comment binds to it,
    and only the revision sent out for consultation takes comments: after the draft is sent out
    again, a comment on the earlier text is refused with the reason (the page keeps its text).
    Without `revision` (a client that does not say), the comment is on the text sent out."""
    require(by, Action.COMMENT_ON_RULE, rule)
    if not stages.STAGES[rule.stage].public_draft:
        raise Conflict(_("该规则目前不在征求意见阶段，不能提交意见。"))
    sent_out = consultation_revision(session, rule).number
    if revision is not None and revision != sent_out:
        raise StaleConsultationDraft(
            _(
                "您阅读的是第 %(read)d 版，而现在征求意见的是 %(date)s 发出的第 %(current)d 版。"
                "您的意见没有提交，仍保留在下方：请阅读下方的征求意见稿，确认意见仍然适用后再提交。",
                read=revision,
                current=sent_out,
                date=rule.consultation_opened_on,
            ),
            details={"consultation_revision": sent_out},
        )
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
    organisation = " ".join((data.organisation or "").split())
    clause = " ".join((data.clause or "").split())
    proposed_change = (data.proposed_change or "").strip()
    # Two copies of one comment posted at once must not both find no copy: the rule's row is held
    # until this transaction ends (PostgreSQL's FOR UPDATE; SQLite takes its one write lock with a
    # write that changes nothing), so the second waits for the first and then finds it.
    _lock_rule(session, rule)
    earlier = session.scalar(
        select(ConsultationComment)
        .where(
            ConsultationComment.rule_id == rule.id,
            ConsultationComment.source == source,
            ConsultationComment.revision == sent_out,
            ConsultationComment.submitted_at >= now - DUPLICATE_COMMENT_WINDOW,
            ConsultationComment.name == name,
            ConsultationComment.clause == clause,
            ConsultationComment.comment == text,
            ConsultationComment.proposed_change == proposed_change,
        )
        .limit(1)
    )
    if earlier is not None:
        raise DuplicateComment(
            _(
                "这条意见已于 %(when)s 收到，没有重复记录，无需再次提交。",
                when=format_datetime(earlier.submitted_at, "short"),
            ),
            comment=earlier,
        )
    comment = ConsultationComment(
        rule=rule,
        revision=sent_out,
        author_id=by.id if by is not None and by.is_authenticated else None,
        name=name,
        organisation=organisation,
        clause=clause,
        kind=kind,
        comment=text,
        proposed_change=proposed_change,
        submitted_at=now,
        source=source,
    )
    session.add(comment)
    session.flush()
    return comment


def _lock_rule(session: Session, rule: Rule) -> None:
    """Hold the rule's row until this transaction ends (see jobs.service._lock_account)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql_text(f"UPDATE {Rule.__tablename__} SET id = id WHERE id = :id"), {"id": rule.id})
    else:
        session.execute(select(Rule.id).where(Rule.id == rule.id).with_for_update())


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


def compare(old: dict, new: dict, *, public: bool = False):
    """Two versions of a rule: the changed fields named and shown in words from the newer
    version's template (workbench.drafting.comparison), and each clause as a redline. `public`
    leaves out what only the workbench needs (checksum, ids, template reference)."""
    ref = new.get("template") or old.get("template") or templates.DEFAULT_TEMPLATE
    try:  # 1.1 only adds to 1.0: its schema names the fields of both
        schema = templates.load(templates.upgraded_ref(ref)).schema
    except templates.TemplateError:  # a version from a template this workbench does not have
        schema = None
    return comparison.compare(old, new, schema, public=public)
