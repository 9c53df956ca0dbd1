"""What an evaluation rates and on which scale; what an adoption panel scores. PURE.

National review practice rates a standard's technical level, its coordination with other
standards, whether it is applicable and feasible, how widely it is applied and what it brings;
no official weights were found, so none are applied: each dimension stands on its own, with its
evidence. The adoption panel scores the four dimensions of 指引（十五） on a 1–5 scale (no
published weights either): the mean and spread per dimension are shown, never a weighted total.
"""

from dataclasses import dataclass

from workbench.messages import N_


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str  # N_
    question: str  # N_: what the evaluator answers
    scale: tuple[tuple[str, str], ...]  # (value, label N_), best first


EVALUATION_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "technical_level",
        N_("技术水平"),
        N_("与现行核算方法（GB/T 24067-2024）和国际标准（ISO 14067、GHG Protocol 产品标准、欧盟 PEF）相比"),
        (("ahead", N_("领先")), ("current", N_("同步")), ("lagging", N_("落后"))),
    ),
    Dimension(
        "coordination",
        N_("协调性"),
        N_("与相关标准（上下游产品、同类产品、其他级别）是否矛盾或重复"),
        (("consistent", N_("协调一致")), ("minor", N_("个别不一致")), ("conflicting", N_("存在矛盾或重复"))),
    ),
    Dimension(
        "applicability",
        N_("适用性和可操作性"),
        N_("企业能否按标准获得数据、完成核算（试算和实施反馈）"),
        (("feasible", N_("可行")), ("partly", N_("部分可行")), ("infeasible", N_("难以实施"))),
    ),
    Dimension(
        "application",
        N_("应用程度"),
        N_("标准被采用、引用和实施的范围（企业、认证、因子库、声明）"),
        (("wide", N_("广泛")), ("moderate", N_("一般")), ("limited", N_("有限"))),
    ),
    Dimension(
        "benefits",
        N_("实施效益"),
        N_("对碳足迹管理、贸易、采购、标识等的作用"),
        (("significant", N_("显著")), ("moderate", N_("一般")), ("small", N_("不明显"))),
    ),
)
EVALUATION_DIMENSION = {dimension.key: dimension for dimension in EVALUATION_DIMENSIONS}

ADOPTION_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "urgency",
        N_("需求紧迫性"),
        N_("国家标准体系是否缺少该产品的标准，产业和贸易是否急需"),
        (),
    ),
    Dimension(
        "soundness",
        N_("技术内容合理性"),
        N_("边界、单位、取舍、分配、因子和数据质量要求是否符合 GB/T 24067-2024 和指引"),
        (),
    ),
    Dimension(
        "data_reliability",
        N_("数据来源可靠性"),
        N_("活动数据和因子的来源是否可追溯、层级是否恰当、是否被因子库采用"),
        (),
    ),
    Dimension(
        "testing",
        N_("测试验证充分性"),
        N_("试算和实施覆盖的企业、工艺和地区是否充分，结果是否可比"),
        (),
    ),
)
ADOPTION_DIMENSION = {dimension.key: dimension for dimension in ADOPTION_DIMENSIONS}
SCORE_MIN, SCORE_MAX = 1, 5
SCORE_LABELS = {1: N_("差"), 2: N_("较差"), 3: N_("一般"), 4: N_("较好"), 5: N_("好")}
