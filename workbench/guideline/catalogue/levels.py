"""Findings on which level of standard may be made for a product when others exist
(workbench.registry.hierarchy): 指引（八）–（十四）. PURE."""

from workbench.guideline.articles import OPINIONS_2023, SEPARATOR, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CHECKS = (
    Check(
        "local_where_higher_exists",
        ERROR,
        cite(9) + SEPARATOR + OPINIONS_2023,
        N_("已有碳足迹国家标准或行业标准的产品，不再制定地方标准。"),
        {
            "": N_(
                "“%(product)s”已有碳足迹国家标准或行业标准（%(standards)s），不再制定地方标准。"
                "请改为参与国家标准或行业标准的编制，提供基础数据和因子测算支持。"
            )
        },
    ),
    Check(
        "local_where_higher_in_preparation",
        WARNING,
        cite(9),
        N_("国家标准或行业标准正在制定的产品，发布后不再制定地方标准。"),
        {
            "": N_(
                "“%(product)s”的碳足迹国家标准或行业标准正在制定（%(standards)s），发布后将不再制定地方标准；"
                "建议地方参与该标准的编制。"
            )
        },
    ),
    Check(
        "local_on_priority_list",
        WARNING,
        cite(9),
        N_("重点产品清单上的产品按国家标准推进，地方标准只为具有地方特色的产品制定。"),
        {
            "": N_(
                "“%(product)s”在重点产品碳足迹核算标准清单上，由国家标准统一覆盖；地方标准只为具有地方特色的产品制定。"
                "请改为参与国家标准的编制，提供基础数据和因子测算支持。"
            )
        },
    ),
    Check(
        "group_where_higher_exists",
        WARNING,
        cite(10),
        N_("已有国家标准或行业标准的产品，不再鼓励制定团体标准。"),
        {"": N_("“%(product)s”已有碳足迹国家标准或行业标准（%(standards)s），不再鼓励制定团体标准。")},
    ),
    Check(
        "industry_where_national_exists",
        ERROR,
        cite(8, 14),
        N_("已有国家标准的产品不再登记行业标准：行业标准只补充国家标准未覆盖的细分产品。"),
        {
            "": N_(
                "“%(product)s”已有碳足迹国家标准（%(standards)s）。行业标准只补充国家标准未覆盖的细分产品，"
                "且国家标准实施后应由行业主管部门废止，因此不予登记。"
            )
        },
    ),
    Check(
        "industry_where_national_in_preparation",
        WARNING,
        cite(8, 14),
        N_("国家标准正在制定的产品，严格控制行业标准数量。"),
        {
            "": N_(
                "“%(product)s”的碳足迹国家标准正在制定（%(standards)s）。严格控制行业标准数量："
                "请与国家标准计划协调，国家标准实施后该行业标准应废止。"
            )
        },
    ),
    Check(
        "national_supersedes_lower",
        INFO,
        cite(14),
        N_("国家标准实施后，同一产品的行业标准和地方标准应由其主管部门废止。"),
        {"": N_("本国家标准实施后，“%(product)s”的行业标准或地方标准（%(standards)s）应由其主管部门废止。")},
    ),
    Check(
        "duplicate_at_level",
        WARNING,
        cite(12),
        N_("同一产品在同一级别不应重复制定碳足迹标准（企业标准除外）。"),
        {"": N_("“%(product)s”在同一级别已有有效的碳足迹标准或项目（%(standards)s），可能重复制定。")},
    ),
    Check(
        "overlap_in_product_tree",
        INFO,
        cite(12),
        N_("上级产品或下级产品已有碳足迹标准时，应协调两者的范围和方法。"),
        {"": N_("%(relation)s“%(other)s”已有碳足迹标准（%(standards)s），请协调两者的范围和方法，避免交叉重复。")},
    ),
    Check(
        "industry_withdrawal_due",
        WARNING,
        cite(14),
        N_("相应的国家标准实施后，行业标准应由行业标准主管部门自行废止。"),
        {
            "": N_(
                "“%(product)s”的国家标准 %(national)s 已于 %(since)s 实施：行业标准 %(standards)s 应由其主管部门废止。"
            )
        },
    ),
    Check(
        "local_withdrawal_due",
        WARNING,
        cite(9) + SEPARATOR + OPINIONS_2023,
        N_("已有碳足迹国家标准的产品，不再保留地方标准。"),
        {
            "": N_(
                "“%(product)s”的国家标准 %(national)s 已于 %(since)s 实施：地方标准 %(standards)s 应由其主管部门废止。"
            )
        },
    ),
)
