"""Demo data of the exchange, so its pages have something real to show (`workbench demo`):

- the demo cement plant 演示水泥甲有限公司 (account `cement`) shares its trial's calculation of
  record as a PACT footprint;
- it declares that footprint under the published demo cement rule, submits the declaration to
  示例低碳认证中心（演示）, and the account `certifier` verifies it a few days before today
  (certificate DEMO-CFP-<its year>-0001, a scope that says it is a demo); its performance class is
  the one the rule's classes give the value;
- an invented supplier's PACT footprint (脱硫石膏, per kg, built with pact.product_footprint from
  FootprintFacts, unverified) is imported into the factor library by the secretariat;
- one international reference value for the national electricity factor the cement trials use,
  whose source says it is an invented value for illustration, not a database's figure.

Nothing that holds a secret is created: no PACT client (its credentials would be printed or
stored in the demo), so the PACT host API is shown with clients an enterprise registers itself.

Everything goes through the services (footprints, declarations, international), so their checks
run and the audit trail names the demo account that did each step. Invented names and texts say
演示. Loading is idempotent: a piece that exists (the calculation's shared footprint, the plant's
declaration under the rule, the supplier's factor code, a reference value with the demo source) is
left as it is and only what is missing is created. Needs the demo accounts, the trials and the
cement rule's publication first (workbench.demo, after publish_drafts); without them it creates
nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason, set_actor
from workbench.auth.models import Organisation, User, actor_of
from workbench.drafting.models import Rule
from workbench.exchange import declarations, footprints, international, pact
from workbench.exchange.models import Declaration, ReferenceValue, SharedFootprint
from workbench.factors.models import Factor
from workbench.messages import N_
from workbench.publishing.models import Publication
from workbench.trials.models import Calculation, Trial
from workbench.trials.seed import CEMENT_TITLE

CEMENT_PLANT = "演示水泥甲有限公司"
CERTIFICATION_BODY = "示例低碳认证中心（演示）"
DECLARED_PRODUCT = "P·O 42.5 普通硅酸盐水泥（演示）"
VERIFIED_DAYS_AGO = 3  # verified a few days ago; submitted two days before that
SUBMITTED_DAYS_BEFORE = 2
VERIFICATION_SCOPE = (
    "【演示核查，不是真实的认证】按演示水泥规则核查 2025 年数据期间的单位产品碳足迹：熟料、燃煤和外购电力的"
    "活动数据与因子来源，系统边界从摇篮到大门。"
)

SUPPLIER = "示例石膏材料有限公司（演示）"
SUPPLIER_PRODUCT = "脱硫石膏（演示）"
SUPPLIER_PF_ID = "3f8a2c1e-5b7d-4e9a-8c6f-1d2b3a4c5e6f"  # fixed: the same footprint on every load
SUPPLIER_FACTS = pact.FootprintFacts(
    pf_id=SUPPLIER_PF_ID,
    created=datetime(2026, 2, 1, 8, 0, tzinfo=UTC),
    status="Active",
    company_name=SUPPLIER,
    company_ids=[pact.company_urn(SUPPLIER)],
    product_ids=[pact.product_urn(SUPPLIER, SUPPLIER_PRODUCT)],
    product_name=SUPPLIER_PRODUCT,
    product_description="燃煤电厂烟气脱硫的副产石膏，用作水泥缓凝剂（演示数据，虚构的供应商）",
    declared_unit="kg",
    cfp_per_unit=0.0186,
    fossil=0.0186,
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    geography_kind="country",
    geography="CN",
    rule_numbers=[],
    primary_data_share=60.0,
    secondary_sources=[{"name": "演示数据（虚构）", "version": "-"}],
    boundary_description="Cradle-to-gate: dewatering and drying of FGD gypsum (demo data, invented supplier)",
    comment="演示数据：虚构的供应商碳足迹，仅用于展示 PACT 导入 (demo data: an invented supplier's footprint)",
)

REFERENCE_VALUE = 0.62  # kgCO2e/kWh: invented, of the order of a life-cycle grid factor
REFERENCE_SOURCE = (
    "演示参考值：为说明国际比对而虚构，不是任何真实数据库的数值 "
    "(demo value for illustration only, not a real database figure)"
)


@dataclass(frozen=True)
class Created:
    """What one load created now."""

    footprints: int = 0
    declarations: int = 0
    factors: int = 0
    references: int = 0


def supplier_document() -> dict:
    """The invented supplier's ProductFootprint (PACT v3)."""
    return pact.product_footprint(SUPPLIER_FACTS)


@contextmanager
def _acting_as(session: Session, user, operator) -> Iterator[None]:
    """Name `user` in the audit events of the changes made inside the block."""
    session.flush()
    set_actor(session, actor_of(user))
    try:
        yield
        session.flush()
    finally:
        set_actor(session, actor_of(operator))


def _cement_rule(session: Session) -> Rule | None:
    """The demo cement rule, once published (a declaration needs a publication)."""
    rule = session.scalar(select(Rule).where(Rule.title == CEMENT_TITLE))
    if rule is None or session.scalar(select(Publication.id).where(Publication.rule_id == rule.id).limit(1)) is None:
        return None
    return rule


def _calculation(session: Session, rule: Rule) -> Calculation | None:
    """The plant's newest usable calculation of record under the rule."""
    return session.scalar(
        select(Calculation)
        .join(Trial, Calculation.trial_id == Trial.id)
        .where(
            Trial.rule_id == rule.id,
            Trial.enterprise == CEMENT_PLANT,
            Trial.archived_at.is_(None),
            Calculation.of_record.is_(True),
            Calculation.usable.is_(True),
        )
        .order_by(Calculation.id.desc())
        .limit(1)
    )


def _share(session: Session, calculation: Calculation, plant: User, operator) -> int:
    if session.scalar(select(SharedFootprint.id).where(SharedFootprint.calculation_id == calculation.id)) is not None:
        return 0
    with _acting_as(session, plant, operator):
        footprints.share_calculation(session, calculation, by=plant)
    return 1


def _declare(session: Session, rule: Rule, calculation: Calculation, accounts: dict, operator, today: date) -> int:
    plant, certifier = accounts["cement"], accounts["certifier"]
    exists = session.scalar(
        select(Declaration.id).where(
            Declaration.rule_id == rule.id, Declaration.organisation_id == plant.organisation_id
        )
    )
    body = session.scalar(select(Organisation).where(Organisation.name == CERTIFICATION_BODY))
    if exists is not None or body is None:
        return 0
    start, end = footprints.period_of(calculation.trial.period, calculation.calculated_at)
    data = declarations.DeclarationInput(
        product=DECLARED_PRODUCT, period_start=start, period_end=end, geography_kind="country", geography="CN"
    )
    verified_on = today - timedelta(days=VERIFIED_DAYS_AGO)
    with _acting_as(session, plant, operator):
        declaration = declarations.create_from_calculation(session, rule, calculation, data, by=plant)
        declarations.submit(session, declaration, body, by=plant)
    # submit() stamps the present moment; the demo's verification lies a few days back, and a
    # verification may not precede its submission, so the loader dates the submission before it.
    submitted = datetime.combine(verified_on - timedelta(days=SUBMITTED_DAYS_BEFORE), time(9, 0), tzinfo=UTC)
    with change_reason(session, N_("演示数据：提交时间设为核查日之前")):
        declaration.created_at = declaration.submitted_at = submitted
    with _acting_as(session, certifier, operator):
        declarations.verify(
            session,
            declaration,
            certificate_number=f"DEMO-CFP-{verified_on.year}-0001",
            verified_on=verified_on,
            scope=VERIFICATION_SCOPE,
            by=certifier,
            today=today,
        )
    return 1


def _import_supplier(session: Session, secretariat: User, operator) -> int:
    code = footprints.factor_code(SUPPLIER_PF_ID)
    if session.scalar(select(Factor.id).where(Factor.code == code)) is not None:
        return 0
    with _acting_as(session, secretariat, operator):
        footprints.import_as_factor(session, supplier_document(), by=secretariat)
    return 1


def _electricity_factor(session: Session, calculation: Calculation) -> Factor | None:
    """The national grid factor the calculation used (the one in kgCO2e/kWh)."""
    for version in calculation.factor_versions:
        if str(version.snapshot.get("unit") or "").endswith("/kWh"):
            return session.get(Factor, version.factor_id)
    return None


def _reference(session: Session, rule: Rule, calculation: Calculation, secretariat: User, operator) -> int:
    factor = _electricity_factor(session, calculation)
    if factor is None:
        return 0
    exists = session.scalar(
        select(ReferenceValue.id).where(
            ReferenceValue.factor_id == factor.id,
            ReferenceValue.rule_id == rule.id,
            ReferenceValue.source == REFERENCE_SOURCE,
        )
    )
    if exists is not None:
        return 0
    with _acting_as(session, secretariat, operator):
        international.add_reference_value(
            session,
            factor,
            rule=rule,
            value=REFERENCE_VALUE,
            unit="kgCO2e/kWh",
            source=REFERENCE_SOURCE,
            database="演示（demo）",
            geography="CN",
            note="演示数据：用于展示国际参考值对试算结果的影响，不可引用。",
            by=secretariat,
        )
    return 1


def load(session: Session, by, *, today: date) -> Created:
    """Create the demo's exchange data that is missing (see the module docstring); `by` is the
    account loading the demo. Needs the demo accounts, the trials and the published cement rule."""
    usernames = ("cement", "certifier", "secretariat")
    accounts = {user.username: user for user in session.scalars(select(User).where(User.username.in_(usernames)))}
    if set(accounts) != set(usernames):
        return Created()
    secretariat = accounts["secretariat"]
    supplier = _import_supplier(session, secretariat, by)
    rule = _cement_rule(session)
    calculation = _calculation(session, rule) if rule is not None else None
    if rule is None or calculation is None:
        return Created(factors=supplier)
    shared = _share(session, calculation, accounts["cement"], by)
    declared = _declare(session, rule, calculation, accounts, by, today)
    references = _reference(session, rule, calculation, secretariat, by)
    session.flush()
    return Created(shared, declared, supplier, references)
