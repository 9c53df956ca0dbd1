"""Findings on trial data (workbench.trials.engine) and on the feasibility report across trials:
指引（三）–（六） and GB/T 24067—2024. PURE.

Each entry's `meaning` is what the secretariat reads beside a gap in the feasibility report: what
enterprises failing this way says about the rule. The engine decides which findings stop a
calculation (workbench.trials.engine.UNUSABLE).
"""

from workbench.guideline.articles import GB_T_24067, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Where a finding's code has no meaning of its own (a result stored by an older version).
GENERIC_MEANING = N_("试算数据不满足规则要求：需核实是企业数据的问题，还是规则的规定难以执行。")

CHECKS = (
    # --- data that cannot be calculated --------------------------------------------------------
    Check(
        "unit_not_convertible",
        ERROR,
        cite(4),
        N_("活动数据、因子和声明单位的计量单位应能相互换算。"),
        {
            "": N_(
                "%(line)s的单位“%(unit)s”不能换算为碳足迹因子单位“%(factor_unit)s”的活动单位：%(reason)s。"
                "请改用可换算的单位，或换用与之相符的因子。"
            ),
            "reference_flow": N_("基准流的单位“%(unit)s”不能换算为规则的%(unit_kind)s“%(rule_unit)s”：%(reason)s。"),
            "factor": N_("碳足迹因子的单位“%(unit)s”无法识别：%(reason)s。"),
            "intermediate": N_(
                "中间产品“%(product)s”的单位“%(unit)s”不能换算为产出它的过程所用的单位“%(supplier_unit)s”：%(reason)s。"
            ),
            "reference_product": N_("基准流的单位“%(unit)s”不能换算为其产品的产出单位“%(output_unit)s”：%(reason)s。"),
            "allocation": N_("按物理关系分配需要可比的产出单位：“%(unit)s”不能换算为“%(first_unit)s”（%(reason)s）。"),
            "additional_unit": N_(
                "“%(description)s”的基准流单位“%(unit)s”不能换算为该声明单位的“%(rule_unit)s”：%(reason)s。"
            ),
        },
        N_("活动数据的计量单位无法换算为因子或声明单位：规则宜统一规定计量单位，或给出换算方法。"),
    ),
    Check(
        "result_out_of_range",
        ERROR,
        cite(4),
        N_("计算结果应在数值范围之内。"),
        {"": N_("计算结果超出数值范围：请检查数量和单位（如把 kg 写成了 t）。")},
        N_("试算结果超出数值范围：企业的数量或单位很可能填错，规则宜给出计量单位的示例。"),
    ),
    Check(
        "factor_unresolved",
        ERROR,
        cite(5),
        N_("每行活动数据都应有可用的碳足迹因子。"),
        {
            "": N_("因子库中没有编号为“%(id)s”的因子：请核对编号，或直接给出因子的数值、单位、层级和来源。"),
            "offline": N_(
                "离线计算无法查询因子库，编号为“%(id)s”的因子：请核对编号，或直接给出因子的数值、单位、层级和来源。"
            ),
            "regional_grid": N_(
                "%(line)s没有给出碳足迹因子：规则要求采用区域电网平均因子，请给出所在区域的电力碳足迹因子。"
            ),
            "no_value": N_("碳足迹因子（%(unit)s）没有数值，也没有分气体数值。"),
        },
        N_("企业无法确定所需的碳足迹因子：规则推荐的因子来源可能未覆盖该项目，需要补充因子或指明数据来源。"),
    ),
    Check(
        "gwp_unavailable",
        ERROR,
        GB_T_24067,
        N_("规则规定的 GWP 数据集应有可用的数值。"),
        {
            "": N_("规则的全球变暖潜势“%(gwp_set)s”没有可用数据（现有：%(available)s），无法换算分气体的因子。"),
            "gas": N_("%(gwp_set)s 中没有气体“%(gas)s”：可用的气体为 %(available)s。"),
            "unit_gas": N_("%(gwp_set)s 中没有气体“%(gas)s”。"),
        },
        N_("规则规定的 GWP 值版本无法取得：规则宜采用公开可得的 GWP 值（如 IPCC AR6）。"),
    ),
    Check(
        "uncertainty_invalid",
        ERROR,
        cite(4),
        N_("不确定性的分布参数应成立。"),
        {"": N_("%(distribution)s的范围 [%(low)s, %(high)s] 应包含数值 %(value)s，且下限小于上限。")},
        N_("企业给出的不确定性信息不合规范：规则的不确定性评价方法可能需要更具体的说明或示例。"),
    ),
    Check(
        "network_invalid",
        ERROR,
        cite(6),
        N_("前景过程网络应能求解：每种中间产品由一个过程产出，基准流的产品有过程产出。"),
        {
            "": N_("过程网络无法求解（技术矩阵奇异）：检查是否有循环中的过程消耗的中间产品不少于其产出。"),
            "process": N_("%(line)s所属的过程“%(process)s”不存在。"),
            "producers": N_(
                "产品“%(product)s”由多个过程产出：每种中间产品只能由一个过程产出，请合并这些过程或区分产品名称。"
            ),
            "reference": N_("没有过程产出基准流的产品“%(product)s”。"),
            "supplier": N_(
                "没有过程产出中间产品“%(product)s”：请补上产出它的过程，或把它作为带碳足迹因子的活动数据填写。"
            ),
        },
        N_("企业的过程网络无法求解：规则对过程划分和中间产品的规定可能需要说明。"),
    ),
    Check(
        "allocation_data_missing",
        ERROR,
        GB_T_24067,
        N_("按规则分配需要的数据应齐全。"),
        {
            "": N_("按经济价值分配需要每种产出的价格（同一货币，每产出单位），请补上。"),
            "zero": N_("分配依据之和应大于零。"),
        },
        N_("企业缺少分配所需的数据（如产出的价格）：规则宜说明分配依据的数据来源。"),
    ),
    # --- how the data follow the rule ------------------------------------------------------------
    Check(
        "stage_outside_boundary",
        ERROR,
        cite(3),
        N_("活动数据应属于规则系统边界内的阶段。"),
        {"": N_("%(line)s属于“%(stage)s”阶段，不在规则的系统边界内：未计入结果。")},
        N_("企业提供了系统边界以外阶段的数据：规则的系统边界规定可能不够清楚。"),
    ),
    Check(
        "primary_data_missing",
        ERROR,
        cite(4),
        N_("规则要求使用初级数据的阶段应使用初级数据。"),
        {
            "": N_("规则要求“%(stage)s”阶段使用初级数据，%(line)s为%(data_type)s。"),
            "stage": N_("规则要求“%(stage)s”阶段使用初级数据，数据中没有该阶段的活动数据。"),
        },
        N_("企业无法按规则要求获得初级数据：规则对初级数据的要求可能过高，或需要说明可用的替代数据。"),
    ),
    Check(
        "secondary_type_not_allowed",
        ERROR,
        cite(4),
        N_("次级数据的类型应在规则的次级数据优先级之中。"),
        {"": N_("规则的次级数据优先级（%(priority)s）不包括%(data_type)s，%(line)s不能使用。")},
        N_("企业只能获得规则次级数据优先级以外的数据类型：规则的次级数据优先级可能需要调整。"),
    ),
    Check(
        "secondary_priority_unjustified",
        WARNING,
        cite(4),
        N_("使用较低优先级的次级数据时应说明原因。"),
        {"": N_("%(line)s使用%(data_type)s：按规则应优先使用%(better)s，请说明无法获得的原因。")},
        N_("企业使用了较低优先级的次级数据而未说明理由：规则可说明在何种情况下允许使用。"),
    ),
    Check(
        "secondary_source_missing",
        ERROR,
        cite(4),
        N_("次级数据应注明来源。"),
        {"": N_("%(line)s为次级数据，应注明数据来源（数据库名称和版本、文献或统计资料的名称和年份，或估算方法）。")},
        N_("次级数据未注明来源：规则宜要求并示例数据来源的写法。"),
    ),
    Check(
        "activity_category_empty",
        WARNING,
        cite(4),
        N_("规则要求收集的排放类别都应有活动数据。"),
        {
            "": N_("规则要求分类别收集活动数据，“%(stage)s”阶段没有“%(category)s”类数据；如确实没有，请在报告中说明。"),
            "anywhere": N_("规则要求收集“%(category)s”类活动数据，数据中没有。"),
        },
        N_(
            "规则要求的活动数据类别在试算数据中缺失：该类别在企业可能不存在或难以计量，规则可说明其适用条件或计量方法。"
        ),
    ),
    Check(
        "electricity_instrument_not_allowed",
        WARNING,
        cite(4),
        N_("电力凭证应是规则认可的类型。"),
        {"": N_("%(line)s声明了%(instrument)s，但规则不允许以该凭证核算电力：已按电网平均因子计算。")},
        N_("企业持有规则不认可的电力合同凭证：规则对合同凭证的规定可能需要说明或调整。"),
    ),
    Check(
        "electricity_evidence_missing",
        WARNING,
        cite(4),
        N_("以电力凭证核算时应给出凭证。"),
        {"": N_("%(line)s声明了%(instrument)s，但没有给出凭证（编号、电量、核销状态）：已按电网平均因子计算。")},
        N_("企业声明了绿色电力但缺少凭证：规则宜列明所需的凭证材料。"),
    ),
    Check(
        "grid_factor_year_mismatch",
        WARNING,
        cite(4),
        N_("电网平均因子应采用数据期间所在年份的因子。"),
        {
            "": N_(
                "数据期间主要在 %(year)s 年，尚未发布该年的全国电力碳足迹因子：已采用此前最近的 %(used)s 年因子。"
                "该年因子发布后请重新计算。"
            ),
            "later": N_(
                "数据期间主要在 %(year)s 年，该年及以前没有全国电力碳足迹因子：已采用最早发布的 %(used)s 年因子。"
            ),
            "no_period": N_(
                "试算数据的「数据时间范围」（period）没有可识别的年份，无法选用该年的电网因子：已采用最新的 %(used)s 年因子。"
                "请填写数据期间，如 2024-01/2024-12。"
            ),
        },
        N_("企业数据期间所在年份的电网因子尚未发布或无法确定：规则宜说明因子未发布时采用哪一年的因子。"),
    ),
    Check(
        "electricity_factor_co2_only",
        ERROR,
        cite(4),
        N_("外购电力应采用电网平均电力碳足迹因子，而不是只计二氧化碳的电力排放因子。"),
        {
            "": N_(
                "%(line)s采用的是只计发电二氧化碳的电力排放因子（%(unit)s），规则要求电网平均电力碳足迹因子"
                "（kgCO2e/kWh，含上游和输配损耗），碳足迹因此偏低。请改用生态环境部发布的电力碳足迹因子"
                "（因子库中的“电力碳足迹因子”），或不填因子，由系统按规则选用。"
            )
        },
        N_("企业用电力二氧化碳排放因子代替了电力碳足迹因子：规则宜写明外购电力所用因子的名称和发布来源。"),
    ),
    Check(
        "factor_source_missing",
        ERROR,
        cite(5),
        N_("碳足迹因子应注明来源。"),
        {"": N_("%(line)s所用的碳足迹因子没有注明来源。")},
        N_("碳足迹因子未注明来源：规则宜要求并示例因子来源的写法。"),
    ),
    Check(
        "factor_tier_not_allowed",
        ERROR,
        cite(5),
        N_("碳足迹因子的来源层级应在规则的因子优先级之中。"),
        {"": N_("%(line)s所用因子的层级“%(tier)s”不在规则的因子优先级中。")},
        N_("企业使用的因子层级不在规则的因子优先级中：规则可能需要补充可用的因子来源。"),
    ),
    Check(
        "factor_lower_tier",
        WARNING,
        cite(5),
        N_("因子库中有更高层级的同一项目因子时应优先采用。"),
        {"": N_("%(line)s使用%(tier)s，而因子库中有同一项目的%(better)s：应优先采用。")},
        N_("有更高层级的因子可用而企业未采用：规则宜指明推荐的因子来源。"),
    ),
    Check(
        "factor_value_mismatch",
        WARNING,
        cite(5),
        N_("因子数值应与其分气体数值按规则的 GWP 数据集一致。"),
        {
            "": N_(
                "因子数值 %(given)s %(unit)s 与按 %(gwp_set)s 计算的分气体合计 %(computed)s 相差超过 %(tolerance)s："
                "已按分气体数值计算。请核对因子所用的全球变暖潜势。"
            )
        },
        N_("因子数值与其分气体数值按规则的 GWP 值不一致：企业可能采用了其他 GWP 版本，规则宜写明 GWP 版本。"),
    ),
    Check(
        "allocation_method_unsupported",
        WARNING,
        GB_T_24067,
        N_("规则的分配方法应能由试算数据计算。"),
        {
            "": N_(
                "规则的分配方法“%(method)s”无法由试算数据计算，多产出过程已按物理关系（产出量）分配。"
                "请按规则细分过程或扩展系统后再试算。"
            )
        },
        N_("规则规定的分配方法无法用试算数据计算：规则需要给出可操作的分配方法和所需数据。"),
    ),
    Check(
        "cut_off_item_exceeded",
        ERROR,
        GB_T_24067,
        N_("按取舍准则忽略的单项输入应低于单项取舍比例。"),
        {
            "": N_(
                "%(item)s（%(line)s）估算占碳足迹的 %(percent).2f%%，不低于规则的单项取舍比例 %(limit)s%%：不能忽略，应计入。"
            )
        },
        N_("企业忽略的单项输入超过单项取舍比例：规则的取舍准则可能不够清楚，或需列明不得忽略的输入。"),
    ),
    Check(
        "cut_off_total_exceeded",
        ERROR,
        GB_T_24067,
        N_("按取舍准则忽略的输入合计应不超过累计取舍比例。"),
        {
            "": N_(
                "被忽略的输入合计占碳足迹的 %(percent).2f%%，超过规则的累计取舍比例 %(limit)s%%：应计入其中较大的几项。"
            )
        },
        N_("企业忽略的输入合计超过累计取舍比例：规则的取舍准则可能不够清楚，或需列明不得忽略的输入。"),
    ),
    # --- across the trials of a revision (the feasibility report) --------------------------------
    Check(
        "unit_inconsistent",
        WARNING,
        cite(6),
        N_("同一规则各企业的试算结果应使用同一单位，才能相互比较。"),
        {"": N_("%(label)s的结果单位为“%(unit)s”，多数试算为“%(common)s”。")},
        N_("试算结果的单位不一致，结果无法直接比较：规则的声明单位或功能单位可能不够明确。"),
    ),
    Check(
        "cut_off_excluded",
        INFO,
        GB_T_24067,
        N_("按取舍准则忽略的输入。"),
        {"": N_("%(item)s（估算占 %(percent).2f%%）"), "no_share": N_("%(item)s")},
        N_(
            "企业按取舍准则忽略了这些输入（估算值只用于核对取舍比例，不计入结果）：多家企业忽略同一输入时，规则可考虑明确其取舍。"
        ),
    ),
)
