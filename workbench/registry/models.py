"""The registry's tables: products, standards (with their numbers) and the relations between them."""

from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Archivable, Audited
from workbench.db import Versioned, db, enum_type
from workbench.registry.numbers import Level, Nature


class Side(StrEnum):
    """指引（一）: production-side primary products and consumption-side end products."""

    PRODUCTION = "production"
    CONSUMPTION = "consumption"


class EndUse(StrEnum):
    """指引（三）: products for end users default to cradle-to-grave, others to cradle-to-gate."""

    FINAL = "final"
    INTERMEDIATE = "intermediate"


class PriorityCategory(StrEnum):
    """The priority groups of 指引（一） and the 2024 implementation plan."""

    BASIC_ENERGY = "basic_energy"
    RAW_MATERIAL = "raw_material"
    TRANSPORT = "transport"
    EXPORT_PRODUCT = "export_product"
    CONSUMER_PRODUCT = "consumer_product"  # 终端消费品 (指引（一）: consumption-side end products)


class Status(StrEnum):
    """What is stored. "In force" and "upcoming" are derived from the implementation date."""

    PLANNED = "planned"
    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    PUBLISHED = "published"
    UNDER_REVISION = "under_revision"
    REPLACED = "replaced"
    WITHDRAWN = "withdrawn"


class RelationKind(StrEnum):
    REPLACES = "replaces"  # 代替
    ADOPTS_INTERNATIONAL = "adopts_international"  # 采用国际标准 (IDT/MOD/NEQ)
    ADOPTS_GROUP = "adopts_group"  # 采信团体标准
    CITES = "cites"  # 引用


class Equivalence(StrEnum):
    IDT = "IDT"  # 等同采用
    MOD = "MOD"  # 修改采用
    NEQ = "NEQ"  # 非等效


LEVEL_LABELS = {
    Level.NATIONAL: _l("国家标准"),
    Level.INDUSTRY: _l("行业标准"),
    Level.LOCAL: _l("地方标准"),
    Level.GROUP: _l("团体标准"),
    Level.ENTERPRISE: _l("企业标准"),
    Level.INTERNATIONAL: _l("国际标准"),
}
NATURE_LABELS = {
    Nature.MANDATORY: _l("强制性"),
    Nature.RECOMMENDED: _l("推荐性"),
    Nature.GUIDANCE: _l("指导性"),
}
STATUS_LABELS = {
    Status.PLANNED: _l("计划"),
    Status.DRAFTING: _l("起草中"),
    Status.CONSULTATION: _l("征求意见"),
    Status.PUBLISHED: _l("已发布"),
    Status.UNDER_REVISION: _l("修订中"),
    Status.REPLACED: _l("被代替"),
    Status.WITHDRAWN: _l("废止"),
}
# Shown instead of "published" once the implementation date is known.
IN_FORCE, UPCOMING = "in_force", "upcoming"
DISPLAY_STATUS_LABELS = {**STATUS_LABELS, IN_FORCE: _l("现行"), UPCOMING: _l("即将实施")}
SIDE_LABELS = {Side.PRODUCTION: _l("生产侧"), Side.CONSUMPTION: _l("消费侧")}
END_USE_LABELS = {EndUse.FINAL: _l("终端产品"), EndUse.INTERMEDIATE: _l("中间产品")}
PRIORITY_LABELS = {
    PriorityCategory.BASIC_ENERGY: _l("基础能源"),
    PriorityCategory.RAW_MATERIAL: _l("原材料"),
    PriorityCategory.TRANSPORT: _l("交通运输"),
    PriorityCategory.EXPORT_PRODUCT: _l("重点外贸产品"),
    PriorityCategory.CONSUMER_PRODUCT: _l("终端消费品"),
}
RELATION_LABELS = {
    RelationKind.REPLACES: _l("代替"),
    RelationKind.ADOPTS_INTERNATIONAL: _l("采用国际标准"),
    RelationKind.ADOPTS_GROUP: _l("采信团体标准"),
    RelationKind.CITES: _l("引用"),
}
INVERSE_RELATION_LABELS = {
    RelationKind.REPLACES: _l("被以下标准代替"),
    RelationKind.ADOPTS_INTERNATIONAL: _l("被以下标准采用"),
    RelationKind.ADOPTS_GROUP: _l("被以下标准采信"),
    RelationKind.CITES: _l("被以下标准引用"),
}
EQUIVALENCE_LABELS = {
    Equivalence.IDT: _l("等同采用"),
    Equivalence.MOD: _l("修改采用"),
    Equivalence.NEQ: _l("非等效采用"),
}


class Product(Versioned, Archivable, db.Model):
    """A product that carbon-footprint standards are written for. Standards link to it by id,
    so "锂电池" and "锂离子电池" (an alias) are one product and never matched by title text."""

    __tablename__ = "products"
    __audit_type__ = "product"
    __audit_type_label__ = _l("产品")
    __audit_endpoint__ = "registry.product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), info={"label": _l("名称")})
    name_en: Mapped[str | None] = mapped_column(String(200), info={"label": _l("英文名称")})
    # Other names, separated by "、" (so the history reads naturally); unique across the catalogue.
    aliases: Mapped[str] = mapped_column(String(500), default="", info={"label": _l("别名")})
    classification_code: Mapped[str | None] = mapped_column(String(32), info={"label": _l("分类代码")})
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True, info={"label": _l("上级产品")})
    side: Mapped[Side] = mapped_column(
        enum_type(Side), info={"label": _l("生产侧/消费侧"), "value_labels": SIDE_LABELS}
    )
    end_use: Mapped[EndUse] = mapped_column(
        enum_type(EndUse), info={"label": _l("最终用途"), "value_labels": END_USE_LABELS}
    )
    priority_category: Mapped[PriorityCategory | None] = mapped_column(
        enum_type(PriorityCategory), info={"label": _l("重点产品类别"), "value_labels": PRIORITY_LABELS}
    )
    source: Mapped[str] = mapped_column(String(300), default="", info={"label": _l("来源")})

    parent: Mapped["Product | None"] = relationship(
        remote_side="Product.id", back_populates="children", info={"label": _l("上级产品")}
    )
    children: Mapped[list["Product"]] = relationship(back_populates="parent", order_by="Product.name")
    standards: Mapped[list["Standard"]] = relationship(viewonly=True, order_by="Standard.id")

    @property
    def alias_list(self) -> list[str]:
        return [alias for alias in self.aliases.split("、") if alias]

    @property
    def names(self) -> list[str]:
        return [self.name, *self.alias_list]

    def audit_label(self) -> str:
        return self.name


Index("uq_products_name_lower", func.lower(Product.name), unique=True)


class Standard(Versioned, Archivable, db.Model):
    """A carbon-footprint standard or standard project at any level.

    A project (planned, drafting, consultation) may have no number yet; a published standard has
    one or more (a group standard can be issued jointly). `numbers` keeps their canonical forms for
    reading and for the audit trail; `StandardNumber` rows index them for search and uniqueness.
    """

    __tablename__ = "standards"
    __audit_type__ = "standard"
    __audit_type_label__ = _l("标准")
    __audit_endpoint__ = "registry.standard"
    __table_args__ = (
        CheckConstraint("implemented_on IS NULL OR published_on IS NULL OR implemented_on >= published_on", "dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[Level] = mapped_column(
        enum_type(Level), index=True, info={"label": _l("级别"), "value_labels": LEVEL_LABELS}
    )
    nature: Mapped[Nature] = mapped_column(enum_type(Nature), info={"label": _l("性质"), "value_labels": NATURE_LABELS})
    numbers: Mapped[str] = mapped_column(String(300), default="", info={"label": _l("标准编号")})
    title: Mapped[str] = mapped_column(String(300), info={"label": _l("标准名称")})
    title_en: Mapped[str | None] = mapped_column(String(500), info={"label": _l("英文名称")})
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True, info={"label": _l("产品")})
    status: Mapped[Status] = mapped_column(
        enum_type(Status), index=True, info={"label": _l("状态"), "value_labels": STATUS_LABELS}
    )
    issuer: Mapped[str] = mapped_column(String(300), default="", info={"label": _l("发布机构")})
    committee: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("技术委员会/归口单位")})
    association: Mapped[str] = mapped_column(String(200), default="", info={"label": _l("社会团体")})
    region: Mapped[str] = mapped_column(String(100), default="", info={"label": _l("地区")})
    # Year of the (first) number, else of publication: the list filters and sorts by it.
    year: Mapped[int | None] = mapped_column(index=True, info={"audit": "skip"})
    published_on: Mapped[date | None] = mapped_column(info={"label": _l("发布日期")})
    implemented_on: Mapped[date | None] = mapped_column(index=True, info={"label": _l("实施日期")})
    withdrawn_on: Mapped[date | None] = mapped_column(info={"label": _l("废止日期")})
    note: Mapped[str] = mapped_column(Text, default="", info={"label": _l("备注")})

    product: Mapped[Product | None] = relationship(info={"label": _l("产品")})
    number_rows: Mapped[list["StandardNumber"]] = relationship(
        back_populates="standard", cascade="all, delete-orphan", order_by="StandardNumber.position"
    )
    relations: Mapped[list["StandardRelation"]] = relationship(
        foreign_keys="StandardRelation.standard_id", back_populates="standard", order_by="StandardRelation.id"
    )
    inverse_relations: Mapped[list["StandardRelation"]] = relationship(
        foreign_keys="StandardRelation.target_id", viewonly=True, order_by="StandardRelation.id"
    )

    def display_status(self, today: date) -> str:
        if self.status == Status.PUBLISHED and self.implemented_on is not None:
            return IN_FORCE if self.implemented_on <= today else UPCOMING
        return self.status.value

    @property
    def number_list(self) -> list[str]:
        return [number for number in self.numbers.split(" / ") if number]

    @property
    def designation(self) -> str:
        """How people name it: its number(s), or the title while it is a project without one."""
        return self.numbers or self.title

    def audit_label(self) -> str:
        return f"{self.numbers} {self.title}" if self.numbers else self.title


class StandardNumber(db.Model):
    """One number of a standard, in canonical form and as a compact search key (unique: one
    number names one standard). Kept in step with `Standard.numbers` by the service."""

    __tablename__ = "standard_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100), unique=True)

    standard: Mapped[Standard] = relationship(back_populates="number_rows")


class StandardRelation(Audited, db.Model):
    """`standard` replaces / adopts / cites `target` (a registered standard) or `target_text`
    (an international standard such as "ISO 14067:2018", which the registry does not hold)."""

    __tablename__ = "standard_relations"
    __audit_type__ = "standard_relation"
    __audit_type_label__ = _l("标准关系")
    __audit_endpoint__ = None
    __table_args__ = (CheckConstraint("(target_id IS NULL) <> (target_text IS NULL)", "one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True, info={"label": _l("标准")})
    kind: Mapped[RelationKind] = mapped_column(
        enum_type(RelationKind), info={"label": _l("关系"), "value_labels": RELATION_LABELS}
    )
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id"), index=True, info={"label": _l("对象标准")}
    )
    target_text: Mapped[str | None] = mapped_column(String(200), info={"label": _l("对象标准")})
    equivalence: Mapped[Equivalence | None] = mapped_column(
        enum_type(Equivalence), info={"label": _l("一致性程度"), "value_labels": EQUIVALENCE_LABELS}
    )

    standard: Mapped[Standard] = relationship(
        foreign_keys=[standard_id], back_populates="relations", info={"label": _l("标准")}
    )
    target: Mapped[Standard | None] = relationship(foreign_keys=[target_id], info={"label": _l("对象标准")})

    @property
    def target_label(self) -> str:
        return self.target.designation if self.target is not None else self.target_text

    def audit_label(self) -> str:
        return f"{self.standard.designation} {RELATION_LABELS[self.kind]} {self.target_label}"
