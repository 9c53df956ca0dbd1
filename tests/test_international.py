"""The international comparison (指引（十八）): the maintained table, a rule's differences from it,
international reference values for factors and their effect on trial results, and the pages."""

import io

import pytest
from sqlalchemy import func, select

from tests.conftest import ADMIN
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput
from workbench.exchange import international, methods
from workbench.exchange.models import ReferenceValue
from workbench.factors.models import Factor, FactorVersion
from workbench.guideline.catalogue import CATALOGUE
from workbench.publishing import isolation
from workbench.publishing.models import StoredDocument

ELECTRICITY = "MEE-ELEC-2024-cfp_life_cycle-21"  # the demo's national grid factor, 0.5777 kgCO2e/kWh
# The demo's first cement trial uses 88 000 000 kWh for 1 000 000 t of cement.
TRIAL_KWH, TRIAL_TONNES, DOMESTIC = 88_000_000, 1_000_000, 0.5777


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def cement(session) -> Rule:
    return session.scalar(select(Rule).where(Rule.title.like("%水泥")))


def test_the_table_loads_and_every_cell_has_a_statement_in_both_languages_and_a_source():
    table = methods.table()
    assert table.reviewed and table.version
    names = {framework.id for framework in table.frameworks}
    assert names == {"iso14067", "ghgp_product", "eu_pef", "eu_battery", "pact"}
    for framework in table.frameworks:
        assert set(framework.cells) == {key for key, _zh, _en in table.dimensions}
        for cell in framework.cells.values():
            assert cell.zh and cell.en and cell.source.strip()
    # Silence is null, not a guess: the Battery Regulation leaves the GWP set to its delegated act.
    assert next(f for f in table.frameworks if f.id == "eu_battery").cells["gwp_set"].value is None


def test_compare_lists_differences_and_nothing_where_the_rule_agrees():
    parameters = {
        "declared_unit": {"quantity": 1, "unit": "t"},
        "system_boundary": {"type": "cradle_to_gate"},
        "cut_off": {"per_item_percent": 1, "total_percent": 5},
        "allocation": {"method": "physical"},
        "gwp_set": "IPCC-AR6-GWP100",
        "electricity": {"contractual_instruments_allowed": True},
        "primary_data_share": "activity_and_factor",
    }
    found = {(item.framework, item.dimension) for item in methods.compare(parameters)}
    assert ("eu_pef", "gwp_set") in found  # EF 3.0 is AR5
    assert ("pact", "gwp_set") not in found and ("iso14067", "gwp_set") not in found  # "latest" = AR6
    assert ("pact", "cut_off") not in found and ("eu_pef", "cut_off") in found  # 5 % vs 3 %
    assert ("pact", "electricity") in found  # residual mix vs the grid average
    assert ("pact", "primary_data_share") not in found
    assert ("eu_pef", "unit") in found and ("pact", "unit") not in found
    assert not any(dimension == "allocation" for _framework, dimension in found)
    twenty = methods.compare({**parameters, "gwp_set": "IPCC-AR6-GWP20"})
    assert {item.framework for item in twenty if item.dimension == "gwp_set"} == {
        "iso14067",
        "ghgp_product",
        "eu_pef",
        "pact",
    }


def test_the_cement_rules_comparison_names_its_differences(demo, session):
    findings = international.rule_comparison(session, cement(session))
    codes = {(finding.code, finding.params["framework"]) for finding in findings}
    assert ("international_gwp_set", "EU PEF (2021/2279)") in codes
    assert ("international_electricity", "PACT Methodology v3") in codes
    assert ("international_primary_data_share", "PACT Methodology v3") in codes  # site activity share
    assert ("international_gwp_set", "ISO 14067:2018") not in codes  # AR6 is the latest
    assert not any(code == "international_allocation" for code, _framework in codes)  # physical: everywhere
    for finding in findings:
        assert finding.article == "指引（十八）" and finding.severity.value in ("info", "warning")
        assert CATALOGUE[finding.code] and finding.params["source"] in finding.message
    gwp = next(f for f in findings if f.code == "international_gwp_set")
    assert "AR5" in gwp.message and "AR6" in gwp.message


def test_a_reference_value_in_another_unit_is_converted_and_its_effect_recalculated(demo, session):
    rule = cement(session)
    factor = session.scalar(select(Factor).where(Factor.code == ELECTRICITY))
    international.add_reference_value(
        session,
        factor,
        rule=rule,
        value=450,
        unit="kgCO2e/MWh",
        source="EF 3.1 electricity grid mix (demo)",
        database="EF 3.1",
        geography="CN",
        note="",
        by=ADMIN,
    )
    session.commit()
    (row,) = [row for row in international.factor_comparison(session, rule) if row.factor.code == ELECTRICITY]
    (reference,) = [item for item in row.references if item.record.source == "EF 3.1 electricity grid mix (demo)"]
    assert reference.value == pytest.approx(0.45)  # 450 kg per MWh is 0.45 kg per kWh
    assert reference.percent_difference(row.value) == pytest.approx((0.45 - DOMESTIC) / DOMESTIC * 100)
    first = next(effect for effect in reference.effects if effect.trial.enterprise == "演示水泥甲有限公司")
    expected = TRIAL_KWH * (0.45 - DOMESTIC) / TRIAL_TONNES  # kg CO2e per t of cement
    assert first.change == pytest.approx(expected, rel=1e-9)
    assert first.before == pytest.approx(first.calculation.cfp_per_unit, rel=1e-9)
    assert first.percent == pytest.approx(expected / first.before * 100)
    assert len(reference.effects) == 3  # the three demo trials all use the grid factor


def test_an_inconvertible_reference_unit_is_refused_with_a_message(demo, session):
    rule = cement(session)
    factor = session.scalar(select(Factor).where(Factor.code == ELECTRICITY))
    with pytest.raises(InvalidInput) as refused:
        international.add_reference_value(session, factor, rule=rule, value=2, unit="kgCO2e/kg", source="x", by=ADMIN)
    assert "kgCO2e/kg" in str(refused.value.details["unit"]) and "kgCO2e/kWh" in str(refused.value.details["unit"])
    with pytest.raises(InvalidInput) as refused:
        international.add_reference_value(session, factor, rule=rule, value=2, unit="kgCO2/kWh", source="x", by=ADMIN)
    assert "CO2e" in str(refused.value.details["unit"])
    assert session.scalar(select(ReferenceValue.id).where(ReferenceValue.source == "x")) is None


def test_the_pages_answer_in_chinese_and_english_and_the_annex_is_a_pdf(demo, app, client, database, monkeypatch):
    with database() as session:
        rule_id = cement(session).id
        title = cement(session).title
    page = client.get("/international/")
    assert page.status_code == 200 and "国内外碳足迹方法对比" in page.text and "循环足迹公式" in page.text
    assert f'href="/international/rules/{rule_id}"' in page.text  # the public rule's comparison is listed
    with database() as session:
        # the rules not public: neither out for comment nor published (the demo publishes lime, at 60)
        drafts = [rule.id for rule in session.scalars(select(Rule)) if rule.stage not in ("30", "60")]
    assert drafts and not any(f'href="/international/rules/{other}"' in page.text for other in drafts)
    comparison = client.get(f"/international/rules/{rule_id}")  # out for consultation: public
    assert comparison.status_code == 200 and "AR5" in comparison.text and title in comparison.text
    # Parameters by their label in the rule's form, not a JSON pointer; a missing side reads 不设.
    differences = comparison.text.split('id="differences"')[1].split("</table>")[0]
    assert ">声明单位<" in differences and ">/parameters/declared_unit<" not in differences
    assert "不设 / 3 %" in differences and "— / 3 %" not in differences
    client.post_form("/language", {"locale": "en"})
    english = client.get("/international/")
    assert "Circular Footprint Formula" in english.text and "循环足迹公式" not in english.text
    english_comparison = client.get(f"/international/rules/{rule_id}")
    assert english_comparison.status_code == 200
    assert "this rule uses declared unit" in english_comparison.text  # a label inside a sentence
    client.post_form("/language", {"locale": "zh_CN"})
    # Nothing is laid out for a visitor: the page points to the printable page instead.
    pending = client.get(f"/international/rules/{rule_id}/annex.pdf")
    assert pending.status_code == 404 and f"/international/rules/{rule_id}" in pending.text
    assert "登录后可以生成" in pending.text and not pending.data.startswith(b"%PDF")
    assert client.post(f"/international/rules/{rule_id}/annex.pdf/prepare").status_code in (302, 400, 401)
    reader = app.test_client()
    assert reader.post_form("/login", {"username": "secretariat", "password": "workbench-demo"}).status_code == 302
    offer = reader.get(f"/international/rules/{rule_id}/annex.pdf")
    assert offer.status_code == 200 and "生成 PDF" in offer.text
    with database() as session:
        before = session.scalar(select(func.count()).select_from(StoredDocument))
    job = reader.post_form(f"/international/rules/{rule_id}/annex.pdf/prepare", {})
    assert job.status_code == 302 and "/jobs/" in job.headers["Location"]
    done = reader.get(job.headers["Location"])
    assert f"/international/rules/{rule_id}/annex.pdf" in done.text  # the job page downloads it
    with database() as session:
        assert session.scalar(select(func.count()).select_from(StoredDocument)) == before + 1
    # Stored: anyone downloads it now, with no layout (the layout is not even importable).
    monkeypatch.setattr(isolation, "html_to_pdf", lambda source: pytest.fail("laid out again"))
    pdf = client.get(f"/international/rules/{rule_id}/annex.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert reader.get(f"/international/rules/{rule_id}/annex.pdf").data == pdf.data
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf.data)) as document:
        assert len(document.pages) >= 1
    assert "水泥" in _pdf_text(pdf.data)  # the rule's title is in the annex
    assert client.get(f"/international/rules/{rule_id}/factors").status_code in (302, 401)


def _pdf_text(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_the_factor_page_records_a_reference_value_through_its_form(demo, app, database):
    client = app.test_client()
    assert client.post_form("/login", {"username": "secretariat", "password": "workbench-demo"}).status_code == 302
    with database() as session:
        rule_id = cement(session).id
        factor_id = session.scalar(select(Factor.id).where(Factor.code == ELECTRICITY))
    page = client.get(f"/international/rules/{rule_id}/factors")
    assert page.status_code == 200 and ELECTRICITY in page.text
    refused = client.post_form(
        f"/international/rules/{rule_id}/factors",
        {"factor_id": factor_id, "value": "2", "unit": "kgCO2e/m", "source": "demo"},
    )
    assert refused.status_code == 422 and "kgCO2e/m" in refused.text
    added = client.post_form(
        f"/international/rules/{rule_id}/factors",
        {"factor_id": factor_id, "value": "0.45", "unit": "kgCO2e/kWh", "source": "EF 3.1 (demo)"},
    )
    assert added.status_code == 302
    shown = client.get(f"/international/rules/{rule_id}/factors")
    assert "EF 3.1 (demo)" in shown.text and "-22.1 %" in shown.text
    assert 'class="danger">删除</button>' in shown.text  # deleting looks like deleting
    listed = client.get("/international/")  # signed in: drafts the account may see are listed too
    with database() as session:
        assert all(f'href="/international/rules/{rule.id}"' in listed.text for rule in session.scalars(select(Rule)))
    client.post_form("/language", {"locale": "en"})
    english = client.get(f"/international/rules/{rule_id}/factors")
    trials_used = english.text.split("Trials used", 1)[1].split("</p>", 1)[0]
    assert ", " in trials_used and "、" not in trials_used  # the list in the locale's separator
    effects = english.text.split('class="effects"', 1)[1].split("</ul>", 1)[0]
    assert ": +" in effects or ": -" in effects


def test_the_effect_uses_each_calculations_own_factor_version_and_is_capped(demo, session, monkeypatch):
    """A calculation that used an older version of the factor in another unit (per MWh) gets the
    reference in that unit, not in the newest version's; and the recalculations are capped."""
    rule = cement(session)
    factor = session.scalar(select(Factor).where(Factor.code == ELECTRICITY))
    international.add_reference_value(
        session, factor, rule=rule, value=0.45, unit="kgCO2e/kWh", source="per-version", by=ADMIN
    )
    session.flush()
    (row,) = [row for row in international.factor_comparison(session, rule) if row.factor.code == ELECTRICITY]
    (reference,) = [item for item in row.references if item.record.source == "per-version"]
    before = {effect.calculation.id: effect.change for effect in reference.effects}
    # Make one calculation's version an older one in MWh: same value per kWh, other unit.
    calculation = reference.effects[0].calculation
    (used,) = [item for item in calculation.factor_versions if item.factor_id == factor.id]
    older = FactorVersion(
        factor_id=factor.id,
        version=0,
        snapshot={**used.snapshot, "unit": "kgCO2e/MWh", "value": used.snapshot["value"] * 1000},
    )
    monkeypatch.setattr(
        type(calculation),
        "factor_versions",
        property(
            lambda self: (
                [older if item.factor_id == factor.id else item for item in self.__dict__["factor_versions"]]
                if self.id == calculation.id
                else self.__dict__["factor_versions"]
            )
        ),
    )
    (row,) = [row for row in international.factor_comparison(session, rule) if row.factor.code == ELECTRICITY]
    (reference,) = [item for item in row.references if item.record.source == "per-version"]
    after = {effect.calculation.id: effect.change for effect in reference.effects}
    assert after[calculation.id] == pytest.approx(before[calculation.id], rel=1e-9)
    monkeypatch.setattr(international, "MAX_EFFECT_RUNS", 2)
    (row,) = [row for row in international.factor_comparison(session, rule) if row.factor.code == ELECTRICITY]
    assert row.capped and sum(len(item.effects) for item in row.references) < 3
