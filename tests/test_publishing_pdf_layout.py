"""The PDF read back as a GB/T 1.1—2020 reader sees it: standards' numbers whole on one line, no
gaping spaces in justified Chinese lines, the preliminary elements' headings alike, a long table
continued as "表 n（续）" with its header row on every page, a term kept with its definition.

The PDFs are read with poppler's pdftotext (-layout for the lines, -bbox for word boxes); no
database is used."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from workbench.drafting import template as templates
from workbench.publishing import document as documents
from workbench.publishing import render
from workbench.publishing.standard_numbers import STANDARD_NUMBER, split

EXAMPLES = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples"
BODY_SIZE = 10.5  # pt, 五号
# Numbers that the demo rules do not use, so each is counted only where this test put it.
NUMBERS = ["GB/T 99067—2024", "GB/T 99151.8—2015", "ISO 99067:2018", "ISO 99064-1:2018", "T/CSTM 99123—2024"]


def example(name: str) -> dict:
    return templates.upgrade(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))


def write_pdf(rule: dict, path: Path) -> Path:
    path.write_bytes(render.to_pdf(documents.build(rule, documents.Meta(stage="30"))))
    return path


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")


def words(pdf: Path) -> list[list[dict]]:
    """Each page's words with their boxes (pt), as pdftotext -bbox reads them."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    found = []
    for page in xhtml.split("<page ")[1:]:
        found.append(
            [
                {"text": text, **{key: float(value) for key, value in zip(("x0", "y0", "x1", "y1"), box, strict=True)}}
                for *box, text in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
                )
            ]
        )
    return found


def lines(page: list[dict]) -> list[list[dict]]:
    rows: dict[float, list[dict]] = {}
    for word in page:
        rows.setdefault(round(word["y0"], 1), []).append(word)
    return [sorted(row, key=lambda word: word["x0"]) for _, row in sorted(rows.items())]


def normalised(text: str) -> str:
    """pdftotext writes a narrow or quarter-em space as one or more spaces."""
    return re.sub(r"[ \u00a0\u2005\u202f]+", " ", text)


# --- the pure core ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("符合 GB/T 24067—2024 的规定", ["GB/T 24067—2024"]),
        ("按GB/T\u00a032151.8—2015和ISO 14067:2018", ["GB/T\u00a032151.8—2015", "ISO 14067:2018"]),
        ("ISO 14064-1:2018、ISO/TS 14071:2014", ["ISO 14064-1:2018", "ISO/TS 14071:2014"]),
        ("T/CSTM 00123—2024，DB11/T 1234—2020，GB 175—2023", ["T/CSTM 00123—2024", "DB11/T 1234—2020", "GB 175—2023"]),
        ("GB/T 1.1—2020 起草；GB/T XXXXX—XXXX（征求意见稿）", ["GB/T 1.1—2020", "GB/T XXXXX—XXXX"]),
        ("ISO 14040 和 ISO 14044", ["ISO 14040", "ISO 14044"]),
        (
            "YS/T 1234.1—2020、NB/SH/T 0001—2019、DB11/ 501—2017",
            ["YS/T 1234.1—2020", "NB/SH/T 0001—2019", "DB11/ 501—2017"],
        ),
        (
            "T/CECA-G 0374—2025，JTG D60—2015，GB/T 24067-2024",
            ["T/CECA-G 0374—2025", "JTG D60—2015", "GB/T 24067-2024"],
        ),
        ("GB/T 24040—2008/ISO 14040:2006 环境管理", ["GB/T 24040—2008/ISO 14040:2006"]),
        ("IEC 62321-7-1:2015，ITU-T L.1410:2014", ["IEC 62321-7-1:2015", "ITU-T L.1410:2014"]),
        ("IPCC-AR6-GWP100 与 AR6，100 年，1 t CO2e，表 1，5.3 规定，P·O 42.5", []),
    ],
)
def test_standard_numbers_are_found_whole_and_nothing_else(text, numbers):
    pieces = split(text)
    assert "".join(piece for piece, _ in pieces) == text
    assert [piece for piece, number in pieces if number] == numbers
    assert all(STANDARD_NUMBER.fullmatch(number) for number in numbers)


# --- numbers and spacing in the text ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cement_with_numbers(tmp_path_factory) -> Path:
    """The cement rule with a paragraph of numbers at every offset of a line, and one of Chinese
    with single Latin words, the lines where a space used to take a whole line's slack."""
    rule = example("cement")
    scope = next(clause for clause in rule["clauses"] if clause["kind"] == "scope")
    numbers = "".join(f"{'按' * (index % 13)}符合 {NUMBERS[index % 5]} 的规定，" for index in range(40))
    mixed = "".join(
        f"{'各' * (index % 17)}排放量应采用 ZETA 第六次评估报告的 GWPALPHABETAGAMMA 值。" for index in range(20)
    )
    scope["text"] += f"\n\n{numbers}\n\n{mixed}"
    return write_pdf(rule, tmp_path_factory.mktemp("numbers") / "rule.pdf")


def test_no_standard_number_breaks_across_lines(cement_with_numbers):
    text = normalised("\n".join(pages(cement_with_numbers)))
    for number in NUMBERS:
        assert text.count(number) == 8, number  # every one whole on its line


def test_justified_chinese_lines_have_no_wide_gaps(cement_with_numbers):
    checked = 0
    for page in words(cement_with_numbers):
        for line in lines(page):
            if not any("ZETA" in word["text"] or "GAMMA" in word["text"] for word in line):
                continue
            checked += 1
            gaps = [after["x0"] - before["x1"] for before, after in zip(line, line[1:], strict=False)]
            assert max(gaps) < 0.5 * BODY_SIZE, " ".join(word["text"] for word in line)
    assert checked >= 10


# --- the preliminary elements and the terms ------------------------------------------------------------


@pytest.fixture(scope="module")
def battery(tmp_path_factory) -> Path:
    return write_pdf(example("lithium-ion-battery"), tmp_path_factory.mktemp("battery") / "rule.pdf")


def heading(pdf_words: list[list[dict]], first: str, second: str) -> tuple[float, float, int]:
    """Height (the font's size), horizontal centre and page of a two-character heading like "目　次"."""
    for number, page in enumerate(pdf_words):
        for line in lines(page):
            if [word["text"] for word in line] == [first, second]:
                return line[0]["y1"] - line[0]["y0"], (line[0]["x0"] + line[1]["x1"]) / 2, number
    raise AssertionError(f"no heading {first}{second}")


def test_the_preliminary_headings_are_set_alike_large_and_centred(battery):
    pdf_words = words(battery)
    contents, foreword = heading(pdf_words, "目", "次"), heading(pdf_words, "前", "言")
    body_text = next(word for word in pdf_words[foreword[2]] if word["text"].startswith("本文件"))
    assert contents[0] == pytest.approx(foreword[0], abs=0.2)  # 前言 was body-sized
    assert contents[0] / (body_text["y1"] - body_text["y0"]) == pytest.approx(16 / BODY_SIZE, abs=0.05)
    page_centre = 595.28 / 2  # A4, both pages have the same margins on each side
    assert contents[1] == pytest.approx(page_centre, abs=2) and foreword[1] == pytest.approx(page_centre, abs=2)


@pytest.mark.parametrize("name", ["lithium-ion-battery", "cement"])
def test_a_terms_name_stays_on_the_page_of_its_definition(name, battery, cement_with_numbers):
    pdf = battery if name == "lithium-ion-battery" else cement_with_numbers
    printed = [re.sub(r"\s+", "", page) for page in pages(pdf)]
    terms = example(name)["terms"]
    for term in terms:
        page = next(index for index, text in enumerate(printed) if term["zh"] + term["en"].replace(" ", "") in text)
        assert term["definition"][:8] in printed[page], term["id"]
    html = render.to_html(documents.build(example(name), documents.Meta(stage="30")))
    assert html.count('<p class="term">') == len(terms)


# --- a table over several pages ------------------------------------------------------------------------


def long_tables_rule() -> dict:
    """The cement rule with table 2 of 120 rows in 5.2 and table A.9 of 70 rows in annex A."""
    rule = example("cement")
    clause = next(clause for clause in rule["clauses"] if clause["number"] == "5.2")
    rows = "\n".join(f"| {index} | 熟料{index} | GB/T 24067—2024 |" for index in range(1, 121))
    clause["text"] += f"\n\n表 2　排放因子一览\n\n| 序号 | 名称 | 依据 |\n|---|---|---|\n{rows}"
    annex = next(clause for clause in rule["clauses"] if clause["number"] == "附录A")
    rows = "\n".join(f"| A{index} | 数据{index} |" for index in range(1, 71))
    annex["text"] += f"\n\n表 A.9　补充数据\n\n| 编号 | 内容 |\n|---|---|\n{rows}"
    return rule


@pytest.fixture(scope="module")
def long_tables(tmp_path_factory) -> Path:
    return write_pdf(long_tables_rule(), tmp_path_factory.mktemp("tables") / "rule.pdf")


@pytest.mark.parametrize(
    "number, title, header, row",
    [
        ("表 2", "排放因子一览", "序号", r"^\s*(\d+)\s+熟料\1\s"),
        ("表 A.9", "补充数据", "编号", r"^\s*A(\d+)\s+数据\1\s*$"),
    ],
)
def test_a_long_table_continues_with_its_number_and_header_on_every_page(long_tables, number, title, header, row):
    printed = [normalised(page) for page in pages(long_tables)]
    found: list[int] = []
    table_pages = 0
    for page in printed:
        rows = [int(match.group(1)) for match in re.finditer(row, page, re.MULTILINE)]
        if not rows:
            continue
        table_pages += 1
        text_lines = [line.strip() for line in page.splitlines() if line.strip()]
        if rows[0] == 1:  # where the table starts: its caption, no 续
            assert re.sub(r"\s", "", number) in re.sub(r"\s", "", page) and title in page and "（续）" not in page
        else:  # a continuation: the running head, then "表 n（续）", then the header row
            assert re.sub(r"\s", "", text_lines[1]) == re.sub(r"\s", "", number) + "（续）", text_lines[:3]
            assert text_lines[2].split()[0] == header
        found += rows
    assert table_pages >= 2
    assert found == list(range(1, len(found) + 1)) and len(found) in (120, 70)  # every row once, in order


def test_the_html_keeps_each_table_whole():
    """The split is the PDF's only: the downloadable HTML (and the portal) show one table."""
    html = render.to_html(documents.build(long_tables_rule(), documents.Meta(stage="30")))
    body = html.split("</style>")[1]
    assert "（续）" not in body and "table-continued" not in body
    long_table = next(table for table in body.split("<table>") if "熟料120" in table)
    assert long_table.split("</table>")[0].count("<tr>") == 121  # the header row and 120 rows


# --- the title on the cover and on page 1 ----------------------------------------------------------


@pytest.fixture(scope="module")
def lime(tmp_path_factory) -> Path:
    return write_pdf(example("lime"), tmp_path_factory.mktemp("lime") / "rule.pdf")


def title_rows(pdf_words: list[dict], elements: list[str], size: float) -> list[list[dict]]:
    """The lines of a title set in `size` pt: words as tall as its type (pdftotext's box is about
    1.45 times the size) that are a title element or a piece of one."""
    tall = [word for word in pdf_words if abs(word["y1"] - word["y0"] - 1.45 * size) < 1.5]
    pieces = [word for word in tall if any(word["text"] in element for element in elements)]
    return lines(pieces)


@pytest.mark.parametrize(
    "name, size, page", [("cement", 24, "cover"), ("lime", 24, "cover"), ("cement", 16, "body"), ("lime", 16, "body")]
)
def test_the_title_breaks_only_between_its_elements(name, size, page, request):
    """GB/T 1.1—2020 sets the title's elements (引导要素, 主体要素, 补充要素) one character apart; a
    title too long for one line breaks between two elements, never inside one ("…要求 石 / 灰"),
    and each line is centred. The cement fixture is the cement example with a longer scope; its
    cover and title are the example's."""
    pdf = request.getfixturevalue("cement_with_numbers" if name == "cement" else "lime")
    elements = example(name)["title"].split()
    all_pages = words(pdf)
    found = (
        all_pages[0]
        if page == "cover"
        else next(page_words for page_words in all_pages[1:] if title_rows(page_words, elements, size))
    )
    rows = title_rows(found, elements, size)
    assert [word["text"] for row in rows for word in row] == elements  # each element one whole word
    if page == "cover":
        assert len(rows) == 2  # 24 pt: too long for one line, so it breaks, between two elements
    centres = [(row[0]["x0"] + row[-1]["x1"]) / 2 for row in rows]
    assert max(centres) - min(centres) < 1  # no space left hanging at a line's end
    for row in rows:
        for before, after in zip(row, row[1:], strict=False):
            assert abs(after["x0"] - before["x1"] - size) < 1  # one character apart (空一个汉字)


def test_a_title_written_without_its_spaces_still_wraps_within_the_page(tmp_path):
    """An element is kept whole only while it fits a line: a title typed as one element wraps
    inside the page's text width instead of running off it."""
    rule = example("lime")
    rule["title"] = "温室气体产品碳足迹量化方法与要求建筑用生石灰和消石灰粉及其制品"
    cover = words(write_pdf(rule, tmp_path / "rule.pdf"))[0]
    rows = title_rows(cover, [rule["title"]], 24)
    assert len(rows) == 2 and "".join(word["text"] for row in rows for word in row) == rule["title"]
    right = max(word["x1"] for word in cover if word["text"] == "GB/T" or "XXXX" in word["text"])  # the text's edge
    assert all(word["x1"] <= right + 0.5 for row in rows for word in row)


def test_the_titles_elements_are_marked_as_such():
    html = render.to_html(documents.build(example("cement"), documents.Meta(stage="30")))
    elements = (
        '<span class="title-element">温室气体</span><span class="title-gap"> </span>'
        '<span class="title-element">产品碳足迹量化方法与要求</span><span class="title-gap"> </span>'
        '<span class="title-element">水泥</span>'
    )
    assert f'<h1 class="cover-title">{elements}</h1>' in html
    assert f'<p class="body-title">{elements}</p>' in html
