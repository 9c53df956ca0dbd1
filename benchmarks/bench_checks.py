"""What checking a rule of 200 clauses costs: the schema, the conformance checks, and the rule page.

Usage: python benchmarks/bench_checks.py [CLAUSES]   (116–228, default 200; make bench runs it)
The rule is built from the demo example rule_templates/cfp-product-rule/1.1/examples/cement.json
(template cfp-product-rule@1.1, which applies every rule check of the catalogue): its front
matter, technical clauses and annexes are kept, each technical clause's text moves into a first
sub-clause (总则, as GB/T 1.1 allows no hanging paragraph) and sub-clauses with provisions
(应/宜/可), tables, formulas and cross-references to clauses, terms and annexes are added until
the rule has CLAUSES clauses; with 50 normative references and 40 terms, whose clauses are
rendered by the template as it renders them for a new rule. The rule is written as GB/T 1.1—2020
wants it, so that every check reads it to the end: every listed reference is cited in the body
(each generated sub-clause cites the next one not yet cited), and only listed ones are cited;
terms are numbered 3.1, 3.2 … in order, those taken from another document with their source;
each table has its caption paragraph "表 n　标题" before it and each formula is a display formula
"$$…$$　　（n）", both numbered 1, 2 … in order of appearance in the body (the example's 表 1 and
公式（1）（2） included) and cited in their clause ("按表 n", "按公式（n）"). Before timing, the
rule is checked: schema-valid, and check() finds nothing.

Timed, each once to warm up and then REPEATS times: median and slowest wall-clock time
(time.perf_counter) and median CPU time of this process (time.process_time, less affected by
other work on the machine), in milliseconds, with SQL statements per call and the full garbage
collections that fell within the timed calls (after gc.freeze(), as a server worker does):
  1. template.validate(document): the JSON Schema;
  2. checks.check(document, …, reference_status=<dict lookup>): the conformance checks (pure);
  3. both as `workbench check RULE.json` does them per file (no registry: reference_status=None);
  4. GET /drafting/<id>, the rule page (every clause as Markdown, the findings panel, the stage
     gates), signed in as the secretariat, in-process (no network), on a fresh SQLite file, or in
     a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL names a server. The registry
     holds the referenced standards, so the checks' status lookups find them.
Then the page's parts are timed on their own (loading the revision; service.findings as the page
runs it, checks and registry lookups; the Markdown of every clause), one request is profiled
with cProfile, and the page's median is split into findings, Markdown and the rest.
"""

import copy
import cProfile
import gc
import json
import os
import platform
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from tests.conftest import ADMIN, PASSWORD, fresh_database, make_app  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.permissions import Role  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting import checks  # noqa: E402
from workbench.drafting import service as drafting  # noqa: E402
from workbench.drafting import template as templates  # noqa: E402
from workbench.drafting.models import Rule  # noqa: E402
from workbench.markdown import render as markdown  # noqa: E402
from workbench.registry import numbers  # noqa: E402
from workbench.registry import service as registry  # noqa: E402

CLAUSES = 200
FINDINGS = "service.findings as the page runs it (checks + registry lookups)"
REPEATS = 50
TEMPLATE = "cfp-product-rule@1.1"
EXAMPLE = "examples/cement.json"  # in the template's folder
TECHNICAL = "technical"

# 50 normative references, in the order GB/T 1.1 lists them (national, industry, international).
REFERENCES = [
    ("GB 175—2023", "通用硅酸盐水泥"),
    ("GB/T 176—2017", "水泥化学分析方法"),
    ("GB/T 203—2008", "用于水泥中的粒化高炉矿渣"),
    ("GB/T 212—2008", "煤的工业分析方法"),
    ("GB/T 213—2008", "煤的发热量测定方法"),
    ("GB/T 384—1981", "石油产品热值测定法"),
    ("GB/T 476—2008", "煤中碳和氢的测定方法"),
    ("GB/T 1596—2017", "用于水泥和混凝土中的粉煤灰"),
    ("GB/T 2588—2019", "设备热效率计算通则"),
    ("GB/T 2589—2020", "综合能耗计算通则"),
    ("GB/T 2847—2022", "用于水泥中的火山灰质混合材料"),
    ("GB/T 3101—1993", "有关量、单位和符号的一般原则"),
    ("GB/T 3484—2009", "企业能量平衡通则"),
    ("GB/T 4754—2017", "国民经济行业分类"),
    ("GB 4915—2013", "水泥工业大气污染物排放标准"),
    ("GB/T 5483—2008", "天然石膏"),
    ("GB/T 8170—2008", "数值修约规则与极限数值的表示和判定"),
    ("GB/T 9774—2020", "水泥包装袋"),
    ("GB/T 11062—2020", "天然气 发热量、密度、相对密度和沃泊指数的计算方法"),
    ("GB/T 12723—2013", "单位产品能源消耗限额编制通则"),
    ("GB/T 13234—2018", "用能单位节能量计算方法"),
    ("GB/T 15316—2009", "节能监测技术通则"),
    ("GB 16780—2021", "水泥单位产品能源消耗限额"),
    ("GB/T 17166—2019", "能源审计技术通则"),
    ("GB 17167—2006", "用能单位能源计量器具配备和管理通则"),
    ("GB/T 21371—2019", "用于水泥中的工业副产石膏"),
    ("GB/T 21372—2008", "硅酸盐水泥熟料"),
    ("GB/T 23331—2020", "能源管理体系 要求及使用指南"),
    ("GB/T 24025—2009", "环境标志和声明 Ⅲ型环境声明 原则和程序"),
    ("GB/T 24040—2008", "环境管理 生命周期评价 原则与框架"),
    ("GB/T 24044—2008", "环境管理 生命周期评价 要求与指南"),
    ("GB/T 24067—2024", "温室气体 产品碳足迹 量化要求和指南"),
    ("GB/T 26281—2021", "水泥回转窑热平衡、热效率、综合能耗计算方法"),
    ("GB/T 27418—2017", "测量不确定度评定和表示"),
    ("GB/T 28751—2012", "企业能量平衡表编制方法"),
    ("GB 30485—2013", "水泥窑协同处置固体废物污染控制标准"),
    ("GB/T 30760—2014", "水泥窑协同处置固体废物技术规范"),
    ("GB/T 32045—2015", "节能量测量和验证实施指南"),
    ("GB/T 32150—2015", "工业企业温室气体排放核算和报告通则"),
    ("GB/T 32151.1—2015", "温室气体排放核算与报告要求 第1部分：发电企业"),
    ("GB/T 32151.5—2015", "温室气体排放核算与报告要求 第5部分：钢铁生产企业"),
    ("GB/T 32151.8—2015", "温室气体排放核算与报告要求 第8部分：水泥生产企业"),
    ("GB/T 33760—2017", "基于项目的温室气体减排量评估技术规范 通用要求"),
    ("GB/T 35164—2017", "用于水泥、砂浆和混凝土中的石灰石粉"),
    ("GB/T 36132—2018", "绿色工厂评价通则"),
    ("HJ 662—2013", "水泥窑协同处置固体废物环境保护技术规范"),
    ("JC/T 733—2007", "水泥回转窑热平衡测定方法"),
    (
        "ISO 14064-1:2018",
        "Greenhouse gases — Part 1: Specification with guidance at the organization level for quantification and "
        "reporting of greenhouse gas emissions and removals",
    ),
    (
        "ISO 14067:2018",
        "Greenhouse gases — Carbon footprint of products — Requirements and guidelines for quantification",
    ),
    ("ISO/TS 14071:2014", "Environmental management — Life cycle assessment — Critical review processes"),
]
ISSUERS = {"national": "国家市场监督管理总局 国家标准化管理委员会", "HJ": "生态环境部", "JC": "工业和信息化部"}

# 28 terms after the example's 12 (3.13–3.40); some definitions cite other terms.
TERMS = [
    (
        "生料",
        "raw meal",
        "由石灰质原料、硅铝质原料和铁质原料等按比例配合并粉磨到一定细度的物料，用于煅烧[水泥熟料](#3.10)。",
    ),
    ("熟料系数", "clinker-to-cement ratio", "每吨水泥中[水泥熟料](#3.10)的质量分数。"),
    ("混合材料", "mineral admixture", "水泥粉磨时与熟料、石膏一起加入的，用以改善水泥性能、调节强度等级的矿物质材料。"),
    (
        "粒化高炉矿渣",
        "granulated blast furnace slag",
        "高炉冶炼生铁时所得的以硅铝酸钙为主要成分的熔融物，经淬冷成粒的产物。",
    ),
    ("粉煤灰", "fly ash", "电厂煤粉炉烟道气体中收集的粉末。"),
    ("工业副产石膏", "industrial by-product gypsum", "工业生产中由化学反应生成的以硫酸钙为主要成分的副产品。"),
    (
        "协同处置",
        "co-processing",
        "将满足或经预处理后满足入窑要求的固体废物投入水泥窑，在生产熟料的同时实现其无害化处置的过程。",
    ),
    ("余热发电", "waste heat power generation", "利用窑头熟料冷却机和窑尾预热器排出的废气余热产生蒸汽并发电的过程。"),
    ("低位发热量", "net calorific value", "燃料完全燃烧，其燃烧产物中的水蒸气以气态存在时放出的热量。"),
    ("单位热值含碳量", "carbon content per unit calorific value", "燃料中单位热值所含的碳的质量。"),
    ("碳氧化率", "carbon oxidation rate", "燃料中的碳在燃烧过程中被完全氧化的百分比。"),
    (
        "活动数据",
        "activity data",
        "导致温室气体排放或清除的生产或消费活动的活动量，如燃料消耗量、原材料使用量、购入电量。",
    ),
    (
        "碳足迹因子",
        "carbon footprint factor",
        "将[活动数据](#3.24)与温室气体排放或清除相联系的系数，以二氧化碳当量表示。",
    ),
    (
        "全球变暖潜势",
        "global warming potential; GWP",
        "将单位质量的某种温室气体在给定时间段内辐射强迫的影响与等量二氧化碳辐射强迫的影响相关联的系数。",
    ),
    (
        "二氧化碳当量",
        "carbon dioxide equivalent; CO₂e",
        "在辐射强迫上与某种温室气体质量相当的二氧化碳的量，由该气体的质量乘以其[全球变暖潜势](#3.26)得到。",
    ),
    ("单元过程", "unit process", "进行生命周期清单分析时为量化输入和输出数据而确定的最基本部分。"),
    ("分配", "allocation", "将过程或产品系统中的输入和输出流划分到所研究的产品系统以及一个或更多的其他产品系统中。"),
    ("数据质量", "data quality", "数据在满足所声明的要求方面的能力特性。"),
    ("不确定性", "uncertainty", "与量化结果相关联的、表征合理赋予被量化值的分散性的参数。"),
    ("生物源碳", "biogenic carbon", "来源于生物质的碳。"),
    ("化石碳", "fossil carbon", "包含在化石材料中的碳。"),
    (
        "电网平均电力碳足迹因子",
        "grid average electricity carbon footprint factor",
        "电网供应单位电量的生命周期温室气体排放量，按电网内各类发电的电量加权平均得到。",
    ),
    (
        "绿色电力证书",
        "green electricity certificate; GEC",
        "国家对可再生能源发电项目所发电量核发的、作为可再生能源电量环境属性唯一证明的电子凭证。",
    ),
    ("实施主体", "implementing entity", "按本文件开展水泥碳足迹量化并对量化结果负责的组织。"),
    ("窑灰", "cement kiln dust; CKD", "水泥窑系统收尘设备收集的、未返回窑系统的粉尘。"),
    ("旁路放风粉尘", "bypass dust", "为降低窑系统中氯、碱等有害成分的循环富集而从窑尾旁路排出的粉尘。"),
    ("谱系矩阵", "pedigree matrix", "按时间、地理和技术代表性、完整性和可靠性等指标对数据质量逐项评分的矩阵。"),
    ("敏感性分析", "sensitivity analysis", "估计所选用的方法和数据对[不确定性](#3.31)和量化结果影响的系统化程序。"),
]
# The documents the terms above are taken from (printed as [来源：…]); the others are this rule's own.
TERM_SOURCES = {
    "粒化高炉矿渣": "GB/T 203—2008",
    "粉煤灰": "GB/T 1596—2017",
    "工业副产石膏": "GB/T 21371—2019",
    "协同处置": "GB 30485—2013，有修改",
    "低位发热量": "GB/T 213—2008",
    "单位热值含碳量": "GB/T 32150—2015",
    "碳氧化率": "GB/T 32150—2015",
    "活动数据": "GB/T 32150—2015，有修改",
    "全球变暖潜势": "GB/T 24067—2024",
    "二氧化碳当量": "GB/T 24067—2024",
    "单元过程": "GB/T 24040—2008",
    "分配": "GB/T 24040—2008",
    "数据质量": "GB/T 24044—2008",
    "不确定性": "ISO 14064-1:2018",
    "生物源碳": "GB/T 24067—2024",
    "敏感性分析": "GB/T 24044—2008，有修改",
}

# Process units of a cement plant: (name, what is measured, its unit, a reference that applies,
# the stage it belongs to). The sub-clauses of the subject-based parents below are one per unit.
SUBJECTS = [
    ("石灰石开采", "石灰石开采量", "t", "GB/T 176—2017", "原材料获取"),
    ("生料制备", "生料消耗量", "t", "GB/T 176—2017", "生产"),
    ("煤粉制备", "入窑煤粉量", "t", "GB/T 213—2008", "生产"),
    ("熟料煅烧", "熟料产量", "t", "GB/T 21372—2008", "生产"),
    ("水泥粉磨", "水泥产量", "t", "GB 175—2023", "生产"),
    ("水泥包装", "包装袋消耗量", "只", "GB/T 9774—2020", "生产"),
    ("余热发电", "余热发电量", "kW·h", "GB/T 26281—2021", "生产"),
    ("窑尾烟气治理", "氨水消耗量", "t", "GB 4915—2013", "生产"),
    ("厂内运输", "柴油消耗量", "t", "GB/T 384—1981", "生产"),
    ("外购熟料", "外购熟料量", "t", "GB/T 21372—2008", "原材料获取"),
    ("混合材料", "混合材料掺量", "t", "GB/T 203—2008", "原材料获取"),
    ("石膏", "石膏消耗量", "t", "GB/T 5483—2008", "原材料获取"),
    ("替代燃料", "替代燃料消耗量", "t", "GB/T 30760—2014", "生产"),
    ("外购电力", "外购电量", "kW·h", "GB 17167—2006", "原材料获取"),
    ("天然气", "天然气消耗量", "m³", "GB/T 11062—2020", "生产"),
    ("废物处理", "废物处理量", "t", "GB 30485—2013", "生产"),
]
# Parents whose sub-clauses are one per process unit: title pattern and first paragraph.
SUBJECT_PARENTS = {
    "system-boundary": (
        "{s}过程",
        "{s}过程纳入{stage}阶段。其输入包括原材料、能源和辅助材料，输出包括中间产品、废物和温室气体直接排放，"
        "均应按[6.3](#activity-data)的规定收集活动数据。",
    ),
    "cut-off": (
        "{s}的取舍",
        "{s}过程中单项输入的温室气体排放量小于水泥碳足迹的 1% 时，可按[5.3](#cut-off)的规定舍弃；"
        "{q}及其直接排放不应舍弃。被舍弃的输入应逐项列明其估算的排放量和估算依据。",
    ),
    "primary-data": (
        "{s}的初级数据",
        "{q}应使用初级数据，以 {unit} 计，按月统计并汇总至[5.4](#time-boundary)规定的数据时间范围。"
        "生产记录与财务结算数据不一致的，应以计量数据为准并说明差异。",
    ),
    "secondary-data": (
        "{s}的次级数据",
        "无法获得{s}的初级数据时，可按[6.2](#secondary-data)规定的优先级顺序使用次级数据。使用次级数据的，"
        "应注明数据库名称和版本，所选数据的技术代表性宜与{s}的实际工艺相符。",
    ),
    "activity-data": (
        "{s}的活动数据",
        "{s}的活动数据包括{q}以及相应的能源和物料消耗量，应按[附录A](#annex-a)的数据收集表逐月记录，"
        "并注明数据类型和来源。",
    ),
    "factors": (
        "{s}的碳足迹因子",
        "{s}所用的[碳足迹因子](#3.25)应按[7.1](#factors)规定的优先级顺序选取，并注明发布机构、数据库名称和版本、"
        "发布年份和适用地域。",
    ),
    "formula": (
        "{s}的排放计算",
        # numbered (1) in its clause; number_in_order() gives it its number in the rule
        "{s}的温室气体排放量按公式（1）计算：\n\n"
        "$$E = \\mathrm{{AD}} \\times \\mathrm{{EF}}$$　　（1）\n\n式中：\n\n"
        "$E$ ——{s}的温室气体排放量，单位为千克二氧化碳当量（kg CO₂e）；\n\n"
        "$\\mathrm{{AD}}$ ——{q}，单位为 {unit}；\n\n"
        "$\\mathrm{{EF}}$ ——对应的[碳足迹因子](#3.25)，单位为千克二氧化碳当量每 {unit}（kg CO₂e/{unit}）。",
    ),
}
# Parents with sub-clauses of their own subjects, after the 总则 that takes the parent's text.
TITLED_PARENTS = {
    "goal-purpose": ["供应链碳管理", "产品碳标识认证", "碳足迹信息披露"],
    "product-description": ["水泥品种和强度等级", "熟料系数和混合材料", "生产工艺和主要设备"],
    "principles": ["完整性和一致性", "透明性和避免重复计算"],
    "unit": ["袋装水泥", "散装水泥", "水泥熟料"],
    "time-boundary": ["多条生产线", "新建和技术改造生产线", "停窑检修期间"],
    "electricity": [
        "外购电力",
        "绿色电力证书",
        "绿色电力交易",
        "自建光伏和风电",
        "余热发电电量",
        "外购热力",
        "电能计量",
    ],
    "alternative-fuels": [
        "生物质燃料",
        "废轮胎",
        "生活垃圾衍生燃料",
        "市政污泥",
        "危险废物",
        "替代原料",
        "预处理和运输",
    ],
    "gwp": ["甲烷", "氧化亚氮", "含氟气体", "生物源碳"],
    "allocation": ["外售熟料", "多品种水泥", "协同处置", "余热发电上网电量", "共用设施"],
    "calcination-emissions": ["生料碳酸盐分解", "窑灰和旁路放风粉尘", "生料中的非燃料碳", "氧化钙和氧化镁含量的测定"],
    "data-quality-assessment": ["时间代表性", "地理代表性", "技术代表性", "完整性", "可靠性", "数据质量评级"],
    "uncertainty": ["活动数据的不确定性", "碳足迹因子的不确定性", "蒙特卡洛模拟", "敏感性分析"],
    "report": [
        "基本信息",
        "量化目的和范围",
        "清单分析",
        "量化结果",
        "数据质量和不确定性",
        "结果解释",
        "报告的保存和更新",
    ],
}
PARAGRAPHS = [
    "{q}的计量应符合 GB 17167—2006 的要求。计量器具应按规定的周期检定或校准，检定或校准记录应保存至少 5 年，"
    "并能与[{n1}](#{i1})规定的数据对应。",
    "{s}相关参数的测定应符合 {ref} 的规定；无法实测时，可采用政府主管部门发布的缺省值，并在报告中注明缺省值的来源和年份。",
    "多条生产线共用{s}设施的，宜按各生产线的{basis}分摊相关的输入和输出；无法分摊的，应按[7.3](#allocation)的规定处理。",
    "{s}涉及[{t1}](#{j1})的，应单独记录其数量和来源，不应与其他输入合并统计；其排放按[{n2}](#{i2})计算。",
    "{s}数据的质量应按[8.1](#data-quality-assessment)的规定评价。数据质量评级低于 3 级的，宜在下一核算期内改用初级数据，"
    "并在报告中说明改进措施。",
    "采用[{t1}](#{j1})的，可按[{n1}](#{i1})的方法计算；计算结果应按 GB/T 8170—2008 修约，保留三位有效数字。",
    "{s}的输入和输出应满足质量平衡，差额超过 {pct}% 时应查明原因，并在报告中说明；必要时按[{t2}](#{j2})的定义复核有关数据项。",
    "注：{s}的温室气体排放量一般不超过水泥碳足迹的 {pct}%，但在{case}的生产线中占比较高。",
]
# The paragraph of each generated sub-clause that cites the next reference not yet cited (or one
# that applies to its subject once all are): Chinese standards by title, international ones as such.
CITING = "{s}涉及《{cited_title}》所规定内容的，应符合 {cited} 的规定。"
CITING_INTERNATIONAL = "{s}的量化和报告，本文件未规定的，应符合 {cited} 的规定。"
RECORD_ITEMS = [
    "数据项的名称、数值和单位",
    "数据类型（初级数据或次级数据）及其来源",
    "统计或测定的日期和责任人",
    "计量器具的编号、准确度等级和检定或校准日期",
    "缺失数据的处理方法和替代数据的依据",
    "与上一核算期相比变化超过 10% 的原因",
    "所引用的化验报告或第三方证明的编号",
]
TABLE_ROWS = [
    ("{q}", "{unit}", "初级数据", "计量台账", "每月"),
    ("电力消耗量", "kW·h", "初级数据", "电能表读数", "每月"),
    ("燃料消耗量", "t", "初级数据", "入库和领用记录", "每批"),
    ("燃料低位发热量", "GJ/t", "初级数据", "化验报告", "每批"),
    ("运输距离", "km", "初级数据或次级数据", "运单", "每批"),
    ("废物产生量", "t", "初级数据", "处置台账", "每月"),
    ("碳足迹因子", "kg CO₂e/{unit}", "次级数据", "见[7.1](#factors)", "每年"),
]
BASES = ["熟料产量", "水泥产量", "运行时间", "分表计量的电量"]
CASES = ["大量使用替代燃料", "熟料外购比例较高", "采用分段粉磨工艺"]


# --- the rule -------------------------------------------------------------------------------------


def build_document(template: templates.Template, clause_count: int) -> dict:
    """The cement example of `template` grown to `clause_count` clauses, with 50 references and
    40 terms (clean under every check with the 1.1 template, TEMPLATE)."""
    name, version = templates.parse_ref(template.ref)
    example = json.loads((templates.TEMPLATES_DIR / name / version / EXAMPLE).read_text(encoding="utf-8"))
    document = {key: copy.deepcopy(value) for key, value in example.items() if key != "clauses"}
    document["normative_references"] = [{"number": number, "title": title} for number, title in REFERENCES]
    next_term = len(document["terms"]) + 1
    document["terms"] += [
        {"id": f"3.{next_term + offset}", "zh": zh, "en": en, "definition": definition}
        | ({"source": TERM_SOURCES[zh]} if zh in TERM_SOURCES else {})
        for offset, (zh, en, definition) in enumerate(TERMS)
    ]
    annexes = [clause for clause in example["clauses"] if clause["kind"].startswith("annex")]
    technical = [clause for clause in example["clauses"] if clause["kind"] == TECHNICAL]
    front = [clause for clause in example["clauses"] if clause not in annexes and clause not in technical]
    others = len(front) + len(annexes)
    document["clauses"] = front + _technical(technical, clause_count - others, others, document) + annexes
    number_in_order(document["clauses"])
    # The references and terms clauses as the template writes them from the two lists.
    rendered = {clause["kind"]: clause["text"] for clause in template.render_clauses(document)}
    for clause in document["clauses"]:
        if clause["kind"] in ("normative_references", "terms"):
            clause["text"] = rendered[clause["kind"]]
    return document


def _technical(example: list[dict], count: int, others: int, document: dict) -> list[dict]:
    # Plan the outline first (numbers and ids), so that any clause can cite any other.
    outline: list[dict] = []  # clause, plus what its text is made from
    subject_slots: dict[str, list[int]] = {}
    for clause in example:
        if not clause["text"]:  # a chapter with sub-clauses
            outline.append({"clause": dict(clause)})
            continue
        parent = dict(clause, text="")
        outline.append({"clause": parent})
        general = {"id": f"{clause['id']}-general", "kind": TECHNICAL, "number": f"{clause['number']}.1"}
        outline.append({"clause": general | {"title": "总则", "text": clause["text"]}})
        for title in TITLED_PARENTS.get(clause["id"], []):
            outline.append({"parent": parent, "title": title})
        if clause["id"] in SUBJECT_PARENTS:
            subject_slots[clause["id"]] = []
            outline.append({"parent": parent, "subjects": clause["id"]})
    fixed = sum(1 for item in outline if "subjects" not in item)
    extra = count - fixed
    most = len(SUBJECTS) * len(SUBJECT_PARENTS)
    if not 0 <= extra <= most:
        sys.exit(f"CLAUSES must be between {others + fixed} and {others + fixed + most}")
    parents = list(subject_slots)
    for index in range(extra):  # one process unit more for each subject parent in turn
        subject_slots[parents[index % len(parents)]].append(index // len(parents))
    expanded: list[dict] = []
    for item in outline:
        if "subjects" in item:
            expanded += [
                {"parent": item["parent"], "subject": SUBJECTS[slot]} for slot in subject_slots[item["subjects"]]
            ]
        else:
            expanded.append(item)
    children: dict[str, int] = {}
    for item in expanded:
        if "parent" in item:
            parent = item["parent"]
            position = children.get(parent["id"], 1) + 1
            children[parent["id"]] = position
            title = item.get("title") or SUBJECT_PARENTS[parent["id"]][0].format(s=item["subject"][0])
            item["clause"] = {
                "id": f"{parent['id']}-{position}",
                "kind": TECHNICAL,
                "number": f"{parent['number']}.{position}",
                "title": title,
                "text": "",
            }
    targets = [(item["clause"]["number"], item["clause"]["id"]) for item in expanded] + [("附录A", "annex-a")]
    terms = [(term["zh"], term["id"]) for term in document["terms"]]
    rng = random.Random(24067)
    uncited = [number for number, _title in REFERENCES]  # each generated sub-clause cites the next one
    for item in expanded:
        if "parent" in item:
            item["clause"]["text"] = _text(item, rng, targets, terms, uncited)
    if uncited:
        sys.exit(f"too few sub-clauses to cite every reference: {', '.join(uncited)} not cited")
    return [item["clause"] for item in expanded]


def _text(item: dict, rng: random.Random, targets, terms, uncited: list[str]) -> str:
    parent, clause = item["parent"], item["clause"]
    if "subject" in item:
        name, quantity, unit, reference, stage = item["subject"]
    else:
        name, quantity, unit, stage = clause["title"], f"{clause['title']}相关数据", "t", "生产"
        reference = rng.choice(REFERENCES[:-3])[0]
    (n1, i1), (n2, i2) = rng.sample([target for target in targets if target[1] != clause["id"]], 2)
    (t1, j1), (t2, j2) = rng.sample(terms, 2)
    values = {
        "s": name,
        "q": quantity,
        "unit": unit,
        "ref": reference,
        "stage": stage,
        "n1": n1,
        "i1": i1,
        "n2": n2,
        "i2": i2,
        "t1": t1,
        "j1": j1,
        "t2": t2,
        "j2": j2,
        "pct": rng.choice([2, 3, 5]),
        "basis": rng.choice(BASES),
        "case": rng.choice(CASES),
        "cited": uncited.pop(0) if uncited else reference,
    }
    values["cited_title"] = dict(REFERENCES)[values["cited"]]
    if "subject" in item:
        lead = SUBJECT_PARENTS[parent["id"]][1]
    else:
        lead = f"{parent['title']}涉及{{s}}的，应按本条的规定执行；本条未规定的，按[{parent['number']}.1](#{parent['id']}-general)执行。"
    citing = CITING_INTERNATIONAL if values["cited"].startswith("ISO") else CITING
    paragraphs = [lead.format(**values), citing.format(**values)]
    body = rng.sample(PARAGRAPHS[:-1], rng.randint(2, 3))
    paragraphs += [paragraph.format(**values) for paragraph in body]
    if rng.random() < 0.4:
        items = rng.sample(RECORD_ITEMS, rng.randint(3, 5))
        lines = [
            f"{chr(ord('a') + index)}) {entry}{'。' if index == len(items) - 1 else '；'}"
            for index, entry in enumerate(items)
        ]
        paragraphs.append(f"{name}的记录应包括下列内容：\n\n" + "\n\n".join(lines))
    if rng.random() < 0.25:  # 表 1 of its clause; number_in_order() gives it its number in the rule
        rows = [TABLE_ROWS[0], *rng.sample(TABLE_ROWS[1:], rng.randint(3, 5))]
        table = "\n".join("| " + " | ".join(cell.format(**values) for cell in row) + " |" for row in rows)
        paragraphs.append(f"{name}的数据应按表 1 收集。")
        paragraphs.append(f"表 1　{name}的数据要求")  # the caption: a paragraph of its own before the table
        paragraphs.append(f"| 数据项 | 单位 | 数据类型 | 数据来源 | 统计频次 |\n|---|---|---|---|---|\n{table}")
        paragraphs.append("表 1 所列数据项为最低要求，实施主体可根据生产实际增加数据项。")
    if rng.random() < 0.2:
        paragraphs.append(PARAGRAPHS[-1].format(**values))
    return "\n\n".join(paragraphs)


# A table's caption "表 1　标题" (a paragraph before the table), a numbered formula (a display
# formula "$$…$$　　（1）" or, in a 1.0 text, a plain one "CFP = …　　（1）"), and their citations.
_TABLE = re.compile(r"(?<![A-Z.])(表 ?)([0-9]+)(?![0-9.])")
_FORMULA = re.compile(r"(公式（|^\$\$.+\$\$[ \u3000]*（|^[^\n$]*=[^\n]*[ \u3000]{2,}（)([0-9]+)(?=）)", re.MULTILINE)
_TABLE_CAPTION = re.compile(r"^表 ?([0-9]+)\u3000", re.MULTILINE)
_FORMULA_NUMBER = re.compile(r"^(?:\$\$.+\$\$|[^\n$]*=[^\n]*?)[ \u3000]{2,}（([0-9]+)）[ \u3000]*$", re.MULTILINE)


def number_in_order(clauses: list[dict]) -> None:
    """Numbers the tables and formulas of the body 1, 2 … in order of appearance (GB/T 1.1—2020),
    the example's own (表 1 in 5.2, formulas (1) and (2) in 7.4 and 7.5) among the generated ones,
    rewriting each clause's citations of its own tables and formulas (no clause cites another's)."""
    counts = {"table": 0, "formula": 0}
    for clause in clauses:
        text = clause["text"]
        if clause["kind"].startswith("annex") or not text:
            continue
        renumbered = {}
        for kind, defined, cited in (("table", _TABLE_CAPTION, _TABLE), ("formula", _FORMULA_NUMBER, _FORMULA)):
            mapping = {}
            for match in defined.finditer(text):
                counts[kind] += 1
                mapping[match[1]] = str(counts[kind])
            renumbered[kind] = (cited, mapping)
        for cited, mapping in renumbered.values():
            if mapping:
                text = cited.sub(lambda match, mapping=mapping: match[1] + mapping.get(match[2], match[2]), text)
        clause["text"] = text


def statuses(document: dict) -> dict[str, str]:
    """The registry's status of every referenced Chinese standard, by number key: in force."""
    found = {}
    for reference in document["normative_references"]:
        if not reference["number"].startswith("ISO"):
            found[numbers.parse(reference["number"]).key] = "in_force"
    return found


def describe(document: dict) -> str:
    clauses = document["clauses"]
    texts = [clause["text"] for clause in clauses]
    return (
        f"{len(clauses)} clauses ({sum(1 for text in texts if text)} with text, "
        f"{sum(line.startswith('|---') for text in texts for line in text.splitlines())} tables, "
        f"{sum(len(_FORMULA_NUMBER.findall(text)) for text in texts)} numbered formulas, "
        f"{sum(text.count('](#') for text in texts)} cross-references), "
        f"{len(document['normative_references'])} references, {len(document['terms'])} terms; "
        f"{sum(len(text) for text in texts):,} characters of Markdown, "
        f"{len(json.dumps(document, ensure_ascii=False).encode()) / 1024:.0f} KiB of JSON"
    )


# --- measuring ------------------------------------------------------------------------------------


class Counters:
    """SQL statements sent and full garbage collections run (see bench_registry.py)."""

    def __init__(self):
        self.statements = self.full_collections = 0
        gc.callbacks.append(self._collection)

    def listen(self, engine):
        event.listen(engine, "before_cursor_execute", self._statement)

    def _statement(self, *args):
        self.statements += 1

    def _collection(self, phase, info):
        if phase == "start" and info["generation"] == 2:
            self.full_collections += 1


def timed(
    action: Callable[[], object], counters: Counters, repeats: int = REPEATS, setup: Callable[[], None] | None = None
) -> dict:
    """One warm-up call, then `repeats` timed ones, each after an untimed `setup()`: median and
    slowest in ms (time.perf_counter), median CPU time of this process (time.process_time), SQL
    statements per call and full garbage collections within the timed calls."""
    setup = setup or (lambda: None)
    setup()
    action()
    timings, cpu, statements, collections = [], [], 0, 0
    for _ in range(repeats):
        setup()
        counters.statements = counters.full_collections = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statements, collections = statements + counters.statements, collections + counters.full_collections
    return {
        "median": statistics.median(timings),
        "max": max(timings),
        "cpu": statistics.median(cpu),
        "statements": round(statements / repeats),
        "full_collections": collections,
    }


def profile_request(client, url: str) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    response = client.get(url)
    profiler.disable()
    assert response.status_code == 200, response.status_code
    return pstats.Stats(profiler)


def profiled(stats: pstats.Stats, path_end: str, name: str) -> tuple[int, float]:
    """(calls, cumulative ms) of the function `name` in the file ending with `path_end`."""
    calls, total = 0, 0.0
    for (path, _line, function), (_primitive, ncalls, _own, cumulative, _callers) in stats.stats.items():
        if path.replace(os.sep, "/").endswith(path_end) and function == name:
            calls, total = calls + ncalls, max(total, cumulative * 1000)
    return calls, total


def machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        cpuinfo = []
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    return (
        f"machine: {platform.machine()}{', ' + model if model else ''}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )


def seed_registry(session, document: dict, today: date) -> int:
    """The referenced Chinese standards, published and in force, as the registry would list them."""
    count = 0
    for reference in document["normative_references"]:
        if reference["number"].startswith("ISO"):
            continue
        number = numbers.parse(reference["number"], today)
        published = date(number.year, 6, 1)
        registry.create_standard(
            session,
            registry.StandardInput(
                level=number.level,
                numbers=number.canonical,
                title=reference["title"],
                status="published",
                issuer=ISSUERS.get(number.code, ISSUERS["national"]),
                published_on=published,
                implemented_on=published + timedelta(days=183),
            ),
            on=today,
            check=False,
            by=ADMIN,
        )
        count += 1
    return count


def main() -> None:
    clause_count = int(sys.argv[1]) if len(sys.argv) > 1 else CLAUSES
    template = templates.load(TEMPLATE)
    document = build_document(template, clause_count)
    assert len(document["clauses"]) == clause_count, len(document["clauses"])
    problems = template.validate(document)
    assert not problems, problems[:3]
    lookup = statuses(document)
    found = checks.check(document, enabled=template.checks, reference_status=lookup.get)
    assert not found, found[:3]  # no errors, nor warnings: every check runs to its end

    counters = Counters()
    pure = {
        "1. template.validate (JSON Schema)": lambda: template.validate(document),
        "2. checks.check (reference_status: dict lookup)": lambda: checks.check(
            document, enabled=template.checks, reference_status=lookup.get
        ),
        "3. validate + check, as `workbench check` per file": lambda: (
            template.validate(document),
            checks.check(document, enabled=template.checks, reference_status=None),
        ),
    }
    gc.collect()
    gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
    results = {name: timed(action, counters) for name, action in pure.items()}
    markdown_texts = [clause["text"] for clause in document["clauses"]]
    parts = {
        "Markdown of every clause (workbench.markdown.render)": timed(
            lambda: [markdown(t) for t in markdown_texts], counters
        )
    }

    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False)
        with app.app_context():
            flask_migrate.upgrade()
            today = registry.today()
            user = accounts.create_user(
                db.session,
                username="secretariat",
                display_name="秘书处",
                password=PASSWORD,
                role=Role.SECRETARIAT,
                by=ADMIN,
            )
            db.session.commit()
            author = user  # who acts: the secretariat, as on the pages
            registered = seed_registry(db.session, document, today)
            product = registry.create_product(
                db.session,
                registry.ProductInput(
                    name="水泥", name_en="Cement", side="production", end_use="intermediate", classification_code="3011"
                ),
                by=ADMIN,
            )
            rule = drafting.create_rule(db.session, product=product, by=author, today=today)
            saved = drafting.save_revision(
                db.session, rule, document, message=f"基准：{clause_count} 条的规则", based_on=1, by=author
            )
            assert (saved.errors, saved.warnings) == (0, 0), (saved.errors, saved.warnings)
            db.session.commit()
            rule_id = rule.id
            backend = db.engine.dialect.name
            server = db.session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = (
                server.split(" on ")[0] if server else f"SQLite {db.session.scalar(text('SELECT sqlite_version()'))}"
            )
            counters.listen(db.engine)

            # As in a request: its session has a connection and has loaded nothing yet.
            loaded = {}

            def load_rule():
                db.session.expunge_all()
                loaded["rule"] = db.session.get(Rule, rule_id)
                loaded["document"] = drafting.revision(db.session, loaded["rule"]).document

            def findings():
                return drafting.findings(db.session, loaded["rule"], loaded["document"])

            load_rule()
            assert findings() == []
            parts["rule and revision loaded (JSON column decoded)"] = timed(load_rule, counters)
            parts[FINDINGS] = timed(findings, counters, setup=load_rule)
            db.session.remove()

        client = app.test_client()
        response = client.post_form("/login", {"username": "secretariat", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        page = f"/drafting/{rule_id}"
        response = client.get(page)
        assert response.status_code == 200, response.status_code
        assert response.text.count('<article class="clause"') == clause_count
        assert "findings-panel" in response.text and "data-code=" not in response.text  # there, and empty
        assert "表 2　" in response.text and "<table>" in response.text
        page_size = len(response.data)

        def forget_rendered_pages():
            """Each process keeps rendered pages (workbench.page_cache): drop them so a request renders."""
            cache = app.extensions.get("workbench.page_cache")
            if cache is not None:
                with cache.lock:
                    cache.pages.clear()

        forget_rendered_pages()
        stats = profile_request(client, page)
        gc.collect()
        gc.freeze()

        def get_page():
            response = client.get(page)
            assert response.status_code == 200, response.status_code

        results[f"4. GET {page} (rule page, secretariat), rendered"] = timed(
            get_page, counters, setup=forget_rendered_pages
        )
        results[f"5. GET {page} again, from the page cache"] = timed(get_page, counters)
        with app.app_context():
            db.engine.dispose()

    print(f"date: {datetime.now().date()}  {machine()}")
    print(f"backend: {backend} ({server})  registry: {registered} referenced standards, in force")
    print(f"rule: {describe(document)}; page {page_size / 1024:.0f} KiB of HTML")
    print(f"each case once to warm up, then timed {REPEATS} times; cpu: median CPU time of this process")
    print(f"  {'case':<66} {'median':>9} {'max':>9} {'cpu':>9} {'statements':>10} {'full GCs':>8}")
    for label, result in [*results.items(), ("the page's parts, timed on their own:", None), *parts.items()]:
        if result is None:
            print(label)
            continue
        print(
            f"  {label:<66} {result['median']:>6.1f} ms {result['max']:>6.1f} ms {result['cpu']:>6.1f} ms "
            f"{result['statements']:>10} {result['full_collections']:>8}"
        )

    view_calls, view = profiled(stats, "workbench/workflow/views.py", "rule")
    print(f"one request under cProfile (which slows small calls most): the view took {view:.0f} ms; cumulative:")
    rows = [
        ("service.findings (suppressions, check)", "workbench/drafting/service.py", "findings"),
        ("  checks.check (with the registry lookups it calls)", "workbench/drafting/checks.py", "check"),
        ("    registry status lookups (service.reference_status)", "workbench/drafting/service.py", "status"),
        ("workflow.facts (stage gates: revision, findings again)", "workbench/workflow/service.py", "facts"),
        ("flask.render_template (Jinja, Markdown included)", "flask/templating.py", "render_template"),
        ("  workbench.markdown.render", "workbench/markdown.py", "render"),
        ("json.loads (the revision's JSON column)", "json/__init__.py", "loads"),
    ]
    found_calls = {}
    for label, path_end, name in rows:
        calls, cumulative = profiled(stats, path_end, name)
        found_calls[name] = calls
        print(f"  {label:<66} {cumulative:>6.1f} ms {cumulative / view:>4.0%} of the view, {calls} calls")
    print("  top functions by own time:")
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:12]
    for (path, line, function), (_primitive, ncalls, own, _cumulative, _callers) in top:
        where = "/".join(Path(path).parts[-2:]) if path != "~" else "built-in"
        print(f"    {own * 1000:>6.1f} ms {ncalls:>7} calls  {function} ({where}:{line})")
    page_median = results[f"4. GET {page} (rule page, secretariat), rendered"]["median"]
    findings_each = parts[FINDINGS]["median"]
    markdown_all = parts["Markdown of every clause (workbench.markdown.render)"]["median"]
    rest = page_median - found_calls["findings"] * findings_each - markdown_all
    print(
        f"the page's median {page_median:.0f} ms, from the parts timed alone: findings {found_calls['findings']} × "
        f"{findings_each:.0f} ms, Markdown {markdown_all:.0f} ms, the rest (Flask, sign-in, queries, Jinja) {rest:.0f} ms"
    )


if __name__ == "__main__":
    main()
