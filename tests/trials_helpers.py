"""Helpers shared by the trial tests: a cement dataset that fits the template's default rule (cradle
to gate; production needs primary data) and trials made through the service."""

import copy

from workbench.trials import service

from .conftest import ADMIN

TESTER = ADMIN


def cement_dataset(enterprise: str = "华北水泥有限公司", scale: float = 1.0) -> dict:
    """One year of a cement plant: 1,000 t of cement. With scale 1 the footprint is, per t:
    limestone 1.3 t × 2.0 kg + transport 130 t·km × 0.1 kg + coal 0.12 t × 2,500 kg
    + electricity 90 kWh × 0.6 kg + calcination 0.52 t × 1,000 kg + kiln dust 0.01 t × 30 kg
    = 2.6 + 13 + 300 + 54 + 520 + 0.3 = 889.9 kg CO2e/t."""

    def inline(value, unit, tier="government", source="《中国产品全生命周期温室气体排放系数集（2022）》"):
        return {"value": value, "unit": unit, "tier": tier, "source": source}

    return {
        "enterprise": enterprise,
        "period": "2025 年",
        "reference_flow": {"quantity": 1000, "unit": "t", "product": "P·O 42.5 水泥"},
        "lines": [
            {
                "stage": "raw_material_acquisition",
                "category": "raw_materials",
                "item": "石灰石",
                "amount": 1300 * scale,
                "unit": "t",
                "data_type": "statistical",
                "source": "企业台账",
                "factor": inline(2.0, "kgCO2e/t"),
            },
            {
                "stage": "raw_material_acquisition",
                "category": "transport",
                "item": "石灰石公路运输",
                "amount": 130_000,
                "unit": "t*km",
                "data_type": "statistical",
                "source": "运输单据",
                "factor": inline(0.1, "kgCO2e/(t*km)"),
            },
            {
                "stage": "production",
                "category": "energy",
                "item": "烟煤",
                "amount": 120 * scale,
                "unit": "t",
                "data_type": "primary",
                "source": "能源计量台账",
                "factor": inline(2500, "kgCO2e/t"),
            },
            {
                "stage": "production",
                "category": "energy",
                "item": "外购电力",
                "amount": 90_000,
                "unit": "kWh",
                "data_type": "primary",
                "source": "电费单",
                "factor": inline(0.6, "kgCO2e/kWh"),
            },
            {
                "stage": "production",
                "category": "process_emissions",
                "item": "碳酸盐分解",
                "amount": 520,
                "unit": "t",
                "data_type": "primary",
                "source": "熟料产量与 CaO 含量",
                "factor": inline(1000, "kgCO2/t", tier="measured_verified", source="企业实测"),
            },
            {
                "stage": "production",
                "category": "waste_treatment",
                "item": "窑灰处置",
                "amount": 10,
                "unit": "t",
                "data_type": "primary",
                "source": "危废转移联单",
                "factor": inline(30, "kgCO2e/t"),
            },
        ],
    }


CEMENT_CFP = 889.9  # kg CO2e/t for cement_dataset() with scale 1


def make_trial(session, rule, enterprise="华北水泥有限公司", scale=1.0, **options):
    data = copy.deepcopy(cement_dataset(enterprise, scale))
    return service.create_trial(session, rule, data=data, source="json", by=TESTER, **options)
