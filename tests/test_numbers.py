"""Standard numbers: real numbers round-trip, typing variants agree, every refusal says why."""

from datetime import date

import pytest

from workbench.registry import numbers
from workbench.registry.numbers import (
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


@pytest.mark.parametrize(("text", "printed"), REAL_NUMBERS)
def test_real_numbers_print_canonically_and_round_trip(text, printed):
    number = parse(text, TODAY)
    assert number.canonical == printed
    assert str(number) == printed
    assert parse(number.canonical, TODAY) == number
    assert parse(number.key, TODAY) == number
    assert search_key(number.key) == search_key(printed)
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
    assert parse(text, TODAY) == StandardNumber(level, nature, code, sequence, part, year, region)


@pytest.mark.parametrize(
    ("text", "prefix", "designation", "key"),
    [
        ("GB/T 24067-2024", "GB/T", "GB/T 24067", "GB/T24067-2024"),
        ("GB 30252-2013", "GB", "GB 30252", "GB30252-2013"),
        ("HJ 1234-2023", "HJ", "HJ 1234", "HJ1234-2023"),
        ("YS/T 1234.1-2020", "YS/T", "YS/T 1234.1", "YS/T1234.1-2020"),
        ("DB15/T 4051.1—2025", "DB15/T", "DB15/T 4051.1", "DB15/T4051.1-2025"),
        ("DB11/ 501-2017", "DB11/", "DB11/ 501", "DB11/501-2017"),
        ("T/CECA-G 0374—2025", "T/CECA-G", "T/CECA-G 0374", "T/CECA-G 0374-2025"),
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
