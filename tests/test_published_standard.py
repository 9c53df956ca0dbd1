"""A real published standard as a rule document: GB/T 44905—2024《温室气体 产品碳足迹量化方法与要求
电解铝》, encoded in template cfp-product-rule@1.1 as far as its public text allows
(tests/rules/gbt-44905-2024.json). The workbench must hold it, pass it without an error or a
warning, and render it: a check that fires on a standard the TC548 secretariat has already
accepted is a false positive.

The clause text of the fixture is written for the workbench, not copied from the standard; what it
encodes is what is publicly known (declared units, boundary, cut-off, data period, site data as
primary data, the anode-effect PFCs, the electricity sources).

Decisions worth knowing:
- The title is printed as the standard prints it, with full-width spaces (U+3000); the registry
  spells it with ASCII spaces. Both must pass: titles are compared after NFKC.
- GB/T 1196 (重熔用铝锭) is an undated reference on purpose: the whole document, with later
  amendments, applies (GB/T 1.1—2020 allows it), so no finding may flag it.
- The standard's publication facts (number, dates, issuers) are in `source_publication`, the
  1.1 schema's place for a published text's public facts, not in `publication`: that block
  describes a publication by this workbench (rule code, revision, checksum), which this file
  never had.
- Public facts used: standards.csv (number, dates, issuers), the announcement of the standard
  (joint TC243/TC548 responsibility, the drafting organisations), the product catalogue (电解铝
  is an intermediate product). Numbers of unknown provenance (ICS, drafters) are left out."""

import csv
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.drafting import checks
from workbench.drafting import template as templates
from workbench.publishing import document as documents
from workbench.registry import numbers

FIXTURE = Path(__file__).parent / "rules" / "gbt-44905-2024.json"
TEMPLATE = "cfp-product-rule@1.1"
REGISTRY_DATA = Path(__file__).parent.parent / "workbench" / "registry" / "data"
REGISTRY = REGISTRY_DATA / "standards.csv"
PRODUCTS = REGISTRY_DATA / "products.csv"


@pytest.fixture(scope="module")
def standard() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_standard_is_a_valid_template_1_1_document(standard):
    assert standard["template"] == TEMPLATE
    assert templates.load(TEMPLATE).validate(standard) == []


def test_the_fixture_says_what_the_published_standard_says(standard):
    """Guards the fixture itself: silencing a check by changing the standard is not allowed."""
    params = standard["parameters"]
    assert standard["title"] == "温室气体\u3000产品碳足迹量化方法与要求\u3000电解铝"  # as the standard prints it
    units = [params["declared_unit"], *params["additional_units"]]
    assert [(unit["quantity"], unit["unit"], unit["reference_product"]) for unit in units] == [
        (1, "t", "重熔用铝锭"),
        (1, "t", "铝液"),
    ]
    assert params["system_boundary"]["type"] == "cradle_to_gate"
    assert params["cut_off"] == {"per_item_percent": 1, "total_percent": 5}
    assert "自然年" in params["data_period"]
    site = {process["name"] for process in params["unit_processes"] if process["data_source"] == "site"}
    assert {"电解", "铸造", "阳极生产", "烟气净化"} <= site
    assert all(
        process["stage"] in params["primary_data_stages"]
        for process in params["unit_processes"]
        if process["data_source"] == "site"
    )
    gases = {gas["gas"]: gas["source"] for gas in params["greenhouse_gases"]}
    assert gases["CF4"] == gases["C2F6"] == "阳极效应"
    assert {source["source"] for source in params["electricity"]["sources"]} == {
        "grid",
        "captive_plant",
        "direct_supply",
    }
    assert any(
        ref["number"] == "GB/T 24067—2024" and ref["title"] == "温室气体 产品碳足迹 量化要求和指南"
        for ref in standard["normative_references"]
    )
    assert {"number": "GB/T 1196", "title": "重熔用铝锭"} in standard["normative_references"]  # undated
    published = standard["source_publication"]
    assert (published["standard_number"], published["published_on"], published["implemented_on"]) == (
        "GB/T 44905—2024",
        "2024-10-26",
        "2025-05-01",
    )


def test_workbench_check_passes_the_standard_without_an_error_or_a_warning(standard):
    result = CliRunner().invoke(cli, ["check", str(FIXTURE), "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [(f["severity"], f["code"], f["path"]) for f in shown["findings"] if f["severity"] != "info"] == []
    assert (shown["errors"], shown["warnings"]) == (0, 0)
    assert [(f["code"], f["path"]) for f in shown["findings"]] == []  # no info either: nothing to improve


def test_the_checks_pass_it_with_what_the_registry_knows(standard):
    """As the web app checks a rule: the registry's statuses and titles of the references (the
    shipped registry data) and the product catalogue's end use of 电解铝."""
    registry = {}
    with REGISTRY.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            registry[numbers.parse(row["number"]).key] = row
    products = {}
    with PRODUCTS.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            products[row["product"]] = row["end_use"]
    assert numbers.parse("GB/T 24067—2024").key in registry and numbers.parse("GB/T 32150—2015").key in registry
    found = checks.check(
        standard,
        reference_status=lambda key: registry[key]["status"] if key in registry else None,
        reference_title=lambda key: registry[key]["title"] if key in registry else None,
        catalogue_end_use=products[standard["product"]["name"]],
    )
    assert [(finding.code, finding.path) for finding in found] == []
    # the registry spells the title with ASCII spaces, the standard prints full-width ones
    own = registry[numbers.parse(standard["source_publication"]["standard_number"]).key]
    assert unicodedata.normalize("NFKC", standard["title"]) == own["title"] != standard["title"]


def test_the_standard_renders_as_html_with_its_figure_formulas_tables_and_annex_sub_clauses(standard):
    from workbench.publishing import render  # WeasyPrint: loaded only when rendering

    html = render.to_html(documents.build(standard, documents.Meta(stage="60")))
    assert "温室气体\u3000产品碳足迹量化方法与要求\u3000电解铝" in html
    # the boundary figure is the uploaded SVG, numbered and captioned below it
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<figcaption>图\u00a01\u3000电解铝产品碳足迹的系统边界</figcaption>" in html
    # the five display formulas are typeset (not shown as LaTeX source), numbered in order
    assert re.findall(r'formula-number">（(\d+)）', html) == ["1", "2", "3", "4", "5"]
    assert "\\frac" not in html and "\\mathrm" not in html
    captions = re.findall(r'<p class="caption">(表\u00a0(?:[A-C]\.)?\d+)\u3000', html)
    assert captions == ["表\u00a01", "表\u00a0A.1", "表\u00a0A.2", "表\u00a0A.3", "表\u00a0B.1", "表\u00a0C.1"]
    for heading in ("A.1\u3000一般要求", "A.2\u3000现场数据", "A.3\u3000背景数据"):
        assert f"<h3>{heading}" in html, heading


def test_the_standard_renders_as_word_with_equations_and_the_figure(standard):
    from workbench.publishing.word import to_docx

    docx = zipfile.ZipFile(io.BytesIO(to_docx(documents.build(standard, documents.Meta(stage="60")))))
    body = docx.read("word/document.xml").decode("utf-8")
    assert body.count("<m:oMathPara>") == 5  # the numbered formulas, as native Word equations
    assert body.count("<m:oMath>") == 5 + 25  # and the symbols and indices explained under them, inline
    assert any(name.startswith("word/media/image") for name in docx.namelist())  # the boundary figure
    assert "A.3\u3000背景数据" in body
