"""`workbench demo` gives the exchange something real to show: the demo cement plant's shared PACT
footprint, its declaration verified by the demo certification body (public, with its class), an
invented supplier's footprint in the factor library and an international reference value for the
grid factor the cement trials use; loaded once, every invented text saying 演示 or demo."""

from datetime import timedelta

from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.models import User
from workbench.dates import today
from workbench.exchange import classes, declaration_reading, footprints, seed
from workbench.exchange.models import (
    Declaration,
    DeclarationSource,
    DeclarationStatus,
    FootprintStatus,
    PactClient,
    ReferenceValue,
    SharedFootprint,
)
from workbench.factors.models import Factor, FactorVersion, Tier
from workbench.trials.models import Calculation, Trial

CEMENT_PLANT = "演示水泥甲有限公司"


def counts(session) -> dict:
    models = (SharedFootprint, Declaration, Factor, FactorVersion, ReferenceValue, AuditEvent, PactClient)
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in models}


def the_plants_calculation(session) -> Calculation:
    return session.scalar(
        select(Calculation)
        .join(Trial, Calculation.trial_id == Trial.id)
        .where(Trial.enterprise == CEMENT_PLANT, Calculation.of_record.is_(True))
        .order_by(Calculation.id.desc())
        .limit(1)
    )


def test_the_demo_loads_the_exchange_once(cli_runner, database):
    first = cli_runner("demo")
    assert first.exit_code == 0, first.output
    assert (
        "数据交换 exchange: 新共享碳足迹 1 项、核查通过的声明 1 项、供应商碳足迹因子 1 个、国际参考值 1 个"
        in first.output
    )
    with database() as session:
        calculation = the_plants_calculation(session)
        cement = session.scalar(select(User).where(User.username == "cement"))

        # 1. The plant shares its calculation of record as an active PACT footprint.
        (shared,) = session.scalars(select(SharedFootprint)).all()
        assert shared.calculation_id == calculation.id and shared.organisation_id == cement.organisation_id
        assert shared.status == FootprintStatus.ACTIVE
        assert shared.document["companyName"] == CEMENT_PLANT
        assert shared.document["pcf"]["pcfExcludingBiogenicUptake"].startswith(str(int(calculation.cfp_per_unit)))
        assert shared in session.scalars(footprints.shared_footprints(session, cement.organisation_id)).all()

        # 2. Its declaration of that calculation, verified a few days ago by the demo body: public,
        #    valid, in the class the rule's classes give its value.
        (declaration,) = session.scalars(select(Declaration)).all()
        assert declaration.organisation_id == cement.organisation_id and "演示" in declaration.product
        assert declaration.source == DeclarationSource.CALCULATION and declaration.calculation_id == calculation.id
        assert declaration.value == calculation.cfp_per_unit and declaration.declared_unit == "t"
        assert declaration.status == DeclarationStatus.VERIFIED
        assert declaration.certification_body.name == "示例低碳认证中心（演示）"
        assert declaration.verified_by.username == "certifier"
        assert declaration.certificate_number == f"DEMO-CFP-{declaration.verified_on.year}-0001"
        assert "演示" in declaration.verification_scope
        assert declaration.verified_on == today() - timedelta(days=seed.VERIFIED_DAYS_AGO)
        assert declaration.submitted_at.date() <= declaration.verified_on
        assert declaration.valid_until > today() and declaration_reading.is_valid(declaration, today())
        rule_classes = classes.classes_of(declaration_reading.parameters_of(declaration.revision))
        assert rule_classes and declaration.performance_class == classes.class_of(declaration.value, rule_classes)
        assert declaration.performance_class is not None
        assert declaration_reading.valid_declarations(session, declaration.rule_id, today()) == [declaration]
        actors = set(
            session.scalars(
                select(AuditEvent.actor_label).where(
                    AuditEvent.record_type == "declaration", AuditEvent.record_id == str(declaration.id)
                )
            )
        )
        assert {"演示企业用户（水泥甲） (cement)", "演示认证人员（低碳认证中心） (certifier)"} <= actors

        # 3. The invented supplier's footprint in the library: per kg, not verified (literature).
        supplier = session.scalar(select(Factor).where(Factor.code == footprints.factor_code(seed.SUPPLIER_PF_ID)))
        assert supplier is not None and "演示" in supplier.name and "演示" in supplier.source
        assert supplier.unit == "kgCO2e/kg" and supplier.value == seed.SUPPLIER_FACTS.cfp_per_unit
        assert supplier.tier == Tier.LITERATURE
        assert seed.supplier_document()["comment"].startswith("演示数据")

        # 4. An invented international value for the grid factor the plant's calculation used.
        (reference,) = session.scalars(select(ReferenceValue)).all()
        assert reference.rule_id == declaration.rule_id and reference.unit == "kgCO2e/kWh"
        assert reference.factor_id in {version.factor_id for version in calculation.factor_versions}
        assert reference.factor.unit.endswith("/kWh")
        assert "演示" in reference.source and "not a real database figure" in reference.source

        # 5. Nothing with a secret: no PACT client.
        assert session.scalar(select(func.count()).select_from(PactClient)) == 0
        before = counts(session)

    second = cli_runner("demo")
    assert second.exit_code == 0, second.output
    assert "新共享碳足迹 0 项、核查通过的声明 0 项、供应商碳足迹因子 0 个、国际参考值 0 个" in second.output
    with database() as session:
        assert counts(session) == before
