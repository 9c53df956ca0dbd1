"""Findings that read a rule's clause text against its parameters, its references against its
text, and the guideline's content requirements (workbench.drafting.text_checks,
workbench.drafting.reference_checks). PURE."""

from workbench.guideline.articles import GB_T_1_1, GB_T_24067, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING = Severity.ERROR, Severity.WARNING

CHECKS: tuple[Check, ...] = (
    # --- the guideline's content: 指引（三）（四）, GB/T 24067—2024 6.3.5 ---------------------------------
    Check(
        "product_end_use_catalogue",
        ERROR,
        cite(3),
        N_(
            "规则声明的产品用途与标准体系产品目录不一致：系统边界按目录中的用途确定；确有理由沿用时，"
            "忽略此项并记录理由。"
        ),
        {
            "": N_(
                "产品目录中本产品的用途与本规则声明的“%(declared)s”不同：改为目录中的用途，边界一般为“%(boundary)s”。"
            ),
            "final": N_(
                "产品目录把本产品列为终端产品（面向终端用户或消费者），本规则声明为“%(declared)s”：改为终端产品，"
                "边界采用“%(boundary)s”（或“部分生命周期”并写明理由）；确有理由沿用时，忽略此项并记录理由。"
            ),
            "intermediate": N_(
                "产品目录把本产品列为中间产品，本规则声明为“%(declared)s”：改为中间产品，边界一般采用“%(boundary)s”；"
                "确有理由沿用时，忽略此项并记录理由。"
            ),
        },
    ),
    Check(
        "primary_data_own_processes",
        ERROR,
        f"{GB_T_24067} 6.3.5",
        N_("生产者自己运行的过程（生产阶段）应使用初级数据（现场数据）。"),
        {
            "": N_(
                "系统边界包括%(stage)s阶段，但它不在必须使用初级数据的阶段中：生产者自己运行的过程应使用现场数据，"
                "把%(stage)s阶段列入初级数据阶段。"
            ),
            "unit_process": N_(
                "单元过程“%(process)s”属于%(stage)s阶段，却标为背景数据：生产者自己运行的过程应使用现场数据，"
                "改为现场数据；确由他人运行的，把它归入原材料获取阶段。"
            ),
        },
    ),
    Check(
        "secondary_data_own_processes",
        WARNING,
        f"{GB_T_24067} 6.3.5",
        N_("生产阶段既要求初级数据又允许次级数据：生产者自己运行的过程应使用现场数据。"),
        {
            "": N_(
                "%(stage)s阶段同时列在可使用次级数据的阶段中，等于允许生产者自己运行的过程不用现场数据："
                "从可使用次级数据的阶段中删除，或在正文中写明哪些数据确实无法现场获取。"
            )
        },
    ),
    # --- references against the text: GB/T 1.1—2020 8.6, 9.5 -----------------------------------------
    Check(
        "reference_list_mismatch",
        ERROR,
        f"{GB_T_1_1} 8.6",
        N_("第 2 章印出的规范性引用文件应与所列的引用文件一致：同样的文件、版本和名称。"),
        {
            "": N_("%(number)s 列在规范性引用文件中，但第 2 章的文本没有印出：在第 2 章加上“%(number)s　%(title)s”。"),
            "title": N_(
                "第 2 章第 %(line)d 行 %(number)s 的名称为“%(printed)s”，所列名称为“%(title)s”：两处改为同一名称。"
            ),
            "edition": N_("第 2 章第 %(line)d 行印的是 %(printed)s，所列的是 %(number)s：两处改为同一版本。"),
            "extra": N_(
                "第 2 章第 %(line)d 行印出的 %(number)s 不在所列的规范性引用文件中：把它加入引用文件，或从第 2 章删除。"
            ),
        },
    ),
    Check(
        "reference_title_registry",
        WARNING,
        f"{GB_T_1_1} 8.6",
        N_("规范性引用文件的名称与标准体系中登记的名称不一致。"),
        {"": N_("%(number)s 的名称写作“%(title)s”，登记的名称为“%(registered)s”：核对后改为正式名称。")},
    ),
    Check(
        "reference_not_cited",
        WARNING,
        f"{GB_T_1_1} 9.5",
        N_("列为规范性引用的文件应在正文中被规范性引用；只作参考的文件列入参考文献。"),
        {
            "": N_(
                "%(number)s 列在规范性引用文件中，正文（范围、术语、技术章条、附录）却没有引用它："
                "在引用它的条款中写明编号，或从规范性引用文件中删除（只作参考的列入参考文献）。"
            )
        },
    ),
    Check(
        "reference_cited_not_listed",
        ERROR,
        f"{GB_T_1_1} 9.5",
        N_("正文规范性引用的文件应列入规范性引用文件，且版本一致。"),
        {
            "": N_("%(clause)s 第 %(line)d 行引用了 %(number)s，但它不在规范性引用文件中：把它列入第 2 章和引用文件。"),
            "edition": N_(
                "%(clause)s 第 %(line)d 行引用的是 %(cited)s，规范性引用文件列的是 %(number)s：两处改为同一版本。"
            ),
        },
    ),
    # --- the text against the parameters ----------------------------------------------------------
    Check(
        "text_boundary_mismatch",
        ERROR,
        cite(3),
        N_("条款文本所写的系统边界应与系统边界参数一致。"),
        {
            "": N_("%(clause)s 第 %(line)d 行写的是“%(said)s”，系统边界参数为“%(boundary)s”：改正文本，或改正参数。"),
            "included": N_(
                "%(clause)s 第 %(line)d 行把%(stages)s阶段写为纳入系统边界，参数中未纳入：改正文本，或把它纳入边界。"
            ),
            "excluded": N_(
                "%(clause)s 第 %(line)d 行把%(stages)s阶段写为不纳入系统边界，参数中已纳入：改正文本，或从边界中排除。"
            ),
        },
    ),
    Check(
        "text_unit_mismatch",
        ERROR,
        GB_T_24067,
        N_("条款文本所写的声明单位或功能单位应与参数一致。"),
        {
            "": N_("%(clause)s 第 %(line)d 行写的单位是“%(said)s”，参数中为“%(expected)s”：改正文本，或改正参数。"),
            "kind": N_(
                "%(clause)s 第 %(line)d 行写的是“%(said)s”，本规则的参数中只有%(expected)s："
                "改为“%(expected)s”，或在参数中给出%(said)s。"
            ),
        },
    ),
    Check(
        "text_data_period_mismatch",
        ERROR,
        GB_T_24067,
        N_("条款文本所写的数据时间范围应与参数一致。"),
        {"": N_("%(clause)s 第 %(line)d 行的时间范围（“%(said)s”）与参数“%(period)s”不一致：改正文本，或改正参数。")},
    ),
    Check(
        "text_cut_off_mismatch",
        ERROR,
        GB_T_24067,
        N_("条款文本所写的取舍比例应与参数一致。"),
        {
            "": N_(
                "%(clause)s 第 %(line)d 行的单项取舍比例为 %(said)s %%，参数为 %(expected)s %%：改正文本，或改正参数。"
            ),
            "total": N_(
                "%(clause)s 第 %(line)d 行的累计取舍比例为 %(said)s %%，参数为 %(expected)s %%：改正文本，或改正参数。"
            ),
        },
    ),
    Check(
        "text_gwp_mismatch",
        ERROR,
        GB_T_24067,
        N_("条款文本所写的全球变暖潜势（评估报告和时间尺度）应与 GWP 数据集参数一致。"),
        {"": N_("%(clause)s 第 %(line)d 行（“%(said)s”）与 GWP 数据集 %(gwp_set)s 不一致：改正文本，或改正参数。")},
    ),
    Check(
        "text_electricity_mismatch",
        ERROR,
        cite(4),
        N_("条款文本所写的电网排放因子应与参数一致。"),
        {"": N_("%(clause)s 第 %(line)d 行写的是%(said)s因子，参数为%(grid_factor)s：改正文本，或改正参数。")},
    ),
    Check(
        "text_data_stages_mismatch",
        ERROR,
        cite(4),
        N_("条款文本所写的初级数据和次级数据阶段应与参数一致。"),
        {
            "": N_(
                "%(clause)s 第 %(line)d 行要求%(stages)s阶段使用初级数据，参数中须使用初级数据的阶段为%(expected)s："
                "改正文本，或改正参数。"
            ),
            "secondary": N_(
                "%(clause)s 第 %(line)d 行允许%(stages)s阶段使用次级数据，参数中可使用次级数据的阶段为%(expected)s："
                "改正文本，或改正参数。"
            ),
        },
    ),
)
