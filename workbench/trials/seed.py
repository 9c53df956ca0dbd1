"""Demo trials: three cement plants tried against the demo cement rule out for consultation, so
the results pages, the feasibility report and the live 送审 gate have something to show. The
plants and their figures are invented (marked 演示); the grid factor comes from the reference
library by code, so the calculation names the factor version it used. The demo dates them back
to the day its story says they were entered (date_back)."""

import copy
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule
from workbench.factors.models import Factor, FactorKind
from workbench.trials import service
from workbench.trials.models import Calculation, Trial

CEMENT_TITLE = "温室气体 产品碳足迹量化方法与要求 水泥"


def _government(value: float, unit: str, source: str) -> dict:
    return {"value": value, "unit": unit, "tier": "government", "source": source}


# The two foreground processes of a plant reported as a network, and the product between them.
CLINKER_BURNING, CEMENT_GRINDING, CLINKER = "熟料烧成", "水泥粉磨", "熟料"
CEMENT = "P·O 42.5 普通硅酸盐水泥"


def cement_plant(
    enterprise: str,
    *,
    clinker: float,
    coal: float,
    power: float,
    grid_code: str | None,
    metered_waste: bool = True,
    network: bool = False,
) -> dict:
    """One year of a cement plant making 1,000,000 t of cement: clinker (t), coal (t) and power
    (kWh) per t of cement, scaled up. A plant that does not meter its waste estimates it, which
    the rule does not allow in production: the report then shows the gap. With `network` the
    same figures come as two processes (`_as_network`), so the result is the same."""
    output = 1_000_000
    electricity = {"id": grid_code} if grid_code else None
    lines = [
        {
            "stage": "raw_material_acquisition",
            "category": "raw_materials",
            "item": "石灰石",
            "amount": round(1.25 * clinker * output),
            "unit": "t",
            "data_type": "statistical",
            "source": "企业原料台账（演示）",
            "factor": _government(2.9, "kgCO2e/t", "《中国产品全生命周期温室气体排放系数集（2022）》"),
            "uncertainty": {"pedigree": [2, 2, 1, 1, 2]},
        },
        {
            "stage": "raw_material_acquisition",
            "category": "transport",
            "item": "原料公路运输",
            "amount": round(1.25 * clinker * output * 35),
            "unit": "t*km",
            "data_type": "statistical",
            "source": "运输单据汇总（演示）",
            "factor": _government(0.078, "kgCO2e/(t*km)", "《中国产品全生命周期温室气体排放系数集（2022）》"),
            "uncertainty": {"pedigree": [2, 3, 2, 2, 2]},
        },
        {
            "stage": "production",
            "category": "energy",
            "item": "烟煤",
            "amount": round(coal * output),
            "unit": "t",
            "data_type": "primary",
            "source": "能源计量台账（演示）",
            "factor": _government(2460, "kgCO2e/t", "GB/T 32150—2015 附录 B 缺省值及上游排放（演示估算）"),
            "uncertainty": {"pedigree": [1, 1, 1, 2, 1]},
        },
        {
            "stage": "production",
            "category": "energy",
            "item": "外购电力",
            "amount": round(power * output),
            "unit": "kWh",
            "data_type": "primary",
            "source": "电费结算单（演示）",
            **({"factor": electricity} if electricity else {"electricity": {}}),
            "uncertainty": {"pedigree": [1, 1, 1, 1, 1]},
        },
        {
            "stage": "production",
            "category": "process_emissions",
            "item": "碳酸盐分解",
            "amount": round(clinker * output),
            "unit": "t",
            "data_type": "primary",
            "source": "熟料产量及 CaO、MgO 化验（演示）",
            "factor": {
                "value": 525,
                "unit": "kgCO2/t",
                "tier": "measured_verified",
                "source": "企业熟料成分化验（演示）",
                "uncertainty": {"distribution": "lognormal", "gsd": 1.03},
            },
        },
        {
            "stage": "production",
            "category": "waste_treatment",
            "item": "废耐火材料处置",
            "amount": round(0.0004 * output),
            "unit": "t",
            **(
                {"data_type": "primary", "source": "危废转移联单（演示）"}
                if metered_waste
                else {
                    "data_type": "estimated",
                    "source": "按年度更换量估算（演示）",
                    "justification": "无单独计量，按检修记录估算",
                }
            ),
            "factor": _government(45, "kgCO2e/t", "《中国产品全生命周期温室气体排放系数集（2022）》"),
        },
    ]
    dataset = {
        "enterprise": enterprise,
        "period": "2025 年 1 月—12 月",
        "reference_flow": {"quantity": output, "unit": "t", "product": CEMENT},
        "lines": lines,
    }
    return _as_network(dataset, clinker_made=round(clinker * output)) if network else dataset


def _as_network(dataset: dict, *, clinker_made: int) -> dict:
    """The flat plant as clinker burning, whose lines are the year's for the `clinker_made` t of
    clinker, and cement grinding, which takes that clinker and makes the year's cement. Both
    processes run at scaling 1 (each output is the year's amount), so every line keeps its figure
    and the static result is the flat one's. The plant meters its power once, as the flat data say:
    the line goes to grinding, which uses most of it. The exchanges are as uncertain as their
    weighing: the clinker fed to the mills (belt scales) more than the clinker made (reckoned
    from the kiln feed) and the cement dispatched (weighbridge)."""
    output = dataset["reference_flow"]["quantity"]
    for line in dataset["lines"]:
        line["process"] = CEMENT_GRINDING if line["item"] == "外购电力" else CLINKER_BURNING
    dataset["processes"] = [
        {
            "id": CLINKER_BURNING,
            "name": "熟料烧成系统（回转窑）",
            "outputs": [
                {
                    "product": CLINKER,
                    "amount": clinker_made,
                    "unit": "t",
                    "uncertainty": {"distribution": "lognormal", "gsd": 1.02},
                }
            ],
        },
        {
            "id": CEMENT_GRINDING,
            "name": "水泥粉磨系统",
            "outputs": [
                {
                    "product": CEMENT,
                    "amount": output,
                    "unit": "t",
                    "uncertainty": {"distribution": "lognormal", "gsd": 1.01},
                }
            ],
            "inputs": [
                {
                    "product": CLINKER,
                    "amount": clinker_made,
                    "unit": "t",
                    "uncertainty": {"distribution": "lognormal", "gsd": 1.05},
                }
            ],
        },
    ]
    return dataset


PLANTS = [
    ("演示水泥甲有限公司", {"clinker": 0.78, "coal": 0.105, "power": 88}),
    ("演示水泥乙有限公司", {"clinker": 0.72, "coal": 0.098, "power": 95}),
    # 丙 reports its two processes, so the demo shows Monte Carlo on the network and its sensitivity.
    ("演示水泥丙有限公司", {"clinker": 0.84, "coal": 0.118, "power": 102, "metered_waste": False, "network": True}),
]


def date_back(session: Session, trial: Trial, at: datetime) -> None:
    """`trial` and its calculations dated `at`, the day the demo's story has it entered and
    calculated (they were made while loading; the audit trail keeps that)."""
    trial.created_at = at
    for calculation in session.scalars(select(Calculation).where(Calculation.trial_id == trial.id)):
        calculation.calculated_at = at


def load(session: Session, by, *, at: datetime | None = None) -> int:
    """Trials of the demo cement rule's current revision that are missing; returns how many.
    `at`: when they were entered and calculated (the demo: during the consultation; default now)."""
    rule = session.scalar(select(Rule).where(Rule.title == CEMENT_TITLE))
    if rule is None:
        return 0
    grid = session.scalar(  # the latest national life-cycle electricity factor published by MEE
        select(Factor.code)
        .where(Factor.kind == FactorKind.CFP_LIFE_CYCLE, Factor.geography == "全国", Factor.archived_at.is_(None))
        .order_by(Factor.data_year.desc().nulls_last())
    )
    # Entered by the secretariat, as for the demo's other records; else by whoever loads the demo.
    author = session.scalar(select(User).where(User.username == "secretariat", User.active.is_(True))) or by
    revision = drafting.revision(session, rule)
    present = {
        service.enterprise_key(name)
        for name in session.scalars(
            select(Trial.enterprise).where(Trial.revision_id == revision.id, Trial.archived_at.is_(None))
        )
    }
    created = 0
    for enterprise, figures in PLANTS:
        if service.enterprise_key(enterprise) in present:
            continue
        data = copy.deepcopy(cement_plant(enterprise, grid_code=grid, **figures))
        trial = service.create_trial(session, rule, data=data, source="json", by=author)
        if at is not None:
            date_back(session, trial, at)
        created += 1
    return created
