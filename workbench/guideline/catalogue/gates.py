"""Findings of the stage gates a rule passes on its way to publication, and of its periodic
review (workbench.drafting.stages, workbench.workflow). PURE.

A gate is a finding either way: "passed" says what was checked, "failed" (or another variant)
what still has to happen; a failed gate blocks the move.
"""

from workbench.guideline.articles import NATIONAL_STANDARDS_RULES, REVIEW_ARTICLE, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING = Severity.ERROR, Severity.WARNING

CHECKS = (
    Check(
        "gate_no_errors",
        ERROR,
        cite(13),
        N_("征求意见、送审、报批和出版前，当前修订不能有未处理的错误：归口保证各规则的规范性和协调性。"),
        {
            "": N_("当前修订仍有 %(errors)d 项错误：请先修改或记录理由后忽略。"),
            "passed": N_("当前修订没有错误。"),
        },
    ),
    Check(
        "gate_comment_period",
        ERROR,
        NATIONAL_STANDARDS_RULES,
        N_("征求意见期不少于 60 天。"),
        {
            "": N_("征求意见期不少于 60 天：%(ends)s 之后才能结束。"),
            "not_opened": N_("征求意见尚未开始：须先公开征求意见不少于 60 天。"),
            "passed": N_("征求意见已进行 %(days)d 天（%(opened)s 起），满 60 天。"),
        },
    ),
    Check(
        "gate_comments_dispositioned",
        ERROR,
        NATIONAL_STANDARDS_RULES,
        N_("送审前每条意见都应有处理意见（采纳、部分采纳或未采纳，后两者写明理由），汇总为征求意见汇总处理表。"),
        {
            "": N_("还有 %(open)d 条意见未处理：每条意见须给出采纳、部分采纳或未采纳（后两者写明理由）。"),
            "passed": N_("%(count)d 条意见均已处理。"),
        },
    ),
    Check(
        "gate_trials",
        ERROR,
        cite(6),
        N_("送审前应有至少 3 家企业针对当前修订的试算，验证规则可行。"),
        {
            "": N_("针对当前修订的试算只有 %(count)d 家企业，至少需要 %(min)d 家。"),
            "passed": N_("已有 %(count)d 家企业的试算。"),
        },
    ),
    Check(
        "gate_number",
        ERROR,
        NATIONAL_STANDARDS_RULES,
        N_("出版前应有标准编号。"),
        {"": N_("出版前须填写标准编号。"), "passed": N_("已有标准编号。")},
    ),
    Check(
        "review_due",
        WARNING,
        REVIEW_ARTICLE,
        N_("标准的复审周期一般不超过五年。"),
        {"": N_("复审已于 %(due)s 到期：请进入复审，确认继续有效、修订或废止。")},
    ),
)
