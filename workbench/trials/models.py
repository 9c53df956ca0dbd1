"""The trials (试算): one enterprise's data for one rule revision, and its calculations, each
naming the versions of the library factors it used (`workbench.factors.models.FactorVersion`)."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Archivable
from workbench.auth.models import User
from workbench.db import Versioned, db, enum_type
from workbench.factors.models import FactorVersion


class DatasetSource(StrEnum):
    FORM = "form"
    XLSX = "xlsx"
    JSON = "json"


SOURCE_LABELS = {
    DatasetSource.FORM: _l("在线填写"),
    DatasetSource.XLSX: _l("Excel 模板"),
    DatasetSource.JSON: _l("JSON"),
}


class Trial(Versioned, Archivable, db.Model):
    """One enterprise's data for one rule revision (试算数据). The enterprise's name is confidential
    to the drafting group; reports show its `label` (企业A), kept for the enterprise across the
    rule's revisions. Changing the data makes a new version; each calculation keeps the data it
    used."""

    __tablename__ = "trials"
    __audit_type__ = "trial"
    __audit_type_label__ = _l("试算")
    __audit_endpoint__ = "trials.trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True, info={"label": _l("规则")})
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("rule_revisions.id"), index=True, info={"label": _l("规则修订")}
    )
    enterprise: Mapped[str] = mapped_column(String(200), info={"label": _l("企业")})
    label: Mapped[str] = mapped_column(String(20), info={"label": _l("匿名代号")})
    period: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("数据期间")})
    # The trail says the data changed, not what they were: each calculation keeps its own copy.
    dataset: Mapped[dict] = mapped_column(JSON, info={"label": _l("试算数据"), "audit": "redact"})
    source: Mapped[DatasetSource] = mapped_column(
        enum_type(DatasetSource), info={"label": _l("录入方式"), "value_labels": SOURCE_LABELS}
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info={"audit": "skip"})
    created_at: Mapped[datetime] = mapped_column(info={"audit": "skip"})

    rule = relationship("Rule", info={"label": _l("规则")})
    revision = relationship("RuleRevision", info={"label": _l("规则修订")})
    calculations: Mapped[list["Calculation"]] = relationship(
        back_populates="trial", order_by="Calculation.id", viewonly=True
    )

    def audit_label(self) -> str:
        return f"{self.label} {self.enterprise}"


calculation_factors = Table(
    "calculation_factors",
    db.metadata,
    Column("calculation_id", ForeignKey("trial_calculations.id"), primary_key=True),
    Column("factor_version_id", ForeignKey("factor_versions.id"), primary_key=True, index=True),
)


class Calculation(db.Model):
    """One calculation of a trial, never changed: the data, rule revision, options and factor
    versions it used, and what came out (the engine's result, or the problems that stopped it)."""

    __tablename__ = "trial_calculations"

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("rule_revisions.id"), index=True)
    trial_version: Mapped[int]
    dataset: Mapped[dict] = mapped_column(JSON)
    options: Mapped[dict] = mapped_column(JSON)  # electricity, allocation, iterations, seed
    calculated_at: Mapped[datetime]
    calculated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    calculated_by_label: Mapped[str] = mapped_column(String(200))
    # Calculated as the rule says (electricity and allocation "rule"): the result the feasibility
    # report and the 送审 gate use; other calculations are scenarios.
    of_record: Mapped[bool] = mapped_column(default=True)
    usable: Mapped[bool]  # False: the data could not be calculated; `result` holds the problems
    cfp_per_unit: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(60), default="")
    errors: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict] = mapped_column(JSON)

    trial: Mapped[Trial] = relationship(back_populates="calculations")
    calculated_by: Mapped[User | None] = relationship()
    factor_versions: Mapped[list[FactorVersion]] = relationship(secondary=calculation_factors)
