"""Importing a rule document (`workbench rules import`): a file from another tool, a rule exported
from this workbench, or a published standard encoded as a rule (GB/T 44905-2024 电解铝).

Like every service it takes the acting user (`by`), asks `require` itself (through the services it
calls) and never commits.

Decisions worth knowing:
- A published file's `publication` block (or the `source_publication` an earlier import kept) is
  kept as `source_publication`, public facts only: number, stage and its label, level, dates,
  issuers. The workbench's own ids (rule code, revision id, checksum) describe the other copy, not
  this rule, and are dropped.
- A file that is a published standard (a number and a published stage, 60 or 90) becomes a rule
  at stage 60 attached to the registry's record of that number (found by number, any spelling);
  the record gets the number, dates and issuers it lacks (what it holds already is never
  overwritten) and is published. Its cover then prints as the standard's: the cover facts come
  from the registry entry (workbench.publishing.service.meta_for). The move is recorded as a stage
  event "导入已发布的标准", with no gates: the standard was approved elsewhere.
- A second national project is never made silently: when the product has a national standard or
  project already (other than a planned project a new rule takes over, or the record of the very
  standard being imported), the import stops with `NationalExists` naming them. The decision is
  the caller's: `as_revision_of` a rule, or `new_project`.
- A standard number registered for another product is refused, for a new rule and for a
  revision of an existing one alike (`as_revision_of`: the rule's product is the one compared):
  the file and the registry disagree, and a person has to say which is right.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.models import actor_of
from workbench.db import utcnow
from workbench.drafting import service, stages
from workbench.drafting.models import Rule, RuleRevision, StageEvent
from workbench.errors import InvalidInput, refuse
from workbench.i18n import say
from workbench.messages import N_
from workbench.registry import numbers
from workbench.registry import service as registry
from workbench.registry.models import Level, Standard, StandardNumber, Status

SOURCE_KEY = "source_publication"
KEPT = ("standard_number", "stage", "stage_label", "level", "draft_date", "published_on", "implemented_on", "issuers")
IMPORTED = N_("导入已发布的标准")


@dataclass
class Imported:
    rule: Rule
    revision: RuleRevision
    created: bool  # a new rule (False: a revision of an existing one)
    published: bool  # imported as a published standard (stage 60)


def split_publication(document: dict) -> dict:
    """The document as a draft: its `publication` block (a published file's) kept as
    `source_publication` with the public facts only; a `source_publication` already there stays."""
    if not isinstance(document, dict):
        return document
    block = document.get("publication") if isinstance(document.get("publication"), dict) else None
    result = {key: value for key, value in document.items() if key != "publication"}
    if block is not None and SOURCE_KEY not in result:
        kept = {key: block[key] for key in KEPT if block.get(key) not in (None, "", [])}
        if kept:
            result[SOURCE_KEY] = kept
    return result


def published_number(source: dict | None) -> str | None:
    """The standard number of a published standard's facts, or None for a draft's."""
    if not isinstance(source, dict):
        return None
    number = (source.get("standard_number") or "").strip()
    stage = source.get("stage")
    if not number or (stage is not None and not stages.STAGES.get(stage, stages.STAGES[stages.DRAFTING]).published):
        return None
    return number


def _date(source: dict, key: str) -> date | None:
    value = source.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        refuse(f"/{SOURCE_KEY}/{key}", _("%(key)s 应为日期（如 2024-11-28）。", key=key))


def registered(session: Session, number: str) -> Standard | None:
    """The registry's record of `number`, however it is spelt (GB/T 44905-2024, GB/T 44905—2024)."""
    try:
        key = numbers.parse(number).key
    except numbers.InvalidNumber as error:
        raise InvalidInput(
            _("%(number)s 不是有效的标准编号：%(reason)s", number=number, reason=str(error)),
            details={SOURCE_KEY: number},
        ) from None
    return session.scalar(select(Standard).join(StandardNumber).where(StandardNumber.key == key))


def import_rule(
    session: Session,
    document: dict,
    *,
    by,
    today: date,
    message: str = "",
    as_revision_of: Rule | None = None,
    new_project: bool = False,
) -> Imported:
    """Import `document`: as the next revision of `as_revision_of`, or as a new rule (see the
    module's decisions for the registry and the publication block). Refusals: NationalExists
    (a decision is needed), InvalidInput, and whatever saving a revision refuses."""
    document = split_publication(document)
    message = message or N_("导入")
    if as_revision_of is not None:
        number = published_number(document.get(SOURCE_KEY))
        standard = registered(session, number) if number else None
        if standard is not None:
            _require_same_product(standard, number, as_revision_of.product)
        saved = service.save_revision(
            session, as_revision_of, document, message=message, based_on=as_revision_of.current_revision, by=by
        )
        return Imported(as_revision_of, saved, created=False, published=False)
    problems = service.validate(document.get("template"), document)
    if problems:
        raise InvalidInput(
            f"{problems[0].path or '/'}: {say(problems[0].sentence)}",
            details={"problems": [{"path": problem.path} for problem in problems]},
        )
    product = registry.find_product(session, document["product"]["name"])
    if product is None:
        refuse("product", _("产品目录中没有“%(name)s”。", name=document["product"]["name"]))
    source = document.get(SOURCE_KEY)
    number = published_number(source)
    standard = registered(session, number) if number else None
    if standard is not None:
        if standard.level != Level.NATIONAL:
            refuse(SOURCE_KEY, _("%(number)s 在标准体系中登记的不是国家标准：规则起草为国家标准。", number=number))
        _require_same_product(standard, number, product)
        drafted = [(entry, rule) for entry, rule in service.national_entries(session, product) if entry is standard]
        if any(rule is not None for _entry, rule in drafted):
            raise service.national_exists(product, drafted)
    elif number and not new_project:
        entries = service.national_entries(session, product)
        if entries:  # not even a planned project is taken over by a standard published elsewhere
            raise service.national_exists(product, entries)
    rule = service.create_rule(
        session,
        product=product,
        by=by,
        today=today,
        standard=standard,
        new_project=new_project or (number is not None and standard is None),
    )
    saved = service.save_revision(session, rule, document, message=message, based_on=rule.current_revision, by=by)
    if number:
        _publish_imported(session, rule, source, number, by=by, today=today)
    return Imported(rule, saved, created=True, published=bool(number))


def _require_same_product(standard: Standard, number: str, product) -> None:
    if standard.product_id != product.id:
        refuse(
            SOURCE_KEY,
            _(
                "%(number)s 在标准体系中登记为“%(other)s”的标准，而文件的产品是“%(product)s”：请先核对。",
                number=number,
                other=standard.product.name if standard.product else "—",
                product=product.name,
            ),
        )


def _publish_imported(session: Session, rule: Rule, source: dict, number: str, *, by, today: date) -> None:
    """The rule of an imported published standard: its registry record published with the number,
    dates and issuers it lacked, and the rule at stage 60 from its publication date."""
    standard = rule.standard
    published_on = standard.published_on or _date(source, "published_on")
    implemented_on = standard.implemented_on or _date(source, "implemented_on")
    issuers = [issuer for issuer in source.get("issuers") or [] if isinstance(issuer, str) and issuer.strip()]
    registry.update_standard(
        session,
        standard,
        registry.StandardInput(
            level=standard.level,
            numbers=standard.numbers or number,
            title=standard.title,
            title_en=standard.title_en,
            status=Status.PUBLISHED if standard.status != Status.UNDER_REVISION else standard.status,
            product=standard.product,
            committee=standard.committee,
            issuer=standard.issuer or " ".join("".join(issuer.split()) for issuer in issuers),
            published_on=published_on,
            implemented_on=implemented_on,
            note=standard.note,
        ),
        by=by,
        reason=IMPORTED,
        on=today,
    )
    actor = actor_of(by)
    session.add(
        StageEvent(
            rule_id=rule.id,
            from_stage=rule.stage,
            to_stage=stages.PUBLICATION,
            revision=rule.current_revision,
            actor_id=actor.user_id,
            actor_label=actor.label,
            occurred_at=utcnow(),
            note=f"{IMPORTED} {standard.numbers}",
            gates=[],
        )
    )
    with change_reason(session, IMPORTED):
        rule.stage = stages.PUBLICATION
        rule.stage_entered_on = published_on or today
        rule.published_on = published_on or today
