"""The factor library (因子库): carbon-footprint and emission factors with their provenance, and
every version each factor has had, which calculations name."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Archivable
from workbench.dates import iso
from workbench.db import Versioned, db, enum_type
from workbench.guideline.vocabulary import FACTOR_TIERS


class Tier(StrEnum):
    """指引（五）: measured and traceability-verified first, then government, industry, literature."""

    MEASURED_VERIFIED = "measured_verified"
    GOVERNMENT = "government"
    INDUSTRY = "industry"
    LITERATURE = "literature"


class FactorKind(StrEnum):
    CFP_LIFE_CYCLE = "cfp_life_cycle"  # what product rules should use (upstream and losses included)
    CO2_LOCATION_BASED = "co2_location_based"
    CO2_EXCLUDING_MARKET_NON_FOSSIL = "co2_excluding_market_non_fossil"
    CO2_FOSSIL_ONLY = "co2_fossil_only"
    CO2_COMBUSTION_ONLY = "co2_combustion_only"
    PROCESS_EMISSION = "process_emission"


# The tiers, their labels and their order are the guideline's vocabulary; the enum is the column's.
if [tier.value for tier in Tier] != list(FACTOR_TIERS.codes):
    raise RuntimeError("factors.models.Tier must list workbench.guideline.vocabulary.FACTOR_TIERS, in order")
TIER_LABELS = {Tier(code): _l(label) for code, label in FACTOR_TIERS.labels.items()}
TIER_ORDER = {tier: rank for rank, tier in enumerate(Tier)}
KIND_LABELS = {
    FactorKind.CFP_LIFE_CYCLE: _l("全生命周期碳足迹因子"),
    FactorKind.CO2_LOCATION_BASED: _l("电力平均二氧化碳排放因子"),
    FactorKind.CO2_EXCLUDING_MARKET_NON_FOSSIL: _l("不含市场化交易非化石能源电量的电力二氧化碳排放因子"),
    FactorKind.CO2_FOSSIL_ONLY: _l("化石能源电力二氧化碳排放因子"),
    FactorKind.CO2_COMBUSTION_ONLY: _l("燃烧二氧化碳排放因子（仅燃烧环节）"),
    FactorKind.PROCESS_EMISSION: _l("过程排放因子"),
}


class Factor(Versioned, Archivable, db.Model):
    __tablename__ = "factors"
    __audit_type__ = "factor"
    __audit_type_label__ = _l("因子")
    __audit_endpoint__ = "factors.factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True, info={"label": _l("因子编号")})
    name: Mapped[str] = mapped_column(String(200), info={"label": _l("名称")})
    value: Mapped[float] = mapped_column(info={"label": _l("数值")})
    unit: Mapped[str] = mapped_column(String(60), info={"label": _l("单位")})
    gases: Mapped[dict | None] = mapped_column(JSON, info={"label": _l("分气体数值")})
    kind: Mapped[FactorKind] = mapped_column(
        enum_type(FactorKind), info={"label": _l("类型"), "value_labels": KIND_LABELS}
    )
    geography: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("地理范围")})
    data_year: Mapped[int | None] = mapped_column(info={"label": _l("数据年份")})
    published_on: Mapped[date | None] = mapped_column(info={"label": _l("发布日期")})
    tier: Mapped[Tier] = mapped_column(
        enum_type(Tier), index=True, info={"label": _l("数据来源层级"), "value_labels": TIER_LABELS}
    )
    source: Mapped[str] = mapped_column(String(500), info={"label": _l("来源")})
    source_url: Mapped[str] = mapped_column(String(500), default="", info={"label": _l("来源网址")})
    uncertainty: Mapped[dict | None] = mapped_column(JSON, info={"label": _l("不确定性")})
    database: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("数据库及版本")})
    standards: Mapped[str] = mapped_column(String(300), default="", info={"label": _l("依据的标准")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("备注")})

    versions: Mapped[list["FactorVersion"]] = relationship(
        back_populates="factor", order_by="FactorVersion.version", viewonly=True
    )

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"

    def snapshot(self) -> dict:
        """Everything a calculation needs to know of this version, as it was."""
        return {
            "code": self.code,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "gases": self.gases,
            "kind": self.kind.value,
            "geography": self.geography,
            "data_year": self.data_year,
            "published_on": iso(self.published_on),
            "tier": self.tier.value,
            "source": self.source,
            "source_url": self.source_url,
            "uncertainty": self.uncertainty,
            "database": self.database,
            "standards": self.standards,
        }


Index("ix_factors_name_lower", func.lower(Factor.name))


class FactorVersion(db.Model):
    """A factor as it was at one version; written with every change, never changed itself."""

    __tablename__ = "factor_versions"
    __table_args__ = (UniqueConstraint("factor_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    factor_id: Mapped[int] = mapped_column(ForeignKey("factors.id"), index=True)
    version: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime]

    factor: Mapped[Factor] = relationship(back_populates="versions")
