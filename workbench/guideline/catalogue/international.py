"""Findings of the international comparison (指引（十八）): where a rule's own methodological
choices differ from those of ISO 14067, the GHG Protocol Product Standard, the EU PEF method, the
EU Battery Regulation or PACT. PURE.

workbench/exchange/methods.py finds the differences; workbench/exchange/international.py makes
these findings from them. They are for the informative annex 国内外方法对比, never errors: a
national rule may choose differently, and the annex says where. A different GWP set or electricity
method is a warning, since results then cannot be set side by side without recalculation; the
rest is information.
"""

from workbench.guideline.articles import cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

INFO, WARNING = Severity.INFO, Severity.WARNING
ARTICLE = cite(18)


def _check(code: str, severity: Severity, summary: str, message: str) -> Check:
    return Check(code, severity, ARTICLE, summary, {"": message})


CHECKS: tuple[Check, ...] = (
    _check(
        "international_unit",
        INFO,
        N_("规则的功能单位或声明单位与国际方法的要求不同。"),
        N_("%(framework)s 要求%(framework_value)s，本规则采用%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_boundary",
        INFO,
        N_("规则的系统边界与国际方法的要求不同。"),
        N_("%(framework)s 的系统边界为%(framework_value)s，本规则为%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_cut_off",
        INFO,
        N_("规则的取舍准则与国际方法不同。"),
        N_("%(framework)s 的取舍比例（单项 / 累计）：%(framework_value)s；本规则：%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_allocation",
        INFO,
        N_("规则的分配方法不在国际方法的分配优先顺序中。"),
        N_("%(framework)s 的分配优先顺序为%(framework_value)s，本规则采用%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_electricity",
        WARNING,
        N_("规则的电力核算方式与国际方法不同，结果不能直接比较。"),
        N_("%(framework)s 的电力核算为%(framework_value)s，本规则为%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_gwp_set",
        WARNING,
        N_("规则的 GWP 数据集与国际方法不同，结果不能直接比较。"),
        N_("%(framework)s 采用 %(framework_value)s，本规则采用 %(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_data_quality",
        INFO,
        N_("规则的数据质量评价方法与国际方法不同。"),
        N_("%(framework)s 的数据质量评价方法为%(framework_value)s，本规则为%(rule_value)s（%(source)s）。"),
    ),
    _check(
        "international_primary_data_share",
        INFO,
        N_("规则的初级数据占比口径与国际方法不同。"),
        N_("%(framework)s 的初级数据占比口径为“%(framework_value)s”，本规则为“%(rule_value)s”（%(source)s）。"),
    ),
)
