"""Declarations (信息披露) and labels (碳标识) under published rules, with their performance class
(分级管理): an enterprise declares a product's footprint from a calculation of record of its own
trial or from an uploaded PACT ProductFootprint; a certification body verifies or rejects it; a
verified declaration is valid for the rule's terms and may be suspended, reinstated or withdrawn.

Plain functions taking a session, used by the pages, the API and the command line; they never
commit, and each asks `require(by, …)` itself.

Decisions worth knowing:
- A rule may be declared under once it has a Publication (any stage on the portal); the
  declaration keeps the newest published revision, its rule number (the registry standard's number
  when the rule has one, else the rule code) and the revision's performance classes.
- From a calculation: the newest usable calculation of record of a trial of the rule whose
  enterprise is the declaring organisation (permissions.same_enterprise); its value per declared
  unit is the declared value. From a PACT file: `pact_reading.read`; the file's declared unit must
  be the rule's.
- Status "expired" is not stored: a verified declaration whose valid_until is before today.
- Validity: verified date + the rule's terms (DeclarationTerms, default 24 months); surveillance
  dates every surveillance_months after the verified date, before valid_until.
- Withdrawal is final; a rejected declaration goes back to the enterprise, who edits and resubmits.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date

from babel import Locale
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.models import Organisation, OrganisationKind
from workbench.auth.permissions import Action, Role, can, require, same_enterprise
from workbench.catalogue.proposals import add_months
from workbench.db import expect_version, utcnow
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import Conflict, InvalidInput, NotFound, refuse
from workbench.exchange import classes
from workbench.exchange.models import (
    DECLARATION_STATUS_LABELS,
    Declaration,
    DeclarationSource,
    DeclarationStatus,
    DeclarationTerms,
)
from workbench.inputs import long_text_field, text_field
from workbench.messages import N_
from workbench.publishing.models import Publication
from workbench.trials.models import Calculation, Trial

MAX_TEXT = 4000
MAX_PRODUCT = 300
MAX_PACT_BYTES = 512 * 1024  # a ProductFootprint is a few kilobytes; more is not one footprint
DEFAULT_VALIDITY_MONTHS = 24
DEFAULT_SURVEILLANCE_MONTHS = 12
MAX_MONTHS = 120
GEOGRAPHY_KINDS = ("region", "country", "subdivision")
# PACT's regions (UN M49 regions and sub-regions, by name).
REGIONS = (
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
)
# CLDR territories that are not ISO 3166-1 countries (groupings, private use, unknown).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")
EDITABLE = (DeclarationStatus.DRAFT, DeclarationStatus.REJECTED)
PUBLIC = (DeclarationStatus.VERIFIED, DeclarationStatus.SUSPENDED, DeclarationStatus.WITHDRAWN)


def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (CLDR's territories, as Babel ships them)."""
    return frozenset(code for code in Locale("en").territories if _COUNTRY.match(code) and code not in _NOT_COUNTRIES)


# --- reading --------------------------------------------------------------------------------------


def is_expired(declaration: Declaration, today: date) -> bool:
    return (
        declaration.status == DeclarationStatus.VERIFIED
        and declaration.valid_until is not None
        and declaration.valid_until < today
    )


def is_valid(declaration: Declaration, today: date) -> bool:
    return declaration.status == DeclarationStatus.VERIFIED and not is_expired(declaration, today)


def status_key(declaration: Declaration, today: date) -> str:
    """The status as shown: the stored one, or "expired" for a verified one past its validity."""
    return "expired" if is_expired(declaration, today) else declaration.status.value


def status_label(declaration: Declaration, today: date) -> str:
    return _("已过期") if is_expired(declaration, today) else str(DECLARATION_STATUS_LABELS[declaration.status])


def get(session: Session, declaration_id: int, *, by) -> Declaration:
    declaration = session.get(Declaration, declaration_id)
    if declaration is None:
        raise NotFound(_("没有这项声明。"))
    require(by, Action.VIEW_DECLARATION, declaration)
    return declaration


def by_public_id(session: Session, public_id: str, *, by) -> Declaration:
    """The declaration behind a public page: readable by anyone once verified (then suspended or
    withdrawn too); a draft's address answers "not found" to whoever may not read it."""
    declaration = None
    if public_id.isascii() and 0 < len(public_id) <= 32:
        declaration = session.scalar(select(Declaration).where(Declaration.public_id == public_id))
    if declaration is None or not can(by, Action.VIEW_DECLARATION, declaration):
        raise NotFound(_("没有这项声明，或它尚未通过核查。"))
    return declaration


def visible(session: Session, user, *, rule_id: int | None = None, status: str | None = None):
    """A select of the declarations `user` may list, newest first: the public ones (verified,
    suspended, withdrawn) for everyone; an enterprise's own of every status; a certifier's queue
    (those naming its body); all for the administrators and the secretariat."""
    query = select(Declaration)
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    organisation_id = getattr(user, "organisation_id", None)
    public = Declaration.status.in_(PUBLIC)
    if role in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        pass
    elif role == Role.CERTIFIER and organisation_id is not None:
        query = query.where(public | (Declaration.certification_body_id == organisation_id))
    elif can(user, Action.DECLARE) and organisation_id is not None:
        query = query.where(public | (Declaration.organisation_id == organisation_id))
    else:
        query = query.where(public)
    if rule_id is not None:
        query = query.where(Declaration.rule_id == rule_id)
    if status in {member.value for member in DeclarationStatus}:
        query = query.where(Declaration.status == DeclarationStatus(status))
    return query.order_by(Declaration.id.desc())


def valid_declarations(session: Session, rule_id: int, today: date) -> list[Declaration]:
    """The declarations under the rule that are verified and within their validity today."""
    return list(
        session.scalars(
            select(Declaration)
            .where(
                Declaration.rule_id == rule_id,
                Declaration.status == DeclarationStatus.VERIFIED,
                Declaration.valid_until >= today,
            )
            .order_by(Declaration.value, Declaration.id)
        )
    )


def application_counts(session: Session, rule_ids, today: date) -> dict[int, int]:
    """How many valid declarations each rule has today (rules without any are left out)."""
    rule_ids = list(rule_ids)
    if not rule_ids:
        return {}
    rows = session.execute(
        select(Declaration.rule_id, func.count(Declaration.id))
        .where(
            Declaration.rule_id.in_(rule_ids),
            Declaration.status == DeclarationStatus.VERIFIED,
            Declaration.valid_until >= today,
        )
        .group_by(Declaration.rule_id)
    ).all()
    return {rule_id: count for rule_id, count in rows}


def latest_publication(session: Session, rule_id: int) -> Publication | None:
    return session.scalar(
        select(Publication).where(Publication.rule_id == rule_id).order_by(Publication.id.desc()).limit(1)
    )


def published_rules(session: Session) -> list[Rule]:
    """The rules published on the portal (any stage), by code: those one may declare under."""
    return list(
        session.scalars(
            select(Rule).where(Rule.id.in_(select(Publication.rule_id)), Rule.archived_at.is_(None)).order_by(Rule.code)
        )
    )


def rule_id_by_code(session: Session, code: str) -> int | None:
    if not code.isascii() or len(code) > 40:
        return None
    return session.scalar(select(Rule.id).where(Rule.code == code))


def rule_number(rule: Rule) -> str:
    """The registry standard's number when the rule has one, else the rule code."""
    standard = rule.standard
    return standard.numbers if standard is not None and standard.numbers else rule.code


def parameters_of(revision: RuleRevision) -> dict:
    parameters = revision.parameters
    if parameters is None:
        parameters = (revision.document or {}).get("parameters") or {}
    return parameters if isinstance(parameters, dict) else {}


def declared_unit_of(revision: RuleRevision) -> str:
    """The rule's declared (or functional) unit as a unit text: "t", or "1000 kg" for a quantity."""
    parameters = parameters_of(revision)
    unit = parameters.get("declared_unit") or parameters.get("functional_unit") or {}
    if not isinstance(unit, dict):
        return ""
    text = str(unit.get("unit") or "")
    quantity = unit.get("quantity", 1)
    if isinstance(quantity, int | float) and quantity != 1 and text:
        return f"{quantity:g} {text}"
    return text


def terms_of(session: Session, rule_id: int) -> DeclarationTerms:
    """The rule's terms, or the defaults (not stored) when it has none."""
    return session.get(DeclarationTerms, rule_id) or DeclarationTerms(
        rule_id=rule_id, validity_months=DEFAULT_VALIDITY_MONTHS, surveillance_months=DEFAULT_SURVEILLANCE_MONTHS
    )


def certification_bodies(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CERTIFICATION_BODY)
            .order_by(Organisation.name)
        )
    )


def own_calculations(session: Session, rule: Rule, *, by) -> list[Calculation]:
    """The newest usable calculation of record of each active trial of the rule whose enterprise
    is the user's own: what the user may declare from."""
    if not can(by, Action.DECLARE):
        return []
    newest = (
        select(func.max(Calculation.id))
        .join(Trial, Calculation.trial_id == Trial.id)
        .where(Trial.rule_id == rule.id, Trial.archived_at.is_(None), Calculation.of_record.is_(True))
        .group_by(Calculation.trial_id)
        .scalar_subquery()
    )
    rows = session.scalars(
        select(Calculation).where(Calculation.id.in_(newest), Calculation.usable.is_(True)).order_by(Calculation.id)
    )
    return [row for row in rows if same_enterprise(by, row.trial.enterprise)]


# --- input ----------------------------------------------------------------------------------------


@dataclass
class DeclarationInput:
    product: str = ""
    period_start: date | None = None
    period_end: date | None = None
    geography_kind: str = "country"
    geography: str = "CN"


def geography(kind: str, code: str) -> tuple[str, str]:
    """A PACT geography, checked: a UN M49 region by name, an ISO 3166-1 alpha-2 country, or an
    ISO 3166-2 subdivision such as CN-ZJ."""
    kind = (kind or "").strip()
    code = " ".join((code or "").split())
    if kind not in GEOGRAPHY_KINDS:
        refuse(
            "geography_kind", _("地理范围类型应为 region（地区）、country（国家）或 subdivision（省级行政区）之一。")
        )
    if kind == "region":
        if code not in REGIONS:
            refuse("geography", _("地区应为联合国 M49 地区的英文名称之一，例如 Eastern Asia。"))
        return kind, code
    code = code.upper()
    if kind == "country":
        if code not in countries():
            refuse("geography", _("国家应为 ISO 3166-1 二位字母代码，例如 CN。"))
        return kind, code
    match = _SUBDIVISION.match(code)
    if match is None or match.group(1) not in countries():
        refuse("geography", _("省级行政区应为 ISO 3166-2 代码，例如 CN-ZJ（浙江省）。"))
    return kind, code


def _values(data: DeclarationInput) -> dict:
    product = text_field(data.product, "product", _("产品"), MAX_PRODUCT, required=True)
    if data.period_start is None:
        refuse("period_start", _("请填写数据期间的开始日期。"))
    if data.period_end is None:
        refuse("period_end", _("请填写数据期间的结束日期。"))
    if data.period_end < data.period_start:
        refuse("period_end", _("数据期间的结束日期不能早于开始日期。"))
    kind, code = geography(data.geography_kind, data.geography)
    return {
        "product": product,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "geography_kind": kind,
        "geography": code,
    }


def _published(session: Session, rule: Rule) -> Publication:
    publication = latest_publication(session, rule.id)
    if publication is None:
        refuse("rule_id", _("规则 %(code)s 尚未在门户发布：只能依据已发布的规则声明。", code=rule.code))
    return publication


def _new(session: Session, rule: Rule, values: dict, value: float, *, by, source, **extra) -> Declaration:
    publication = _published(session, rule)
    revision = publication.revision
    unit = declared_unit_of(revision)
    declaration = Declaration(
        public_id=secrets.token_urlsafe(18),
        organisation_id=by.organisation_id,
        rule_id=rule.id,
        revision_id=revision.id,
        rule_number=f"{rule_number(rule)}"[:100],
        declared_unit=unit[:100],
        value=float(value),
        performance_class=classes.class_of(float(value), classes.classes_of(parameters_of(revision))),
        source=source,
        status=DeclarationStatus.DRAFT,
        created_by_id=getattr(by, "id", None),
        created_at=utcnow(),
        **values,
        **extra,
    )
    session.add(declaration)
    session.flush()
    return declaration


def create_from_calculation(
    session: Session, rule: Rule, calculation: Calculation | None, data: DeclarationInput, *, by
) -> Declaration:
    """A draft declaration from a calculation of record of the user's own enterprise's trial."""
    require(by, Action.DECLARE)
    _published(session, rule)
    if calculation is None or calculation.id not in {row.id for row in own_calculations(session, rule, by=by)}:
        refuse(
            "calculation_id",
            _("请选择本企业在规则 %(code)s 下的试算的最新一次按规则计算的结果（可计算的）。", code=rule.code),
        )
    values = _values(data)
    return _new(
        session,
        rule,
        values,
        calculation.cfp_per_unit,
        by=by,
        source=DeclarationSource.CALCULATION,
        calculation_id=calculation.id,
    )


def create_from_pact(session: Session, rule: Rule, document, data: DeclarationInput, *, by) -> Declaration:
    """A draft declaration from an uploaded PACT ProductFootprint (checked by pact_reading.read).
    Fields the form leaves empty are taken from the file."""
    from workbench.exchange import pact_reading  # written beside this module (owner A)

    require(by, Action.DECLARE)
    publication = _published(session, rule)
    if not isinstance(document, dict):
        refuse("file", _("PACT 文件应为一个 ProductFootprint JSON 对象。"))
    footprint = pact_reading.read(document)
    unit = declared_unit_of(publication.revision)
    if unit and footprint.declared_unit != unit:
        refuse(
            "file",
            _(
                "PACT 文件的声明单位是 %(found)s，规则 %(code)s 的声明单位是 %(unit)s：请按规则的声明单位换算后再上传。",
                found=footprint.declared_unit,
                code=rule.code,
                unit=unit,
            ),
        )
    merged = DeclarationInput(
        product=data.product or footprint.product_name,
        period_start=data.period_start or footprint.period_start,
        period_end=data.period_end or footprint.period_end,
        geography_kind=data.geography_kind if data.product else footprint.geography_kind,
        geography=data.geography if data.product else footprint.geography,
    )
    values = _values(merged)
    return _new(
        session, rule, values, footprint.value_per_unit, by=by, source=DeclarationSource.PACT, pact_document=document
    )


def _editable(declaration: Declaration) -> None:
    if declaration.status not in EDITABLE:
        raise Conflict(_("只有草稿或已退回的声明才能修改：已提交的声明由认证机构核查。"))


def update(
    session: Session, declaration: Declaration, data: DeclarationInput, *, by, expected_version: int | None = None
) -> Declaration:
    require(by, Action.DECLARE, declaration)
    _editable(declaration)
    expect_version(declaration, expected_version)
    values = _values(data)
    with change_reason(session, N_("修改声明")):
        for key, value in values.items():
            setattr(declaration, key, value)
        session.flush()
    return declaration


# --- the life of a declaration --------------------------------------------------------------------


def submit(
    session: Session,
    declaration: Declaration,
    body: Organisation | None,
    *,
    by,
    expected_version: int | None = None,
) -> Declaration:
    """To a certification body (an organisation of that kind) for verification."""
    require(by, Action.DECLARE, declaration)
    _editable(declaration)
    expect_version(declaration, expected_version)
    if body is None or body.kind != OrganisationKind.CERTIFICATION_BODY:
        refuse("certification_body_id", _("请选择一家认证机构提交核查。"))
    with change_reason(session, N_("提交核查")):
        declaration.certification_body_id = body.id
        declaration.status = DeclarationStatus.SUBMITTED
        declaration.submitted_at = utcnow()
        declaration.status_reason = ""
        session.flush()
    return declaration


def surveillance_dates(verified_on: date, valid_until: date, months: int) -> list[date]:
    dates = []
    step = 1
    while months > 0:
        day = add_months(verified_on, months * step)
        if day >= valid_until:
            break
        dates.append(day)
        step += 1
    return dates


def verify(
    session: Session,
    declaration: Declaration,
    *,
    certificate_number: str,
    verified_on: date | None,
    scope: str,
    by,
    today: date,
    expected_version: int | None = None,
) -> Declaration:
    """The certification body verifies: the certificate number, date and scope; the validity and
    surveillance dates follow from the rule's terms."""
    require(by, Action.VERIFY_DECLARATION, declaration)
    expect_version(declaration, expected_version)
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise Conflict(_("只有待核查的声明才能核查通过。"))
    number = text_field(certificate_number, "certificate_number", _("证书编号"), 100, required=True)
    scope = long_text_field(scope, "verification_scope", _("核查范围"), MAX_TEXT, required=True)
    if verified_on is None:
        refuse("verified_on", _("请填写核查日期。"))
    if verified_on > today:
        refuse("verified_on", _("核查日期不能晚于今天。"))
    if declaration.submitted_at is not None and verified_on < declaration.submitted_at.date():
        refuse("verified_on", _("核查日期不能早于提交日期 %(day)s。", day=declaration.submitted_at.date().isoformat()))
    terms = terms_of(session, declaration.rule_id)
    valid_until = add_months(verified_on, terms.validity_months)
    with change_reason(session, N_("核查通过")):
        declaration.certificate_number = number
        declaration.verified_on = verified_on
        declaration.verification_scope = scope
        declaration.verified_by_id = getattr(by, "id", None)
        declaration.valid_until = valid_until
        declaration.surveillance_dates = [
            day.isoformat() for day in surveillance_dates(verified_on, valid_until, terms.surveillance_months)
        ]
        declaration.status = DeclarationStatus.VERIFIED
        declaration.status_reason = ""
        session.flush()
    return declaration


def _reason(reason: str, what: str) -> str:
    return long_text_field(reason, "reason", _("理由"), MAX_TEXT, required=True) or what


def reject(session: Session, declaration: Declaration, reason: str, *, by, expected_version: int | None = None):
    """Back to the enterprise with the reasons (required): it edits and submits again."""
    require(by, Action.VERIFY_DECLARATION, declaration)
    expect_version(declaration, expected_version)
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise Conflict(_("只有待核查的声明才能退回。"))
    text = _reason(reason, "")
    with change_reason(session, N_("退回声明")):
        declaration.status = DeclarationStatus.REJECTED
        declaration.status_reason = text
        session.flush()
    return declaration


def suspend(session: Session, declaration: Declaration, reason: str, *, by, expected_version: int | None = None):
    require(by, Action.VERIFY_DECLARATION, declaration)
    expect_version(declaration, expected_version)
    if declaration.status != DeclarationStatus.VERIFIED:
        raise Conflict(_("只有已核查的声明才能暂停。"))
    text = _reason(reason, "")
    with change_reason(session, N_("暂停声明")):
        declaration.status = DeclarationStatus.SUSPENDED
        declaration.status_reason = text
        session.flush()
    return declaration


def reinstate(session: Session, declaration: Declaration, *, by, expected_version: int | None = None):
    """A suspended declaration verified again, with its validity as it was."""
    require(by, Action.VERIFY_DECLARATION, declaration)
    expect_version(declaration, expected_version)
    if declaration.status != DeclarationStatus.SUSPENDED:
        raise Conflict(_("只有已暂停的声明才能恢复。"))
    with change_reason(session, N_("恢复声明")):
        declaration.status = DeclarationStatus.VERIFIED
        declaration.status_reason = ""
        session.flush()
    return declaration


def may_withdraw(user, declaration: Declaration) -> bool:
    return declaration.status != DeclarationStatus.WITHDRAWN and (
        can(user, Action.DECLARE, declaration) or can(user, Action.VERIFY_DECLARATION, declaration)
    )


def withdraw(session: Session, declaration: Declaration, reason: str, *, by, expected_version: int | None = None):
    """By the enterprise or its certification body, with a reason; final."""
    if not can(by, Action.DECLARE, declaration):
        require(by, Action.VERIFY_DECLARATION, declaration)
    expect_version(declaration, expected_version)
    if declaration.status == DeclarationStatus.WITHDRAWN:
        raise Conflict(_("这项声明已撤销：撤销是最终的。"))
    text = _reason(reason, "")
    with change_reason(session, N_("撤销声明")):
        declaration.status = DeclarationStatus.WITHDRAWN
        declaration.status_reason = text
        session.flush()
    return declaration


def set_terms(session: Session, rule: Rule, validity_months: int, surveillance_months: int, *, by) -> DeclarationTerms:
    """How long a declaration verified under the rule stays valid, and its surveillance interval;
    declarations already verified keep their dates."""
    require(by, Action.SET_DECLARATION_TERMS, rule)
    if not isinstance(validity_months, int) or not 1 <= validity_months <= MAX_MONTHS:
        refuse("validity_months", _("有效期应为 1 至 %(max)d 个月。", max=MAX_MONTHS))
    if not isinstance(surveillance_months, int) or not 1 <= surveillance_months <= validity_months:
        refuse("surveillance_months", _("监督间隔应为 1 个月至有效期之间。"))
    terms = session.get(DeclarationTerms, rule.id)
    with change_reason(session, N_("设定声明有效期")):
        if terms is None:
            terms = DeclarationTerms(rule=rule)
            session.add(terms)
        terms.validity_months = validity_months
        terms.surveillance_months = surveillance_months
        session.flush()
    return terms


# --- a rule's distribution ------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    rule: Rule
    revision: RuleRevision | None
    unit: str
    values: list[float]
    basis: str  # "declarations" or "trials" (before any valid declaration) or "none"
    benchmark: float | None
    classes: list[dict]
    classes_basis: str
    declarations: list[Declaration]

    def chart(self) -> dict:
        return classes.chart_data(self.values, self.classes, self.benchmark)


def distribution(session: Session, rule: Rule, today: date) -> Distribution:
    """The declared values of the rule's valid declarations with the classes and the benchmark;
    before any exist, the benchmark of the trials' calculations of record of the rule."""
    publication = latest_publication(session, rule.id)
    revision = publication.revision if publication is not None else None
    parameters = parameters_of(revision) if revision is not None else {}
    valid = valid_declarations(session, rule.id, today)
    values = [row.value for row in valid]
    basis = "declarations"
    if not values:
        newest = (
            select(func.max(Calculation.id))
            .join(Trial, Calculation.trial_id == Trial.id)
            .where(Trial.rule_id == rule.id, Trial.archived_at.is_(None), Calculation.of_record.is_(True))
            .group_by(Calculation.trial_id)
            .scalar_subquery()
        )
        values = [
            value
            for value in session.scalars(
                select(Calculation.cfp_per_unit).where(Calculation.id.in_(newest), Calculation.usable.is_(True))
            )
            if value is not None
        ]
        basis = "trials" if values else "none"
    return Distribution(
        rule=rule,
        revision=revision,
        unit=declared_unit_of(revision) if revision is not None else "",
        values=sorted(values),
        basis=basis,
        benchmark=classes.benchmark(values),
        classes=classes.classes_of(parameters),
        classes_basis=classes.basis_of(parameters),
        declarations=valid,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def public_json(declaration: Declaration, *, today: date) -> dict:
    """The machine-readable form of a public declaration (documented on its page and in
    docs): what the page shows, in plain values."""
    return {
        "id": declaration.public_id,
        "url": url_for("declarations.public", public_id=declaration.public_id, _external=True),
        "status": status_key(declaration, today),
        "organisation": declaration.organisation.name,
        "product": declaration.product,
        "rule": {
            "number": declaration.rule_number,
            "code": declaration.rule.code,
            "title": declaration.rule.title,
            "revision": declaration.revision.number,
        },
        "declared_unit": declaration.declared_unit,
        "value": declaration.value,
        "value_unit": "kg CO2e",
        "period": {"start": _iso(declaration.period_start), "end": _iso(declaration.period_end)},
        "geography": {"kind": declaration.geography_kind, "code": declaration.geography},
        "performance_class": declaration.performance_class,
        "source": declaration.source.value,
        "certificate": {
            "number": declaration.certificate_number,
            "body": declaration.certification_body.name if declaration.certification_body else None,
            "verified_on": _iso(declaration.verified_on),
            "scope": declaration.verification_scope,
            "valid_until": _iso(declaration.valid_until),
            "surveillance_dates": list(declaration.surveillance_dates or []),
        },
        "status_reason": declaration.status_reason,
    }


def refuse_pact_size(size: int) -> None:
    if size > MAX_PACT_BYTES:
        raise InvalidInput(
            _(
                "PACT 文件不能超过 %(kb)d KB：一个 ProductFootprint 只有几 KB，请上传单个产品的文件。",
                kb=MAX_PACT_BYTES // 1024,
            ),
            details={"file": _("文件过大。")},
        )
