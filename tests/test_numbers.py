"""Standard numbers: real numbers round-trip, typing variants agree, every refusal says why."""

import importlib.util
import re
from datetime import date
from pathlib import Path

import pytest

from workbench.registry import numbers
from workbench.registry.numbers import (
    CHINESE_LEVELS,
    ENGINEERING_CODES,
    INDUSTRY_CODES,
    PROVINCES,
    InvalidNumber,
    Level,
    Nature,
    StandardNumber,
    normalise,
    parse,
    parse_joint,
    search_key,
)

TODAY = date(2025, 11, 1)

# As typed (hyphen or em dash) and as printed on the cover.
REAL_NUMBERS = [
    ("GB/T 24067-2024", "GB/T 24067—2024"),
    ("GB/T 44903-2024", "GB/T 44903—2024"),
    ("GB/T 44905-2024", "GB/T 44905—2024"),
    ("GB/T 45441-2025", "GB/T 45441—2025"),
    ("GB/T 32150-2015", "GB/T 32150—2015"),
    ("T/CISA 469-2024", "T/CISA 469—2024"),
    ("T/CPCIF 0391-2024", "T/CPCIF 0391—2024"),
    ("T/CPCIF 0468-2025", "T/CPCIF 0468—2025"),
    ("T/CPCIF 0466-2025", "T/CPCIF 0466—2025"),
    ("T/CPCIF 0467-2025", "T/CPCIF 0467—2025"),
    ("T/CNIA 0295-2025", "T/CNIA 0295—2025"),
    ("T/CECRPA 010-2024", "T/CECRPA 010—2024"),
    ("T/CCIIA 0013-2024", "T/CCIIA 0013—2024"),
    ("T/CBMF 281—2024", "T/CBMF 281—2024"),
    ("T/CBMF 318—2025", "T/CBMF 318—2025"),
    ("T/CIECCPA 041-2023", "T/CIECCPA 041—2023"),
    ("T/CSTM 01088-2023", "T/CSTM 01088—2023"),
    ("T/GDCPA 013—2023", "T/GDCPA 013—2023"),
    ("T/CCPITCSC 157-2024", "T/CCPITCSC 157—2024"),
    ("DB4403/T 281-2022", "DB4403/T 281—2022"),
    ("DB34/T 4916—2024", "DB34/T 4916—2024"),
    ("DB3306/T 069—2024", "DB3306/T 069—2024"),
    ("DB15/T 4051.1—2025", "DB15/T 4051.1—2025"),
    ("T/CECA-G 0374—2025", "T/CECA-G 0374—2025"),
    ("T/CSPCI 70021-2025", "T/CSPCI 70021—2025"),
    ("GB 30252-2013", "GB 30252—2013"),
    ("GB/Z 1234-2020", "GB/Z 1234—2020"),
    ("HJ 1234-2023", "HJ 1234—2023"),
    ("YS/T 1234.1-2020", "YS/T 1234.1—2020"),
    ("DB/T 1-2020", "DB/T 1—2020"),
    ("Q/GDW 12345-2020", "Q/GDW 12345—2020"),
    ("DB11/ 501-2017", "DB11/ 501—2017"),
    ("SJ/Z 11234—2019", "SJ/Z 11234—2019"),
    ("GB/T 20000.1.2-2014", "GB/T 20000.1.2—2014"),
]


def fields(number: StandardNumber) -> tuple:
    """Every field as read, where == compares keys only (leading zeros aside)."""
    return (number.level, number.nature, number.code, number.sequence, number.part, number.year, number.region)


@pytest.mark.parametrize(("text", "printed"), REAL_NUMBERS)
def test_real_numbers_print_canonically_and_round_trip(text, printed):
    number = parse(text, TODAY)
    assert number.canonical == printed
    assert str(number) == printed
    assert fields(parse(number.canonical, TODAY)) == fields(number)
    assert parse(number.key, TODAY) == number
    assert parse(number.key, TODAY).key == number.key
    assert search_key(number.key) == search_key(printed.replace(f" {number.sequence}", f" {int(number.sequence)}"))
    assert "—" not in number.key
    assert (" " in number.key) is (number.level in (Level.GROUP, Level.ENTERPRISE))


@pytest.mark.parametrize(
    ("text", "level", "nature", "code", "sequence", "part", "year", "region"),
    [
        ("GB/T 24067-2024", Level.NATIONAL, Nature.RECOMMENDED, "GB", "24067", None, 2024, None),
        ("GB 30252-2013", Level.NATIONAL, Nature.MANDATORY, "GB", "30252", None, 2013, None),
        ("GB/Z 1234-2020", Level.NATIONAL, Nature.GUIDANCE, "GB", "1234", None, 2020, None),
        ("HJ 1234-2023", Level.INDUSTRY, Nature.MANDATORY, "HJ", "1234", None, 2023, None),
        ("YS/T 1234.1-2020", Level.INDUSTRY, Nature.RECOMMENDED, "YS", "1234", "1", 2020, None),
        ("SJ/Z 11234—2019", Level.INDUSTRY, Nature.GUIDANCE, "SJ", "11234", None, 2019, None),
        ("DB/T 1-2020", Level.INDUSTRY, Nature.RECOMMENDED, "DB", "1", None, 2020, None),
        ("DB 15-2020", Level.INDUSTRY, Nature.MANDATORY, "DB", "15", None, 2020, None),
        ("DB34/T 4916—2024", Level.LOCAL, Nature.RECOMMENDED, "DB34", "4916", None, 2024, "34"),
        ("DB3306/T 069—2024", Level.LOCAL, Nature.RECOMMENDED, "DB3306", "069", None, 2024, "3306"),
        ("DB4403/T 281-2022", Level.LOCAL, Nature.RECOMMENDED, "DB4403", "281", None, 2022, "4403"),
        ("DB15/T 4051.1—2025", Level.LOCAL, Nature.RECOMMENDED, "DB15", "4051", "1", 2025, "15"),
        ("DB11/ 501-2017", Level.LOCAL, Nature.MANDATORY, "DB11", "501", None, 2017, "11"),
        ("DB11 501-2017", Level.LOCAL, Nature.MANDATORY, "DB11", "501", None, 2017, "11"),
        ("DB34/Z 12-2021", Level.LOCAL, Nature.GUIDANCE, "DB34", "12", None, 2021, "34"),
        ("T/CECA-G 0374—2025", Level.GROUP, Nature.RECOMMENDED, "T/CECA-G", "0374", None, 2025, None),
        ("T/CSTM 01088-2023", Level.GROUP, Nature.RECOMMENDED, "T/CSTM", "01088", None, 2023, None),
        ("T/CISA469-2024", Level.GROUP, Nature.RECOMMENDED, "T/CISA", "469", None, 2024, None),
        ("T/CECA-G0374-2025", Level.GROUP, Nature.RECOMMENDED, "T/CECA-G", "0374", None, 2025, None),
        ("Q/GDW 12345-2020", Level.ENTERPRISE, Nature.RECOMMENDED, "Q/GDW", "12345", None, 2020, None),
        ("GB/T 20000.1.2-2014", Level.NATIONAL, Nature.RECOMMENDED, "GB", "20000", "1.2", 2014, None),
    ],
)
def test_fields(text, level, nature, code, sequence, part, year, region):
    number = parse(text, TODAY)
    assert fields(number) == (level, nature, code, sequence, part, year, region)
    assert number == StandardNumber(level, nature, code, sequence, part, year, region)


@pytest.mark.parametrize(
    ("text", "prefix", "designation", "key"),
    [
        ("GB/T 24067-2024", "GB/T", "GB/T 24067", "GB/T24067-2024"),
        ("GB 30252-2013", "GB", "GB 30252", "GB30252-2013"),
        ("HJ 1234-2023", "HJ", "HJ 1234", "HJ1234-2023"),
        ("YS/T 1234.1-2020", "YS/T", "YS/T 1234.1", "YS/T1234.1-2020"),
        ("DB15/T 4051.1—2025", "DB15/T", "DB15/T 4051.1", "DB15/T4051.1-2025"),
        ("DB11/ 501-2017", "DB11/", "DB11/ 501", "DB11/501-2017"),
        ("T/CECA-G 0374—2025", "T/CECA-G", "T/CECA-G 0374", "T/CECA-G 374-2025"),
        ("DB3306/T 069—2024", "DB3306/T", "DB3306/T 069", "DB3306/T69-2024"),
        ("Q/GDW 12345-2020", "Q/GDW", "Q/GDW 12345", "Q/GDW 12345-2020"),
        ("Q/GDW1 2345-2020", "Q/GDW1", "Q/GDW1 2345", "Q/GDW1 2345-2020"),
    ],
)
def test_prefix_designation_and_key(text, prefix, designation, key):
    number = parse(text, TODAY)
    assert (number.prefix, number.designation, number.key) == (prefix, designation, key)


def test_editions_share_a_designation():
    assert parse("GB/T 24067-2024").designation == parse("GB/T 24067—2015").designation
    assert parse("GB/T 24067-2024") != parse("GB/T 24067—2015")


@pytest.mark.parametrize(
    "text",
    [
        "GB/T 24067-2024",
        "GB/T24067—2024",
        "ＧＢ／Ｔ 24067-2024",
        "ＧＢ／Ｔ　２４０６７－２０２４",
        "gb/t 24067 - 2024",
        "GB / T 24067–2024",
        " GB/T24067—2024 ",
        "GB/T 24067―2024",
        "GB/T 24067−2024",
        "GB/T 24067——2024",
        "GB/T 24067--2024",
        "GB/T\u200b 24067-2024",
        "GB/T\t24067\n-2024",
    ],
)
def test_typing_variants_give_the_same_number(text):
    assert parse(text, TODAY) == parse("GB/T 24067—2024", TODAY)


def test_group_codes_keep_their_hyphen_and_lose_stray_spaces():
    assert parse("t/ceca - g 0374 — 2025", TODAY) == parse("T/CECA-G 0374—2025", TODAY)
    assert parse("DB 34/T 4916-2024", TODAY) == parse("DB34/T 4916—2024", TODAY)


def test_db_alone_is_seismology_and_db_with_digits_is_local():
    assert parse("DB/T 1-2020", TODAY).level is Level.INDUSTRY
    assert INDUSTRY_CODES["DB"] == "地震"
    local = parse("DB34/T 4916—2024", TODAY)
    assert (local.level, local.region, PROVINCES[local.region]) == (Level.LOCAL, "34", "安徽")


INVALID = [
    ("", "标准编号为空"),
    ("  \u3000 ", "标准编号为空"),
    ("24067-2024", "缺少标准代号"),
    ("国标 24067-2024", "无法识别的标准代号“国标”"),
    ("ABC 1-2020", "无法识别的标准代号“ABC”"),
    ("T 469-2024", "无法识别的标准代号“T”"),
    ("ZZ/T 1-2020", "“ZZ”不是行业标准代号"),
    ("XY 1234-2020", "“XY”不是行业标准代号"),
    ("GBT 24067-2024", "“GBT”应写作“GB/T”"),
    ("HJT 1-2020", "“HJT”应写作“HJ/T”"),
    ("GB T 24067-2024", "“GB T”应写作“GB/T”"),
    ("DB34T 4916-2024", "“DB34T”应写作“DB34/T”"),
    ("GB/X 24067-2024", "“GB/X”中斜线后的“X”无效"),
    ("GB/TT 24067-2024", "“GB/TT”中斜线后的“TT”无效"),
    ("DB/X 1-2020", "“DB/X”中斜线后的“X”无效"),
    ("GB/ 24067-2024", "“GB/”的斜线后缺少 T 或 Z"),
    ("GB//T 24067-2024", "连续的斜线"),
    ("GB/T", "缺少顺序号"),
    ("GB/T -2024", "缺少顺序号"),
    ("T/CISA", "缺少顺序号"),
    ("GB/T-24067-2024", "代号与顺序号之间不用“—”"),
    ("GB/T 24O67-2024", "顺序号“24O67”只能由数字组成"),
    ("GB/T 24067碳足迹", "顺序号“24067碳足迹”只能由数字组成"),
    ("GB/T 0000-2024", "顺序号“0000”全为零"),
    ("DB15/T 4051.-2025", "部分编号为空：“4051.”"),
    ("GB/T 20000.1.-2014", "部分编号为空：“20000.1.”"),
    ("GB/T 20000.A-2014", "部分编号“A”只能由数字组成"),
    ("GB/T 24067", "缺少年份"),
    ("GB/T 24067-", "缺少年份"),
    ("GB/T 24067 2024", "顺序号与年份之间缺少“—”：应写作“24067—2024”"),
    ("GB/T 24067-09", "年份“09”只有两位"),
    ("GB/T 24067-202", "年份“202”应为四位数字"),
    ("GB/T 24067-20245", "年份“20245”应为四位数字"),
    ("GB/T 24067-ABCD", "年份“ABCD”应为四位数字"),
    ("GB/T 24067-1949", "年份 1949 不在 1950 至 2026 之间"),
    ("GB/T 24067-2027", "年份 2027 不在 1950 至 2026 之间"),
    ("GB/T 24067-2024-01", "年份后的“-01”是月份或日期"),
    ("GB/T 24067-2024-01-15", "年份后的“-01-15”是月份或日期"),
    ("GB/T 24067-2024 温室气体 产品碳足迹", "年份之后有多余的内容“温室气体产品碳足迹”"),
    ("GB/T 24067-2024（修订）", "年份之后有多余的内容“(修订)”"),
    ("DB99/T 1-2020", "省级行政区代码“99”不存在"),
    ("DB71/T 1-2020", "省级行政区代码“71”不存在"),
    ("DB9901/T 1-2020", "省级行政区代码“99”不存在"),
    ("DB3400/T 1-2020", "市级代码“3400”无效"),
    ("DB344/T 1-2020", "地区代码“344”有 3 位"),
    ("DB3/T 1-2020", "地区代码“3”有 1 位"),
    ("DB341234-2020", "地区代码“341234”有 6 位"),
    ("T/ 469-2024", "团体标准编号缺少社会团体代号"),
    ("T/", "团体标准编号缺少社会团体代号"),
    ("T/1CISA 469-2024", "社会团体代号“1CISA”无效"),
    ("T/CISA- 469-2024", "社会团体代号“CISA-”无效"),
    ("Q/ 12345-2020", "企业标准编号缺少企业代号"),
    ("Q/GD_W 1-2020", "企业代号“GD_W”无效"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_invalid_numbers_say_why(text, fragment):
    with pytest.raises(InvalidNumber) as caught:
        parse(text, TODAY)
    error = caught.value
    assert fragment in str(error)
    assert str(error) == error.template % error.params
    assert error.text == text


def test_every_template_is_a_marked_module_constant():
    templates = {value for name, value in vars(numbers).items() if name.isupper() and isinstance(value, str)}
    for text, _ in INVALID:
        with pytest.raises(InvalidNumber) as caught:
            parse(text, TODAY)
        assert caught.value.template in templates


def test_the_latest_year_follows_today():
    assert parse("GB/T 1-2026", date(2025, 1, 1)).year == 2026
    with pytest.raises(InvalidNumber, match="年份 2027 不在 1950 至 2026 之间"):
        parse("GB/T 1-2027", date(2025, 12, 31))
    next_year = date.today().year + 1
    assert parse(f"GB/T 1-{next_year}").year == next_year
    with pytest.raises(InvalidNumber, match="不在 1950 至"):
        parse(f"GB/T 1-{next_year + 1}")


def test_the_code_tables():
    assert len(PROVINCES) == 31 and PROVINCES["65"] == "新疆"
    assert 67 <= len(INDUSTRY_CODES) <= 72
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in INDUSTRY_CODES)
    expected = {
        "HJ": "环境保护",
        "YB": "黑色冶金",
        "YS": "有色冶金",
        "JC": "建材",
        "QC": "汽车",
        "NB": "能源",
        "TB": "铁路运输",
    }
    assert expected.items() <= INDUSTRY_CODES.items()
    assert {"GM", "ZY", "YJ", "XF", "SW", "HS", "RB", "SF"} <= INDUSTRY_CODES.keys()
    for code in INDUSTRY_CODES:
        assert parse(f"{code}/T 1-2020", TODAY).level is Level.INDUSTRY


@pytest.mark.parametrize(
    ("text", "normalised", "key"),
    [
        ("24067", "24067", "24067"),
        ("gb/t 24067", "GB/T 24067", "GB/T24067"),
        ("ＧＢ／Ｔ　２４０", "GB/T 240", "GB/T240"),
        ("  t/ceca-g  0374 ", "T/CECA-G 0374", "T/CECA-G0374"),
        ("24067—2024", "24067-2024", "24067-2024"),
        ("24067——2024", "24067-2024", "24067-2024"),
        ("", "", ""),
        ("碳足迹", "碳足迹", "碳足迹"),
    ],
)
def test_normalise_and_search_key_work_on_partial_input(text, normalised, key):
    assert normalise(text) == normalised
    assert search_key(text) == key


@pytest.mark.parametrize("separator", ["\n", "\r\n", ";", "；", "、", ",", "，", " / ", "; \n"])
def test_joint_numbers_with_each_separator(separator):
    found = parse_joint(f"GB/T 24067-2024{separator}HJ 1234—2023", TODAY)
    assert [number.canonical for number in found] == ["GB/T 24067—2024", "HJ 1234—2023"]


def test_joint_numbers_keep_a_spaced_gb_t_and_group_numbers_together():
    found = parse_joint("GB / T 24067-2024 / T/CISA 469-2024\nDB34/T 4916—2024；", TODAY)
    assert [number.key for number in found] == ["GB/T24067-2024", "T/CISA 469-2024", "DB34/T4916-2024"]
    assert parse_joint("GB/T 24067—2024", TODAY) == [parse("GB/T 24067—2024", TODAY)]


def test_a_bad_joint_item_is_named_by_position():
    with pytest.raises(InvalidNumber) as caught:
        parse_joint("GB/T 24067-2024；HJ 1234", TODAY)
    error = caught.value
    assert "第 2 个编号“HJ 1234”有误：缺少年份" in str(error)
    assert error.params["index"] == 2
    assert isinstance(error.__cause__, InvalidNumber) and "缺少年份" in error.__cause__.template
    assert str(error) == error.template % error.params


def test_a_duplicate_joint_number_is_refused():
    with pytest.raises(InvalidNumber, match="第 3 个编号 GB/T 24067—2024 与第 1 个重复"):
        parse_joint("GB/T 24067-2024\nHJ 1234-2023\nGB/T24067—2024", TODAY)


@pytest.mark.parametrize("text", ["", "   ", " ;\n ，"])
def test_empty_joint_input_is_refused(text):
    with pytest.raises(InvalidNumber, match="标准编号为空"):
        parse_joint(text, TODAY)


# --- the forms of issue 15 (item 6): every spelling of one standard reads to one canonical key ---

ONE_KEY = [
    # leading zeros of the sequence: the same standard, whatever the registrant typed
    (["DB3306/T 069—2024", "DB3306/T 69—2024", "DB3306/T 0069-2024", "DB3306/T69-2024"], "DB3306/T69-2024"),
    (["T/CPCIF 0391-2024", "T/CPCIF 391—2024", "T/CPCIF391-2024"], "T/CPCIF 391-2024"),
    (["GB/T 24067—2024", "GB/T 024067-2024"], "GB/T24067-2024"),
    # a national number printed with the international standard it adopts: the national number
    (
        [
            "GB/T 24040—2008/ISO 14040:2006",
            "GB/T 24040-2008/ISO 14040:2006",
            "GB/T 24040—2008 / ISO 14040:2006",
            "GB/T 24040 - 2008/ISO 14040 : 2006",
            "ＧＢ／Ｔ ２４０４０—２００８／ＩＳＯ １４０４０：２００６",
            "GB/T 24040-2008",
        ],
        "GB/T24040-2008",
    ),
    # three-letter engineering construction codes
    (["JGJ/T 1—2020", "JGJ/T 1-2020", "jgj/t 001-2020", "JGJ / T 1 — 2020"], "JGJ/T1-2020"),
    (["JGJ 3—2010", "JGJ 3-2010"], "JGJ3-2010"),
    (["CJJ/T 1—2020", "CJJ/T1-2020"], "CJJ/T1-2020"),
    (["JTG D60—2015", "JTG D60-2015", "jtg d60-2015"], "JTG D60-2015"),
    (["JTG/T D31-02—2013", "JTG/T D31-02-2013"], "JTG/T D31-02-2013"),
    (["JTS 145—2015", "JTS 145-2015"], "JTS145-2015"),
    # joint industry codes keep both
    (["NB/SH/T 0001—2019", "NB/SH/T 1-2019", "NB/SH/T0001-2019", "nb/sh/t 0001－2019"], "NB/SH/T1-2019"),
    # international numbers
    (["ISO 14067:2018", "ISO14067:2018", "iso 14067 : 2018", "ISO 14067：2018"], "ISO 14067:2018"),
    (["ISO 14040:2006"], "ISO 14040:2006"),
    (["ISO/TS 14067:2013", "ISO TS 14067:2013", "ISO/TS14067:2013"], "ISO/TS 14067:2013"),
    (["ISO 14064-1:2018", "ISO 14064—1:2018", "ISO 14064 - 1:2018"], "ISO 14064-1:2018"),
    (["IEC 62321:2008"], "IEC 62321:2008"),
    (["IEC 62321-1:2013"], "IEC 62321-1:2013"),
    (["ISO/IEC 17029:2019", "ISO / IEC 17029:2019"], "ISO/IEC 17029:2019"),
    (
        ["ITU-T L.1410 (2014)", "ITU-T L.1410:2014", "ITU-T L.1410 (12/2014)", "ITU－T L. 1410（2014）"],
        "ITU-T L.1410:2014",
    ),
]


@pytest.mark.parametrize(("spellings", "key"), ONE_KEY, ids=[key for _, key in ONE_KEY])
def test_every_spelling_of_a_standard_reads_to_one_key(spellings, key):
    read = [parse(text, TODAY) for text in spellings]
    assert {number.key for number in read} == {key}
    assert len(set(read)) == 1 and all(number == read[0] for number in read)
    assert parse(key, TODAY).key == key


@pytest.mark.parametrize(
    ("text", "canonical", "level", "nature", "code", "sequence", "part", "year"),
    [
        ("JGJ/T 1-2020", "JGJ/T 1—2020", Level.INDUSTRY, Nature.RECOMMENDED, "JGJ", "1", None, 2020),
        ("CJJ 1-2008", "CJJ 1—2008", Level.INDUSTRY, Nature.MANDATORY, "CJJ", "1", None, 2008),
        ("JTG/T D31-02-2013", "JTG/T D31-02—2013", Level.INDUSTRY, Nature.RECOMMENDED, "JTG", "D31-02", None, 2013),
        ("JTG 3430-2020", "JTG 3430—2020", Level.INDUSTRY, Nature.MANDATORY, "JTG", "3430", None, 2020),
        ("NB/SH/T 0001-2019", "NB/SH/T 0001—2019", Level.INDUSTRY, Nature.RECOMMENDED, "NB/SH", "0001", None, 2019),
        ("NB/SH 1-2019", "NB/SH 1—2019", Level.INDUSTRY, Nature.MANDATORY, "NB/SH", "1", None, 2019),
        ("DB3306/T 69-2024", "DB3306/T 69—2024", Level.LOCAL, Nature.RECOMMENDED, "DB3306", "69", None, 2024),
        ("ISO 14067:2018", "ISO 14067:2018", Level.INTERNATIONAL, Nature.RECOMMENDED, "ISO", "14067", None, 2018),
        (
            "ISO/TS 14067:2013",
            "ISO/TS 14067:2013",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "ISO/TS",
            "14067",
            None,
            2013,
        ),
        ("ISO 14064-1:2018", "ISO 14064-1:2018", Level.INTERNATIONAL, Nature.RECOMMENDED, "ISO", "14064", "1", 2018),
        (
            "IEC 62321-7-1:2015",
            "IEC 62321-7-1:2015",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "IEC",
            "62321",
            "7-1",
            2015,
        ),
        (
            "ISO/IEC 17029:2019",
            "ISO/IEC 17029:2019",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "ISO/IEC",
            "17029",
            None,
            2019,
        ),
        (
            "ISO/IEC/TS 17021-2:2016",
            "ISO/IEC TS 17021-2:2016",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "ISO/IEC TS",
            "17021",
            "2",
            2016,
        ),
        (
            "ISO Guide 35:2017",
            "ISO Guide 35:2017",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "ISO Guide",
            "35",
            None,
            2017,
        ),
        (
            "ITU-T L.1410 (2014)",
            "ITU-T L.1410:2014",
            Level.INTERNATIONAL,
            Nature.RECOMMENDED,
            "ITU-T",
            "L.1410",
            None,
            2014,
        ),
    ],
)
def test_the_new_forms_field_by_field(text, canonical, level, nature, code, sequence, part, year):
    number = parse(text, TODAY)
    assert fields(number) == (level, nature, code, sequence, part, year, None if level is not Level.LOCAL else "3306")
    assert number.canonical == canonical
    assert fields(parse(canonical, TODAY)) == fields(number)


def test_the_printed_form_keeps_what_was_typed_and_the_key_does_not():
    padded, plain = parse("DB3306/T 069—2024", TODAY), parse("DB3306/T 69—2024", TODAY)
    assert (padded.canonical, plain.canonical) == ("DB3306/T 069—2024", "DB3306/T 69—2024")
    assert padded == plain and hash(padded) == hash(plain) and padded.key == plain.key
    assert padded != parse("DB3306/T 690—2024", TODAY)
    assert parse("GB/T 20000.01-2014", TODAY) != parse("GB/T 20000.1-2014", TODAY)  # parts are not sequences


def test_a_double_number_is_the_national_number_carrying_the_adopted_one():
    number = parse("GB/T 24040-2008 / ISO 14040:2006", TODAY)
    assert (number.level, number.canonical, number.key) == (Level.NATIONAL, "GB/T 24040—2008", "GB/T24040-2008")
    assert number.adopted == parse("ISO 14040:2006", TODAY)
    assert number.adopted.level is Level.INTERNATIONAL
    assert number.with_adoption == "GB/T 24040—2008/ISO 14040:2006"
    assert parse("GB/T 24040—2008", TODAY).adopted is None
    assert parse("GB/T 24040—2008", TODAY).with_adoption == "GB/T 24040—2008"
    assert parse("GB/T 27029—2022/ISO/IEC 17029:2019", TODAY).adopted.canonical == "ISO/IEC 17029:2019"


def test_a_double_number_is_one_item_of_a_joint_list():
    found = parse_joint("GB/T 24040—2008 / ISO 14040:2006；GB/T 24044-2008/ISO 14044:2006", TODAY)
    assert [number.with_adoption for number in found] == [
        "GB/T 24040—2008/ISO 14040:2006",
        "GB/T 24044—2008/ISO 14044:2006",
    ]
    assert [number.canonical for number in parse_joint("GB/T 1-2020 / HJ 2-2020", TODAY)] == [
        "GB/T 1—2020",
        "HJ 2—2020",
    ]


def test_a_leading_zero_does_not_make_a_second_joint_number():
    with pytest.raises(InvalidNumber, match="第 2 个编号 DB3306/T 69—2024 与第 1 个重复"):
        parse_joint("DB3306/T 069—2024；DB3306/T 69—2024", TODAY)


def test_engineering_and_joint_codes():
    assert ENGINEERING_CODES["JGJ"] == "建筑工程" and ENGINEERING_CODES["CJJ"] == "城镇建设工程"
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in ENGINEERING_CODES)
    assert not ENGINEERING_CODES.keys() & INDUSTRY_CODES.keys()
    for code in ENGINEERING_CODES:
        assert parse(f"{code}/T 1-2020", TODAY).level is Level.INDUSTRY
    assert parse("NB/SH/T 0001-2019", TODAY).prefix == "NB/SH/T"
    assert parse("DB/T 1-2020", TODAY).code == "DB"  # one code followed by /T, not a joint code


def test_international_is_a_level_of_its_own_outside_the_chinese_ones():
    assert Level.INTERNATIONAL.value == "international"
    assert Level.INTERNATIONAL not in CHINESE_LEVELS
    assert set(CHINESE_LEVELS) | {Level.INTERNATIONAL} == set(Level)
    assert parse("ISO 14067:2018", TODAY).designation == "ISO 14067"
    assert parse("ISO 14067:2018", TODAY).designation == parse("ISO 14067:2006", TODAY).designation
    assert parse("ISO 14067:2018", TODAY) != parse("ISO 14067:2006", TODAY)
    assert parse("ISO/TS 14067:2013", TODAY) != parse("ISO 14067:2013", TODAY)


def test_the_level_has_its_label():
    from workbench.registry.models import LEVEL_LABELS

    assert set(LEVEL_LABELS) == set(Level)
    assert str(LEVEL_LABELS[Level.INTERNATIONAL]) == "国际标准"


NEW_INVALID = [
    ("ISO 14067:18", "年份“18”只有两位：请写四位年份，如 ISO 14067:2018"),
    ("ISO 14067", "缺少年份：国际标准编号以“:年份”结尾"),
    ("ISO 14067-2018", "年份前用冒号，不用“—”：应写作“ISO 14067:2018”"),
    ("ISO 14067—2018", "应写作“ISO 14067:2018”"),
    ("ISO 14067:20188", "年份“20188”应为四位数字"),
    ("ISO 14067:1899", "年份 1899 不在 1906 至 2026 之间"),
    ("ISO 14067:2018/Amd 1:2020", "年份之后有多余的内容“/AMD 1:2020”"),
    ("ISO/ABC 1:2020", "国际标准代号“ISO/ABC”无效"),
    ("ITU-X L.1410:2014", "国际标准代号“ITU-X”无效"),
    ("ISO", "国际标准编号“ISO”无效"),
    ("ISO A14067:2018", "国际标准编号“ISO A14067:2018”无效"),
    ("ITU-T 1410:2014", "国际标准编号“ITU-T 1410:2014”无效"),
    ("ISO 0:2018", "顺序号“0”全为零"),
    ("ISOX 1:2020", "无法识别的标准代号“ISOX”"),
    ("GB/T 24040—2008/ISO 14040", "“/”后采用的国际标准编号“ISO 14040”有误：缺少年份"),
    ("GB/T 24040—2008/ISO 14040:06", "有误：年份“06”只有两位"),
    ("GB/T 24040—2008/ISO 14040:2016", "GB/T 24040—2008 不能等同采用更晚的 ISO 14040:2016"),
    ("ISO 14040:2006/ISO 14044:2006", "“ISO 14040:2006”不是我国标准编号"),
    ("GB/T 24040—2008/ABC 1:2006", "年份之后有多余的内容“/ABC1:2006”"),
    ("JGJT 1-2020", "“JGJT”应写作“JGJ/T”"),
    ("JGJ T 1-2020", "“JGJ T”应写作“JGJ/T”"),
    ("JGB/T 1-2020", "无法识别的标准代号“JGB”"),
    ("JGJ/X 1-2020", "“JGJ/X”中斜线后的“X”无效"),
    ("JGJ 3", "缺少年份"),
    ("JTG D60", "缺少年份"),
    ("JTG D60-15", "年份“15”只有两位"),
    ("HJ D60-2015", "顺序号“D60”只能由数字组成"),  # only JTG numbers by a letter class
    ("NB/XX/T 1-2020", "“XX”不是行业标准代号"),
    ("NB/SH/X 1-2020", "“NB/SH/X”中斜线后的“X”无效"),
    ("NB/SH T 1-2020", "“NB/SH T”应写作“NB/SH/T”"),
    ("NB/SH/T 0000-2019", "顺序号“0000”全为零"),
]


@pytest.mark.parametrize(("text", "fragment"), NEW_INVALID)
def test_broken_variants_of_the_new_forms_say_why(text, fragment):
    with pytest.raises(InvalidNumber) as caught:
        parse(text, TODAY)
    error = caught.value
    assert fragment in str(error)
    assert str(error) == error.template % error.params
    assert error.text == text
    templates = {value for name, value in vars(numbers).items() if name.isupper() and isinstance(value, str)}
    assert error.template in templates


def test_a_bad_adopted_number_carries_its_own_reason():
    with pytest.raises(InvalidNumber) as caught:
        parse("GB/T 24040—2008/ISO 14040", TODAY)
    cause = caught.value.__cause__
    assert isinstance(cause, InvalidNumber) and cause.template == numbers.INTERNATIONAL_MISSING_YEAR
    assert caught.value.message.params["reason"].template == numbers.INTERNATIONAL_MISSING_YEAR


def _migration():
    path = Path(__file__).parent.parent / "migrations" / "versions" / "20261205_f2b3c4d5e6a7_number_keys.py"
    spec = importlib.util.spec_from_file_location("number_keys_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "text",
    [text for text, _ in REAL_NUMBERS]
    + ["DB3306/T 69—2024", "DB11/ 0501-2017", "DB/T 01-2020", "HJ 01234-2023", "GB/T 024067-2024", "NB/SH/T 0001-2019"]
    + ["JGJ/T 001-2020", "Q/GDW1 0234-2020", "T/CECA-G 0374—2025", "DB15/T 04051.1—2025"],
)
def test_the_migration_computes_todays_keys(text):
    """migrations/versions/…_number_keys.py restates the key rule; it must agree with numbers.py on
    every stored form (keys were written by the former rule, numbers in canonical form)."""
    migration = _migration()
    number = parse(text, TODAY)
    former = migration.old_key(number.canonical)
    assert "\u2014" not in former and former.replace(" ", "") == search_key(number.canonical)
    assert migration.new_key(former) == number.key
    assert migration.new_key(number.key) == number.key  # upgrading twice changes nothing


# --- the registry, the CLI and the API read the new forms the same way ------------------------------


def _register(session, level, number, product=None, title="温室气体 产品碳足迹量化方法与要求 测试"):
    from workbench.registry import service

    from .conftest import ADMIN

    return service.create_standard(
        session,
        service.StandardInput(level=level, numbers=number, title=title, status="published", product=product),
        on=date(2026, 11, 21),
        by=ADMIN,
    )[0]


def test_the_registry_holds_one_standard_under_either_spelling(session):
    from workbench.errors import InvalidInput
    from workbench.registry import service

    padded = _register(session, "local", "DB3306/T 069—2024")
    assert padded.number_list == ["DB3306/T 069—2024"]  # printed as registered
    assert service.find_standard(session, "DB3306/T 69-2024") is padded
    with pytest.raises(InvalidInput, match="DB3306/T 69—2024 已登记"):
        _register(session, "local", "DB3306/T 69—2024")
    group = _register(session, "group", "T/CPCIF 0391-2024")
    for typed in ("T/CPCIF 0391", "T/CPCIF 391", "0391-2024", "391-2024", "DB3306/T 069", "DB3306/T69"):
        found = session.scalars(service.search(service.StandardFilters(text=typed))).all()
        assert found == [group] if "CPCIF" in typed or typed.startswith(("0391", "391")) else found == [padded], typed


def test_the_registry_records_international_standards_outside_the_level_rules(session):
    from workbench.errors import InvalidInput
    from workbench.registry import service
    from workbench.registry.models import Level as StoredLevel

    item = service.create_product(
        session, service.ProductInput(name="测试产品", side="production", end_use="intermediate"), by=_admin()
    )
    first = _register(session, "international", "ISO 14067:2018", item, title="Greenhouse gases — Carbon footprint")
    second = _register(session, "international", "ISO/TS 14067:2013", item, title="Greenhouse gases — CFP (TS)")
    assert (first.level, first.number_list, second.number_list) == (
        StoredLevel.INTERNATIONAL,
        ["ISO 14067:2018"],
        ["ISO/TS 14067:2013"],
    )
    assert service.findings_for(session, second) == []  # two at one level: no duplicate_at_level
    national = _register(session, "national", "GB/T 24067—2024", item)
    assert service.find_standard(session, "iso 14067 : 2018") is first
    relation = service.add_relation(
        session, national, "adopts_international", target=first, equivalence="MOD", by=_admin()
    )
    assert relation.target is first
    with pytest.raises(InvalidInput, match="ISO 14040:2006 是国际标准的编号"):
        _register(session, "national", "ISO 14040:2006")  # the number's level must match the chosen one


def _admin():
    from .conftest import ADMIN

    return ADMIN


def test_cli_parse_prints_the_new_forms(cli_runner):
    import json

    result = cli_runner("standards", "parse", "--format", "json", "GB/T 24040-2008 / ISO 14040:2006")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["canonical"], shown["key"], shown["with_adoption"]) == (
        "GB/T 24040—2008",
        "GB/T24040-2008",
        "GB/T 24040—2008/ISO 14040:2006",
    )
    assert shown["adopted"]["level"] == "international" and shown["adopted"]["canonical"] == "ISO 14040:2006"
    line = cli_runner("standards", "parse", "NB/SH/T 0001-2019；DB3306/T 069—2024；ITU-T L.1410 (2014)").output
    assert "NB/SH/T 0001—2019  级别 level industry" in line and "键 key NB/SH/T1-2019" in line
    assert "DB3306/T 069—2024" in line and "键 key DB3306/T69-2024" in line
    assert "ITU-T L.1410:2014  级别 level international" in line
    adopted = cli_runner("standards", "parse", "GB/T 24040—2008/ISO 14040:2006").output
    assert "采用 adopts ISO 14040:2006" in adopted
    refused = cli_runner("standards", "parse", "ISO 14067:18")
    assert refused.exit_code == 2 and "年份“18”只有两位" in refused.output


def test_api_parse_shows_the_adopted_number(client, database, validate_response):
    from workbench.registry import service

    with database() as session:
        service.create_product(
            session, service.ProductInput(name="测试产品", side="production", end_use="intermediate"), by=_admin()
        )
        session.commit()
    parsed = client.get("/api/v1/standards/parse", query_string={"number": "GB/T 24040—2008/ISO 14040:2006"})
    validate_response("/api/v1/standards/parse", "get", parsed)
    number = parsed.json["numbers"][0]
    assert number["key"] == "GB/T24040-2008" and number["adopted"]["key"] == "ISO 14040:2006"
    plain = client.get("/api/v1/standards/parse", query_string={"number": "ISO/IEC 17029:2019"})
    validate_response("/api/v1/standards/parse", "get", plain)
    assert plain.json["numbers"][0]["level"] == "international" and plain.json["numbers"][0]["adopted"] is None
    check = client.get("/api/v1/hierarchy/check", query_string={"product": "测试产品", "level": "international"})
    assert check.status_code == 422 and "international" in check.json["error"]["message"]  # Chinese levels only
    allowed = client.get("/api/v1/hierarchy/check", query_string={"product": "测试产品", "level": "group"})
    assert allowed.status_code == 200 and allowed.json["findings"] == [], allowed.json


def test_the_migration_rewrites_stored_keys_and_stops_on_a_collision(tmp_path_factory, caplog):
    import flask_migrate
    from sqlalchemy import text

    from workbench.db import db

    from .conftest import fresh_database, make_app

    def keys() -> dict[str, str]:
        return dict(db.session.execute(text("SELECT number, key FROM standard_numbers")).all())

    with fresh_database(tmp_path_factory.mktemp("db"), "number_keys") as url:
        app = make_app(url, tmp_path_factory.mktemp("number-keys-data"))
        with app.app_context():
            flask_migrate.upgrade()
            for level, number in [
                ("local", "DB3306/T 069—2024"),
                ("group", "T/CPCIF 0391-2024"),
                ("local", "DB34/T 1—2024"),
            ]:
                _register(db.session, level, number)
            db.session.commit()
            new = {
                "DB3306/T 069—2024": "DB3306/T69-2024",
                "T/CPCIF 0391—2024": "T/CPCIF 391-2024",
                "DB34/T 1—2024": "DB34/T1-2024",
            }
            assert keys() == new

            flask_migrate.downgrade(revision="e1a2b3c4d5f6")
            assert keys() == {
                "DB3306/T 069—2024": "DB3306/T069-2024",
                "T/CPCIF 0391—2024": "T/CPCIF 0391-2024",
                "DB34/T 1—2024": "DB34/T1-2024",
            }
            flask_migrate.upgrade()
            assert keys() == new

            flask_migrate.downgrade(revision="e1a2b3c4d5f6")
            db.session.execute(
                text(
                    "UPDATE standard_numbers SET number = 'DB3306/T 69—2024', key = 'DB3306/T69-2024' WHERE key = 'DB34/T1-2024'"
                )
            )
            db.session.commit()
            with pytest.raises(SystemExit):  # flask_migrate logs the error and exits 1
                flask_migrate.upgrade()
            assert re.search("DB3306/T 069—2024 .* and DB3306/T 69—2024 .* are one number", caplog.text)
            db.session.rollback()
            assert keys()["DB3306/T 069—2024"] == "DB3306/T069-2024"  # nothing changed
            db.session.remove()
            db.engine.dispose()
