"""Findings on a group standard's eligibility for adoption (采信) as a recommended national
standard: 指引（十）（十五） and SAMR's interim rules of 2023. PURE.

workbench/evaluation/eligibility.py makes them from plain facts; an error refuses the submission
of an application (and SAMR's adoption, when it still holds on the day of the decision). Each
requirement that is met is reported too (`adoption_requirement_met`, information), so that the
page shows every line with its article.
"""

from workbench.guideline.articles import cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, INFO = Severity.ERROR, Severity.INFO

CHECKS: tuple[Check, ...] = (
    Check(
        "adoption_not_group",
        ERROR,
        cite(15),
        N_("只有已发布的团体标准才能申请采信为推荐性国家标准。"),
        {
            "": N_("%(number)s 不是团体标准：只有已发布的团体标准才能申请采信为推荐性国家标准。"),
            "not_published": N_(
                "%(number)s 不是现行有效的已发布标准（尚未发布、已被代替或已废止）：只有已发布的团体标准才能申请采信。"
            ),
        },
    ),
    Check(
        "adoption_years_in_force",
        ERROR,
        cite(15),
        N_("团体标准实施满两个完整年度后才能申请采信。"),
        {
            "": N_(
                "%(number)s 自 %(since)s 实施，到 %(today)s 实施满 %(years)d 个完整年度，不足两年："
                "%(eligible_on)s 起才能申请采信。"
            ),
            "no_date": N_("%(number)s 没有登记实施日期，无法计算实施年限：请先在标准体系中补充实施日期。"),
        },
    ),
    Check(
        "adoption_factor_citations",
        ERROR,
        cite(15),
        N_("碳足迹团体标准须被因子数据库多次引用，引用次数不少于设定的门槛。"),
        {
            "": N_(
                "因子库中依据 %(number)s 的因子有 %(count)d 个（%(factors)s），少于采信要求的 %(threshold)d 个："
                "因子数据库多次引用后才能申请采信。"
            ),
            "none": N_(
                "因子库中没有依据 %(number)s 的因子（0 个，要求至少 %(threshold)d 个）："
                "因子数据库多次引用后才能申请采信。"
            ),
        },
    ),
    Check(
        "adoption_higher_level_exists",
        ERROR,
        cite(10, 15),
        N_("采信是为了填补国家标准体系的空白：产品已有国家标准或行业标准（或在制定中）时不再采信团体标准。"),
        {
            "": N_(
                "“%(product)s”已有国家标准或行业标准（%(standards)s）：采信是为了填补国家标准体系的空白，"
                "已有的不再采信团体标准。"
            ),
            "in_preparation": N_(
                "“%(product)s”的国家标准或行业标准正在制定（%(standards)s）：请参与该项目的起草，不再采信团体标准。"
            ),
            "no_product": N_(
                "%(number)s 没有关联产品目录中的产品，无法判断国家标准体系是否缺少该产品的标准："
                "请先在标准体系中为它选择产品。"
            ),
        },
    ),
    Check(
        "adoption_good_practice_missing",
        ERROR,
        cite(15),
        N_("申请单位须符合 GB/T 20004 社会团体良好行为要求，并附评价证明。"),
        {
            "": N_(
                "没有附上社会团体良好行为评价证明（GB/T 20004）：请在附件中上传“良好行为评价证明（GB/T 20004）”后再提交。"
            )
        },
    ),
    Check(
        "adoption_requirement_met",
        INFO,
        cite(15),
        N_("采信条件中已满足的一项。"),
        {
            "": N_("%(number)s 是已发布的团体标准。"),
            "years": N_("%(number)s 自 %(since)s 实施，已满 %(years)d 个完整年度（要求至少两年）。"),
            "citations": N_("因子库中有 %(count)d 个因子依据 %(number)s（%(factors)s），不少于 %(threshold)d 个。"),
            "higher": N_("“%(product)s”尚无国家标准或行业标准，也没有在制定中的项目。"),
            "good_practice": N_("已附上社会团体良好行为评价证明（GB/T 20004）。"),
        },
    ),
)
