"""Findings on a project proposal (立项建议) at submission: 指引一、（六）、（七）、（十）、（十二）. PURE.

The level rules a proposal also meets are levels.py's (the registry's check of a planned project
at the proposed level); these are the ones only a proposal has. An error refuses the submission
(and the approval, when it still holds on the day of the decision); warnings and information are
stored with the proposal for the secretariat and SAMR/MEE to weigh.
"""

from workbench.guideline.articles import cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CHECKS: tuple[Check, ...] = (
    Check(
        "proposal_call_closed",
        ERROR,
        cite(7),
        N_("立项建议只在征集开放期间提交。"),
        {
            "": N_("征集“%(call)s”已于 %(closes_on)s 截止：请在开放中的征集里提交立项建议。"),
            "not_yet": N_("征集“%(call)s”自 %(opens_on)s 起开放，现在还不能提交：请在开放期间提交。"),
            "closed_early": N_("征集“%(call)s”已提前截止：请在开放中的征集里提交立项建议。"),
        },
    ),
    Check(
        "proposal_level_not_accepted",
        ERROR,
        cite(7),
        N_("立项建议的级别须是征集接受的级别。"),
        {
            "": N_(
                "征集“%(call)s”接受的级别为：%(levels)s，不接受%(level)s的立项建议：请改选其中一个级别，"
                "或在接受该级别的征集中提交。"
            )
        },
    ),
    Check(
        "proposal_duplicates_standard",
        ERROR,
        cite(12),
        N_("同一产品在同一级别已有碳足迹标准或项目时，不再重复立项。"),
        {
            "": N_(
                "“%(product)s”已有%(level)s碳足迹标准或项目（%(standards)s），同一级别不再重复立项："
                "请改为提出对 %(standards)s 的修订建议，或参与其编制。"
            )
        },
    ),
    Check(
        "proposal_duplicates_proposal",
        WARNING,
        cite(12),
        N_("同一产品在同一级别已有待决定的立项建议时，应协调合并。"),
        {
            "": N_(
                "“%(product)s”已有%(level)s的立项建议待决定（%(proposals)s）：请与建议单位协调，"
                "合并为一项建议，避免重复立项。"
            )
        },
    ),
    Check(
        "proposal_overlap_in_tree",
        INFO,
        cite(12),
        N_("上级产品或下级产品已有立项建议时，应协调两者的范围和方法。"),
        {"": N_("%(relation)s“%(other)s”已有立项建议（%(proposals)s）：请在适用范围中说明两者的分工，避免交叉重复。")},
    ),
    Check(
        "proposal_product_not_listed",
        WARNING,
        cite(7),
        N_("急用先行：国家标准和行业标准优先制定重点产品清单上的产品。"),
        {
            "": N_(
                "“%(product)s”不在本次征集所涉的重点产品清单上（%(batches)s）：请在立项必要性中说明急用的理由，"
                "或考虑团体标准。"
            ),
            "no_list": N_(
                "“%(product)s”不在重点产品碳足迹核算标准清单上：请在立项必要性中说明急用的理由，或考虑团体标准。"
            ),
        },
    ),
    Check(
        "proposal_national_for_end_product",
        INFO,
        cite(7, 10),
        N_("国家标准优先面向基础能源、大宗原材料和重点出口产品；终端消费品宜先制定团体标准。"),
        {
            "": N_(
                "“%(product)s”是终端消费品，不在重点产品清单上：国家标准优先面向基础能源、大宗原材料和重点出口产品，"
                "终端消费品宜先制定团体标准，成熟后再转化为国家标准。"
            )
        },
    ),
    Check(
        "proposal_trial_plan_thin",
        WARNING,
        cite(6),
        N_("标准编制须有多家企业同步试算验证。"),
        {
            "": N_(
                "试算计划只有 %(count)d 家企业，少于送审前要求的 %(min)d 家：请补充参与试算的企业，"
                "否则标准不能进入审查阶段。"
            )
        },
    ),
    Check(
        "proposal_title_pattern",
        WARNING,
        cite(2),
        N_("标准名称采用《温室气体 产品碳足迹量化方法与要求 XX产品》的形式。"),
        {"": N_("标准名称“%(title)s”不符合统一形式，建议改为“%(expected)s”。")},
    ),
)
