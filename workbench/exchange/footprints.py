"""PACT footprints of the workbench's records, shared with trading partners, and a supplier's
footprint taken into the factor library.

Plain functions taking a session; they never commit, and each asks `require(by, …)` itself.

Decisions written down here:
- The footprint id is stable: uuid5 of PF_NAMESPACE and "calculation:<id>" (or "declaration:<id>"),
  so a partner who pulls the same calculation twice sees the same id. A calculation never changes,
  so neither does its footprint; a newer calculation of record of the same trial is a new
  footprint, and sharing it deprecates the one shared before (precedingPfIds names it).
- The rule number (`rule_number`, the one the declarations use too) is the rule's registry
  standard's numbers as the registry writes them (all of them, joined) when it has one, else the
  rule's code; PACT's ruleNames lists every number apart (`rule_numbers`).
- Only the enterprise whose data it is shares a footprint: the calculation's trial must be the
  sharer's own enterprise (same_enterprise), the declaration the sharer's organisation's; a rule's
  drafter of another enterprise may export a calculation but not share it. A deprecated footprint
  stays deprecated: sharing it again is refused (recalculate to share a new one).
- Biogenic: the engine's `biogenic` is signed; a net removal (< 0) is the product's biogenic CO2
  uptake (biogenicCO2Uptake, in pcfIncludingBiogenicUptake only), a net emission is in both
  totals; fossilGhgEmissions is the engine's fossil part. The company is the trial's enterprise; the period is read from the trial's
  period text ("2025 年 1 月—12 月"), else the calendar year before the calculation; the geography
  is CN unless the dataset names a province (an ISO 3166-2 code such as "CN-BJ" in `geography`).
- A supplier's footprint becomes the library factor PACT-<pf id>: tier measured_verified when it
  carries a verification, else literature; importing the same id again updates that factor (a
  new version), never a second one, and only by those who keep the library (MANAGE_FACTORS):
  IMPORT_FOOTPRINT lets a drafting group take in a new supplier footprint, not overwrite one a
  later calculation would use. An update naming another company (companyName or companyIds) than
  the stored factor's supplier is refused for everyone.
"""

import calendar
import re
import uuid
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth.permissions import Action, can, name_key, require, same_enterprise
from workbench.db import utcnow
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.exchange import pact, pact_reading, pact_schema
from workbench.exchange.models import Declaration, FootprintStatus, SharedFootprint
from workbench.factors import service as factors
from workbench.factors.models import Factor, FactorKind, Tier
from workbench.trials.models import Calculation

PF_NAMESPACE = uuid.UUID("6f1c3a52-7d4e-5b8a-9c0f-3e2d1b4a5c6e")
_PROVINCE = re.compile(r"^CN-[A-Z]{2}$")
_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{1,2})\s*月")


def pf_id_of(kind: str, record_id: int) -> str:
    return str(uuid.uuid5(PF_NAMESPACE, f"{kind}:{record_id}"))


def rule_number(rule) -> str:
    """The rule's number: its registry standard's numbers as written there (all of them), else its code."""
    standard = getattr(rule, "standard", None)
    numbers = getattr(standard, "numbers", "") if standard is not None else ""
    return numbers if numbers else rule.code


def rule_numbers(rule) -> list[str]:
    """Every number of the rule (PACT's ruleNames): the standard's numbers apart, else its code."""
    standard = getattr(rule, "standard", None)
    numbers = list(standard.number_list) if standard is not None else []
    return numbers or [rule.code]


def period_of(text: str, fallback: datetime) -> tuple[date, date]:
    """The reference period a trial's period text names; the year before `fallback` if none."""
    years = [int(year) for year in _YEAR.findall(text or "") if 1950 <= int(year) <= 2200]
    months = [int(month) for month in _MONTH.findall(text or "") if 1 <= int(month) <= 12]
    if not years:
        year = fallback.year - 1
        return date(year, 1, 1), date(year, 12, 31)
    first_month, last_month = (months[0], months[-1]) if months else (1, 12)
    end_year = years[-1]
    if last_month < first_month and len(years) == 1:
        last_month = 12
    return date(years[0], first_month, 1), date(end_year, last_month, calendar.monthrange(end_year, last_month)[1])


def _geography(dataset: dict) -> tuple[str, str]:
    named = str(dataset.get("geography") or "").strip().upper()
    return ("subdivision", named) if _PROVINCE.match(named) else ("country", "CN")


def _sources(calculation: Calculation) -> list[dict]:
    seen: dict[str, str] = {}
    for version in calculation.factor_versions:
        snapshot = version.snapshot
        if snapshot.get("tier") != Tier.MEASURED_VERIFIED:
            seen.setdefault(snapshot.get("database") or snapshot["source"], str(snapshot.get("data_year") or "-"))
    for line in calculation.dataset.get("lines") or []:
        factor = line.get("factor") if isinstance(line, dict) else None
        if isinstance(factor, dict) and factor.get("source") and factor.get("tier") != Tier.MEASURED_VERIFIED:
            seen.setdefault(str(factor["source"])[:500], "-")
    return [{"name": name, "version": version} for name, version in list(seen.items())[:200]]


def _ar(gwp_set: str) -> str:
    """PACT names the IPCC report only: "IPCC-AR6-GWP100" → "AR6" (AR6 when none is named)."""
    found = re.search(r"AR\d+", gwp_set or "")
    return found.group(0) if found else "AR6"


def _declared_unit(unit: str) -> str:
    """The calculation's unit is the result's ("kg CO2e/t"): the declared unit follows the slash."""
    return unit.split("/", 1)[1].strip() if "/" in unit else unit.strip()


def _dqi(result: dict) -> dict | None:
    indicators = (result.get("data_quality") or {}).get("indicators")
    if not indicators:
        return None
    return {
        "technologicalDQR": indicators["technological_correlation"],
        "geographicalDQR": indicators["geographical_correlation"],
        "temporalDQR": indicators["temporal_correlation"],
    }


def calculation_facts(calculation: Calculation, *, now: datetime | None = None) -> pact.FootprintFacts:
    """The facts of a calculation of record, in plain values."""
    trial, result = calculation.trial, calculation.result
    if not calculation.usable or calculation.cfp_per_unit is None:
        raise Conflict(_("这次计算未得出结果，不能导出为 PACT 碳足迹：请先修正试算数据并重新计算。"))
    if not calculation.of_record:
        raise Conflict(_("只有按规则计算（电力、分配均按规则）的结果可以导出为 PACT 碳足迹，情景计算不行。"))
    flow = calculation.dataset.get("reference_flow") or {}
    product = str(flow.get("product") or trial.rule.product.name)[:300]
    number = rule_number(trial.rule)
    fossil, biogenic = result.get("fossil"), result.get("biogenic")
    uptake = min(biogenic, 0.0) if isinstance(biogenic, int | float) else None
    excluding = calculation.cfp_per_unit - (uptake or 0.0)  # the uptake is only in the "including" figure
    start, end = period_of(trial.period or str(calculation.dataset.get("period") or ""), calculation.calculated_at)
    kind, geography = _geography(calculation.dataset)
    stages = ", ".join(result.get("by_stage") or {})
    return pact.FootprintFacts(
        pf_id=pf_id_of("calculation", calculation.id),
        created=now or calculation.calculated_at,
        status=FootprintStatus.ACTIVE.value,
        company_name=trial.enterprise,
        company_ids=[pact.company_urn(trial.enterprise)],
        product_ids=[pact.product_urn(trial.enterprise, product)],
        product_name=product,
        product_description=f"{product}（{trial.rule.title}，{number}）",
        declared_unit=_declared_unit(calculation.unit or result.get("unit") or "t"),
        cfp_per_unit=excluding,
        fossil=fossil if isinstance(fossil, int | float) else None,
        biogenic_uptake=uptake,
        period_start=start,
        period_end=end,
        geography_kind=kind,
        geography=geography,
        rule_numbers=rule_numbers(trial.rule),
        gwp_set=_ar((result.get("gwp") or {}).get("set") or ""),
        cross_sectoral_standards=["ISO14067"],
        exempted_percent=(result.get("cut_off") or {}).get("excluded_percent") or 0.0,
        primary_data_share=result.get("primary_data_share"),
        dqi=_dqi(result),
        secondary_sources=_sources(calculation),
        boundary_description=f"Life cycle stages included: {stages}" if stages else "",
    )


def calculation_document(session: Session, calculation: Calculation, *, by, now: datetime | None = None) -> dict:
    """The PACT v3 ProductFootprint of a calculation of record (EXPORT_FOOTPRINT on its trial)."""
    require(by, Action.EXPORT_FOOTPRINT, calculation.trial)
    document = pact.product_footprint(calculation_facts(calculation, now=now))
    pact_schema.check(document)  # what leaves the workbench fits the project's own schema
    return document


def declaration_document(session: Session, declaration: Declaration, *, now: datetime | None = None) -> dict:
    """The PACT form of a declaration (the caller has checked VIEW_DECLARATION)."""
    organisation = declaration.organisation
    verification = None
    if declaration.verified_on is not None:
        verification = {
            "certificate_number": declaration.certificate_number,
            "body": declaration.certification_body.name if declaration.certification_body else "",
            "date": declaration.verified_on,
            "scope": declaration.verification_scope,
        }
    fossil, uptake, value = _declared_split(declaration)
    validity = None
    if str(declaration.status) == "verified" and declaration.verified_on and declaration.valid_until:
        validity = (declaration.verified_on, declaration.valid_until)
    facts = pact.FootprintFacts(
        pf_id=pf_id_of("declaration", declaration.id),
        created=now or declaration.created_at,
        status=FootprintStatus.ACTIVE.value
        if str(declaration.status) in ("verified", "submitted", "draft")
        else FootprintStatus.DEPRECATED.value,
        company_name=organisation.name,
        company_ids=[pact.company_urn(organisation.name)],
        product_ids=[pact.product_urn(organisation.name, declaration.product)],
        product_name=declaration.product,
        product_description=f"{declaration.product}（{declaration.rule_number}）",
        declared_unit=declaration.declared_unit,
        cfp_per_unit=value,
        fossil=fossil,
        biogenic_uptake=uptake,
        period_start=declaration.period_start,
        period_end=declaration.period_end,
        geography_kind=declaration.geography_kind,
        geography=declaration.geography,
        rule_numbers=[declaration.rule_number],
        verification=verification,
        validity=validity,
    )
    return pact.product_footprint(facts)


def _declared_split(declaration: Declaration) -> tuple[float | None, float | None, float]:
    """(fossil, biogenic uptake, pcfExcludingBiogenicUptake) of a declaration: from its calculation's
    result or its uploaded PACT document; the fossil part None when neither says it (never the
    whole value claimed as fossil)."""
    value = declaration.value
    pcf = (declaration.pact_document or {}).get("pcf") if isinstance(declaration.pact_document, dict) else None
    if isinstance(pcf, dict):
        try:
            fossil = float(pcf["fossilGhgEmissions"]) if "fossilGhgEmissions" in pcf else None
            uptake = float(pcf["biogenicCO2Uptake"]) if "biogenicCO2Uptake" in pcf else None
        except (TypeError, ValueError):
            return None, None, value
        return fossil, uptake, value
    calculation = declaration.calculation if declaration.calculation_id else None
    result = (calculation.result if calculation is not None else None) or {}
    fossil, biogenic = result.get("fossil"), result.get("biogenic")
    if not isinstance(fossil, int | float) or not isinstance(biogenic, int | float):
        return None, None, value
    uptake = min(biogenic, 0.0)
    return fossil, uptake, value - uptake


# --- sharing --------------------------------------------------------------------------------------


def _organisation_of(by) -> int:
    organisation_id = getattr(by, "organisation_id", None)
    if organisation_id is None:
        raise InvalidInput(_("只有企业的成员可以共享碳足迹。"))
    return organisation_id


def _share(session: Session, *, by, document: dict, product: str, **link) -> SharedFootprint:
    require(by, Action.SHARE_FOOTPRINT)
    organisation_id = _organisation_of(by)
    existing = session.scalar(select(SharedFootprint).where(SharedFootprint.pf_id == document["id"]))
    if existing is not None:
        if existing.organisation_id != organisation_id:
            raise Conflict(_("这一碳足迹已由另一企业共享。"))
        if existing.status == FootprintStatus.DEPRECATED:
            raise Conflict(_("这一碳足迹已停用，停用后不能再共享：请重新计算，再共享新的结果。"))
        return existing
    key = "calculation_id" if "calculation_id" in link else "declaration_id"
    record = session.get(Calculation, link[key]) if key == "calculation_id" else None
    earlier = []
    if record is not None:  # the same trial's earlier shares: deprecated by this one
        earlier = session.scalars(
            select(SharedFootprint)
            .join(Calculation, Calculation.id == SharedFootprint.calculation_id)
            .where(
                Calculation.trial_id == record.trial_id,
                SharedFootprint.organisation_id == organisation_id,
                SharedFootprint.status == FootprintStatus.ACTIVE,
            )
        ).all()
    elif key == "declaration_id":
        earlier = []
    if earlier:
        document = {**document, "precedingPfIds": [row.pf_id for row in earlier]}
        for row in earlier:
            deprecate(session, row, by=by)
    now = utcnow()
    shared = SharedFootprint(
        pf_id=document["id"],
        organisation_id=organisation_id,
        product_name=product[:300],
        document=document,
        status=FootprintStatus.ACTIVE,
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
        **link,
    )
    session.add(shared)
    session.flush()
    return shared


def share_calculation(session: Session, calculation: Calculation, *, by) -> SharedFootprint:
    """Share a calculation of record of the enterprise's own trial (SHARE_FOOTPRINT); sharing it
    again returns the row already shared."""
    document = calculation_document(session, calculation, by=by)
    if not same_enterprise(by, calculation.trial.enterprise):
        raise AccessDenied(Action.SHARE_FOOTPRINT)  # a drafter may export another's data, not share it
    return _share(
        session, by=by, document=document, product=document["productNameCompany"], calculation_id=calculation.id
    )


def share_declaration(session: Session, declaration: Declaration, *, by) -> SharedFootprint:
    require(by, Action.SHARE_FOOTPRINT, declaration)
    if declaration.organisation_id != _organisation_of(by):
        raise AccessDenied(Action.SHARE_FOOTPRINT)
    document = declaration_document(session, declaration)
    return _share(session, by=by, document=document, product=declaration.product, declaration_id=declaration.id)


def deprecate(session: Session, footprint: SharedFootprint, *, by) -> None:
    """Mark a shared footprint Deprecated: partners see it so, and should not use it any more."""
    require(by, Action.SHARE_FOOTPRINT, footprint)
    if footprint.status == FootprintStatus.DEPRECATED:
        return
    footprint.status = FootprintStatus.DEPRECATED
    footprint.document = {**footprint.document, "status": FootprintStatus.DEPRECATED.value}
    footprint.updated_at = utcnow()
    session.flush()


def shared_footprints(session: Session, organisation_id: int):
    """The footprints an enterprise shares, newest first: a select to filter and page."""
    return (
        select(SharedFootprint)
        .where(SharedFootprint.organisation_id == organisation_id)
        .order_by(SharedFootprint.created_at.desc(), SharedFootprint.id.desc())
    )


# --- a supplier's footprint into the library ------------------------------------------------------


def factor_code(pf_id: str) -> str:
    return f"PACT-{pf_id.lower()}"


def import_as_factor(session: Session, document, *, by) -> Factor:
    """A supplier's PACT footprint as a library factor (IMPORT_FOOTPRINT); InvalidInput naming
    the JSON path of every problem. The same footprint id again: a new version of that factor."""
    require(by, Action.IMPORT_FOOTPRINT)
    supplier = pact_reading.read(document)
    rules = "、".join(supplier.rule_numbers)
    verification = supplier.verification or {}
    data = factors.FactorInput(
        code=factor_code(supplier.pf_id),
        name=f"{supplier.product_name}（{supplier.company_name}）"[:200],
        value=supplier.value_per_unit,
        unit=f"kgCO2e/{supplier.declared_unit}",
        kind=FactorKind.CFP_LIFE_CYCLE,
        tier=Tier.MEASURED_VERIFIED if supplier.verified else Tier.LITERATURE,
        source=f"{supplier.company_name}（供应商 PACT 碳足迹 {supplier.pf_id}）",
        geography=supplier.geography,
        data_year=supplier.period_end.year if supplier.period_end.year <= date.today().year + 1 else None,
        database="PACT " + pact.SPEC_VERSION,
        standards="；".join(part for part in (rules, "、".join(supplier.standards)) if part),
        note="；".join(
            part
            for part in (
                f"PACT 编号 {supplier.pf_id}",
                f"企业标识 {' '.join(supplier.company_ids)}"[:2000] if supplier.company_ids else "",
                f"数据期间 {supplier.period_start.isoformat()}—{supplier.period_end.isoformat()}",
                f"核查：{verification.get('providerName', '')} {verification.get('comments', '')}".strip()
                if supplier.verified
                else "",
            )
            if part
        ),
    )
    factor = session.scalar(select(Factor).where(Factor.code == data.code))
    if factor is not None:
        _may_update(factor, data, supplier, by=by)
    if factor is not None and factor.archived_at is not None:
        factor.archived_at = None  # the supplier sent it again: it is in use again
    return factors.save_factor(session, data, factor, reason="供应商 PACT 碳足迹导入")


def _may_update(factor: Factor, data, supplier, *, by) -> None:
    """An imported factor is updated only by those who keep the library, and only by the same
    supplier's footprint (the same company name and, when stored, a shared company id)."""
    if not can(by, Action.MANAGE_FACTORS):
        raise InvalidInput(
            _(
                "因子库中已有因子 %(code)s（这一 PACT 碳足迹此前已导入）：更新已有因子只能由标准化技术委员会秘书处或"
                "国家市场监督管理总局（管理因子库的账号）进行，请联系秘书处。",
                code=factor.code,
            )
        )
    stored_ids = set()
    for part in (factor.note or "").split("；"):
        if part.startswith("企业标识 "):
            stored_ids = set(part.removeprefix("企业标识 ").split())
    same_name = name_key(factor.source or "") == name_key(data.source)
    same_ids = not stored_ids or bool(stored_ids & set(supplier.company_ids))
    if not (same_name and same_ids):
        raise InvalidInput(
            _(
                "因子 %(code)s 来自另一企业（%(source)s）：这份 PACT 碳足迹的企业（companyName、companyIds）"
                "与之不同，不能用它更新该因子。",
                code=factor.code,
                source=factor.source,
            )
        )


MAX_SHAREABLE = 200  # trials listed on the sharing page; an enterprise tries a rule a few times


def shareable_calculations(session: Session, *, by) -> list[Calculation]:
    """The latest usable calculation of record of each trial whose enterprise is `by`'s own
    (same_enterprise: the names compared without white space or case), newest trial first."""
    from workbench.trials.models import Trial

    require(by, Action.SHARE_FOOTPRINT)
    organisation = getattr(by, "organisation", None)
    key = name_key(getattr(organisation, "name", "") or "")
    if not key:
        return []
    # Compared in Python with the permission's own key (every white space, U+3000 too, and case):
    # SQL's replace() and lower() do not agree with it. Only ids and names are read.
    rows = session.execute(select(Trial.id, Trial.enterprise).order_by(Trial.created_at.desc(), Trial.id.desc()))
    ids = [trial_id for trial_id, enterprise in rows if name_key(enterprise or "") == key][:MAX_SHAREABLE]
    trials = [session.get(Trial, trial_id) for trial_id in ids]
    found = []
    for trial in trials:
        if not same_enterprise(by, trial.enterprise):
            continue
        latest = session.scalar(
            select(Calculation)
            .where(Calculation.trial_id == trial.id, Calculation.of_record.is_(True), Calculation.usable.is_(True))
            .order_by(Calculation.calculated_at.desc(), Calculation.id.desc())
            .limit(1)
        )
        if latest is not None:
            found.append(latest)
    return found
