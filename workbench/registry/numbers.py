"""Chinese standard numbers (标准编号): read what people type, print what GB/T 1.1 prints.

A number is a code, a sequence (顺序号) with an optional part (部分), and the year of issue:

    national (国家标准)      GB 30252—2013, GB/T 24067—2024, GB/Z 1234—2020
    industry (行业标准)      HJ 1234—2023, YS/T 1234.1—2020, SJ/Z 11234—2019, DB/T 1—2020 (地震)
    local (地方标准)         DB34/T 4916—2024, DB3306/T 069—2024, DB11/ 501—2017 (mandatory)
    group (团体标准)         T/CISA 469—2024, T/CECA-G 0374—2025
    enterprise (企业标准)    Q/GDW 12345—2020
    international (国际标准)  ISO 14067:2018, ISO/TS 14067:2013, IEC 62321-7-1:2015, ISO/IEC 17029:2019,
                             ITU-T L.1410:2014

plus three-letter engineering construction codes (JGJ/T 1—2020, CJJ/T 1—2020, JTG D60—2015),
joint industry codes (NB/SH/T 0001—2019) and a national number printed with the international
standard it adopts identically (GB/T 24040—2008/ISO 14040:2006).

Pure: standard library and workbench.messages. Messages are Chinese templates marked with `N_` so Babel extracts
them; the app translates `InvalidNumber.template` and then fills in `InvalidNumber.params`.

Decisions worth knowing:
- Any run of dashes counts as one "-": the Chinese input method types "——" for a single key
  press, and "GB/T 24067——2024" cannot mean anything else. Printing always uses one em dash.
- Spaces carry meaning in one place only: between a group or enterprise code and the sequence
  ("T/CECA-G 0374"). Elsewhere they are dropped, and spaces around "/", "." and "-" everywhere.
- Mandatory local standards print as "DB11/ 501—2017" (the slash stays, as on the cover): without
  it the compact key "DB11501-2017" could not tell the region from the sequence.
- "DB" followed by digits is local; "DB" alone (DB/T 1—2020) is the seismology industry code.
  A mandatory seismology standard must be typed with its space ("DB 15—2020"): its compact key
  "DB15-2020" reads as the local code of 内蒙古 and is refused as having no sequence.
- The key ignores leading zeros of the sequence: "DB3306/T 069—2024" and "DB3306/T 69—2024" are
  one standard (key "DB3306/T69-2024"), at every level. The printed forms keep what was typed, and
  two numbers are equal (==, hash) exactly when their keys are: equality means "the same edition
  of the same standard". parse(key) reads back a number equal to the original.
- Engineering construction standards (工程建设行业标准) have three-letter codes (ENGINEERING_CODES);
  highway ones (JTG) number by a letter class ("JTG D60—2015", "JTG/T D31-02—2013"), and their
  key keeps the space before the sequence, like group codes.
- Joint industry codes ("NB/SH/T 0001—2019", 能源 with 石油化工) keep both codes: code "NB/SH".
- "GB/T 24040—2008/ISO 14040:2006" (GB/T 1.2: the double number of an identical adoption) is the
  national number: canonical, key and equality are those of "GB/T 24040—2008" alone; the adopted
  number is `adopted` (dated, international, not later than the national edition) and
  `with_adoption` prints both. A spaced " / " before ISO, IEC or ITU does not split a joint list.
- International numbers (Level.INTERNATIONAL) print as their bodies do, the year after a colon:
  "ISO 14064-1:2018" (parts after hyphens), "ISO/TS 14067:2013" (one body: slash before TS, TR,
  PAS), "ISO/IEC TS 17021-2:2016" (joint bodies: space), "ISO Guide 35:2017", and
  "ITU-T L.1410:2014" (typed also "ITU-T L.1410 (2014)" or "(12/2014)"). parse() wants the year:
  a number names an edition. Undated references ("ISO 14067" in a list of normative references)
  are read by workbench.drafting.clause_text, which does not call parse() for them. Their key is
  the canonical form in capitals ("ISO GUIDE 35:2017"), spaces kept. Nature: RECOMMENDED (voluntary).
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from workbench.messages import N_, Message


class Level(StrEnum):
    NATIONAL = "national"
    INDUSTRY = "industry"
    LOCAL = "local"
    GROUP = "group"
    ENTERPRISE = "enterprise"
    # Referenced and adopted, never made here: outside the level rules (hierarchy.py) and the
    # coverage counts; the registry may record one so that an adoption can name it.
    INTERNATIONAL = "international"


# The levels of the Chinese standard system (Standardization Law 2017, art. 2).
CHINESE_LEVELS = (Level.NATIONAL, Level.INDUSTRY, Level.LOCAL, Level.GROUP, Level.ENTERPRISE)


class Nature(StrEnum):
    # Group and enterprise standards are voluntary (Standardization Law 2017, art. 18–19): they
    # have no /T in their numbers but are recorded as RECOMMENDED, never as mandatory.
    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"
    GUIDANCE = "guidance"


# Provincial-level divisions, GB/T 2260 (first two digits). Taiwan, Hong Kong and Macao issue
# no DB standards, so 71/81/82 are refused like any unknown code.
PROVINCES: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
}

# Industry standard codes (行业标准代号) approved by the State Council's standardization
# administration: the table published with 《行业标准管理办法》 (BB … ZY, including AQ, GH,
# GM, LS, WW added in the 2000s) plus the codes approved since: NB 能源, RB 认证认可, SF 司法,
# XF 消防救援, YJ 应急管理, KA 矿山安全, SW 税务. The names are the sectors, not the ministries,
# which have been renamed many times while the codes stayed.
INDUSTRY_CODES: dict[str, str] = {
    "AQ": "安全生产",
    "BB": "包装",
    "CB": "船舶",
    "CH": "测绘",
    "CJ": "城镇建设",
    "CY": "新闻出版",
    "DA": "档案",
    "DB": "地震",
    "DL": "电力",
    "DZ": "地质矿产",
    "EJ": "核工业",
    "FZ": "纺织",
    "GA": "公共安全",
    "GH": "供销合作",
    "GM": "密码",
    "GY": "广播电影电视",
    "HB": "航空",
    "HG": "化工",
    "HJ": "环境保护",
    "HS": "海关",
    "HY": "海洋",
    "JB": "机械",
    "JC": "建材",
    "JG": "建筑工业",
    "JR": "金融",
    "JT": "交通",
    "JY": "教育",
    "KA": "矿山安全",
    "LB": "旅游",
    "LD": "劳动和劳动安全",
    "LS": "粮食",
    "LY": "林业",
    "MH": "民用航空",
    "MT": "煤炭",
    "MZ": "民政",
    "NB": "能源",
    "NY": "农业",
    "QB": "轻工",
    "QC": "汽车",
    "QJ": "航天",
    "QX": "气象",
    "RB": "认证认可",
    "SB": "国内贸易",
    "SC": "水产",
    "SF": "司法",
    "SH": "石油化工",
    "SJ": "电子",
    "SL": "水利",
    "SN": "出入境检验检疫",
    "SW": "税务",
    "SY": "石油天然气",
    "TB": "铁路运输",
    "TD": "土地管理",
    "TY": "体育",
    "WB": "物资管理",
    "WH": "文化",
    "WJ": "兵工民品",
    "WM": "对外经济贸易",
    "WS": "卫生",
    "WW": "文物保护",
    "XB": "稀土",
    "XF": "消防救援",
    "YB": "黑色冶金",
    "YC": "烟草",
    "YD": "通信",
    "YJ": "应急管理",
    "YS": "有色冶金",
    "YY": "医药",
    "YZ": "邮政",
    "ZY": "中医药",
}

# Engineering construction industry standards (工程建设行业标准, 《工程建设行业标准管理办法》):
# three-letter codes of the ministries' engineering series, numbered apart from their product
# standards (JG 建筑工业产品 vs JGJ 建筑工程). JTJ is the former transport engineering series,
# split in 2004 into JTG (highways) and JTS (waterways) and still cited.
ENGINEERING_CODES: dict[str, str] = {
    "CJJ": "城镇建设工程",
    "JGJ": "建筑工程",
    "JTG": "公路工程",
    "JTJ": "交通工程",
    "JTS": "水运工程",
}
# Codes whose sequence may start with a letter class: "JTG D60—2015", "JTG/T D31-02—2013".
LETTERED_CODES = frozenset({"JTG"})

# International bodies: ISO and IEC, alone or jointly (with IEEE or ASTM as co-publishers), and
# the ITU's standardization (T) and radiocommunication (R) sectors.
INTERNATIONAL_BODIES = ("ISO", "IEC", "IEEE", "ASTM")
INTERNATIONAL_KINDS = {"TS": "TS", "TR": "TR", "PAS": "PAS", "GUIDE": "Guide"}

EARLIEST_YEAR = 1950
EARLIEST_INTERNATIONAL_YEAR = 1906  # the IEC's founding

# One message per reason, each saying what to write instead.
EMPTY = N_("标准编号为空：请填写完整的编号，如 GB/T 24067—2024。")
NO_PREFIX = N_("缺少标准代号：编号应以代号开头，如 GB/T 24067—2024、HJ 1234—2023、T/CISA 469—2024。")
UNKNOWN_PREFIX = N_(
    "无法识别的标准代号“%(code)s”：国家标准用 GB、GB/T 或 GB/Z，行业标准用两个字母的行业代号（如 HJ/T）"
    "或工程建设行业代号（如 JGJ/T），地方标准用 DB 加地区代码（如 DB34/T），团体标准用 T/，企业标准用 Q/，"
    "国际标准用 ISO、IEC 或 ITU-T（如 ISO 14067:2018）。"
)
UNKNOWN_INDUSTRY = N_("“%(code)s”不是行业标准代号：行业标准编号以两个字母的行业代号开头，如 HJ/T、YS/T、JC/T。")
MISSING_SLASH = N_("代号缺少斜线：“%(written)s”应写作“%(fixed)s”，如 GB/T 24067—2024。")
EMPTY_SUFFIX = N_(
    "“%(prefix)s”的斜线后缺少 T 或 Z：推荐性标准写作 GB/T，指导性技术文件写作 GB/Z，强制性标准不加斜线，如 GB 30252—2013。"
)
BAD_SUFFIX = N_(
    "“%(prefix)s”中斜线后的“%(suffix)s”无效：只能是 T（推荐性）或 Z（指导性技术文件）；"
    "强制性标准不加斜线，如 GB 30252—2013。"
)
DOUBLE_SLASH = N_("编号中有连续的斜线“//”：代号与 T 之间只用一条斜线，如 GB/T 24067—2024。")
TOO_LONG = N_("“%(written)s”过长：顺序号和部分编号合计不超过 %(max)s 位，请核对编号。")
MISSING_SEQUENCE = N_("缺少顺序号：代号之后应写标准的顺序号，如 GB/T 24067—2024 中的 24067。")
DASH_AFTER_CODE = N_("代号与顺序号之间不用“—”：代号后空一格再写顺序号，如 GB/T 24067—2024。")
BAD_SEQUENCE = N_("顺序号“%(sequence)s”只能由数字组成（请检查是否把字母 O、I、l 当作数字 0、1），如 GB/T 24067—2024。")
ZERO_SEQUENCE = N_("顺序号“%(sequence)s”全为零：顺序号从 1 开始，如 GB/T 24067—2024。")
EMPTY_PART = N_("部分编号为空：“%(number)s”的点号后应写部分编号，如 DB15/T 4051.1—2025；不分部分的标准不写点号。")
BAD_PART = N_("部分编号“%(part)s”只能由数字组成，多级部分用点号分隔，如 4051.1 或 20000.1.2。")
MISSING_YEAR = N_("缺少年份：标准编号应以“—年份”结尾，如 GB/T 24067—2024。")
NO_DASH = N_("顺序号与年份之间缺少“—”：应写作“%(sequence)s—%(year)s”，如 GB/T 24067—2024。")
SHORT_YEAR = N_("年份“%(year)s”只有两位：请写四位年份（如 19%(year)s 或 20%(year)s），如 GB/T 24067—2024。")
BAD_YEAR = N_("年份“%(year)s”应为四位数字，如 GB/T 24067—2024 中的 2024。")
YEAR_RANGE = N_("年份 %(year)s 不在 %(earliest)s 至 %(latest)s 之间：请核对标准的发布年份。")
MONTH_AFTER_YEAR = N_("年份后的“%(extra)s”是月份或日期：标准编号只写发布年份，如 GB/T 24067—%(year)s。")
TRAILING_TEXT = N_("年份之后有多余的内容“%(extra)s”：标准编号到年份为止，标准名称等请另行填写。")
BAD_PROVINCE = N_(
    "省级行政区代码“%(province)s”不存在：地方标准编号为 DB 加两位省级代码（如 DB34）或四位市级代码（如 DB3306）。"
)
BAD_CITY = N_("市级代码“%(region)s”无效：四位代码的后两位是市的代码，应为 01 至 99，如 DB3306/T 069—2024。")
REGION_DIGITS = N_(
    "地区代码“%(region)s”有 %(count)s 位：地方标准编号为 DB 加两位省级代码（如 DB34/T）或四位市级代码（如 DB3306/T）；"
    "强制性地方标准在代码后加斜线，如 DB11/ 501—2017。"
)
GROUP_CODE_MISSING = N_("团体标准编号缺少社会团体代号：应写作 T/ 加团体代号，如 T/CISA 469—2024。")
GROUP_CODE_BAD = N_("社会团体代号“%(code)s”无效：应以大写字母开头，由字母、数字和连字符组成，如 T/CISA、T/CECA-G。")
ENTERPRISE_CODE_MISSING = N_("企业标准编号缺少企业代号：应写作 Q/ 加企业代号，如 Q/GDW 12345—2020。")
ENTERPRISE_CODE_BAD = N_("企业代号“%(code)s”无效：应由大写字母、数字和连字符组成，如 Q/GDW 12345—2020。")
INTERNATIONAL_BODY = N_(
    "国际标准代号“%(code)s”无效：应为 ISO、IEC、ISO/IEC 或 ITU-T，文件类型写在后面，如 ISO/TS 14067:2013、ISO/IEC 17029:2019。"
)
INTERNATIONAL_SEQUENCE = N_(
    "国际标准编号“%(number)s”无效：应为代号、编号（部分用连字符，如 14064-1）和“:年份”，如 ISO 14064-1:2018、"
    "ITU-T L.1410:2014。"
)
INTERNATIONAL_MISSING_YEAR = N_("缺少年份：国际标准编号以“:年份”结尾，如 ISO 14067:2018。")
INTERNATIONAL_DASH_YEAR = N_("国际标准编号的年份前用冒号，不用“—”：应写作“%(fixed)s”，如 ISO 14067:2018。")
INTERNATIONAL_SHORT_YEAR = N_("年份“%(year)s”只有两位：请写四位年份，如 ISO 14067:2018。")
INTERNATIONAL_BAD_YEAR = N_("年份“%(year)s”应为四位数字，如 ISO 14067:2018 中的 2018。")
ADOPTED_ITEM = N_("“/”后采用的国际标准编号“%(item)s”有误：%(reason)s")
ADOPTED_LATER = N_(
    "%(number)s 不能等同采用更晚的 %(adopted)s：采用的国际标准年份不晚于本标准，请核对两个年份，"
    "如 GB/T 24040—2008/ISO 14040:2006。"
)
ADOPTED_NOT_CHINESE = N_(
    "“%(number)s”不是我国标准编号：双编号的斜线前是本标准的编号，如 GB/T 24040—2008/ISO 14040:2006。"
)
JOINT_ITEM = N_("第 %(index)s 个编号“%(item)s”有误：%(reason)s")
JOINT_DUPLICATE = N_("第 %(index)s 个编号 %(number)s 与第 %(first)s 个重复：同一编号只填一次。")


class InvalidNumber(ValueError):
    """A number that cannot be read. `template` is the untranslated Chinese message, `params`
    fill its %(name)s placeholders, `text` is what was typed; str(error) == template % params.
    For a joint list, `__cause__` is the item's own InvalidNumber (its reason, translatable alone)."""

    def __init__(self, template: str, text: str, **params):
        self.template = template
        self.params = params
        self.text = text
        super().__init__(template % params)

    @property
    def message(self) -> Message:
        """The refusal as a message to show in the reader's language; an item of a joint list
        carries its own reason."""
        params = dict(self.params)
        if isinstance(self.__cause__, InvalidNumber):
            params["reason"] = self.__cause__.message
        return Message(self.template, params)


class _Refused(Exception):
    """Raised inside the parser, where the original text is not at hand; parse() wraps it."""

    def __init__(self, template: str, **params):
        super().__init__(template)
        self.template = template
        self.params = params


_SUFFIXES = {Nature.MANDATORY: "", Nature.RECOMMENDED: "/T", Nature.GUIDANCE: "/Z"}


@dataclass(frozen=True, eq=False)
class StandardNumber:
    level: Level
    nature: Nature
    # The issuer without /T or /Z: "GB", "HJ", "NB/SH", "JGJ", "DB34", "DB3306", "T/CECA-G", "Q/GDW";
    # international: the body and document type as printed, "ISO", "ISO/TS", "ISO/IEC TS", "ITU-T".
    code: str
    sequence: str  # as printed, leading zeros kept: "24067", "0374"; "D60" (JTG), "L.1410" (ITU)
    part: str | None  # "1", "1.2" ("7-1" for international numbers) or None
    year: int
    region: str | None  # local only: "34" or "3306"
    adopted: "StandardNumber | None" = None  # the international standard a double number adopts

    @property
    def prefix(self) -> str:
        """The code as printed before the sequence: "GB/T", "HJ", "DB34/T", "DB11/", "T/CISA", "ISO/TS"."""
        if self.level in (Level.GROUP, Level.ENTERPRISE, Level.INTERNATIONAL):
            return self.code
        if self.level is Level.LOCAL and self.nature is Nature.MANDATORY:
            return self.code + "/"
        return self.code + _SUFFIXES[self.nature]

    @property
    def designation(self) -> str:
        """The number without its year: the same standard across editions ("GB/T 24067", "ISO 14064-1")."""
        return f"{self.prefix} {self.sequence}{self._part}"

    @property
    def canonical(self) -> str:
        """As printed on the cover: one space, an em dash before the year ("GB/T 24067—2024");
        international numbers with a colon ("ISO 14067:2018"). Without the adopted number."""
        separator = ":" if self.level is Level.INTERNATIONAL else "\u2014"
        return f"{self.designation}{separator}{self.year}"

    @property
    def with_adoption(self) -> str:
        """The double number of an identical adoption, "GB/T 24040—2008/ISO 14040:2006", or canonical."""
        return f"{self.canonical}/{self.adopted.canonical}" if self.adopted else self.canonical

    @property
    def key(self) -> str:
        """Compact form for uniqueness ("GB/T24067-2024"), leading zeros of the sequence dropped
        ("DB3306/T 069—2024" → "DB3306/T69-2024"); parse(key) reads back an equal number. Group and
        enterprise codes may end in digits, so their space stays: "T/ABC1 23" is not "T/ABC 123";
        so does a lettered JTG sequence's ("JTG D60-2015"). International: "ISO 14067:2018"."""
        sequence = self.sequence.lstrip("0") if self.sequence.isdigit() else self.sequence
        if self.level is Level.INTERNATIONAL:
            return normalise(f"{self.prefix} {sequence}{self._part}:{self.year}")
        compact = search_key(f"{sequence}{self._part}-{self.year}")
        if self.level in (Level.GROUP, Level.ENTERPRISE) or not sequence[0].isdigit():
            return f"{self.prefix} {compact}"
        return search_key(self.prefix) + compact

    @property
    def _part(self) -> str:
        if not self.part:
            return ""
        return f"-{self.part}" if self.level is Level.INTERNATIONAL else f".{self.part}"

    def __eq__(self, other: object) -> bool:
        """The same edition of the same standard: the same key, however each was written."""
        if not isinstance(other, StandardNumber):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.canonical


# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, hyphen bullet, minus,
# two- and three-em dashes, small em dash and small/full-width hyphen-minus (if NFKC left any).
_DASHES = re.compile("[\u2010-\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d-]+")
# Soft hyphen, zero-width spaces and joiners, BOM: invisible, but copied along from web pages.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_AROUND_PUNCTUATION = re.compile(r" ?([/.-]) ?")

# "DB" + region digits, an optional /suffix, then the number. Local only when the digits follow
# DB directly or a slash follows them: "DB 15—2020" is the seismology industry code.
_LOCAL_HEAD = re.compile(r"DB( ?)([0-9]+)(?:/([A-Z]*))?(.*)")
_HEAD = re.compile(r"([A-Z]+)(?:/([A-Z]*))?(.*)")
# "T" or "Z" typed without its slash: "GB T 24067", "DB34T 4916".
_BARE_SUFFIX = re.compile(r"( ?)([TZ])(?= |[0-9]|$)")
_GROUP_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_ENTERPRISE_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_DIGITS = re.compile(r"[0-9]+")
# Separators between jointly issued numbers. A spaced slash separates too, unless T or Z follows
# it as in "GB / T 24067", which is one number with stray spaces, or an international number
# follows it as in "GB/T 24040—2008 / ISO 14040:2006", one double number. The spaces before the
# slash (new lines separate by themselves) are taken from the first of a run, else each space of
# a long run scans to its end (quadratic); all those after it are taken (possessive: giving one
# back would let the lookahead see a space instead of the T or the ISO).
_JOINT_SEPARATORS = re.compile(
    r"[\n\r;,、]|(?<![^\S\n\r])[^\S\n\r]+/\s++(?![TZtz](?:\s|[0-9]|$)|(?:ISO|IEC|ITU)(?![A-Za-z]))",
    re.IGNORECASE,
)
# A double number: the national (or other Chinese) number with its year, "/", the adopted one.
_DOUBLE = re.compile(r"(.*?[0-9][-:][0-9]{4})/((?:ISO|IEC|ITU)(?![A-Z]).*)")
_INTERNATIONAL_HEAD = re.compile(r"(?:ISO|IEC|ITU)(?![A-Z])")
_INTERNATIONAL_CODE = re.compile(
    r"(?P<bodies>[A-Z]+(?:/[A-Z]+)*)(?: (?P<kind>TS|TR|PAS|GUIDE)(?![A-Z]))? ?(?P<number>.*)"
)
_ITU_CODE = re.compile(r"(?P<bodies>ITU-[TR])(?![A-Z]) ?(?P<number>.*)")
_ITU_YEAR = re.compile(r"(?P<number>.*?) ?\((?:[0-9]{1,2}/)?(?P<year>[0-9]+)\)")


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), upper case, every dash (or run of dashes) as "-", every
    run of whitespace as one space, stripped."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).upper()
    return _WHITESPACE.sub(" ", _DASHES.sub("-", text)).strip()


def search_key(text: str) -> str:
    """normalise() without any spaces: "gb/t 24067" → "GB/T24067". Works on partial input."""
    return normalise(text).replace(" ", "")


def parse(text: str, today: date | None = None) -> StandardNumber:
    """Read one standard number; raise InvalidNumber saying what to fix."""
    latest = (today or date.today()).year + 1
    tidy = _AROUND_PUNCTUATION.sub(r"\1", normalise(text))
    double = _DOUBLE.fullmatch(tidy)
    try:
        number = _parse(double[1] if double else tidy, latest)
    except _Refused as refused:
        raise InvalidNumber(refused.template, text, **refused.params) from None
    if not double:
        return number
    if number.level is Level.INTERNATIONAL:
        raise InvalidNumber(ADOPTED_NOT_CHINESE, text, number=number.canonical)
    try:
        adopted = _parse(double[2], latest)
    except _Refused as refused:
        cause = InvalidNumber(refused.template, double[2], **refused.params)
        raise InvalidNumber(ADOPTED_ITEM, text, item=double[2], reason=str(cause)) from cause
    if adopted.year > number.year:
        raise InvalidNumber(ADOPTED_LATER, text, number=number.canonical, adopted=adopted.canonical)
    return replace(number, adopted=adopted)


def parse_joint(text: str, today: date | None = None) -> list[StandardNumber]:
    """Read the numbers of one standard issued jointly under several numbers, separated by new
    lines, semicolons, commas, 、 or a spaced slash (" / ")."""
    items = [item.strip() for item in _JOINT_SEPARATORS.split(unicodedata.normalize("NFKC", text))]
    items = [item for item in items if normalise(item)]
    if not items:
        raise InvalidNumber(EMPTY, text)
    numbers: list[StandardNumber] = []
    for index, item in enumerate(items, start=1):
        try:
            number = parse(item, today)
        except InvalidNumber as error:
            if len(items) == 1:
                raise  # a single number: its own message says it all
            raise InvalidNumber(JOINT_ITEM, text, index=index, item=item, reason=str(error)) from error
        if number in numbers:
            first = numbers.index(number) + 1
            raise InvalidNumber(JOINT_DUPLICATE, text, index=index, number=number.canonical, first=first)
        numbers.append(number)
    return numbers


def _parse(text: str, latest: int) -> StandardNumber:
    if not text:
        raise _Refused(EMPTY)
    if "//" in text:
        raise _Refused(DOUBLE_SLASH)
    if text.startswith("T/"):
        code, number = _split_issuer(text[2:])
        if not code:
            raise _Refused(GROUP_CODE_MISSING)
        if not _GROUP_CODE.fullmatch(code):
            raise _Refused(GROUP_CODE_BAD, code=code)
        return StandardNumber(Level.GROUP, Nature.RECOMMENDED, "T/" + code, *_number(number, latest), None)
    if text.startswith("Q/"):
        code, number = _split_issuer(text[2:])
        if not code:
            raise _Refused(ENTERPRISE_CODE_MISSING)
        if not _ENTERPRISE_CODE.fullmatch(code):
            raise _Refused(ENTERPRISE_CODE_BAD, code=code)
        return StandardNumber(Level.ENTERPRISE, Nature.RECOMMENDED, "Q/" + code, *_number(number, latest), None)

    local = _LOCAL_HEAD.fullmatch(text)
    if local and (not local[1] or local[3] is not None):
        region, suffix, rest = local[2], local[3], local[4]
        _check_region(region)
        code = "DB" + region
        nature = _nature(code, suffix, rest, slash_alone_is_mandatory=True)
        return StandardNumber(Level.LOCAL, nature, code, *_number(rest, latest), region)

    if _INTERNATIONAL_HEAD.match(text):
        return _international(text, latest)
    head = _HEAD.fullmatch(text)
    if not head:
        if text[0].isdigit():
            raise _Refused(NO_PREFIX)
        raise _Refused(UNKNOWN_PREFIX, code=re.match(r"[^ 0-9]*", text)[0])
    code, suffix, rest = head[1], head[2], head[3]
    industry = INDUSTRY_CODES.keys() | ENGINEERING_CODES.keys()
    if code == "GB":
        level = Level.NATIONAL
    elif code in industry:
        level = Level.INDUSTRY
        if suffix in industry:  # a joint code: "NB/SH/T 0001—2019"
            code, (suffix, rest) = f"{code}/{suffix}", re.fullmatch(r"(?:/([A-Z]*))?(.*)", rest).groups()
        elif suffix and len(suffix) > 1 and rest.startswith("/"):
            raise _Refused(UNKNOWN_INDUSTRY, code=suffix)
    elif code[-1] == "T" and suffix is None and (code[:-1] == "GB" or code[:-1] in industry):
        raise _Refused(MISSING_SLASH, written=code, fixed=code[:-1] + "/T")
    elif len(code) == 2:
        raise _Refused(UNKNOWN_INDUSTRY, code=code)
    else:
        raise _Refused(UNKNOWN_PREFIX, code=code)
    nature = _nature(code, suffix, rest, slash_alone_is_mandatory=False)
    return StandardNumber(level, nature, code, *_number(rest, latest, lettered=code in LETTERED_CODES), None)


def _international(text: str, latest: int) -> StandardNumber:
    """ISO, IEC and ITU numbers, always dated: "ISO/TS 14067:2013", "ITU-T L.1410 (2014)"."""
    itu = text.startswith("ITU")
    head = (_ITU_CODE if itu else _INTERNATIONAL_CODE).fullmatch(text)
    bodies = head["bodies"] if head else text.split(" ")[0]
    tokens = bodies.split("/")
    kind = None if itu else head["kind"]
    if not itu and len(tokens) > 1 and tokens[-1] in INTERNATIONAL_KINDS and not kind:
        kind = tokens.pop()  # "ISO/TS", "ISO/IEC/TS"
    if not head or (not itu and not set(tokens) <= set(INTERNATIONAL_BODIES)):
        raise _Refused(INTERNATIONAL_BODY, code=bodies)
    code = "/".join(tokens)
    if kind:
        kind = INTERNATIONAL_KINDS[kind]
        code += " " + kind if len(tokens) > 1 or kind == "Guide" else "/" + kind
    if not head["number"]:
        raise _Refused(INTERNATIONAL_SEQUENCE, number=text)
    number = re.sub(r" ?: ?", ":", head["number"].strip())
    written, colon, year = number.partition(":")
    if not colon and itu and (dated := _ITU_YEAR.fullmatch(number)):
        written, colon, year = dated["number"], ":", dated["year"]
    if not colon:
        dash_year = re.fullmatch(r"(.+)-([0-9]{4})", number)
        if dash_year and EARLIEST_INTERNATIONAL_YEAR <= int(dash_year[2]) <= latest:
            raise _Refused(INTERNATIONAL_DASH_YEAR, fixed=f"{code} {dash_year[1]}:{dash_year[2]}")
        raise _Refused(INTERNATIONAL_MISSING_YEAR)
    pattern = r"([A-Z]\.[0-9]+(?:\.[0-9]+)*)()" if itu else r"([0-9]+)(?:-([0-9]+(?:-[0-9]+)*))?"
    sequence = re.fullmatch(pattern, written)
    if not sequence:
        raise _Refused(INTERNATIONAL_SEQUENCE, number=f"{code} {number}")
    if sequence[1].isdigit() and int(sequence[1]) == 0:
        raise _Refused(ZERO_SEQUENCE, sequence=sequence[1])
    digits, extra = re.fullmatch(r"([0-9]*)(.*)", year).groups()
    if extra and len(digits) == 4:
        raise _Refused(TRAILING_TEXT, extra=extra)
    if len(digits) == 2 and not extra:
        raise _Refused(INTERNATIONAL_SHORT_YEAR, year=digits)
    if len(digits) != 4 or extra:
        raise _Refused(INTERNATIONAL_BAD_YEAR, year=year)
    if not EARLIEST_INTERNATIONAL_YEAR <= int(digits) <= latest:
        raise _Refused(YEAR_RANGE, year=digits, earliest=EARLIEST_INTERNATIONAL_YEAR, latest=latest)
    return StandardNumber(
        Level.INTERNATIONAL, Nature.RECOMMENDED, code, sequence[1], sequence[2] or None, int(digits), None
    )


def _split_issuer(rest: str) -> tuple[str, str]:
    """Group or enterprise code and the number after it. The space between them is the boundary;
    without one ("CISA469-2024"), the code ends where the run of digits before the year begins."""
    if " " in rest:
        code, number = rest.split(" ", 1)
        return code, number
    year_dash = re.search(r"(?<=[0-9.])-", rest)  # a hyphen inside the code follows a letter
    head, tail = (rest[: year_dash.start()], rest[year_dash.start() :]) if year_dash else (rest, "")
    split = re.fullmatch(r"(.*?)([0-9][0-9.]*)", head)
    if not split:
        return head, tail
    return split[1], split[2] + tail


def _check_region(region: str) -> None:
    if len(region) not in (2, 4):
        raise _Refused(REGION_DIGITS, region=region, count=len(region))
    if region[:2] not in PROVINCES:
        raise _Refused(BAD_PROVINCE, province=region[:2])
    if len(region) == 4 and region[2:] == "00":
        raise _Refused(BAD_CITY, region=region)


def _nature(code: str, suffix: str | None, rest: str, *, slash_alone_is_mandatory: bool) -> Nature:
    if suffix is None:
        bare = _BARE_SUFFIX.match(rest)
        if bare:
            raise _Refused(MISSING_SLASH, written=code + bare[1] + bare[2], fixed=f"{code}/{bare[2]}")
        return Nature.MANDATORY
    if suffix == "T":
        return Nature.RECOMMENDED
    if suffix == "Z":
        return Nature.GUIDANCE
    if suffix == "":
        if slash_alone_is_mandatory:  # mandatory local standards print as "DB11/ 501—2017"
            return Nature.MANDATORY
        raise _Refused(EMPTY_SUFFIX, prefix=code + "/")
    raise _Refused(BAD_SUFFIX, prefix=f"{code}/{suffix}", suffix=suffix)


def _number(number: str, latest: int, *, lettered: bool = False) -> tuple[str, str | None, int]:
    """Sequence, part and year from what follows the code: "4051.1-2025" → ("4051", "1", 2025).
    A lettered sequence (JTG) may carry a two-digit sub-number: "D31-02-2013" → ("D31-02", None, 2013)."""
    number = number.strip()
    if lettered and re.match(r"[A-Z][0-9]", number):
        lettered_number = re.fullmatch(r"([A-Z][0-9]+(?:-[0-9]{2})?)-(.*)", number.replace(" ", ""))
        if not lettered_number:
            raise _Refused(MISSING_YEAR)
        return lettered_number[1], None, _year(lettered_number[2], latest)
    if number.startswith("-"):
        if "-" not in number[1:]:
            raise _Refused(MISSING_SEQUENCE)
        raise _Refused(DASH_AFTER_CODE)
    no_dash = re.fullmatch(r"([0-9.]+) ([0-9]{4})", number)
    if no_dash:
        raise _Refused(NO_DASH, sequence=no_dash[1], year=no_dash[2])
    written, dash, after = number.replace(" ", "").partition("-")
    sequence, part = _sequence(written)
    return sequence, part, _year(after, latest)


def _year(after: str, latest: int) -> int:
    """The year from what follows the dash; the checks say what is wrong with it."""
    year, extra = re.fullmatch(r"([0-9]*)(.*)", after).groups()
    if extra:
        if len(year) == 4 and re.fullmatch(r"-[0-9]{1,2}(?:-[0-9]{1,2})?", extra):
            raise _Refused(MONTH_AFTER_YEAR, extra=extra, year=year)
        if year:
            raise _Refused(TRAILING_TEXT, extra=extra)
        raise _Refused(BAD_YEAR, year=after)
    if not year:
        raise _Refused(MISSING_YEAR)
    if len(year) == 2:
        raise _Refused(SHORT_YEAR, year=year)
    if len(year) != 4:
        raise _Refused(BAD_YEAR, year=year)
    if not EARLIEST_YEAR <= int(year) <= latest:
        raise _Refused(YEAR_RANGE, year=year, earliest=EARLIEST_YEAR, latest=latest)
    return int(year)


MAX_SEQUENCE_LENGTH = 16  # real ones have up to 6 digits; the database column has room for the rest


def _sequence(written: str) -> tuple[str, str | None]:
    if len(written) > MAX_SEQUENCE_LENGTH:
        raise _Refused(TOO_LONG, written=written[:20] + "…", max=MAX_SEQUENCE_LENGTH)
    sequence, dot, part = written.partition(".")
    if not sequence:
        raise _Refused(MISSING_SEQUENCE)
    if not _DIGITS.fullmatch(sequence):
        raise _Refused(BAD_SEQUENCE, sequence=sequence)
    if int(sequence) == 0:
        raise _Refused(ZERO_SEQUENCE, sequence=sequence)
    if not dot:
        return sequence, None
    pieces = part.split(".")
    if "" in pieces:
        raise _Refused(EMPTY_PART, number=written)
    if not all(_DIGITS.fullmatch(piece) for piece in pieces):
        raise _Refused(BAD_PART, part=part)
    return sequence, part
