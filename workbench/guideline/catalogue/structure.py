"""Findings on the GB/T 1.1—2020 structure of a rule's text (workbench.drafting.structure_checks).
PURE.

Articles of GB/T 1.1—2020 cited here: 7.2 章, 7.3 条 (numbering), 7.4 段 (hanging paragraphs),
8.3 前言, 8.4 引言, 8.7 术语和定义, 9.6 附录, 9.7 图, 9.8 表, 9.9 数学公式. The annexes a
product rule must carry are the template's requirement under 指引（二）.
"""

from workbench.guideline.articles import GB_T_1_1, cite
from workbench.guideline.findings import Check, Severity
from workbench.messages import N_

ERROR, WARNING = Severity.ERROR, Severity.WARNING

NUMBERING = f"{GB_T_1_1} 7.2、7.3"

CHECKS = (
    # --- numbering of chapters and sub-clauses -----------------------------------------------------
    Check(
        "clause_single_subclause",
        ERROR,
        NUMBERING,
        N_("同一层次中有两个或两个以上的条时才可设条：一章、一条或一个附录之下只有一个条的，不设这个条。"),
        {
            "": N_(
                "%(parent)s之下只有一个条 %(number)s：同一层次至少有两个条时才设条；删去 %(number)s 的编号和标题，"
                "把它的内容并入%(parent)s，或再分出一个条。"
            )
        },
    ),
    Check(
        "clause_numbering",
        ERROR,
        NUMBERING,
        N_("章从 1 起、各层次的条在其上一层次内从 1 起用阿拉伯数字连续编号，编号不重复；附录中的条编为 A.1、A.2 …。"),
        {
            "": N_("编号“%(number)s”前面是“%(previous)s”，缺少“%(expected)s”：按顺序连续编号，或补上缺少的章条。"),
            "first": N_("编号“%(number)s”应为“%(expected)s”：章从 1 起、条在其上一层次内从 1 起编号。"),
            "duplicate": N_("编号“%(number)s”已在前面使用过：每个章条用自己的编号，把这一个及其后的章条顺延编号。"),
            "order": N_("编号“%(number)s”排在“%(previous)s”之后，顺序颠倒：按编号顺序排列章条，或改正编号。"),
            "parent": N_("条“%(number)s”前面没有它所属的“%(parent)s”：先设“%(parent)s”，或改为现有章条之下的编号。"),
            "misplaced": N_(
                "条“%(number)s”不在“%(parent)s”之内（前面是“%(previous)s”）：把它移到“%(parent)s”的各条之后，或改正编号。"
            ),
            "annex": N_("条“%(number)s”在附录%(annex)s之内：附录%(annex)s中的条编为 %(annex)s.1、%(annex)s.2 …。"),
            "invalid": N_(
                "编号“%(number)s”不是章条编号：章编为 1、2 …，条编为 6.1、6.1.1 …，附录编为“附录A”，附录中的条编为 A.1 …。"
            ),
            "missing": N_("“%(title)s”没有编号：章条都应编号（只有前言和引言不编号）。"),
        },
    ),
    Check(
        "preliminary_numbered",
        ERROR,
        f"{GB_T_1_1} 8.3、8.4",
        N_("前言和引言不编号。"),
        {
            "": N_("前言不编号（现为“%(number)s”）：清空编号。"),
            "introduction": N_("引言不编号（现为“%(number)s”）：清空编号。"),
        },
    ),
    Check(
        "hanging_paragraph",
        ERROR,
        f"{GB_T_1_1} 7.4",
        N_("章或条的标题与其下一层次的条之间不设段（悬置段）：引用该章条时无法只指这些段。"),
        {
            "": N_(
                "“%(number)s”下设有条（%(child)s），其标题下的文字（第 %(line)s 行起）是悬置段：把这些文字移入新设的条"
                "（如“%(suggestion)s 概述”），其后各条顺延编号。"
            ),
            "provision": N_(
                "“%(number)s”下设有条（%(child)s），其标题下的文字是悬置段，第 %(line)s 行还含有要求（“应”），"
                "引用时无法单独指明：把这些文字移入新设的条（如“%(suggestion)s 概述”），其后各条顺延编号。"
            ),
        },
    ),
    # --- annexes -------------------------------------------------------------------------------
    Check(
        "annex_numbering",
        ERROR,
        f"{GB_T_1_1} 9.6",
        N_("附录按 A、B、C …的顺序编号，每个字母只用一次。"),
        {
            "": N_("“%(number)s”前面是附录%(previous)s：附录按顺序编号，这里应为“附录%(expected)s”。"),
            "first": N_("第一个附录应为“附录A”（现为“%(number)s”）。"),
            "duplicate": N_("“%(number)s”已在前面使用过：附录按 A、B、C …顺序编号，每个字母只用一次。"),
            "invalid": N_("“%(number)s”不是附录编号：写作“附录A”“附录B”…。"),
        },
    ),
    Check(
        "annex_not_cited",
        ERROR,
        f"{GB_T_1_1} 9.6",
        N_("每个附录都应在正文（或前言）中提及：规范性附录用“应按附录A…”，资料性附录用“见附录B”。"),
        {"": N_("附录%(annex)s“%(title)s”在其他章条中未被提及：在相关条文中提及它，或删除该附录。")},
    ),
    Check(
        "annex_normative_not_required",
        ERROR,
        f"{GB_T_1_1} 9.6",
        N_("规范性附录应由正文中的要求提及（如“应按附录A的规定”），否则它的内容不构成要求。"),
        {
            "": N_(
                "规范性附录%(annex)s只在不含“应”的句子中提及（%(clause)s 第 %(line)s 行）："
                "改为要求（如“应按附录%(annex)s…”），或把附录%(annex)s改为资料性附录。"
            )
        },
    ),
    Check(
        "annex_informative_as_requirement",
        WARNING,
        f"{GB_T_1_1} 9.6",
        N_("资料性附录不能由要求提及：“应按附录B”会使资料性附录的内容成为要求。"),
        {
            "": N_(
                "资料性附录%(annex)s在 %(clause)s 第 %(line)s 行由要求（“应”）提及："
                "改为“见附录%(annex)s”或“可参考附录%(annex)s”，或把附录%(annex)s改为规范性附录。"
            )
        },
    ),
    Check(
        "annex_citation_unresolved",
        ERROR,
        f"{GB_T_1_1} 9.6",
        N_("条文中提及的附录应在文件中存在。"),
        {"": N_("%(clause)s 第 %(line)s 行提及附录%(annex)s，但文件中没有附录%(annex)s：改正字母，或加上该附录。")},
    ),
    Check(
        "annex_data_collection_missing",
        ERROR,
        cite(2),
        N_("规则应有数据收集附录（规范性），给出活动数据的收集表。"),
        {"": N_("没有标题含“数据收集”的附录：加上规范性附录“数据收集表”，并在数据收集一章中按“应按附录A…”提及。")},
    ),
    Check(
        "annex_report_format_missing",
        ERROR,
        cite(2),
        N_("规则应有报告格式附录，给出产品碳足迹报告的格式。"),
        {"": N_("没有标题含“报告格式”的附录：加上附录“报告格式”，并在报告一章中提及。")},
    ),
    Check(
        "annex_gwp_missing",
        ERROR,
        cite(2),
        N_("规则应有全球变暖潜势值附录，列出所用数据集中各温室气体的 GWP 值。"),
        {"": N_("没有标题含“全球变暖潜势”或“GWP”的附录：加上资料性附录“全球变暖潜势值”，并在全球变暖潜势一条中提及。")},
    ),
    # --- the 前言 --------------------------------------------------------------------------------
    Check(
        "foreword_drafting_rules_missing",
        ERROR,
        f"{GB_T_1_1} 8.3",
        N_("前言应说明本文件按照 GB/T 1.1—2020 起草。"),
        {
            "": N_(
                "前言中没有起草规则的说明：加上“本文件按照 GB/T 1.1—2020《标准化工作导则 第1部分："
                "标准化文件的结构和起草规则》的规定起草。”"
            )
        },
    ),
    # --- figures, tables, formulas ---------------------------------------------------------------
    Check(
        "figure_numbering",
        ERROR,
        f"{GB_T_1_1} 9.7",
        N_("图在正文中编为图 1、图 2 …，在附录中编为图 A.1 …，按出现顺序连续编号，不重复。"),
        {
            "": N_("%(clause)s 第 %(line)s 行的图编为“图 %(number)s”，按顺序应为“图 %(expected)s”：改正编号。"),
            "duplicate": N_("%(clause)s 第 %(line)s 行的“图 %(number)s”已在前面使用过：按顺序重新编号。"),
        },
    ),
    Check(
        "figure_citation_unresolved",
        ERROR,
        f"{GB_T_1_1} 9.7",
        N_("条文中提及的图应在文件中存在。"),
        {"": N_("%(clause)s 第 %(line)s 行提及“图 %(number)s”，但文件中没有图 %(number)s：改正编号，或加上该图。")},
    ),
    Check(
        "figure_not_cited",
        WARNING,
        f"{GB_T_1_1} 9.7",
        N_("每幅图都应在条文中提及。"),
        {
            "": N_(
                "%(clause)s 第 %(line)s 行的图 %(number)s 在条文中未被提及：在相关条文中写明“见图 %(number)s”，或删除该图。"
            )
        },
    ),
    Check(
        "figure_object_missing",
        ERROR,
        f"{GB_T_1_1} 9.7",
        N_("条文中插入的图（figure:标识）应已上传到本规则的图中。"),
        {"": N_("%(clause)s 第 %(line)s 行插入的图“%(id)s”不存在：上传该图，或改为已上传的图的标识。")},
    ),
    Check(
        "table_numbering",
        ERROR,
        f"{GB_T_1_1} 9.8",
        N_("表在正文中编为表 1、表 2 …，在附录中编为表 A.1 …，按出现顺序连续编号，不重复；每个表都有编号和表题。"),
        {
            "": N_("%(clause)s 第 %(line)s 行的表编为“表 %(number)s”，按顺序应为“表 %(expected)s”：改正编号。"),
            "duplicate": N_("%(clause)s 第 %(line)s 行的“表 %(number)s”已在前面使用过：按顺序重新编号。"),
            "unnumbered": N_("%(clause)s 第 %(line)s 行的表没有编号和表题：在表的上一段写“表 %(expected)s　表题”。"),
        },
    ),
    Check(
        "table_citation_unresolved",
        ERROR,
        f"{GB_T_1_1} 9.8",
        N_("条文中提及的表应在文件中存在。"),
        {"": N_("%(clause)s 第 %(line)s 行提及“表 %(number)s”，但文件中没有表 %(number)s：改正编号，或加上该表。")},
    ),
    Check(
        "table_not_cited",
        WARNING,
        f"{GB_T_1_1} 9.8",
        N_("每个表都应在条文中提及。"),
        {
            "": N_(
                "%(clause)s 第 %(line)s 行的表 %(number)s 在条文中未被提及：在相关条文中写明“见表 %(number)s”，或删除该表。"
            )
        },
    ),
    Check(
        "formula_numbering",
        ERROR,
        f"{GB_T_1_1} 9.9",
        N_("公式在正文中编为（1）、（2）…，在附录中编为（A.1）…，按出现顺序连续编号，不重复。"),
        {
            "": N_("%(clause)s 第 %(line)s 行的公式编为（%(number)s），按顺序应为（%(expected)s）：改正编号。"),
            "duplicate": N_("%(clause)s 第 %(line)s 行的公式编号（%(number)s）已在前面使用过：按顺序重新编号。"),
        },
    ),
    Check(
        "formula_citation_unresolved",
        ERROR,
        f"{GB_T_1_1} 9.9",
        N_("条文中提及的公式应在文件中存在。"),
        {
            "": N_(
                "%(clause)s 第 %(line)s 行提及公式（%(number)s），但文件中没有编号为（%(number)s）的公式：改正编号，或加上该公式。"
            )
        },
    ),
    Check(
        "formula_not_cited",
        WARNING,
        f"{GB_T_1_1} 9.9",
        N_("编了号的公式应在条文中提及；不需要提及的公式可不编号。"),
        {
            "": N_(
                "%(clause)s 第 %(line)s 行的公式（%(number)s）在条文中未被提及：写明“按公式（%(number)s）计算”，或去掉其编号。"
            )
        },
    ),
    # --- term entries ------------------------------------------------------------------------------
    Check(
        "term_entry_number",
        ERROR,
        f"{GB_T_1_1} 8.7",
        N_("术语条目按顺序编号：第 3 章的条目为 3.1、3.2 …，不跳号。"),
        {"": N_("这是第 %(position)s 个术语条目，编号应为“%(expected)s”（现为“%(id)s”）：按顺序重新编号。")},
    ),
    Check(
        "term_source_missing",
        ERROR,
        f"{GB_T_1_1} 8.7",
        N_("取自其他文件的术语条目应在“来源”中写明该文件的编号（宜加条目编号），如“GB/T 24067—2024，3.1.1.1”。"),
        {
            "": N_(
                "定义中写有“来源”（“%(context)s”）：把来源移到本条目的“来源”一栏，写作“GB/T 24067—2024，3.1.1.1”的形式。"
            ),
            "no_document": N_(
                "来源“%(source)s”没有写明文件编号：写作“GB/T 24067—2024，3.1.1.1”的形式（文件编号，条目编号）。"
            ),
        },
    ),
)
