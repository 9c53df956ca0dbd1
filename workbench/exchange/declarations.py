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
- Reading (lists, status as shown, the public JSON, a rule's distribution) is declaration_reading.py.
- Validity: verified date + the rule's terms (DeclarationTerms, default 24 months); surveillance
  dates every surveillance_months after the verified date, before valid_until.
- Withdrawal is final; a rejected declaration goes back to the enterprise, who edits and resubmits.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date

from babel import Locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.models import Organisation, OrganisationKind
from workbench.auth.permissions import Action, can, require, same_enterprise
from workbench.catalogue.proposals import add_months
from workbench.dates import local_zone
from workbench.db import expect_version, utcnow
from workbench.drafting.models import Rule
from workbench.errors import Conflict, InvalidInput, refuse
from workbench.exchange import classes, pact, pact_reading
from workbench.exchange.declaration_reading import (
    declared_unit_of,
    latest_publication,
    own_calculations,
    parameters_of,
    rule_number,
    terms_of,
)
from workbench.exchange.models import (
    Declaration,
    DeclarationSource,
    DeclarationStatus,
    DeclarationTerms,
    FootprintStatus,
    SharedFootprint,
)
from workbench.inputs import long_text_field, text_field
from workbench.messages import N_
from workbench.publishing.models import Publication
from workbench.trials.models import Calculation

MAX_TEXT = 4000
MAX_PRODUCT = 300
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


def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (CLDR's territories, as Babel ships them)."""
    return frozenset(code for code in Locale("en").territories if _COUNTRY.match(code) and code not in _NOT_COUNTRIES)


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
    require(by, Action.DECLARE)
    publication = _published(session, rule)
    if not isinstance(document, dict):
        refuse("file", _("PACT 文件应为一个 ProductFootprint JSON 对象。"))
    footprint = pact_reading.read(document)
    _refuse_other_company(footprint, by)
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
        geography_kind=data.geography_kind if data.geography else footprint.geography_kind,
        geography=data.geography or footprint.geography,
    )
    values = _values(merged)
    return _new(
        session, rule, values, footprint.value_per_unit, by=by, source=DeclarationSource.PACT, pact_document=document
    )


def _refuse_other_company(footprint, by) -> None:
    """A PACT file declares the footprint of the company it names: the declarer's own only. Its
    companyName matches the organisation's name as same_enterprise reads names (spaces and case
    aside), or its companyIds hold the organisation's URN (pact.company_urn)."""
    organisation = getattr(by, "organisation", None)
    name = getattr(organisation, "name", "") or ""
    urn = pact.company_urn(name).casefold()
    if same_enterprise(by, footprint.company_name) or urn in {str(item).casefold() for item in footprint.company_ids}:
        return
    refuse(
        "file",
        _(
            "PACT 文件的企业是“%(found)s”，不是本企业“%(own)s”：只能声明本企业的产品碳足迹。"
            "请上传本企业的 ProductFootprint（companyName 为“%(own)s”，或 companyIds 包含 %(urn)s）；"
            "供应商的碳足迹请在因子库中导入。",
            found=footprint.company_name,
            own=name,
            urn=pact.company_urn(name),
        ),
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
    # The submission's day where the users are (a submission at 01:00 Beijing time is still
    # the previous day in UTC): the day a certifier compares with is the local one.
    submitted_on = (
        declaration.submitted_at.astimezone(local_zone()).date() if declaration.submitted_at is not None else None
    )
    if submitted_on is not None and verified_on < submitted_on:
        refuse("verified_on", _("核查日期不能早于提交日期 %(day)s。", day=submitted_on.isoformat()))
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
        _deprecate_shared(session, declaration)
        session.flush()
    return declaration


def _deprecate_shared(session: Session, declaration: Declaration) -> None:
    """The declaration's footprints shared through PACT become Deprecated with it, so partners stop
    reading "Active". Written on the model directly, not through footprints.deprecate: that asks
    SHARE_FOOTPRINT, which a certifier suspending the declaration does not hold; the operation
    calling this has checked its own permission (VERIFY_DECLARATION, or DECLARE to withdraw).
    Reinstating does not reactivate them: PACT's deprecation is final, the enterprise shares again."""
    now = utcnow()
    rows = session.scalars(
        select(SharedFootprint).where(
            SharedFootprint.declaration_id == declaration.id, SharedFootprint.status != FootprintStatus.DEPRECATED
        )
    )
    for row in rows:
        row.status = FootprintStatus.DEPRECATED
        row.document = {**row.document, "status": FootprintStatus.DEPRECATED.value}
        row.updated_at = now


def reinstate(session: Session, declaration: Declaration, *, by, expected_version: int | None = None):
    """A suspended declaration verified again, with its validity as it was. Its footprints shared
    through PACT stay Deprecated (deprecation is final in PACT): the enterprise shares it again."""
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
        _deprecate_shared(session, declaration)
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


def refuse_pact_size(size: int) -> None:
    """A PACT document sent inside an API body: the same limit as an uploaded file
    (pact_reading.MAX_BYTES), measured on its JSON."""
    if size > pact_reading.MAX_BYTES:
        raise InvalidInput(
            _(
                "PACT 文件不能超过 %(kb)d KB：一个 ProductFootprint 只有几 KB，请上传单个产品的文件。",
                kb=pact_reading.MAX_BYTES // 1024,
            ),
            details={"file": _("文件过大。")},
        )
