"""TC548's coordination report (指引（十三）): the technical choices of related rules side by side and
every disagreement a finding, until the secretariat records why it is on purpose."""

import copy
import io
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from workbench.auth.permissions import Role
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.evaluation import coordination as core
from workbench.evaluation import coordination_report as report_service
from workbench.evaluation import coordination_views
from workbench.evaluation.models import CoordinationReason
from workbench.guideline import CATALOGUE, Severity
from workbench.guideline.articles import cite
from workbench.registry import service as registry

from .conftest import ADMIN, SECRETARIAT, Acting

ROOT = Path(__file__).resolve().parent.parent
CEMENT = json.loads((ROOT / "rule_templates/cfp-product-rule/1.1/examples/cement.json").read_text("utf-8"))
BASE = CEMENT["parameters"]


def facts(rule_id, name, parameters=None, *, product_id=None, parent_id=None, end_use="intermediate", aliases=()):
    product_id = product_id if product_id is not None else rule_id * 10
    return core.RuleFacts(
        rule_id=rule_id,
        code=f"CFP-R-{rule_id:04d}",
        title=f"温室气体 产品碳足迹量化方法与要求 {name}",
        product_id=product_id,
        product_name=name,
        parameters=copy.deepcopy(BASE) if parameters is None else parameters,
        product_aliases=tuple(aliases),
        parent_id=parent_id,
        end_use=end_use,
    )


def changed(**changes) -> dict:
    """The cement parameters with `changes`: keys are paths joined by "__"."""
    parameters = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = parameters
        for part in parents:
            target = target[part]
        target[last] = value
    return parameters


TREE = {1: None, 2: 1, 3: 1}  # 建材 with two children
NAMES = {1: "建筑材料", 2: "水泥", 3: "石灰"}


def siblings(first: dict, second: dict, *, end_uses=("intermediate", "intermediate")) -> core.Report:
    return core.compare(
        [
            facts(1, "水泥", first, product_id=2, parent_id=1, end_use=end_uses[0]),
            facts(2, "石灰", second, product_id=3, parent_id=1, end_use=end_uses[1]),
        ],
        parents=TREE,
        names=NAMES,
    )


# --- the pure core: each finding, and nothing else -------------------------------------------------


def test_related_rules_with_the_same_choices_have_no_finding():
    result = siblings(changed(), changed())
    assert result.disagreements == [] and result.explained == []
    assert [row.code for row in result.rows] == ["CFP-R-0001", "CFP-R-0002"]


BREAKS = [
    ("gwp_set", {"gwp_set": "IPCC-AR5-GWP100"}, "coordination_gwp_set", "/parameters/gwp_set"),
    ("cut_off", {"cut_off__total_percent": 3}, "coordination_cut_off", "/parameters/cut_off"),
    ("cut_off", {"cut_off__per_item_percent": 0.5}, "coordination_cut_off", "/parameters/cut_off"),
    (
        "electricity_method",
        {"electricity__grid_factor": "regional_average"},
        "coordination_electricity",
        "/parameters/electricity/grid_factor",
    ),
    (
        "electricity_method",
        {"electricity__contractual_instruments_allowed": False},
        "coordination_electricity",
        "/parameters/electricity/grid_factor",
    ),
    (
        "electricity_year",
        {"electricity__grid_factor_year": "latest"},
        "coordination_electricity",
        "/parameters/electricity/grid_factor_year",
    ),
    ("data_period", {"data_period": "最近连续三个自然年"}, "coordination_data_period", "/parameters/data_period"),
    ("allocation", {"allocation__method": "economic"}, "coordination_allocation", "/parameters/allocation/method"),
    (
        "primary_data",
        {"primary_data_share": "activity_and_factor"},
        "coordination_primary_data",
        "/parameters/primary_data_share",
    ),
    (
        "primary_data",
        {"primary_data_stages": ["raw_material_acquisition", "production"]},
        "coordination_primary_data",
        "/parameters/primary_data_share",
    ),
    (
        "data_quality",
        {"data_quality_method": "采用数据质量评级（DQR）评价"},
        "coordination_data_quality",
        "/parameters/data_quality_method",
    ),
    (
        "boundary",
        {"system_boundary__type": "cradle_to_grave"},
        "coordination_boundary",
        "/parameters/system_boundary/type",
    ),
]


@pytest.mark.parametrize(
    ("choice", "change", "code", "path"), BREAKS, ids=[f"{b[0]}-{i}" for i, b in enumerate(BREAKS)]
)
def test_changing_exactly_one_choice_gives_exactly_its_finding(choice, change, code, path):
    result = siblings(changed(), changed(**change))
    assert [(item.choice, item.finding.code, item.finding.path) for item in result.disagreements] == [
        (choice, code, path)
    ]
    found = result.disagreements[0].finding
    assert found.article == cite(13)
    assert found.severity == (Severity.ERROR if code == "coordination_gwp_set" else Severity.WARNING)
    # The message names both rules and what to do.
    assert "CFP-R-0001（水泥）" in found.message and "CFP-R-0002（石灰）" in found.message
    assert "秘书处记录差异的理由" in found.message and "同属“建筑材料”" in found.message


def test_every_coordination_code_of_the_catalogue_is_broken_by_a_test():
    codes = {code for code in CATALOGUE if code.startswith("coordination_")}
    assert codes == {code for _, _, code, _ in BREAKS}


def test_the_message_gives_both_values():
    found = siblings(changed(), changed(gwp_set="IPCC-AR5-GWP100")).disagreements[0].finding
    assert "CFP-R-0001（水泥） 为 IPCC-AR6-GWP100" in found.message
    assert "CFP-R-0002（石灰） 为 IPCC-AR5-GWP100" in found.message
    found = siblings(changed(), changed(cut_off__total_percent=3)).disagreements[0].finding
    assert "单项 1 %，累计 5 %" in found.message and "单项 1 %，累计 3 %" in found.message


def test_the_unit_is_shown_but_never_compared():
    result = siblings(changed(), changed(declared_unit={"description": "1 t 生石灰", "quantity": 1, "unit": "t"}))
    assert result.disagreements == []
    assert result.rows[1].choices["unit"].shown == "1 t 生石灰"


def test_spacing_and_a_final_full_stop_are_not_a_different_data_period():
    result = siblings(changed(), changed(data_period="最近一个完整自然年（1 月 1 日至  12 月 31 日）。"))
    assert result.disagreements == []


def test_a_choice_one_rule_leaves_out_is_not_compared():
    parameters = changed()
    del parameters["electricity"]["grid_factor_year"]
    assert siblings(changed(electricity__grid_factor_year="latest"), parameters).disagreements == []


def test_unrelated_products_are_not_compared():
    result = core.compare(
        [
            facts(1, "钢材", changed(), product_id=2),
            facts(2, "平板玻璃", changed(gwp_set="IPCC-AR5-GWP100"), product_id=5),
        ],
        parents={2: None, 5: None},
        names={2: "钢材", 5: "平板玻璃"},
    )
    assert result.disagreements == []


def test_final_and_intermediate_products_may_differ_in_boundary():
    result = siblings(changed(), changed(system_boundary__type="cradle_to_grave"), end_uses=("intermediate", "final"))
    assert result.disagreements == []
    # …but not in GWP set.
    result = siblings(
        changed(),
        changed(system_boundary__type="cradle_to_grave", gwp_set="IPCC-AR5-GWP100"),
        end_uses=("intermediate", "final"),
    )
    assert [item.finding.code for item in result.disagreements] == ["coordination_gwp_set"]


def test_an_ancestor_relates_rules_through_products_without_rules():
    # 建材 (rule) → 无机非金属材料 (no rule) → 水泥 (rule)
    result = core.compare(
        [
            facts(1, "建筑材料", changed(), product_id=1),
            facts(2, "水泥", changed(gwp_set="IPCC-AR5-GWP100"), product_id=3),
        ],
        parents={1: None, 2: 1, 3: 2},
        names={1: "建筑材料", 2: "无机非金属材料", 3: "水泥"},
    )
    assert [(item.relation, item.finding.code) for item in result.disagreements] == [
        (core.ANCESTOR, "coordination_gwp_set")
    ]
    assert "“建筑材料”是“水泥”的上级产品" in result.disagreements[0].finding.message


def test_two_rules_of_one_product_are_related():
    result = core.compare(
        [
            facts(1, "水泥", changed(), product_id=2),
            facts(2, "水泥", changed(allocation__method="economic"), product_id=2),
        ]
    )
    assert [(item.relation, item.finding.code) for item in result.disagreements] == [
        (core.SAME_PRODUCT, "coordination_allocation")
    ]


def aluminium(**changes) -> dict:
    parameters = changed(**changes)
    parameters["unit_processes"] = [
        {"id": "electrolysis", "name": "电解", "stage": "production", "data_source": "site"},
        {
            "id": "alumina",
            "name": "外购氧化铝的生产",
            "stage": "raw_material_acquisition",
            "data_source": "background",
        },
    ]
    parameters["greenhouse_gases"] = [{"gas": "PFC", "source": "阳极效应"}]
    parameters["electricity"]["conditions"] = "自备电厂按其实际燃料消耗计算因子"
    return parameters


def test_electricity_is_an_input_of_every_rule_with_an_electricity_section():
    rules = [
        facts(1, "电解铝", aluminium(), product_id=10),
        facts(2, "电力", changed(electricity__grid_factor_year="latest", gwp_set="IPCC-AR5-GWP100"), product_id=20),
    ]
    result = core.compare(rules, parents={10: None, 20: None}, names={10: "电解铝", 20: "电力"})
    assert [(item.relation, item.choice) for item in result.disagreements] == [
        (core.INPUT, "gwp_set"),
        (core.INPUT, "electricity_year"),
    ]
    assert "“电力”是“电解铝”的输入" in result.disagreements[0].finding.message
    # Without an electricity section, and with no mention of electricity, there is no relation.
    lean = aluminium()
    del lean["electricity"]
    rules[0] = facts(1, "电解铝", lean, product_id=10)
    assert core.compare(rules, parents={10: None, 20: None}, names={10: "电解铝", 20: "电力"}).disagreements == []


def test_a_product_named_in_unit_processes_is_an_input():
    rules = [
        facts(1, "电解铝", aluminium(), product_id=10),
        facts(2, "氧化铝", changed(cut_off__total_percent=3), product_id=30, aliases=("铝",)),
    ]
    result = core.compare(rules, parents={10: None, 30: None}, names={10: "电解铝", 30: "氧化铝"})
    assert [(item.relation, item.finding.code) for item in result.disagreements] == [
        (core.INPUT, "coordination_cut_off")
    ]
    # A one-character alias alone does not make an input: "铝" is in too many words.
    rules[1] = facts(2, "矾土", changed(cut_off__total_percent=3), product_id=30, aliases=("铝",))
    assert core.compare(rules, parents={10: None, 30: None}, names={10: "电解铝", 30: "矾土"}).disagreements == []


def test_a_reason_silences_exactly_that_pair_and_choice():
    rules = [
        facts(1, "水泥", changed(), product_id=2, parent_id=1),
        facts(2, "石灰", changed(gwp_set="IPCC-AR5-GWP100", cut_off__total_percent=3), product_id=3, parent_id=1),
        facts(3, "石膏", changed(cut_off__total_percent=3), product_id=4, parent_id=1),
    ]
    parents = {**TREE, 4: 1}
    plain = core.compare(rules, parents=parents, names=NAMES)
    assert {(item.pair, item.choice) for item in plain.disagreements} == {
        ((1, 2), "gwp_set"),
        ((1, 2), "cut_off"),
        ((1, 3), "cut_off"),
        ((2, 3), "gwp_set"),
    }
    result = core.compare(rules, parents=parents, names=NAMES, reasons={(1, 2, "cut_off"): "石灰窑工艺所限"})
    assert {(item.pair, item.choice) for item in result.disagreements} == {
        ((1, 2), "gwp_set"),
        ((1, 3), "cut_off"),
        ((2, 3), "gwp_set"),
    }
    assert [(item.pair, item.choice, item.reason) for item in result.explained] == [
        ((1, 2), "cut_off", "石灰窑工艺所限")
    ]


def test_the_report_is_deterministic():
    rules = [
        facts(
            index,
            f"产品{index}",
            changed(gwp_set="IPCC-AR5-GWP100") if index % 3 else changed(),
            product_id=100 + index,
            parent_id=1,
        )
        for index in range(1, 12)
    ]
    parents = {1: None, **{100 + index: 1 for index in range(1, 12)}}
    first = core.compare(rules, parents=parents)
    shuffled = rules[:]
    random.Random(4).shuffle(shuffled)
    second = core.compare(shuffled, parents=parents)
    assert [item.finding.message for item in first.disagreements] == [
        item.finding.message for item in second.disagreements
    ]
    assert [row.rule_id for row in first.rows] == [row.rule_id for row in second.rows]


def test_300_rules_and_2000_standards_each_get_a_row_and_disagreements_are_found():
    generator = random.Random(7)
    rules, parents, names = [], {}, {}
    product_id = 1
    for branch in range(30):
        root = product_id
        parents[root], names[root] = None, f"门类{branch}"
        product_id += 1
        for _ in range(10):
            name = f"产品{product_id}"
            parents[product_id], names[product_id] = root, name
            parameters = changed()
            if generator.random() < 0.3:
                parameters["gwp_set"] = "IPCC-AR5-GWP100"
            parameters["unit_processes"][1]["name"] += f"、产品{generator.randrange(2, 330)}"
            rules.append(facts(product_id, name, parameters, product_id=product_id, parent_id=root))
            product_id += 1
    standards = [core.StandardFacts(index, f"T/X {index}-2024", "标准", None, "") for index in range(2000)]
    result = core.compare(rules, standards=standards, parents=parents, names=names)  # make bench times it
    assert len(result.rows) == 2300 and result.disagreements


# --- over the database ------------------------------------------------------------------------------


def product(session, name, *, parent=None, end_use="intermediate", aliases=None):
    return registry.create_product(
        session,
        registry.ProductInput(name=name, side="production", end_use=end_use, parent=parent, aliases=aliases),
        by=ADMIN,
    )


def rule_for(session, item, **changes):
    rule = drafting.create_rule(session, product=item, by=ADMIN, today=date.today())
    if changes:
        document = copy.deepcopy(drafting.revision(session, rule).document)
        for path, value in changes.items():
            *parents, last = path.split("__")
            target = document["parameters"]
            for part in parents:
                target = target[part]
            target[last] = value
        drafting.save_revision(session, rule, document, message="改", based_on=rule.current_revision, by=ADMIN)
    return rule


@pytest.fixture
def branch(database):
    """建筑材料 → 水泥 (AR6) and 石灰 (AR5): one GWP finding; 电力 with another grid-factor year."""
    with database() as session:
        parent = product(session, "建筑材料")
        cement = rule_for(session, product(session, "水泥", parent=parent))
        lime = rule_for(session, product(session, "石灰", parent=parent), gwp_set="IPCC-AR5-GWP100")
        session.commit()
        return {"cement": cement.id, "lime": lime.id, "parent": parent.id}


def test_the_report_reads_every_rule_and_the_published_standards_without_a_rule(database, branch):
    with database() as session:
        registry.create_standard(
            session,
            registry.StandardInput(
                level="group",
                numbers="T/CISA 469—2024",
                title="温室气体 产品碳足迹量化方法与要求 钢材",
                status="published",
                published_on=date(2024, 10, 1),
                association="中国钢铁工业协会",
            ),
            by=ADMIN,
            check=False,
        )
        result = report_service.report(session)
        assert [row.rule_id for row in result.rows if row.rule_id] == [branch["cement"], branch["lime"]]
        drafted_elsewhere = [row for row in result.rows if row.rule_id is None]
        assert [(row.designation, row.choices) for row in drafted_elsewhere] == [("T/CISA 469—2024", None)]
        assert [(item.pair, item.choice) for item in result.disagreements] == [
            ((branch["cement"], branch["lime"]), "gwp_set")
        ]
        cement = session.get(Rule, branch["cement"])
        assert [found.code for found in report_service.findings_for_standard(session, cement.standard)] == [
            "coordination_gwp_set"
        ]


def test_explain_records_a_reason_that_silences_the_difference_and_can_be_withdrawn(database, branch):
    with database() as session:
        cement, lime = session.get(Rule, branch["cement"]), session.get(Rule, branch["lime"])
        with pytest.raises(InvalidInput):
            report_service.explain(session, cement, lime, "gwp_set", "   ", by=SECRETARIAT)
        with pytest.raises(InvalidInput):
            report_service.explain(session, cement, lime, "colour", "理由", by=SECRETARIAT)
        with pytest.raises(InvalidInput):
            report_service.explain(session, cement, cement, "gwp_set", "理由", by=SECRETARIAT)
        with pytest.raises(AccessDenied):
            report_service.explain(session, cement, lime, "gwp_set", "理由", by=Acting(Role.EVALUATOR))
        # Given in either order, stored lower id first.
        record = report_service.explain(session, lime, cement, "gwp_set", "石灰沿用行业核算指南的 AR5", by=SECRETARIAT)
        assert (record.rule_id, record.other_rule_id) == (branch["cement"], branch["lime"])
        with pytest.raises(Conflict):
            report_service.explain(session, cement, lime, "gwp_set", "再说一次", by=SECRETARIAT)
        session.commit()
        result = report_service.report(session)
        assert result.disagreements == []
        assert [item.reason for item in result.explained] == ["石灰沿用行业核算指南的 AR5"]
        report_service.remove_reason(session, record, by=SECRETARIAT)
        session.commit()
        assert [item.choice for item in report_service.report(session).disagreements] == ["gwp_set"]


def test_the_electricity_rule_is_set_against_a_consumers_electricity(database):
    with database() as session:
        rule_for(session, product(session, "电解铝"))
        rule_for(session, product(session, "电力"), electricity__grid_factor_year="latest", gwp_set="IPCC-AR5-GWP100")
        result = report_service.report(session)
        assert [(item.relation, item.finding.code) for item in result.disagreements] == [
            (core.INPUT, "coordination_gwp_set"),
            (core.INPUT, "coordination_electricity"),
        ]


def test_the_workbook_has_the_choices_and_the_findings(database, branch):
    with database() as session:
        content = report_service.report_xlsx(report_service.report(session))
    book = load_workbook(io.BytesIO(content))
    choices, findings = book.worksheets
    assert choices.title == "技术选择对照" and findings.title == "协调性问题"
    assert [row[0] for row in choices.iter_rows(min_row=2, values_only=True)] == ["CFP-R-0001", "CFP-R-0002"]
    gwp_column = [cell.value for cell in choices[1]].index("GWP 数据集")
    assert [row[gwp_column] for row in choices.iter_rows(min_row=2, values_only=True)] == [
        "IPCC-AR6-GWP100",
        "IPCC-AR5-GWP100",
    ]
    rows = list(findings.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][2] == "GWP 数据集" and "IPCC-AR5-GWP100" in rows[0][6]


# --- pages, API, command ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [(None, 302), (Role.DRAFTER, 403), (Role.ASSOCIATION, 403)])
def test_the_report_is_refused_to_the_public_and_drafters(login, branch, role, status):
    assert login(role).get("/coordination/").status_code == status
    assert login(role).get("/coordination/report.xlsx").status_code == status


def test_the_secretariat_reads_the_report_and_records_a_reason(login, branch, database):
    client = login(Role.SECRETARIAT)
    page = client.get("/coordination/")
    assert page.status_code == 200
    assert "协调性问题" in page.text and "IPCC-AR5-GWP100" in page.text and "table-scroll" in page.text
    assert f"pair-{branch['cement']}-{branch['lime']}" in page.text
    # Refused: no reason. The form comes back with what was chosen.
    form = {"rule": branch["cement"], "other_rule": branch["lime"], "choice": "gwp_set", "reason": ""}
    refused = client.post_form("/coordination/reasons", form)
    assert refused.status_code == 422 and "请写明两项规则在这项技术选择上有意不同的理由" in refused.text
    done = client.post_form("/coordination/reasons", {**form, "reason": "石灰沿用行业指南"})
    assert done.status_code == 302
    page = client.get("/coordination/")
    assert f"pair-{branch['cement']}-{branch['lime']}" not in page.text and "石灰沿用行业指南" in page.text
    with database() as session:
        assert session.query(CoordinationReason).count() == 1
        reason_id = session.query(CoordinationReason).one().id
    assert client.post_form(f"/coordination/reasons/{reason_id}/remove").status_code == 302
    assert f"pair-{branch['cement']}-{branch['lime']}" in client.get("/coordination/").text


def test_an_evaluator_reads_but_may_not_record_a_reason(login, branch):
    client = login(Role.EVALUATOR)
    page = client.get("/coordination/")
    assert page.status_code == 200 and "reason-form" not in page.text
    form = {"rule": branch["cement"], "other_rule": branch["lime"], "choice": "gwp_set", "reason": "理由"}
    assert client.post_form("/coordination/reasons", form).status_code == 403
    assert login(Role.DRAFTER).post_form("/coordination/reasons", form).status_code == 403


def test_the_page_narrows_to_a_product_branch(login, branch, database):
    with database() as session:
        rule_for(session, product(session, "平板玻璃"))
        session.commit()
    client = login(Role.SECRETARIAT)
    page = client.get(f"/coordination/?branch={branch['parent']}")
    table = page.text.split('id="choices-table"')[1].split("</table>")[0]
    assert page.status_code == 200 and "水泥" in table and "平板玻璃" not in table


def test_the_workbook_downloads(login, branch):
    response = login(Role.SECRETARIAT).get("/coordination/report.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).worksheets[0].max_row == 3


def test_the_api_gives_the_report_and_records_reasons(login, branch, validate_response):
    client = login(Role.SECRETARIAT)
    response = client.get("/api/v1/coordination")
    assert response.status_code == 200
    validate_response("/api/v1/coordination", "get", response)
    assert [item["code"] for item in response.json["findings"]] == ["coordination_gwp_set"]
    body = {"rule_id": branch["lime"], "other_rule_id": branch["cement"], "choice": "gwp_set", "reason": "有意不同"}
    assert login(Role.EVALUATOR).api("POST", "/api/v1/coordination/reasons", json=body).status_code == 403
    response = client.api("POST", "/api/v1/coordination/reasons", json=body)
    assert response.status_code == 201, response.json
    validate_response("/api/v1/coordination/reasons", "post", response)
    assert response.json["rule_id"] == branch["cement"]
    assert client.get("/api/v1/coordination").json["findings"] == []
    assert client.api("POST", "/api/v1/coordination/reasons", json={**body, "choice": "unit"}).status_code == 422
    assert login(Role.DRAFTER).get("/api/v1/coordination").status_code == 403
    withdrawn = client.api("POST", f"/api/v1/coordination/reasons/{response.json['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert len(client.get("/api/v1/coordination").json["findings"]) == 1


def test_the_command_prints_the_report(cli_runner, branch, tmp_path):
    result = cli_runner("coordination", "report", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [item["code"] for item in document["findings"]] == ["coordination_gwp_set"]
    assert document["rows"][0]["choices"]["gwp_set"] == "IPCC-AR6-GWP100"
    table = cli_runner("coordination", "report")
    assert "coordination_gwp_set" in table.output
    target = tmp_path / "report.xlsx"
    assert cli_runner("coordination", "report", "--format", "xlsx", "--output", str(target)).exit_code == 0
    assert load_workbook(target).worksheets[1].max_row == 2


# --- paging -------------------------------------------------------------------------------------------


@pytest.fixture
def three_rules(database, branch):
    """The branch with a third rule, 石膏 (AR5): two pairs of rules disagree, (水泥, 石灰) and
    (水泥, 石膏), each on the GWP set; 石灰 and 石膏 agree."""
    with database() as session:
        parent = session.get(Rule, branch["cement"]).product.parent
        gypsum = rule_for(session, product(session, "石膏", parent=parent), gwp_set="IPCC-AR5-GWP100")
        session.commit()
        return {**branch, "gypsum": gypsum.id}


def findings_shown(page) -> list[str]:
    return re.findall(r'id="pair-(\d+-\d+)"', page.text)


def test_the_findings_are_paged_by_pair_with_the_total_and_the_branch_kept(login, three_rules, monkeypatch):
    monkeypatch.setattr(coordination_views, "FINDINGS_PAGE", 1)
    cement, lime, gypsum, parent = (three_rules[key] for key in ("cement", "lime", "gypsum", "parent"))
    client = login(Role.SECRETARIAT)
    first = client.get(f"/coordination/?branch={parent}")
    assert first.status_code == 200
    assert findings_shown(first) == [f"{cement}-{lime}"]
    assert "共 2 项问题" in first.text and "第 1 / 2 页，共 2 条" in first.text
    # Every rule's choices are on every page; the summary counts all the findings.
    assert first.text.count('<tr id="rule-') == 3 and "错误 2，警告 0" in first.text
    assert f'href="/coordination/?branch={parent}&amp;page=2#findings"' in first.text
    second = client.get(f"/coordination/?branch={parent}&page=2")
    assert second.status_code == 200
    assert findings_shown(second) == [f"{cement}-{gypsum}"]
    assert "第 2 / 2 页，共 2 条" in second.text
    assert f'href="/coordination/?branch={parent}#findings"' in second.text  # back to the first page
    # The link that fills the reason form keeps the reader on their page.
    assert (
        f'href="/coordination/?branch={parent}&amp;page=2&amp;rule={cement}&amp;other={gypsum}'
        '&amp;choice=gwp_set#reason-form"'
    ) in second.text


@pytest.mark.parametrize("page", ["3", "0", "-1", "100001"])
def test_a_page_that_does_not_exist_is_not_found(login, three_rules, monkeypatch, page):
    monkeypatch.setattr(coordination_views, "FINDINGS_PAGE", 1)
    client = login(Role.SECRETARIAT)
    assert client.get(f"/coordination/?page={page}").status_code == 404
    assert client.get(f"/coordination/?standards={page}").status_code == 404


def test_without_findings_the_first_page_is_still_the_page(login, database):
    page = login(Role.SECRETARIAT).get("/coordination/?page=1")
    assert page.status_code == 200 and "相关产品的规则之间没有未说明理由的差异" in page.text
    assert login(Role.SECRETARIAT).get("/coordination/?page=2").status_code == 404


def test_recording_a_reason_from_a_page_comes_back_to_it(login, three_rules, monkeypatch, database):
    monkeypatch.setattr(coordination_views, "FINDINGS_PAGE", 1)
    cement, lime, gypsum = three_rules["cement"], three_rules["lime"], three_rules["gypsum"]
    client = login(Role.SECRETARIAT)
    form = {"rule": cement, "other_rule": lime, "choice": "gwp_set", "reason": "石灰沿用行业指南"}
    # Refused: the page it was sent from comes back, with what was typed.
    refused = client.post_form("/coordination/reasons?page=2", {**form, "reason": ""})
    assert refused.status_code == 422 and findings_shown(refused) == [f"{cement}-{gypsum}"]
    # The first pair explained, page 2 is gone: the reader lands on the last page there is.
    done = client.post_form("/coordination/reasons?page=2", form)
    assert done.status_code == 302 and done.headers["Location"].endswith("/coordination/#findings")
    page = client.get("/coordination/")
    assert findings_shown(page) == [f"{cement}-{gypsum}"] and "第 1 / 2 页" not in page.text


def test_standards_drafted_elsewhere_are_counted_and_listed_collapsed_a_page_at_a_time(login, branch, monkeypatch):
    monkeypatch.setattr(coordination_views, "STANDARDS_PAGE", 1)
    client = login(Role.SECRETARIAT)
    with client.application.app_context():
        from workbench.db import db

        for number in ("T/CISA 469—2024", "T/CBMF 201—2023"):
            registry.create_standard(
                db.session,
                registry.StandardInput(
                    level="group",
                    numbers=number,
                    title=f"温室气体 产品碳足迹量化方法与要求 {number}",
                    status="published",
                    published_on=date(2024, 10, 1),
                    association="中国建筑材料联合会",
                ),
                by=ADMIN,
                check=False,
            )
        db.session.commit()
    first = client.get("/coordination/")
    assert "未在工作台起草的标准：2 项" in first.text
    listed = first.text.split('id="not-drafted"')[1].split("</details>")[0]
    assert "T/CBMF 201—2023" in listed and "T/CISA 469—2024" not in listed
    assert 'href="/coordination/?standards=2#not-drafted"' in first.text
    # The rules' table has only rules; the workbook keeps every standard.
    assert "T/CBMF 201—2023" not in first.text.split('id="choices-table"')[1].split("</table>")[0]
    second = client.get("/coordination/?standards=2")
    assert "T/CISA 469—2024" in second.text.split('id="not-drafted"')[1].split("</details>")[0]
    assert '<details class="panel" id="not-drafted" open>' in second.text
    book = load_workbook(io.BytesIO(client.get("/coordination/report.xlsx").data))
    assert book.worksheets[0].max_row == 5  # the header, two rules, two standards


def test_the_page_writes_the_text_of_rules_and_products_escaped(login, database):
    with database() as session:
        parent = product(session, "<b>建材</b>")
        rule_for(session, product(session, "<i>水泥</i>", parent=parent), gwp_set="IPCC-AR5-GWP100")
        rule_for(session, product(session, "石灰", parent=parent))
        session.commit()
    page = login(Role.SECRETARIAT).get("/coordination/")
    assert "<b>" not in page.text and "<i>" not in page.text
    finding = page.text.split('<li class="finding finding-error">')[1].split("</li>")[0]
    assert "&lt;b&gt;建材&lt;/b&gt;" in finding and "&lt;i&gt;水泥&lt;/i&gt;" in finding
    assert page.text.count('<li class="finding finding-error">') == 1


# --- the memo of revision parameters ------------------------------------------------------------------


def parameter_reads(session):
    """The revision ids of each statement that reads revisions' parameters (or documents), as sent."""
    statements: list[list[int]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "rule_revisions.parameters" in statement or "rule_revisions.document" in statement:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            statements.append([value for value in values if isinstance(value, int)])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    return statements, lambda: event.remove(engine, "before_cursor_execute", seen)


def test_a_newly_saved_revision_is_in_the_next_report_and_forget_parameters_empties_the_memo(database, branch):
    with database() as session:
        report_service.forget_parameters()
        assert [item.choice for item in report_service.report(session).disagreements] == ["gwp_set"]
        cement = drafting.revision(session, session.get(Rule, branch["cement"])).id
        statements, stop = parameter_reads(session)
        try:
            # Kept: the same revisions are not read again.
            assert [item.choice for item in report_service.report(session).disagreements] == ["gwp_set"]
            assert statements == []
            # 石灰 saves a revision with 水泥's GWP set: the next report reads it (and only it).
            lime = session.get(Rule, branch["lime"])
            document = copy.deepcopy(drafting.revision(session, lime).document)
            document["parameters"]["gwp_set"] = "IPCC-AR6-GWP100"
            drafting.save_revision(session, lime, document, message="统一", based_on=lime.current_revision, by=ADMIN)
            session.commit()
            saved = drafting.revision(session, lime)
            new = saved.id
            assert saved.parameters == saved.document["parameters"]  # the copy the report reads
            statements.clear()
            result = report_service.report(session)
            assert result.disagreements == []
            assert [row.choices["gwp_set"].value for row in result.rows] == ["IPCC-AR6-GWP100"] * 2
            assert statements == [[new]]
            # Emptied, the memo is filled again from the database: every current revision.
            report_service.forget_parameters()
            statements.clear()
            assert report_service.report(session).disagreements == []
            assert len(statements) == 1 and sorted(statements[0]) == sorted([cement, new])
        finally:
            stop()
