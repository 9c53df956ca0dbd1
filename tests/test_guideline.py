"""The guideline's one home: the catalogue of findings, the citations, the vocabulary, and the
English every finding reads in."""

import json
import re

import pytest
from babel.messages.pofile import read_po

from workbench.guideline import CATALOGUE, Finding, Severity, finding
from workbench.guideline.articles import ARTICLES, TITLES, citation_text, cite
from workbench.guideline.catalogue import SUBJECTS
from workbench.guideline.findings import SEVERITY_LABELS
from workbench.guideline.vocabulary import SECONDARY_PRIORITY, VOCABULARIES
from workbench.messages import render

from .conftest import PROJECT_ROOT

CITATION = re.compile(r"^指引(?:（[一二三四五六七八九十]+）)+$")
PLACEHOLDER = re.compile(r"%\((\w+)\)[-+ #0]*\d*(?:\.\d+)?[sdf]")
SCHEMA = PROJECT_ROOT / "rule_templates" / "cfp-product-rule" / "1.0" / "schema.json"
CATALOGUE_PO = PROJECT_ROOT / "workbench" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _english() -> dict[str, str]:
    with open(CATALOGUE_PO, "rb") as file:
        return {message.id: message.string for message in read_po(file) if message.id}


def _citations(article: str) -> list[str]:
    """The texts one catalogue entry cites, e.g. ["指引（九）", "《关于…意见》（2023）"]."""
    return [part for part in article.split("；") if part]


def test_every_entry_cites_the_guideline_or_a_named_text_in_one_spelling():
    for code, check in CATALOGUE.items():
        for part in _citations(check.article):
            assert CITATION.match(part) or part.startswith(("GB/T 1.1—2020", "GB/T 24067—2024")) or part in TITLES, (
                f"{code}: {part}"
            )
            assert "(" not in part and "-2024" not in part and "-2020" not in part, code


def test_cite_writes_articles_as_the_guideline_prints_them():
    assert cite(4) == "指引（四）"
    assert cite(8, 14) == "指引（八）（十四）"
    with pytest.raises(ValueError):
        cite(21)
    assert [article.key for article in ARTICLES][:3] == ["一", "（一）", "（二）"] and len(ARTICLES) == 21


def test_citations_read_in_english():
    english = _english()

    def translate(text):
        return english.get(text) or text

    assert citation_text("指引（八）（十四）", translate) == "Guideline (8), (14)"
    assert citation_text("指引（四）") == "指引（四）"  # Chinese stays as written
    mixed = citation_text("指引（九）；《关于加快建立产品碳足迹管理体系的意见》（2023）", translate)
    assert mixed.startswith("Guideline (9); ") and "指" not in mixed and "意见" not in mixed
    assert citation_text("GB/T 1.1—2020 8.3", translate) == "GB/T 1.1—2020 8.3"


def test_codes_are_unique_and_every_subject_has_its_entries():
    codes = [check.code for checks in SUBJECTS.values() for check in checks]
    assert len(codes) == len(set(codes)) == len(CATALOGUE)
    assert {"rule", "dataset", "level", "stage"} <= set(SUBJECTS)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)


def test_one_severity_scale_with_a_label_each():
    assert [severity.value for severity in Severity] == ["error", "warning", "info"]
    assert set(SEVERITY_LABELS) == set(Severity)
    assert {check.severity for check in CATALOGUE.values()} <= set(Severity)


def test_a_finding_takes_code_severity_and_article_from_its_entry():
    made = finding("gate_trials", "/stage", count=2, min=3)
    check = CATALOGUE["gate_trials"]
    assert (made.code, made.severity, made.article, made.path) == ("gate_trials", check.severity, cite(6), "/stage")
    assert made.message == "针对当前修订的试算只有 2 家企业，至少需要 3 家。"
    with pytest.raises(KeyError):
        finding("no_such_code", "/")
    with pytest.raises(KeyError):
        finding("gate_trials", "/stage", variant="no_such_variant")


def test_a_stored_finding_reads_back_the_same_and_in_english():
    english = _english()
    made = finding("gate_trials", "/stage", count=2, min=3)
    stored = json.loads(json.dumps(made.to_dict()))
    back = Finding.from_dict(stored)
    assert back == made
    assert back.text(lambda text: english.get(text) or text) == english[made.template] % {"count": 2, "min": 3}
    legacy = Finding.from_dict({"code": "x", "severity": "notice", "message": "旧的消息"})
    assert legacy.message == "旧的消息" and legacy.severity == Severity.INFO  # stored before the catalogue


def test_every_message_template_has_english_with_the_same_placeholders():
    english = _english()
    for code, check in CATALOGUE.items():
        texts = [check.summary, *check.messages.values(), *([check.meaning] if check.meaning else [])]
        for text in texts:
            assert english.get(text), f"{code}: no English for {text}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english[text])), code
            assert not re.search(r"[\u4e00-\u9fff]", english[text]) or "“" in english[text], code


def test_every_message_renders_with_the_parameters_it_names():
    for code, check in CATALOGUE.items():
        for variant, template in check.messages.items():
            params = {name: 1 for name in PLACEHOLDER.findall(template)}
            assert "%(" not in render(template, params), (code, variant)


def test_the_vocabulary_has_english_and_matches_the_templates_labels():
    english = _english()
    for vocabulary in VOCABULARIES.values():
        assert english.get(vocabulary.title), vocabulary.name
        for code, label in vocabulary.labels.items():
            assert english.get(label), f"{vocabulary.name}.{code}"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    parameters = schema["properties"]["parameters"]["properties"]
    in_template = {
        "stage": schema["$defs"]["stage"],
        "end_use": schema["properties"]["product"]["properties"]["end_use"],
        "boundary": parameters["system_boundary"]["properties"]["type"],
        "data_type": parameters["secondary_data_priority"]["items"],
        "category": parameters["activity_data_categories"]["items"],
        "grid_factor": parameters["electricity"]["properties"]["grid_factor"],
        "instrument": parameters["electricity"]["properties"]["instruments"]["items"],
        "tier": parameters["factor_priority"]["items"],
        "element": schema["properties"]["clauses"]["items"]["properties"]["kind"],
    }
    for name, node in in_template.items():
        labels = node["x-enum-labels"]
        assert labels == {code: VOCABULARIES[name].labels[code] for code in labels}, name
        assert set(node["enum"]) <= set(VOCABULARIES[name].codes), name
    assert in_template["data_type"]["enum"] == list(SECONDARY_PRIORITY)
