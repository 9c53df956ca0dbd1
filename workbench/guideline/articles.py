"""The articles of 《产品碳足迹核算标准编制工作指引》 (2025) and the other texts findings cite.

PURE. A citation is written one way everywhere: 指引（四） with full-width brackets, as the
guideline prints it; several articles as 指引（八）（十四）. Other texts are cited by their
number in its canonical form (GB/T 1.1—2020 8.3, with the em dash of GB/T 1.1).
"""

import re
from dataclasses import dataclass

from workbench.messages import N_, Translate, identity

NUMERALS = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
)


@dataclass(frozen=True)
class Article:
    key: str  # "一" for the general requirements, "（四）" for article (四)
    title: str  # the guideline's own heading, Chinese

    @property
    def citation(self) -> str:
        return f"指引{self.key}"


GENERAL = Article("一", N_("总体要求"))
ARTICLES = (
    GENERAL,
    Article("（一）", N_("明确碳足迹核算标准制定路线")),
    Article("（二）", N_("统一碳足迹核算标准文本要求")),
    Article("（三）", N_("统一碳足迹核算的边界要求")),
    Article("（四）", N_("统一碳足迹核算的活动数据获取要求")),
    Article("（五）", N_("统一碳足迹因子数据质量要求")),
    Article("（六）", N_("加强碳足迹核算数据质量管控工作")),
    Article("（七）", N_("稳步推进碳足迹国家标准制定")),
    Article("（八）", N_("明确碳足迹行业标准制定重点")),
    Article("（九）", N_("规范碳足迹地方标准")),
    Article("（十）", N_("探索制定新兴领域碳足迹团体标准")),
    Article("（十一）", N_("鼓励链主企业研制碳足迹企业标准")),
    Article("（十二）", N_("定期开展碳足迹核算标准的后评估工作")),
    Article("（十三）", N_("完善碳足迹核算标准协调机制")),
    Article("（十四）", N_("加强碳足迹行业标准跨部门协调")),
    Article("（十五）", N_("完善碳足迹团体标准评价采信机制")),
    Article("（十六）", N_("促进碳足迹核算标准有效应用")),
    Article("（十七）", N_("加强碳足迹核算标准宣贯培训")),
    Article("（十八）", N_("加强国内外碳足迹标准协调衔接")),
    Article("（十九）", N_("积极参与碳足迹国际标准制定")),
    Article("（二十）", N_("推动碳足迹标准国际交流合作")),
)
BY_KEY = {article.key: article for article in ARTICLES}


def cite(*numbers: int) -> str:
    """指引（n）… for the numbered articles (1 to 20), in the guideline's own spelling."""
    for number in numbers:
        if not 1 <= number <= len(NUMERALS):
            raise ValueError(f"the guideline has articles (一) to (二十), not ({number})")
    return "指引" + "".join(f"（{NUMERALS[number - 1]}）" for number in numbers)


# The other texts findings cite, each in one spelling. Standard numbers read the same in every
# language; the titles of laws and policy documents are translated when shown.
GB_T_1_1 = "GB/T 1.1—2020"  # 标准化工作导则 第1部分：标准化文件的结构和起草规则
GB_T_24067 = "GB/T 24067—2024"  # 温室气体 产品碳足迹 量化要求和指南
STANDARDIZATION_LAW = N_("《中华人民共和国标准化法》")
REVIEW_ARTICLE = N_("《中华人民共和国标准化法》第二十九条")  # periodic review at most every five years
NATIONAL_STANDARDS_RULES = N_("《国家标准管理办法》")
OPINIONS_2023 = N_("《关于加快建立产品碳足迹管理体系的意见》（2023）")
TITLES = (REVIEW_ARTICLE, STANDARDIZATION_LAW, NATIONAL_STANDARDS_RULES, OPINIONS_2023)  # longest first
SEPARATOR = N_("；")  # between the texts of one citation; "; " in English

_ARTICLE = re.compile(r"（([一二三四五六七八九十]+)）")
_GUIDELINE = re.compile(r"(?:指引)(?P<articles>(?:（[一二三四五六七八九十]+）)+)")  # 指引 and its run of articles


def citation_text(citation: str, translate: Translate = identity) -> str:
    """A citation in the reader's language: 指引（八）（十四） stays as it is in Chinese and reads
    "Guideline (8), (14)" in English; laws and policy documents by their translated titles;
    anything else (standard numbers and their clauses) as written."""
    word = translate(N_("指引"))
    parts = []
    for part in citation.split(SEPARATOR):
        if word != "指引":
            part = _GUIDELINE.sub(
                lambda match: (
                    word
                    + " "
                    + ", ".join(f"({NUMERALS.index(key) + 1})" for key in _ARTICLE.findall(match["articles"]))
                ),
                part,
            )
            for title in TITLES:
                part = part.replace(title, translate(title))
        parts.append(part)
    return translate(SEPARATOR).join(parts)
