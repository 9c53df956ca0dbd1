"""The international comparison over the database (指引（十八）): a rule's differences from the
international methods as findings, and international reference values for the library factors a
rule's trials use, with their effect on the trial results.

Decisions:
- The methods comparison is of one revision's parameters (the current one unless another is
  named); the table is methods.py's.
- A reference value is entered per rule (the rule's drafting group decides what to compare with)
  in kgCO2e per some activity unit; it is converted to the factor's own unit through pint when
  entered, and refused when it cannot be (another gas, an activity of another dimension).
- The effect on a trial is a recalculation of its calculation of record on the rule's current
  revision, with the factor versions that calculation used, once as they were and once with the
  one factor at the reference value: the difference of the two static results. The reference is
  converted into the unit of the factor version each calculation used (an older version may have
  another unit), not only into the newest one's. Only calculations of record of the current
  revision are used.
- The work is bounded: references per factor (MAX_REFERENCES_PER_FACTOR, 20) × the calculations
  using the factor, plus one baseline per calculation, engine runs per factor. Past
  MAX_EFFECT_RUNS (50) per factor the remaining effects are not calculated, and the page says so
  (FactorRow.capped); the values and differences are still shown.
"""

import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth.permissions import Action, require
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import NotFound, refuse
from workbench.exchange import methods
from workbench.exchange.models import ReferenceValue
from workbench.factors.models import Factor, FactorVersion
from workbench.factors.units import UnitError, factor_unit, registry
from workbench.guideline import Finding, finding
from workbench.messages import N_
from workbench.trials import engine
from workbench.trials import service as trials
from workbench.trials.models import Calculation, Trial

LIMITS = {"unit": 60, "source": 500, "database": 200, "geography": 100, "note": 2000}
MAX_REFERENCES_PER_FACTOR = 20  # per rule: enough to compare several databases, bounded work
MAX_EFFECT_RUNS = 50  # recalculations per factor on one page view (see the module's docstring)


# --- the methods ---------------------------------------------------------------------------------


def rule_comparison(session: Session, rule: Rule, revision: RuleRevision | None = None) -> list[Finding]:
    """The differences between the revision's parameters (the current revision by default) and
    each international framework, as findings of the catalogue's international_* kinds."""
    revision = revision or drafting.revision(session, rule)
    parameters = (revision.document or {}).get("parameters") or {}
    return [
        finding(
            item.code,
            item.path,
            framework=item.framework_name,
            rule_value=methods.shown(item.rule_value),
            framework_value=methods.shown(item.framework_value),
            source=item.source,
        )
        for item in methods.compare(parameters)
    ]


# --- reference values ------------------------------------------------------------------------------


def converted(value: float, unit: str, factor_unit_text: str) -> float:
    """`value` in `unit` (kgCO2e per an activity unit) expressed in the factor's unit; UnitError
    when either is not a CO2e unit or they do not convert."""
    theirs, ours = factor_unit(unit), factor_unit(factor_unit_text)
    if theirs.gas != "CO2e":
        raise UnitError(N_("参考值的单位应为 CO2e 每活动单位，如 kgCO2e/kWh、kgCO2e/t（“%(unit)s”不是）"), unit=unit)
    if ours.gas != "CO2e":
        raise UnitError(N_("因子的单位“%(unit)s”不是 CO2e 单位，无法与 CO2e 参考值比较"), unit=factor_unit_text)
    try:
        mass = registry.Quantity(1, theirs.mass).to(ours.mass).magnitude
        activity = registry.Quantity(1, theirs.activity).to(ours.activity).magnitude
    except Exception:  # pint's DimensionalityError: the activities are of different kinds
        raise UnitError(N_("“%(unit)s”不能换算为因子的单位“%(target)s”"), unit=unit, target=factor_unit_text) from None
    return value * mass / activity


def _text(name: str, value, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        refuse(name, _("请填写%(field)s。", field=_FIELD_NAMES[name]()))
    if len(text) > LIMITS[name]:
        refuse(name, _("%(field)s不能超过 %(count)d 个字符。", field=_FIELD_NAMES[name](), count=LIMITS[name]))
    return text


_FIELD_NAMES = {
    "unit": lambda: _("单位"),
    "source": lambda: _("来源"),
    "database": lambda: _("数据库及版本"),
    "geography": lambda: _("地理范围"),
    "note": lambda: _("备注"),
}


def add_reference_value(
    session: Session,
    factor: Factor,
    *,
    rule: Rule,
    value: float,
    unit: str,
    source: str,
    database: str = "",
    geography: str = "",
    note: str = "",
    by,
) -> ReferenceValue:
    """Record an international reference value for `factor`, to compare under `rule`."""
    require(by, Action.RECORD_REFERENCE_VALUE, rule)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > 1e12:
        refuse("value", _("参考值应为有限的数值。"))
    unit = _text("unit", unit, required=True)
    source = _text("source", source, required=True)
    database, geography, note = _text("database", database), _text("geography", geography), _text("note", note)
    try:
        converted(number, unit, factor.unit)
    except UnitError as error:
        refuse("unit", error.message.render(_))
    count = session.scalar(
        select(ReferenceValue.id)
        .where(ReferenceValue.factor_id == factor.id, ReferenceValue.rule_id == rule.id)
        .offset(MAX_REFERENCES_PER_FACTOR - 1)
        .limit(1)
    )
    if count is not None:
        refuse(
            "source", _("每个因子最多记录 %(count)d 个参考值，请先删除不再需要的。", count=MAX_REFERENCES_PER_FACTOR)
        )
    reference = ReferenceValue(
        factor=factor,
        factor_id=factor.id,
        rule_id=rule.id,
        value=number,
        unit=unit,
        source=source,
        database=database,
        geography=geography,
        note=note,
        entered_by_id=getattr(by, "id", None),
        entered_at=utcnow(),
    )
    session.add(reference)
    session.flush()
    return reference


def get_reference_value(session: Session, rule: Rule, reference_id: int) -> ReferenceValue:
    reference = session.get(ReferenceValue, reference_id)
    if reference is None or reference.rule_id != rule.id:
        raise NotFound(_("没有这个参考值。"))
    return reference


def delete_reference_value(session: Session, reference: ReferenceValue, *, by) -> None:
    rule = session.get(Rule, reference.rule_id) if reference.rule_id else None
    if rule is None:
        raise NotFound(_("没有这个参考值。"))
    require(by, Action.RECORD_REFERENCE_VALUE, rule)
    session.delete(reference)
    session.flush()


# --- the factor comparison -----------------------------------------------------------------------


@dataclass
class Effect:
    trial: Trial
    calculation: Calculation
    before: float | None  # kg CO2e per unit, recalculated with the factors as used
    after: float | None  # with the reference value in place of the factor
    unit: str

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def percent(self) -> float | None:
        change = self.change
        return None if change is None or not self.before else change / self.before * 100


@dataclass
class Reference:
    record: ReferenceValue
    value: float | None  # in the factor's unit; None when the factor's unit no longer converts
    problem: str = ""
    effects: list[Effect] = field(default_factory=list)

    def percent_difference(self, domestic: float) -> float | None:
        """(reference − domestic) / domestic, in percent."""
        if self.value is None or not domestic:
            return None
        return (self.value - domestic) / domestic * 100


@dataclass
class FactorRow:
    factor: Factor
    version: FactorVersion  # the version the calculations of record used (the newest of them)
    value: float
    unit: str
    trials: list[Trial]
    references: list[Reference]
    capped: bool = False  # some effects were not calculated (MAX_EFFECT_RUNS)


def _lookup(versions: list[FactorVersion], replaced: tuple[int, float] | None = None):
    """A factor lookup over the versions a calculation used (by code or id, as the library
    resolves them), with one factor's value replaced."""
    found: dict[str, dict] = {}
    for version in versions:
        snapshot = dict(version.snapshot)
        if replaced is not None and version.factor_id == replaced[0]:
            snapshot.update(value=replaced[1], gases=None, uncertainty=None)
        found[str(snapshot.get("code", "")).strip().lower()] = snapshot
        found[str(version.factor_id)] = snapshot

    def lookup(reference: str) -> dict | None:
        snapshot = found.get(str(reference).strip().lower())
        return dict(snapshot) if snapshot is not None else None

    return lookup


def _result(document: dict, calculation: Calculation, lookup) -> float | None:
    try:
        return engine.calculate(document, calculation.dataset, factor_lookup=lookup).cfp_per_unit
    except engine.DatasetError:
        return None


def factor_comparison(session: Session, rule: Rule) -> list[FactorRow]:
    """For each library factor used by the calculations of record of the rule's current revision:
    its domestic value, the reference values entered under the rule (in the factor's unit) and
    each one's effect on those trials' results."""
    revision = drafting.revision(session, rule)
    active = trials.trials_of(session, revision)
    records = [
        calculation
        for calculation in trials.latest_calculations(session, [trial.id for trial in active], of_record=True).values()
        if calculation.revision_id == revision.id and calculation.usable
    ]
    by_trial = {trial.id: trial for trial in active}
    versions: dict[int, FactorVersion] = {}
    users: dict[int, list[Calculation]] = {}
    for calculation in sorted(records, key=lambda item: by_trial[item.trial_id].label):
        for version in calculation.factor_versions:
            newest = versions.get(version.factor_id)
            if newest is None or version.version > newest.version:
                versions[version.factor_id] = version
            users.setdefault(version.factor_id, []).append(calculation)
    if not versions:
        return []
    factors = {factor.id: factor for factor in session.scalars(select(Factor).where(Factor.id.in_(versions)))}
    stored = session.scalars(
        select(ReferenceValue)
        .where(ReferenceValue.rule_id == rule.id, ReferenceValue.factor_id.in_(versions))
        .order_by(ReferenceValue.id)
    ).all()
    baseline: dict[int, float | None] = {}
    rows = []
    for factor_id, version in sorted(versions.items(), key=lambda item: factors[item[0]].code):
        snapshot = version.snapshot
        references, runs, capped = [], 0, False
        for record in (item for item in stored if item.factor_id == factor_id):
            try:
                value = converted(record.value, record.unit, snapshot["unit"])
            except UnitError as error:
                references.append(Reference(record, None, error.message.render(_)))
                continue
            reference = Reference(record, value)
            for calculation in users[factor_id]:
                used = list(calculation.factor_versions)
                # The reference in the unit of the version this calculation used.
                own = next((item for item in used if item.factor_id == factor_id), version)
                try:
                    substituted = converted(record.value, record.unit, own.snapshot["unit"])
                except UnitError:
                    continue  # that older version's unit does not convert: no effect to show
                cost = 1 + (calculation.id not in baseline)
                if runs + cost > MAX_EFFECT_RUNS:
                    capped = True
                    break
                runs += cost
                if calculation.id not in baseline:
                    baseline[calculation.id] = _result(revision.document, calculation, _lookup(used))
                after = _result(revision.document, calculation, _lookup(used, (factor_id, substituted)))
                reference.effects.append(
                    Effect(
                        by_trial[calculation.trial_id], calculation, baseline[calculation.id], after, calculation.unit
                    )
                )
            references.append(reference)
        trials_using = [by_trial[calculation.trial_id] for calculation in users[factor_id]]
        rows.append(
            FactorRow(
                factors[factor_id], version, snapshot["value"], snapshot["unit"], trials_using, references, capped
            )
        )
    return rows
