"""Findings on a rule document (workbench.drafting.checks): 指引（二）–（五）, GB/T 24067—2024 and
GB/T 1.1—2020. PURE."""

from workbench.guideline.articles import GB_T_1_1, GB_T_24067, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CHECKS = (
    # --- title and references: 指引（二）, GB/T 1.1—2020 8 ---------------------------------------
    Check(
        "title_pattern",
        ERROR,
        cite(2),
        N_("标准名称应统一为“温室气体 产品碳足迹量化方法与要求 ”加产品名称（与 product.name 一致）。"),
        {
            "": N_(
                "标准名称应为“%(expected)s”：按指引（二）统一命名，“要求”与产品名称之间空一格，产品名称与 product.name 一致。"
            ),
            "current": N_(
                "标准名称应为“%(expected)s”（现为“%(title)s”）：按指引（二）统一命名，“要求”与产品名称之间空一格，"
                "产品名称与 product.name 一致。"
            ),
            "no_product": N_("标准名称应为“%(prefix)sXX产品”，XX产品为本规则的产品名称。"),
        },
    ),
    Check(
        "title_en_missing",
        ERROR,
        f"{GB_T_1_1} 8.1",
        N_("封面应给出标准名称的英文译名（title_en 不能为空）。"),
        {
            "": N_(
                "请填写标准名称的英文译名，如“Greenhouse gases—Carbon footprint of products—"
                "Quantification methods and requirements for lithium-ion batteries”。"
            )
        },
    ),
    Check(
        "title_en_pattern",
        ERROR,
        cite(2),
        N_(
            "英文译名应统一为“Greenhouse gases—Carbon footprint of products—Quantification methods and "
            "requirements for …”加产品的英文名称（元素之间用不空格的长破折号）。"
        ),
        {
            "": N_("英文译名应以“%(prefix)s”开头、后接产品的英文名称（现为“%(title_en)s”）。"),
            "suggest": N_(
                "英文译名应以“%(prefix)s”开头、后接产品的英文名称（现为“%(title_en)s”），如“%(suggested)s”"
                "（产品名称除专有名词外小写）。"
            ),
        },
    ),
    Check(
        "reference_gbt24067_missing",
        ERROR,
        cite(2),
        N_("规范性引用文件中应列出 GB/T 24067—2024《温室气体 产品碳足迹 量化要求和指南》。"),
        {"": N_("在规范性引用文件中加入 GB/T 24067—2024《温室气体 产品碳足迹 量化要求和指南》。")},
    ),
    Check(
        "reference_gbt24067_undated",
        ERROR,
        cite(2),
        N_("GB/T 24067 应注日期引用（GB/T 24067—2024），不能写作不注日期的“GB/T 24067”。"),
        {"": N_("写作“GB/T 24067—2024”：指引（二）要求与 GB/T 24067—2024 协调一致，应注日期引用。")},
    ),
    Check(
        "reference_gbt24067_edition",
        ERROR,
        cite(2),
        N_("引用的 GB/T 24067 版本应为 2024 年版。"),
        {"": N_("引用的是 GB/T 24067—%(year)s：改为 GB/T 24067—2024。")},
    ),
    Check(
        "reference_undated",
        ERROR,
        f"{GB_T_1_1} 9.5",
        N_(
            "不注日期的引用适用所引文件的最新版本（包括所有的修改单），只能引用整个文件；"
            "引用其具体章条、图表或附录的，应注日期。"
        ),
        {
            "": N_(
                "%(clause)s 第 %(line)d 行引用了 %(number)s 的 %(part)s，但它未注日期：具体章条只在某一版本中成立，"
                "写明所引版本的年份，或改为引用整个文件。"
            )
        },
    ),
    Check(
        "reference_invalid_number",
        ERROR,
        f"{GB_T_1_1} 8.6",
        N_("规范性引用文件的编号无法识别，应按标准编号的规范写法填写。"),
        {
            "": N_("编号“%(number)s”无法识别：%(reason)s"),
            "international": N_(
                "国际标准编号“%(number)s”无法识别：应写作如 ISO 14067:2018、ISO/TS 14071:2014 的形式。"
            ),
        },
    ),
    Check(
        "reference_duplicate",
        WARNING,
        f"{GB_T_1_1} 8.6",
        N_("同一文件在规范性引用文件中列出了不止一次。"),
        {"": N_("%(number)s 已在第 %(first)d 条列出：删除重复的一条。")},
    ),
    Check(
        "reference_withdrawn",
        WARNING,
        f"{GB_T_1_1} 8.6",
        N_("引用的标准在标准体系中已废止，应改引现行标准或删除该引用。"),
        {"": N_("%(number)s 已废止：改引现行标准，或删除该引用。")},
    ),
    Check(
        "reference_replaced",
        WARNING,
        f"{GB_T_1_1} 8.6",
        N_("引用的标准在标准体系中已被代替，应核对是否改引代替它的新版本。"),
        {"": N_("%(number)s 已被代替：核对并改引代替它的现行版本。")},
    ),
    # --- system boundary: 指引（三） ------------------------------------------------------------
    Check(
        "boundary_end_use_mismatch",
        ERROR,
        cite(3),
        N_(
            "系统边界与产品用途不符：面向终端用户或消费者的产品采用“摇篮到坟墓”，其他产品采用“摇篮到大门”；"
            "确需其他边界时，选“部分生命周期”并写明理由。"
        ),
        {
            "final": N_(
                "面向终端用户或消费者的产品一般采用“%(expected)s”边界，本规则为“%(boundary)s”："
                "改为“%(expected)s”，或改为“部分生命周期”并写明理由。"
            ),
            "": N_(
                "非终端消费产品一般采用“%(expected)s”边界，本规则为“%(boundary)s”："
                "改为“%(expected)s”，或改为“部分生命周期”并写明理由。"
            ),
        },
    ),
    Check(
        "boundary_partial_without_justification",
        ERROR,
        cite(3),
        N_("选取部分生命周期阶段核算时，应根据数据收集情况和需求评估写明理由。"),
        {
            "": N_("选取部分生命周期阶段核算时，写明理由：根据数据收集情况和需求评估，说明为何不纳入其余阶段。"),
            "short": N_(
                "边界说明“%(justification)s”过于简略（至少 %(minimum)d 个字）：根据数据收集情况和需求评估，"
                "说明为何不纳入%(stages)s阶段。"
            ),
            "stages": N_("边界说明没有提到%(stages)s阶段：逐一说明为何不纳入这些阶段（数据收集情况和需求评估）。"),
        },
    ),
    Check(
        "boundary_stages_inconsistent",
        ERROR,
        cite(3),
        N_(
            "纳入的生命周期阶段与边界类型不一致：摇篮到坟墓含全部五个阶段；摇篮到大门含原材料获取和生产，"
            "不含分销运输、使用和废弃处置；部分生命周期至少含一个阶段；同一阶段不能既纳入又排除。"
        ),
        {
            "": N_("“%(boundary)s”边界应纳入%(stages)s阶段：补上，或改为“部分生命周期”并写明理由。"),
            "forbidden": N_("“%(boundary)s”边界不含%(stage)s阶段：删除该阶段，或改用与之相符的边界类型。"),
            "empty": N_("部分生命周期边界至少应纳入一个生命周期阶段。"),
            "both": N_("%(stage)s阶段既被纳入又被排除：只保留其中之一。"),
        },
    ),
    # --- data: 指引（四） -----------------------------------------------------------------------
    Check(
        "primary_stages_missing",
        ERROR,
        cite(4),
        N_("应明确必须使用初级数据的生命周期阶段。"),
        {"": N_("写明必须使用初级数据（现场数据）的生命周期阶段，至少一个，如生产阶段。")},
    ),
    Check(
        "primary_stage_outside_boundary",
        ERROR,
        cite(4),
        N_("必须使用初级数据的阶段应在系统边界之内。"),
        {"": N_("%(stage)s阶段不在系统边界内：从初级数据阶段中删除，或把它纳入系统边界。")},
    ),
    Check(
        "secondary_stage_outside_boundary",
        WARNING,
        cite(4),
        N_("可使用次级数据的阶段不在系统边界之内。"),
        {"": N_("%(stage)s阶段不在系统边界内：从可使用次级数据的阶段中删除。")},
    ),
    Check(
        "data_stage_unassigned",
        WARNING,
        cite(4),
        N_("系统边界内的阶段既未规定必须使用初级数据，也未规定可使用次级数据。"),
        {"": N_("%(stages)s阶段在系统边界内，但既未规定必须使用初级数据，也未规定可使用次级数据：把它列入其中之一。")},
    ),
    Check(
        "secondary_priority_order",
        ERROR,
        cite(4),
        N_("次级数据应按统计数据、文献数据、估算数据的优先级顺序依次使用，首选统计数据，每类只列一次。"),
        {
            "": N_("优先级顺序应为%(expected)s（现为%(current)s）。"),
            "duplicate": N_("%(duplicates)s重复列出：每类只列一次，顺序为%(order)s。"),
            "first": N_("指引规定首选%(first)s，本规则的优先级为%(current)s：把%(first)s列在第一位。"),
        },
    ),
    Check(
        "secondary_priority_skipped",
        WARNING,
        cite(4),
        N_("次级数据优先级跳过了指引规定的中间一级：有这类数据时，本规则却让位次更低的数据先用。"),
        {
            "": N_(
                "优先级%(current)s跳过了%(skipped)s：指引的顺序为%(order)s，补上跳过的类型，或在正文中说明为何不用它。"
            )
        },
    ),
    Check(
        "activity_categories_incomplete",
        ERROR,
        cite(4),
        N_("应分排放类别收集活动数据，至少包括原材料消耗、能源使用、运输方式和废物处理。"),
        {"": N_("活动数据类别缺少%(categories)s：按排放类别分别收集活动数据，补上这些类别。")},
    ),
    Check(
        "electricity_method_missing",
        ERROR,
        cite(4),
        N_(
            "应规定电力碳排放的核算方法：电网排放因子；允许使用绿色电力证书或电力交易合同时，"
            "写明凭证类型和使用条件（GB/T 24067—2024）。"
        ),
        {
            "": N_(
                "规定电力碳排放的核算方法：所用电网排放因子（全国或区域平均），以及是否允许使用绿证或绿电交易凭证及其条件。"
            ),
            "grid_factor": N_("写明所用的电网排放因子：全国平均（national_average）或区域平均（regional_average）。"),
            "instruments": N_(
                "允许使用非化石能源电力凭证时，列出认可的凭证类型：绿色电力证书、绿电交易合同或购电协议。"
            ),
            "conditions": N_("写明使用绿证或电力交易合同的条件，如凭证与核算期实际用电量对应、未被重复声明。"),
            "conditions_short": N_(
                "使用条件“%(conditions)s”过于简略（至少 %(minimum)d 个字）：写明凭证与核算期实际用电量对应、"
                "由本厂区消纳、未被重复声明等条件。"
            ),
            "source_conditions": N_(
                "电力来源“%(source)s”没有写明核算条件（至少 %(minimum)d 个字）：写明该来源的电量按什么因子、"
                "在什么条件下核算，如自备电厂按其实际燃料消耗计算的因子。"
            ),
        },
    ),
    # --- factors: 指引（五） --------------------------------------------------------------------
    Check(
        "factor_priority_missing",
        ERROR,
        cite(5),
        N_("应规定碳足迹因子数据的优先级顺序。"),
        {"": N_("规定碳足迹因子的优先级：%(order)s。")},
    ),
    Check(
        "factor_priority_order",
        ERROR,
        cite(5),
        N_("碳足迹因子应优先采用经溯源性核验的实测数据，其次依次为政府官方数据、行业经验值、文献值，每类只列一次。"),
        {
            "": N_("优先级顺序应为%(expected)s（现为%(current)s）。"),
            "duplicate": N_("%(duplicates)s重复列出：每类只列一次，顺序为%(order)s。"),
            "first": N_("指引规定首选%(first)s，本规则的优先级为%(current)s：把%(first)s列在第一位。"),
        },
    ),
    Check(
        "factor_priority_skipped",
        WARNING,
        cite(5),
        N_("碳足迹因子优先级跳过了指引规定的中间一级：有这类因子时，本规则却让位次更低的因子先用。"),
        {
            "": N_(
                "优先级%(current)s跳过了%(skipped)s：指引的顺序为%(order)s，补上跳过的来源，或在正文中说明为何不用它。"
            )
        },
    ),
    Check(
        "data_quality_method_missing",
        ERROR,
        cite(4),
        N_("应规定数据质量评价方法。"),
        {"": N_("写明数据质量评价方法，如按 GB/T 24067—2024 的数据质量要求采用谱系矩阵或数据质量评级（DQR）。")},
    ),
    Check(
        "uncertainty_method_missing",
        ERROR,
        cite(5),
        N_("应规定数据有效性和不确定性分析的方法。"),
        {"": N_("写明数据有效性和不确定性分析的方法，如蒙特卡洛模拟或误差传递。")},
    ),
    # --- cut-off, GWP, report: GB/T 24067—2024, 指引（二）（十三） ----------------------------------
    Check(
        "cut_off_missing",
        ERROR,
        GB_T_24067,
        N_("应以数值规定取舍准则：单项和累计的百分比。"),
        {
            "": N_("以数值规定取舍准则：单项（per_item_percent）和累计（total_percent）的百分比，如 1 % 和 5 %。"),
            "per_item": N_("填写单项取舍比例（百分比数值），如 1。"),
            "total": N_("填写累计取舍比例（百分比数值），如 5。"),
        },
    ),
    Check(
        "cut_off_inconsistent",
        ERROR,
        GB_T_24067,
        N_("取舍准则的数值不成立：应满足 0 < 单项 ≤ 累计 ≤ 100（%）。"),
        {
            "": N_("累计取舍比例 %(total)s %% 不成立：应大于 0 且不超过 100 %%，一般为 5 %%。"),
            "per_item": N_("单项取舍比例 %(per_item)s %% 不成立：应大于 0，一般为 1 %%。"),
            "per_item_above_total": N_("单项取舍比例 %(per_item)s %% 大于累计比例 %(total)s %%：单项不应超过累计。"),
        },
    ),
    Check(
        "cut_off_implausible",
        WARNING,
        GB_T_24067,
        N_(
            "累计取舍比例超过 5 %：已发布的产品碳足迹标准一般为单项 1 %、累计 5 %（如 GB/T 44905—2024），请核对或说明理由。"
        ),
        {
            "": N_(
                "累计取舍比例 %(total)s %% 超过 %(plausible)s %%：已发布的产品碳足迹标准一般为单项 1 %%、"
                "累计 5 %%（如 GB/T 44905—2024）；降低比例，或在正文中说明理由。"
            )
        },
    ),
    Check(
        "gwp_set_missing",
        ERROR,
        GB_T_24067,
        N_("应指明所用的全球增温潜势（GWP）数据集，如 IPCC-AR6-GWP100。"),
        {"": N_("写明所用的 GWP 数据集，如 %(default)s。")},
    ),
    Check(
        "gwp_set_not_default",
        INFO,
        cite(13),
        N_("GWP 数据集不是 TC548 规则统一采用的 IPCC-AR6-GWP100：为保持各规则协调一致，请确认这一选择。"),
        {
            "": N_(
                "本规则采用 %(gwp_set)s，TC548 的规则统一采用 %(default)s：确认有理由采用其他数据集，否则改为 %(default)s。"
            )
        },
    ),
    Check(
        "report_format_missing",
        ERROR,
        cite(2),
        N_("应规定产品碳足迹报告格式，并与 GB/T 24067—2024 协调一致。"),
        {"": N_("规定产品碳足迹报告的格式，如“附录 C 给出的报告格式”，并在附录中给出报告模板。")},
    ),
    # --- structure of the document: GB/T 1.1—2020 ------------------------------------------------
    Check(
        "structure_element_missing",
        ERROR,
        f"{GB_T_1_1} 6.2",
        N_("缺少必备要素：前言、范围、规范性引用文件、术语和定义，以及至少一章技术内容。"),
        {"": N_("缺少%(elements)s：补上这些要素（技术内容指至少一章 kind 为 technical 的条款）。")},
    ),
    Check(
        "structure_element_duplicate",
        ERROR,
        f"{GB_T_1_1} 6.2",
        N_("前言、引言、范围、规范性引用文件、术语和定义在文件中各只能出现一次。"),
        {"": N_("“%(element)s”已经出现过：合并为一个，其下的内容写成条或段。")},
    ),
    Check(
        "structure_order",
        ERROR,
        f"{GB_T_1_1} 6.2",
        N_("要素顺序应为：前言、引言、范围、规范性引用文件、术语和定义、技术内容、附录。"),
        {
            "": N_(
                "“%(element)s”应排在“%(other)s”之前：要素顺序为前言、引言、范围、规范性引用文件、术语和定义、技术内容、附录。"
            ),
            "after": N_(
                "“%(element)s”应排在“%(other)s”之后：要素顺序为前言、引言、范围、规范性引用文件、术语和定义、技术内容、附录。"
            ),
            "misplaced": N_(
                "“%(element)s”位置不对：要素顺序为前言、引言、范围、规范性引用文件、术语和定义、技术内容、附录。"
            ),
        },
    ),
    Check(
        "provision_in_foreword",
        ERROR,
        f"{GB_T_1_1} 8.3",
        N_("前言不应包含要求、推荐或允许型条款（“应”“宜”“可”）。"),
        {
            "": N_(
                "前言中有条款用语“%(word)s”（“…%(context)s…”）：前言不写要求、推荐或允许，把这句移到正文的技术章条，或改写为陈述。"
            )
        },
    ),
    Check(
        "provision_in_introduction",
        ERROR,
        f"{GB_T_1_1} 8.4",
        N_("引言不应包含要求、推荐或允许型条款（“应”“宜”“可”）。"),
        {
            "": N_(
                "引言中有条款用语“%(word)s”（“…%(context)s…”）：引言不写要求、推荐或允许，把这句移到正文的技术章条，或改写为陈述。"
            )
        },
    ),
    Check(
        "term_defined_twice",
        ERROR,
        f"{GB_T_1_1} 8.7",
        N_("同一术语只能界定一次：术语的中文名称和编号都不能重复。"),
        {
            "": N_("术语“%(term)s”已在第 %(first)d 条界定：删除这一条，或合并两处定义。"),
            "id": N_("术语编号“%(id)s”重复：每个术语用自己的编号，同一术语只界定一次。"),
        },
    ),
    Check(
        "clause_id_duplicate",
        ERROR,
        f"{GB_T_1_1} 9.5",
        N_("章条和术语的标识（id）应唯一，否则交叉引用无法确定指向。"),
        {
            "": N_("标识“%(id)s”已被前面的章条使用：换一个唯一的 id（字母、数字和连字符）。"),
            "term": N_("术语编号“%(id)s”与某个章条的 id 相同：交叉引用无法区分，换一个编号。"),
        },
    ),
    Check(
        "cross_reference_unresolved",
        ERROR,
        f"{GB_T_1_1} 9.5",
        N_("交叉引用“](#…)”应指向本文件中存在的章条或术语。"),
        {"": N_("交叉引用“#%(target)s”找不到对应的章条或术语：改为现有的章条 id 或术语编号，或删除该引用。")},
    ),
)
