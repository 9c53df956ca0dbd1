"""Trials (试算) stored per rule revision: anonymised labels, calculations that name the factor
versions they used, carrying trials to a new revision, the live "three enterprises" gate, the
feasibility report, and the pages (table form, Excel template and upload, JSON, results, report)."""

import copy
import html
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from workbench.audit.archiving import archive
from workbench.audit.models import AuditEvent
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import Conflict, InvalidInput, StaleVersion
from workbench.factors import service as factor_service
from workbench.trials import engine, service, workbook
from workbench.trials.models import Calculation, Trial
from workbench.workflow import service as workflow

from .conftest import ADMIN
from .drafting_helpers import make_rule
from .trials_helpers import CEMENT_CFP, TESTER, cement_dataset, make_trial


def library_factor(session, code="COAL-CFP", value=2500.0, tier="government", name="烟煤"):
    return factor_service.create_factor(
        session,
        factor_service.FactorInput(
            code=code, name=name, value=value, unit="kgCO2e/t", kind="cfp_life_cycle", tier=tier, source="测试来源"
        ),
        by=ADMIN,
    )


def with_library_coal(data: dict, code="COAL-CFP") -> dict:
    data = copy.deepcopy(data)
    data["lines"][2]["factor"] = {"id": code}
    return data


# --- the service ----------------------------------------------------------------------------------


def test_a_trial_is_calculated_at_once_and_labelled_for_the_report(session):
    rule = make_rule(session)
    trial = make_trial(session, rule)
    (calculation,) = trial.calculations
    assert calculation.usable and calculation.cfp_per_unit == pytest.approx(CEMENT_CFP, rel=1e-12)
    assert calculation.unit == "kg CO2e/t" and (calculation.errors, calculation.warnings) == (0, 0)
    assert trial.label == "企业A" and trial.revision.number == rule.current_revision
    stored = calculation.result
    assert stored["by_stage"]["production"] == pytest.approx(300 + 54 + 520 + 0.3)
    assert stored["monte_carlo"] is None  # no line gives an uncertainty: nothing to simulate
    data = cement_dataset("乙厂")
    data["lines"][4]["uncertainty"] = {"pedigree": [2, 2, 1, 1, 2]}
    uncertain = service.create_trial(session, rule, data=data, source="json", by=TESTER).calculations[0]
    mc = uncertain.result["monte_carlo"]
    assert mc["iterations"] == service.MONTE_CARLO_ITERATIONS and uncertain.options["seed"] == mc["seed"]
    assert stored["scenarios"]["electricity"]["grid"]["cfp_per_unit"] == pytest.approx(CEMENT_CFP)
    assert calculation.dataset == trial.dataset  # the data it used, kept with it


def test_the_same_enterprise_keeps_its_label_and_others_get_the_next_letter(session):
    rule = make_rule(session)
    assert [make_trial(session, rule, name).label for name in ("甲厂", "乙厂", "丙厂")] == ["企业A", "企业B", "企业C"]
    assert service.label_for(session, rule, " 乙 厂 ") == "企业B"  # however it is typed
    assert service.label_for(session, rule, "丁厂") == "企业D"
    assert [service._label(n) for n in (0, 25, 26, 27, 701, 702)] == [
        "企业A",
        "企业Z",
        "企业AA",
        "企业AB",
        "企业ZZ",
        "企业AAA",
    ]


def test_one_active_trial_per_enterprise_and_revision(session):
    rule = make_rule(session)
    make_trial(session, rule, "甲厂")
    with pytest.raises(InvalidInput, match="已有试算（企业A）"):
        make_trial(session, rule, "甲厂")


def test_a_malformed_dataset_is_refused_naming_the_line_and_nothing_is_stored(session):
    rule = make_rule(session)
    data = cement_dataset()
    data["lines"][3]["amount"] = "九万"
    with pytest.raises(InvalidInput) as refused:
        service.create_trial(session, rule, data=data, source="json", by=TESTER)
    assert refused.value.details["problems"][0]["path"] == "/lines/3/amount"
    assert "外购电力" in refused.value.details["problems"][0]["message"]
    assert session.scalar(select(func.count(Trial.id))) == 0


def test_unusable_data_are_kept_with_the_problems_that_stop_the_calculation(session):
    rule = make_rule(session)
    data = with_library_coal(cement_dataset(), code="NOT-IN-LIBRARY")
    trial = service.create_trial(session, rule, data=data, source="json", by=TESTER)
    (calculation,) = trial.calculations
    assert not calculation.usable and calculation.cfp_per_unit is None
    assert [problem["code"] for problem in calculation.result["problems"]] == ["factor_unresolved"]
    assert calculation.result["problems"][0]["path"] == "/lines/2/factor/id"
    assert service.trial_enterprises(session, rule) == 0  # it proves nothing yet


def test_a_calculation_names_the_factor_versions_it_used_and_keeps_them(session):
    rule = make_rule(session)
    factor = library_factor(session)
    trial = service.create_trial(session, rule, data=with_library_coal(cement_dataset()), source="json", by=TESTER)
    first = trial.calculations[0]
    assert [(v.factor_id, v.version) for v in first.factor_versions] == [(factor.id, 1)]
    assert first.cfp_per_unit == pytest.approx(CEMENT_CFP, rel=1e-12)

    data = factor_service.FactorInput(
        code="COAL-CFP",
        name="烟煤",
        value=2600,
        unit="kgCO2e/t",
        kind="cfp_life_cycle",
        tier="government",
        source="新版",
    )
    factor_service.update_factor(session, factor, data, by=ADMIN)
    second = service.calculate(session, trial, by=TESTER, iterations=0)
    assert [v.version for v in second.factor_versions] == [2]
    assert second.cfp_per_unit == pytest.approx(CEMENT_CFP + 0.12 * 100, rel=1e-12)
    session.expire_all()
    assert [v.version for v in session.get(Calculation, first.id).factor_versions] == [1]  # as it was


def test_a_library_factor_of_a_higher_tier_for_the_same_item_is_pointed_out(session):
    rule = make_rule(session)
    library_factor(session, code="COAL-MEASURED", tier="measured_verified", name="烟煤")
    data = cement_dataset()  # 烟煤 with an inline government factor
    trial = service.create_trial(session, rule, data=data, source="json", by=TESTER)
    findings = trial.calculations[0].result["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("factor_lower_tier", "/lines/2/factor/tier")]


def test_the_same_seed_gives_the_same_uncertainty(session):
    rule = make_rule(session)
    data = cement_dataset()
    data["lines"][4]["uncertainty"] = {"distribution": "lognormal", "gsd": 1.2}
    trial = service.create_trial(session, rule, data=data, source="json", by=TESTER)
    one = service.calculate(session, trial, by=TESTER, iterations=2000, seed=7).result["monte_carlo"]
    two = service.calculate(session, trial, by=TESTER, iterations=2000, seed=7).result["monte_carlo"]
    assert one == two and one["sd"] > 0
    histogram = one["histogram"]
    assert len(histogram["edges"]) == engine.HISTOGRAM_BINS + 1 and len(histogram["counts"]) == engine.HISTOGRAM_BINS
    assert 0.98 * 2000 <= sum(histogram["counts"]) <= 2000  # 0.5 %–99.5 % of the draws


def test_calculation_options_are_checked(session):
    rule = make_rule(session)
    trial = make_trial(session, rule)
    with pytest.raises(InvalidInput, match="电力核算方式"):
        service.calculate(session, trial, by=TESTER, electricity="cheapest")
    with pytest.raises(InvalidInput, match="蒙特卡洛"):
        service.calculate(session, trial, by=TESTER, iterations=10**6)


def test_new_data_make_a_new_version_and_the_old_calculation_keeps_its_data(session):
    rule = make_rule(session)
    trial = make_trial(session, rule)
    data = cement_dataset(scale=2.0)
    service.update_trial(session, trial, data=data, source="json", by=TESTER, expected_version=1)
    first, second = trial.calculations
    assert (trial.version, first.trial_version, second.trial_version) == (2, 1, 2)
    assert first.dataset["lines"][0]["amount"] == 1300 and second.dataset["lines"][0]["amount"] == 2600
    assert second.cfp_per_unit == pytest.approx(CEMENT_CFP + 2.6 + 300, rel=1e-12)
    with pytest.raises(StaleVersion):
        service.update_trial(session, trial, data=data, source="json", by=TESTER, expected_version=1)
    events = session.scalars(select(AuditEvent).where(AuditEvent.record_type == "trial")).all()
    assert [event.action for event in events] == ["created", "updated"]
    assert events[1].changes == {"dataset": {"before": "[redacted]", "after": "[redacted]"}}  # not the data


def test_the_gate_counts_enterprises_calculated_on_the_current_revision(session):
    rule = make_rule(session)
    for name in ("甲厂", "乙厂", "丙厂"):
        make_trial(session, rule, name)
    assert service.trial_enterprises(session, rule) == 3
    assert workflow.facts(session, rule, date.today()).trial_enterprises == 3

    document = copy.deepcopy(drafting.revision(session, rule).document)
    document["parameters"]["cut_off"]["per_item_percent"] = 0.5
    drafting.save_revision(session, rule, document, message="改取舍", based_on=rule.current_revision, by=TESTER)
    assert service.trial_enterprises(session, rule) == 0  # the changed rule must be proven again

    copied = service.carry_forward(session, rule, by=TESTER)
    assert [trial.label for trial in copied] == ["企业A", "企业B", "企业C"]
    assert all(trial.revision.number == rule.current_revision for trial in copied)
    assert service.trial_enterprises(session, rule) == 3
    with pytest.raises(InvalidInput, match="没有试算"):
        service.carry_forward(session, make_rule(session, name="平板玻璃"), by=TESTER)


def test_archived_trials_leave_the_gate_and_the_report(session):
    rule = make_rule(session)
    trials = [make_trial(session, rule, name, scale=scale) for name, scale in (("甲", 1.0), ("乙", 1.5), ("丙", 2.0))]
    archive(session, trials[1], reason="数据有误")
    assert service.trial_enterprises(session, rule) == 2
    report = service.report(session, trials[0].revision)
    assert [row["label"] for row in report["results"]] == ["企业A", "企业C"]
    assert report["spread"]["max"] == pytest.approx(CEMENT_CFP + 2 * (2.6 + 300) - (2.6 + 300), rel=1e-12)


def test_the_feasibility_report_spans_the_trials_of_a_revision(session):
    rule = make_rule(session)
    for name, scale in (("甲", 1.0), ("乙", 1.2), ("丙", 0.8)):
        make_trial(session, rule, name, scale=scale)
    report = service.report(session, drafting.revision(session, rule))
    values = [CEMENT_CFP + (scale - 1) * 302.6 for scale in (1.0, 1.2, 0.8)]
    assert (report["trials"], report["enterprises"], report["calculated"]) == (3, 3, 3)
    assert report["spread"]["min"] == pytest.approx(min(values)) and report["spread"]["max"] == pytest.approx(
        max(values)
    )
    assert [row["stage"] for row in report["stages"]] == ["raw_material_acquisition", "production"]
    assert report["stages"][1]["dominant_in"] == 3


def test_published_or_archived_rules_take_no_trials(session):
    rule = make_rule(session)
    rule.stage = "60"
    with pytest.raises(Conflict, match="已出版"):
        make_trial(session, rule)


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def test_trials_are_confidential_to_the_drafting_group_but_the_report_is_not(login, database, rule_id):
    with database() as session:
        trial_id = make_trial(session, session.get(Rule, rule_id), "保密水泥厂").id
        session.commit()
    drafter = login(Role.DRAFTER)
    assert "保密水泥厂" in drafter.get(f"/drafting/{rule_id}/trials").text
    assert "保密水泥厂" in drafter.get(f"/trials/{trial_id}").text
    evaluator = login(Role.EVALUATOR)
    assert evaluator.get(f"/drafting/{rule_id}/trials").status_code == 403
    assert evaluator.get(f"/trials/{trial_id}").status_code == 403
    assert evaluator.get(f"/trials/{trial_id}/dataset.json").status_code == 403
    report = evaluator.get(f"/drafting/{rule_id}/trials/report")
    assert report.status_code == 200 and "企业A" in report.text and "保密水泥厂" not in report.text
    assert login(None).get(f"/drafting/{rule_id}/trials/report").status_code == 302  # sign in first


def test_the_trials_page_shows_where_each_visible_rules_trials_stand(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        for enterprise, scale in (("保密水泥厂", 1.0), ("另一水泥厂", 1.2)):
            service.calculate(session, make_trial(session, rule, enterprise, scale), by=TESTER, iterations=0)
        elsewhere = make_rule(session, name="平板玻璃", name_en="Flat glass")  # no working group of the drafter's
        session.commit()
        results = sorted(c.cfp_per_unit for c in session.scalars(select(Calculation)))
        codes = rule.code, elsewhere.code
    page = login(Role.DRAFTER).get("/trials")
    assert page.status_code == 200
    rows = page.text.split('id="rule-trials"', 1)[1]
    assert codes[0] in rows and codes[1] not in rows  # a drafter sees their working groups' rules
    assert "2/3" in rows and "未满足" in rows  # two of the three enterprises the gate asks for
    assert f"{results[0]:.1f}" in rows and f"{results[1]:.1f}" in rows
    assert "保密水泥厂" not in page.text  # enterprises stay on the rule's own trial list
    secretariat = login(Role.SECRETARIAT).get("/trials").text
    assert codes[0] in secretariat and codes[1] in secretariat
    evaluator = login(Role.EVALUATOR).get("/trials").text  # the figures of the feasibility report only
    rows = evaluator.split('id="rule-trials"', 1)[1]
    assert codes[0] in rows and f"/drafting/{rule_id}/trials/report" in rows and codes[1] not in rows
    assert f'href="/drafting/{rule_id}/trials"' not in rows and "保密水泥厂" not in evaluator
    assert login(None).get("/trials").status_code == 302  # sign in first


def _statements(app, client, url: str) -> int:
    """How many SQL statements one request runs."""
    with app.app_context():
        engine = db.engine
    executed = []

    def count(*_args):
        executed.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(executed)


def test_the_trials_page_costs_the_same_statements_however_many_rules_and_trials(app, login, database, rule_id):
    client = login(Role.DRAFTER)
    client.get("/trials")  # the session's first request loads the account
    few = _statements(app, client, "/trials")
    with database() as session:
        rule = session.get(Rule, rule_id)
        for index in range(4):
            service.calculate(
                session, make_trial(session, rule, f"第{index}水泥厂", 1 + index / 10), by=TESTER, iterations=0
            )
        for name in ("平板玻璃", "电解铝"):
            make_rule(session, name=name, name_en=name, working_group=rule.working_group)
        session.commit()
    page = client.get("/trials").text
    assert page.count("/trials/report") == 3 and "4/3" in page  # three rules now, one with four trials
    assert _statements(app, client, "/trials") == few


def test_results_in_different_units_give_no_range(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        first, second = (service.calculate(session, make_trial(session, rule, name), by=TESTER) for name in "甲乙")
        assert first.usable and second.usable and first.unit == second.unit
        second.unit = "kg CO2e/kg"  # as a result stored under another declared unit would read
        session.commit()
    row = login(Role.SECRETARIAT).get("/trials").text.split('id="rule-trials"', 1)[1]
    assert "结果的单位不一" in row and " – " not in row


def test_the_result_page_shows_the_numbers_and_the_charts(login, database, rule_id):
    data = cement_dataset()
    data["lines"][2]["uncertainty"] = {"pedigree": [2, 3, 1, 2, 1]}
    with database() as session:
        trial_id = service.create_trial(session, session.get(Rule, rule_id), data=data, source="json", by=TESTER).id
        session.commit()
    page = login(Role.DRAFTER).get(f"/trials/{trial_id}").text
    assert '<p class="headline" id="cfp"><strong>889.9</strong> kg CO2e/t</p>' in page
    for chart in ("chart-stages", "chart-contributions", "chart-uncertainty"):
        assert f'<figure class="chart" id="{chart}">' in page
    assert "<script" not in page.split("<main", 1)[-1]  # drawn on the server
    assert "碳酸盐分解" in page and "数据符合规则的要求" in page


def table_form(data: dict, **extra) -> dict:
    form = {
        "enterprise": data["enterprise"],
        "period": data["period"],
        "quantity": str(data["reference_flow"]["quantity"]),
        "unit": data["reference_flow"]["unit"],
        "product": data["reference_flow"]["product"],
    }
    rows = workbook.rows_from_dataset(data)
    form["rows"] = str(len(rows))
    for index, row in enumerate(rows):
        for key, value in row.items():
            form[f"line-{index}-{key}"] = "" if value is None else str(value)
    form.update(extra)
    return form


def test_the_table_form_saves_a_trial_that_calculates_like_the_json(login, database, rule_id):
    client = login(Role.DRAFTER)
    assert client.get(f"/drafting/{rule_id}/trials/new").status_code == 200
    response = client.post_form(f"/drafting/{rule_id}/trials/new", table_form(cement_dataset()))
    assert response.status_code == 302, response.text
    with database() as session:
        trial = session.scalars(select(Trial)).one()
        assert trial.source.value == "form" and trial.dataset["lines"] == cement_dataset()["lines"]
        assert trial.calculations[0].cfp_per_unit == pytest.approx(CEMENT_CFP, rel=1e-12)


def test_a_refused_table_keeps_every_cell_and_names_the_row(login, database, rule_id):
    client = login(Role.DRAFTER)
    form = table_form(cement_dataset(), **{"line-3-amount": "九万千瓦时"})
    response = client.post_form(f"/drafting/{rule_id}/trials/new", form)
    assert response.status_code == 422
    assert (
        "第 4 行" in response.text and 'value="九万千瓦时"' in response.text and 'value="碳酸盐分解"' in response.text
    )
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0


def test_more_rows_saves_nothing(login, database, rule_id):
    client = login(Role.DRAFTER)
    form = table_form(cement_dataset(), more="1")
    page = client.post_form(f"/drafting/{rule_id}/trials/new", form)
    assert page.status_code == 200 and 'name="line-15-item"' in page.text and 'value="碳酸盐分解"' in page.text
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 0


def test_the_excel_template_comes_back_as_a_trial(login, database, rule_id):
    client = login(Role.DRAFTER)
    response = client.get(f"/drafting/{rule_id}/trials/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    info, production = book["基本信息"], book["生产"]
    for row in info.iter_rows(min_row=1):
        label = str(row[0].value or "")
        if "企业名称" in label:
            row[1].value = "上传水泥厂"
        elif "产品产量" in label:
            row[1].value = 1000
        elif "产量单位" in label:
            row[1].value = "t"
    headers = {str(cell.value): cell.column for cell in production[1] if cell.value}

    def column(key):
        return next(index for header, index in headers.items() if f"({key})" in header)

    row = production.max_row + 1
    for key, value in {
        "category": "过程排放",
        "item": "碳酸盐分解",
        "amount": 520,
        "unit": "t",
        "data_type": "初级数据",
        "source": "实测",
        "factor_value": 1000,
        "factor_unit": "kgCO2/t",
        "factor_tier": "measured_verified",
        "factor_source": "企业实测",
    }.items():
        production.cell(row=row, column=column(key), value=value)
    content = io.BytesIO()
    book.save(content)
    upload = client.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(content.getvalue()), "企业填报.xlsx")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.text
    with database() as session:
        trial = session.scalars(select(Trial)).one()
        assert (trial.enterprise, trial.source.value) == ("上传水泥厂", "xlsx")
        assert trial.calculations[0].cfp_per_unit == pytest.approx(520.0, rel=1e-12)


def test_an_uploaded_json_dataset_and_a_bad_file(login, database, rule_id):
    client = login(Role.DRAFTER)
    good = json.dumps(cement_dataset("JSON 水泥厂"), ensure_ascii=False).encode()
    response = client.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(good), "data.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    bad = client.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(b"enterprise;amount\n"), "data.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "另存为” Excel 工作簿（.xlsx）" in bad.text
    broken = client.post_form(
        f"/drafting/{rule_id}/trials/upload",
        {"file": (io.BytesIO(b'{"enterprise": '), "data.json")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and "JSON 文件无法读取" in broken.text
    with database() as session:
        assert session.scalar(select(func.count(Trial.id))) == 1


def test_the_json_editor_and_recalculation(login, database, rule_id):
    with database() as session:
        trial_id = make_trial(session, session.get(Rule, rule_id)).id
        session.commit()
    client = login(Role.DRAFTER)
    data = cement_dataset(scale=2.0)
    response = client.post_form(
        f"/trials/{trial_id}/json", {"dataset": json.dumps(data, ensure_ascii=False), "enterprise": "", "version": "1"}
    )
    assert response.status_code == 302
    broken = client.post_form(f"/trials/{trial_id}/json", {"dataset": "{", "enterprise": "", "version": "2"})
    assert broken.status_code == 422 and "不是有效的 JSON" in broken.text
    again = client.post_form(
        f"/trials/{trial_id}/calculate", {"electricity": "grid", "allocation": "rule", "iterations": "0", "seed": ""}
    )
    assert again.status_code == 302
    with database() as session:
        calculations = session.get(Trial, trial_id).calculations
        assert len(calculations) == 3 and calculations[-1].options["electricity"] == "grid"
        assert calculations[-1].result["monte_carlo"] is None


def test_the_report_exports_as_xlsx(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        for name in ("甲", "乙", "丙"):
            make_trial(session, rule, name)
        session.commit()
    response = login(Role.EVALUATOR).get(f"/drafting/{rule_id}/trials/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert "各企业结果" in book.sheetnames
    labels = [row[0] for row in book["各企业结果"].iter_rows(min_row=2, values_only=True)]
    assert labels == ["企业A", "企业B", "企业C"]


def test_the_demo_cement_rule_has_three_plants_and_passes_the_trials_gate(cli_runner, database):
    output = cli_runner("demo").output
    assert "新建演示试算 12 份" in output  # every demo trial: the cement plants' and the staged rules' (3 × 3)
    assert "新建演示试算 0 份" in cli_runner("demo").output  # loads once
    with database() as session:
        rule = session.scalar(select(Rule).where(Rule.title.endswith("水泥")))
        assert service.trial_enterprises(session, rule) == 3
        report = service.report(session, drafting.revision(session, rule))
        assert report["calculated"] == 3
        assert [(gap["code"], gap["labels"]) for gap in report["gaps"]] == [("primary_data_missing", ["企业C"])]
        assert 600 < report["spread"]["min"] < report["spread"]["max"] < 900  # kg CO2e/t: real cement range
        trial = session.scalars(select(Trial).where(Trial.rule_id == rule.id)).first()
        (version,) = trial.calculations[-1].factor_versions
        assert version.snapshot["geography"] == "全国" and version.snapshot["data_year"] == 2024


def test_nan_and_infinity_are_refused_by_place(session):
    rule = make_rule(session)
    data = cement_dataset()
    data["lines"][1]["amount"] = float("nan")
    data["reference_flow"]["quantity"] = float("inf")
    with pytest.raises(InvalidInput) as refused:
        service.create_trial(session, rule, data=data, source="json", by=TESTER)
    paths = [problem["path"] for problem in refused.value.details["problems"]]
    assert "/lines/1/amount" in paths and "/reference_flow/quantity" in paths


def test_an_archived_trial_is_not_calculated_and_a_restore_never_duplicates_an_enterprise(session):
    rule = make_rule(session)
    first = make_trial(session, rule, "甲厂")
    service.set_archived(session, first, True, reason="重报", by=TESTER)
    with pytest.raises(Conflict, match="已归档"):
        service.calculate(session, first, by=TESTER)
    make_trial(session, rule, "甲 厂")  # the enterprise reports again
    with pytest.raises(InvalidInput, match="已有试算"):
        service.set_archived(session, first, False, by=TESTER)
    rule.stage = "60"
    with pytest.raises(Conflict, match="已出版"):
        service.set_archived(session, first, False, by=TESTER)


def test_the_report_keeps_the_enterprises_own_words_out(login, database, rule_id):
    data = cement_dataset("海螺芜湖")
    data["period"] = "2025（海螺芜湖）"
    data["lines"][2]["item"] = "海螺芜湖自备电厂烟煤"
    data["lines"][2]["data_type"] = "statistical"  # primary_data_missing, whose message quotes the item
    with database() as session:
        service.create_trial(session, session.get(Rule, rule_id), data=data, source="json", by=TESTER)
        session.commit()
    evaluator = login(Role.EVALUATOR)
    for url in (f"/drafting/{rule_id}/trials/report", f"/api/v1/rules/{rule_id}/feasibility"):
        page = evaluator.get(url)
        assert page.status_code == 200 and "primary_data_missing" in page.text and "海螺" not in page.text
    book = load_workbook(io.BytesIO(evaluator.get(f"/drafting/{rule_id}/trials/report.xlsx").data))
    assert not any("海螺" in str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


def test_a_scenario_calculation_does_not_replace_the_result_of_record(session):
    rule = make_rule(session)
    trial = make_trial(session, rule)
    service.calculate(session, trial, by=TESTER, electricity="grid", allocation="economic", iterations=0)
    assert [c.of_record for c in trial.calculations] == [True, False]
    (row,) = service.report(session, trial.revision)["results"]
    assert row["cfp_per_unit"] == pytest.approx(CEMENT_CFP) and service.trial_enterprises(session, rule) == 1
    assert service.latest_calculations(session, [trial.id])[trial.id].of_record is False  # the page shows it


def test_odd_ids_in_the_query_are_not_found_and_visitors_learn_nothing(login, client, database, rule_id):
    with database() as session:
        trial_id = make_trial(session, session.get(Rule, rule_id)).id
        session.commit()
    drafter = login(Role.DRAFTER)
    assert drafter.get(f"/drafting/{rule_id}/trials?revision=3000000000").status_code == 404
    assert drafter.get(f"/trials/{trial_id}/dataset.json?calculation=3000000000").status_code == 200  # the current data
    assert client.get(f"/trials/{trial_id}").status_code == client.get("/trials/999999").status_code == 302


# --- template 1.1: the rule's GWP set, primary-data share and performance classes --------------------


def revise(session, rule, **parameters):
    """Save the rule's next revision with `parameters` changed."""
    document = copy.deepcopy(drafting.revision(session, rule).document)
    document["parameters"].update(parameters)
    drafting.save_revision(session, rule, document, message="改参数", based_on=rule.current_revision, by=TESTER)


def test_a_trial_computes_with_the_rules_gwp_set_and_primary_data_share(session):
    rule = make_rule(session)
    revise(session, rule, gwp_set="IPCC-AR5-GWP100", primary_data_share="site_activity")
    data = cement_dataset()
    # 500 kg of CF4 from the plant over the period: 0.5 kg per tonne of cement, no factor needed.
    data["lines"].append(
        {
            "stage": "production",
            "category": "process_emissions",
            "item": "四氟化碳逸散",
            "amount": 500,
            "unit": "kg CF4",
            "data_type": "primary",
            "source": "监测记录",
        }
    )
    (calculation,) = make_trial_with(session, rule, data).calculations
    assert calculation.usable, calculation.result
    assert calculation.cfp_per_unit == pytest.approx(CEMENT_CFP + 0.5 * 6630, rel=1e-12)
    stored = calculation.result
    assert stored["gwp"]["set"] == "IPCC-AR5-GWP100" and stored["gwp"]["values"]["CF4"] == 6630
    assert "AR5" in stored["gwp"]["source"]
    assert stored["primary_data_share_basis"] == "site_activity"
    # primary activity data: coal 300, electricity 54, calcination 520, kiln dust 0.3, CF4 3315
    primary = 300 + 54 + 520 + 0.3 + 3315
    assert stored["primary_data_share"] == pytest.approx(100 * primary / (CEMENT_CFP + 3315), rel=1e-12)


def make_trial_with(session, rule, data):
    return service.create_trial(session, rule, data=data, source="json", by=TESTER)


def test_performance_classes_proposed_from_the_revisions_results(session):
    rule = make_rule(session)
    for name, scale in (("甲", 1.0), ("乙", 1.2), ("丙", 0.8)):
        make_trial(session, rule, name, scale=scale)
    revision = drafting.revision(session, rule)
    outcome = service.proposed_classes(session, revision, 3)
    # 829.38, 889.9, 950.42: the thirds at 869.73 and 910.07, the largest 950.42, rounded up
    assert outcome["trials"] == 3 and outcome["unit"] == "kg CO2e/t"
    assert outcome["proposal"]["classes"] == [
        {"grade": "1 级", "upper_limit": 870},
        {"grade": "2 级", "upper_limit": 911},
        {"grade": "3 级", "upper_limit": 951},
    ]
    assert f"第 {revision.number} 版 3 份试算结果" in outcome["proposal"]["basis"]
    five = service.proposed_classes(session, revision, 5)
    assert five["proposal"] is None and "至少需要 5 份" in five["reason"]
    with pytest.raises(InvalidInput):
        service.proposed_classes(session, revision, 4)


def test_the_classes_page_proposes_without_saving(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        for name, scale in (("甲", 1.0), ("乙", 1.2), ("丙", 0.8)):
            make_trial(session, rule, name, scale=scale)
        session.commit()
        revisions = session.scalar(
            select(func.count()).select_from(RuleRevision).where(RuleRevision.rule_id == rule_id)
        )
    drafter = login(Role.DRAFTER)
    trials_page = drafter.get(f"/drafting/{rule_id}/trials").text
    assert "根据试算结果建议分级" in trials_page and f"/drafting/{rule_id}/trials/classes" in trials_page
    page = drafter.get(f"/drafting/{rule_id}/trials/classes").text
    table = page.split('id="classes"', 1)[1].split("</table>", 1)[0]
    assert '<td lang="zh-CN">1 级</td><td>870</td>' in table and '<td lang="zh-CN">3 级</td><td>951</td>' in table
    copied = json.loads(
        html.unescape(page.split('id="proposal-json"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
    )
    assert copied["classes"][1] == {"grade": "2 级", "upper_limit": 911} and copied["basis"]
    five = drafter.get(f"/drafting/{rule_id}/trials/classes?grades=5").text
    assert 'id="no-proposal"' in five and "至少需要 5 份" in five
    assert drafter.get(f"/drafting/{rule_id}/trials/classes?grades=4").status_code == 404
    assert login(Role.EVALUATOR).get(f"/drafting/{rule_id}/trials/classes").status_code == 403
    with database() as session:  # nothing saved
        assert (
            session.scalar(select(func.count()).select_from(RuleRevision).where(RuleRevision.rule_id == rule_id))
            == revisions
        )


def test_the_result_page_names_the_primary_share_definition_and_the_gwp_source(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        extra = {"kind": "declared_unit", "description": "1 t 熟料", "quantity": 1, "unit": "t"}
        revise(session, rule, additional_units=[{**extra, "reference_product": "熟料"}])
        data = cement_dataset()
        data["additional_reference_flows"] = [{"product": "熟料", "quantity": 800, "unit": "t"}]
        trial_id = make_trial_with(session, rule, data).id
        session.commit()
    page = login(Role.DRAFTER).get(f"/trials/{trial_id}").text
    assert (
        '<dt lang="zh-CN">1 t 熟料</dt><dd class="additional-unit">1,112 kg CO2e/t</dd>' in page
    )  # 889.9 × 1000 / 800
    share = page.split('id="primary-share">', 1)[1].split("</dd>", 1)[0]
    assert "现场活动数据" in share  # a new rule says site activity data (template 1.1's default)
    assert "IPCC AR6 WG1" in page.split('id="gwp">', 1)[1].split("</dd>", 1)[0]


def test_a_direct_emission_row_of_the_table_needs_no_factor(session):
    data = cement_dataset()
    data["lines"].append(
        {
            "stage": "production",
            "category": "process_emissions",
            "item": "六氟化硫泄漏",
            "amount": 2,
            "unit": "kg SF6",
            "data_type": "primary",
            "source": "设备台账",
        }
    )
    assert workbook.representable(data)  # the table and the Excel template can hold it
    row = workbook.rows_from_dataset(data)[-1]
    line, problems = workbook.line_from_row(row, "production", "第 7 行")
    assert problems == [] and line == data["lines"][-1]
    (calculation,) = make_trial_with(session, make_rule(session), data).calculations
    assert calculation.cfp_per_unit == pytest.approx(CEMENT_CFP + 2 * 25200 / 1000, rel=1e-12)
