"""The guideline's vocabulary: every coded word a rule, a dataset or a finding uses, once.

PURE. Each vocabulary names the article it comes from and lists its words in the order the
guideline gives them, which is also an order of priority where there is one (secondary data,
factor tiers). Codes are English and stored; labels are Chinese, the source of the interface
strings, and translated when shown. The rule template's schema repeats the labels for its forms;
tests/test_guideline.py keeps the two in step.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from workbench.guideline.articles import GB_T_1_1, GB_T_24067, cite
from workbench.messages import N_, Term, Terms


@dataclass(frozen=True)
class Vocabulary:
    name: str  # how messages and the schema's x-enum-labels name it
    title: str  # Chinese, N_
    article: str  # the citation it comes from
    labels: dict[str, str]  # code → Chinese label, in the guideline's order

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def __contains__(self, code) -> bool:
        return code in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def label(self, code: str) -> str:
        """The Chinese label; an unknown code as it is."""
        return self.labels.get(code, code)

    def term(self, code: str) -> Term:
        """`code` as a message parameter, shown in the reader's language."""
        return Term(self.name, code, self.labels.get(code, ""))

    def terms(self, codes: Iterable[str]) -> Terms:
        return Terms(tuple(self.term(code) for code in codes))


LIFE_CYCLE_STAGES = Vocabulary(
    "stage",
    N_("生命周期阶段"),
    GB_T_24067,
    {
        "raw_material_acquisition": N_("原材料获取"),
        "production": N_("生产"),
        "distribution": N_("分销运输"),
        "use": N_("使用"),
        "end_of_life": N_("废弃处置"),
    },
)
BOUNDARIES = Vocabulary(
    "boundary",
    N_("系统边界"),
    cite(3),
    {"cradle_to_gate": N_("摇篮到大门"), "cradle_to_grave": N_("摇篮到坟墓"), "partial": N_("部分生命周期")},
)
END_USES = Vocabulary("end_use", N_("最终用途"), cite(3), {"final": N_("终端产品"), "intermediate": N_("中间产品")})
SIDES = Vocabulary("side", N_("生产侧/消费侧"), cite(1), {"production": N_("生产侧"), "consumption": N_("消费侧")})
PRIORITY_CATEGORIES = Vocabulary(
    "priority_category",
    N_("重点产品类别"),
    cite(1),
    {
        "basic_energy": N_("基础能源"),
        "raw_material": N_("原材料"),
        "transport": N_("交通运输"),
        "export_product": N_("重点外贸产品"),
    },
)
# Data types of activity data: primary (site) data, then the secondary types in the order of
# priority of 指引（四）.
DATA_TYPES = Vocabulary(
    "data_type",
    N_("数据类型"),
    cite(4),
    {
        "primary": N_("初级数据"),
        "statistical": N_("统计数据"),
        "literature": N_("文献数据"),
        "estimated": N_("估算数据"),
    },
)
SECONDARY_PRIORITY = ("statistical", "literature", "estimated")
# Sources of factor data, in the order of priority of 指引（五）.
FACTOR_TIERS = Vocabulary(
    "tier",
    N_("因子数据来源"),
    cite(5),
    {
        "measured_verified": N_("经溯源性核验的实测数据"),
        "government": N_("政府官方数据"),
        "industry": N_("行业经验值"),
        "literature": N_("文献值"),
    },
)
# 指引（四）: activity data are collected by emission category; the first four are named there.
ACTIVITY_CATEGORIES = Vocabulary(
    "category",
    N_("排放类别"),
    cite(4),
    {
        "raw_materials": N_("原材料消耗"),
        "energy": N_("能源使用"),
        "transport": N_("运输方式"),
        "waste_treatment": N_("废物处理"),
        "process_emissions": N_("过程排放"),
    },
)
REQUIRED_CATEGORIES = ("raw_materials", "energy", "transport", "waste_treatment")
# Where each category normally arises: a rule listing the category expects data there, among
# the stages it includes.
CATEGORY_STAGES = {
    "raw_materials": ("raw_material_acquisition",),
    "energy": ("production",),
    "transport": ("raw_material_acquisition", "distribution"),
    "waste_treatment": ("production", "end_of_life"),
    "process_emissions": ("production",),
}
GRID_FACTORS = Vocabulary(
    "grid_factor",
    N_("电网排放因子"),
    cite(4),
    {"national_average": N_("全国电网平均"), "regional_average": N_("区域电网平均")},
)
# Contractual instruments for non-fossil electricity (指引（四）, GB/T 24067—2024).
INSTRUMENTS = Vocabulary(
    "instrument",
    N_("电力凭证"),
    cite(4),
    {
        "green_certificate": N_("绿色电力证书"),
        "green_power_trading": N_("绿色电力交易合同"),
        "ppa": N_("购电协议（PPA）"),
    },
)
# Sources of electricity beyond the grid average, each counted under its own conditions
# (template 1.1 parameters.electricity.sources; GB/T 24067—2024, 指引（四）).
ELECTRICITY_SOURCES = Vocabulary(
    "electricity_source",
    N_("电力来源"),
    cite(4),
    {
        "grid": N_("电网购电"),
        "captive_plant": N_("自备电厂"),
        "direct_supply": N_("直供电"),
        "ppa": N_("购电协议（PPA）"),
        "green_certificate": N_("绿色电力证书"),
        "green_power_trading": N_("绿色电力交易"),
    },
)
# The elements of a standard (GB/T 1.1—2020 chapter 6); both kinds of annex share a place in the order.
ELEMENTS = Vocabulary(
    "element",
    N_("要素"),
    GB_T_1_1,
    {
        "foreword": N_("前言"),
        "introduction": N_("引言"),
        "scope": N_("范围"),
        "normative_references": N_("规范性引用文件"),
        "terms": N_("术语和定义"),
        "technical": N_("技术内容"),
        "annex_normative": N_("规范性附录"),
        "annex_informative": N_("资料性附录"),
    },
)
# The data-quality rating bands of the EU PEF DQR, as the trial results use them.
QUALITY_RATINGS = Vocabulary(
    "quality_rating",
    N_("数据质量等级"),
    cite(4),
    {
        "excellent": N_("优秀"),
        "very_good": N_("很好"),
        "good": N_("好"),
        "fair": N_("一般"),
        "poor": N_("差"),
    },
)

# 指引（三）: products for end users get cradle-to-grave, other products cradle-to-gate.
BOUNDARY_FOR_END_USE = {"final": "cradle_to_grave", "intermediate": "cradle_to_gate"}
# (stages a boundary must include, stages it must not): the gate is the factory gate.
STAGES_FOR_BOUNDARY = {
    "cradle_to_grave": (LIFE_CYCLE_STAGES.codes, ()),
    "cradle_to_gate": (("raw_material_acquisition", "production"), ("distribution", "use", "end_of_life")),
}

VOCABULARIES = {
    vocabulary.name: vocabulary
    for vocabulary in (
        LIFE_CYCLE_STAGES,
        BOUNDARIES,
        END_USES,
        SIDES,
        PRIORITY_CATEGORIES,
        DATA_TYPES,
        FACTOR_TIERS,
        ACTIVITY_CATEGORIES,
        GRID_FACTORS,
        INSTRUMENTS,
        ELECTRICITY_SOURCES,
        ELEMENTS,
        QUALITY_RATINGS,
    )
}
