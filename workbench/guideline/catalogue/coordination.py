"""Findings of TC548's coordination report: rules of related products that disagree on a technical
choice without a stated reason (指引（十三）: 规范性和协调性). PURE.

Related means products in one catalogue branch (the same product, the same parent, or one the
ancestor of the other) or a product that is an input of another (workbench.evaluation.coordination
says how an input is recognised). One finding per pair of rules and choice; it stops being reported
once the secretariat records why the two rules differ on purpose.

Severity: a different GWP set is an error, because the footprint of an input computed with one set
cannot be added to its consumer's footprint computed with another: the two results are in different
units of CO₂e. The other differences are warnings: each may have a reason (a sector with its own data
period, a regional grid), which the secretariat then records. Neither stops a rule moving on: the
report is read by the secretariat and in evaluations, not at the stage gates.
"""

from workbench.guideline.articles import cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING = Severity.ERROR, Severity.WARNING

CHECKS: tuple[Check, ...] = (
    Check(
        "coordination_gwp_set",
        ERROR,
        cite(13),
        N_("相关产品的规则应采用同一全球变暖潜势（GWP）数据集，否则上下游的碳足迹无法相加。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）采用的 GWP 数据集不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一为同一数据集，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_cut_off",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的取舍准则。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的取舍准则不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_electricity",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的外购电力核算方法和电网因子年份。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的外购电力核算方法不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            ),
            "year": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的电网因子年份不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            ),
        },
    ),
    Check(
        "coordination_data_period",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的数据时间范围。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的数据时间范围不同：%(rule)s 为“%(value)s”，"
                "%(other)s 为“%(other_value)s”。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_allocation",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的分配方法。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的分配方法不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_primary_data",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的初级数据定义（占比口径和须用初级数据的阶段）。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的初级数据定义不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_data_quality",
        WARNING,
        cite(13),
        N_("相关产品的规则宜采用相同的数据质量评价方法。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）的数据质量评价方法不同：%(rule)s 为“%(value)s”，"
                "%(other)s 为“%(other_value)s”。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
    Check(
        "coordination_boundary",
        WARNING,
        cite(13),
        N_("最终用途相同的相关产品，规则宜采用相同的系统边界（指引（三））。"),
        {
            "": N_(
                "%(rule)s 与 %(other)s（%(relation)s）都是%(end_use)s，系统边界却不同：%(rule)s 为 %(value)s，"
                "%(other)s 为 %(other_value)s。请统一，或由秘书处记录差异的理由。"
            )
        },
    ),
)
