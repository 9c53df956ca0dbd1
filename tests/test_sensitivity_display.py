"""The sensitivity of a Monte Carlo result shown (issue 18): which inputs drive the spread, on the
trial's page (chart, sentence, table), in the feasibility report (per trial and by source group,
page, notes and workbook), in the API's result schema and in the command line's summary.

The main cases run the real engine on data made so that one input dominates the spread: the coal
line's amount (/lines/2) is drawn lognormal with a geometric standard deviation of 2, calcination
with 1.15 and electricity with 1.8 (both clearly beyond chance, far behind coal), every other line
within 2 % (within chance). Coal is not the largest contributor to the footprint (calcination is),
so a page that ordered by contribution instead of by share of the variance would fail."""

import copy
import io
import json
import statistics

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select

from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting.models import Rule
from workbench.trials import feasibility, service
from workbench.trials.cli import calc
from workbench.trials.models import Calculation, Trial

from .drafting_helpers import make_rule
from .trials_helpers import TESTER, cement_dataset

# lines of cement_dataset(): 烟煤 (energy, 300 kg), 外购电力 (energy, 54 kg), 碳酸盐分解 (process, 520 kg)
COAL, ELECTRICITY, CALCINATION = 2, 3, 4
ITERATIONS = 3000


def dominated(enterprise: str, wide: int = COAL) -> dict:
    """The cement data with every line's amount uncertain: line `wide` widely, coal or calcination
    (the other one) and electricity moderately, the rest narrowly."""
    data = copy.deepcopy(cement_dataset(enterprise))
    for line in data["lines"]:
        line["uncertainty"] = {"distribution": "lognormal", "gsd": 1.02}
    data["lines"][CALCINATION if wide == COAL else COAL]["uncertainty"] = {"distribution": "lognormal", "gsd": 1.15}
    data["lines"][ELECTRICITY]["uncertainty"] = {"distribution": "lognormal", "gsd": 1.8}
    data["lines"][wide]["uncertainty"] = {"distribution": "lognormal", "gsd": 2.0}
    return data


def page(response) -> lxml_html.HtmlElement:
    assert response.status_code == 200, response.text[:2000]
    return lxml_html.fromstring(response.text)


def text(element) -> str:
    return " ".join(element.text_content().split())


def cells(document, table_id: str) -> list[list[str]]:
    return [[text(cell) for cell in row.xpath("./td")] for row in document.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def create(session, rule, data) -> Trial:
    """A trial (calculated once as it is created; the tests calculate again where they say)."""
    return service.create_trial(session, rule, data=data, source="json", by=TESTER)


def latest(session, trial_id: int) -> Calculation:
    return session.scalars(select(Calculation).where(Calculation.trial_id == trial_id).order_by(Calculation.id)).all()[
        -1
    ]


# --- the trial's page ---------------------------------------------------------------------------------


def test_the_dominant_input_comes_first_on_the_trial_page(login, database, rule_id):
    with database() as session:
        trial_id = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司")).id
        session.commit()
    client = login(Role.DRAFTER)
    # the job path, as the page's form runs it (jobs run at once in the tests)
    response = client.post_form(
        f"/trials/{trial_id}/calculate",
        {"electricity": "rule", "allocation": "rule", "iterations": str(ITERATIONS), "seed": "5"},
    )
    assert response.status_code == 302
    with database() as session:
        calculation = latest(session, trial_id)
        stored = calculation.result["monte_carlo"]["sensitivity"]
        calculation_id = calculation.id
    top = stored["inputs"][0]
    assert (top["path"], top["kind"], top["label"]) == (f"/lines/{COAL}", "amount", "烟煤")
    assert top["share"] > 70  # σ 0.69 × 300 kg against 0.14 × 520 kg and 0.59 × 54 kg
    assert [item["path"] for item in stored["inputs"][:3]] == [
        f"/lines/{COAL}",
        f"/lines/{CALCINATION}",
        f"/lines/{ELECTRICITY}",
    ]
    assert all(item["share"] < 5 for item in stored["inputs"][3:])  # the narrow ones, if beyond chance at all

    document = page(client.get(f"/trials/{trial_id}?calculation={calculation_id}"))
    (section,) = document.xpath('//section[@id="sensitivity"]')
    assert text(section.xpath("./h3")[0]) == "敏感性（不确定性贡献）"

    # rank, the input (item, what is uncertain in it, its place: one cell), share, ρ: the share comes
    # right after the input, so that a phone shows it without scrolling
    rows = cells(document, "sensitivity-table")
    listed = stored["inputs"]
    assert len(rows) == len(listed) + (stored["others"] > 0)  # an "others" row only for a share left over
    headings = [text(cell) for cell in document.xpath('//table[@id="sensitivity-table"]/thead/tr/th')]
    assert headings == ["排名", "输入", "方差贡献 %", "ρ"]
    assert rows[0] == ["1", f"烟煤 活动数据数量 /lines/{COAL}", f"{top['share']:.1f}", f"{top['rho']:+.2f}"]
    places = document.xpath('//table[@id="sensitivity-table"]/tbody/tr/td[2]/code')
    assert [text(place) for place in places] == [item["path"] for item in listed]
    shown = [float(row[2]) for row in rows[: len(listed)]]
    assert shown == sorted(shown, reverse=True)

    # the chart: one bar per listed input, largest first, labelled by the item and below it what is
    # uncertain; no legend for the arrows of process exchanges when none is listed
    (chart,) = document.xpath('//figure[@id="chart-sensitivity"]')
    labels = chart.xpath(".//svg/text[@text-anchor='end']")
    assert text(labels[0]) == "烟煤 活动数据数量" and len(labels) == len(rows)
    assert text(labels[0].xpath("./tspan")[1]) == "活动数据数量"  # below the item, in its own line
    values = [text(value) for value in chart.xpath(".//svg/text[not(@text-anchor)]")]
    assert values[0] == f"{top['share']:.1f} %"
    assert not chart.xpath('.//*[@id="chart-sensitivity-legend"]')

    answer = text(document.xpath('//p[@id="sensitivity-answer"]')[0])
    second = listed[1]
    assert answer == (
        f"结果的离散主要来自：烟煤（活动数据数量）（{top['share']:.1f} %）、"
        f"{second['label']}（活动数据数量）（{second['share']:.1f} %）"
    )
    method = text(document.xpath('//p[@id="sensitivity-method"]')[0])
    assert f"方法：斯皮尔曼秩相关系数平方，归一化为 100 %；基于前 {stored['draws']:,} 次模拟" in method
    # the counts of draws with the page's thousands separators
    assert stored["draws"] >= 1000  # so that the separator is there to see
    assert f"{ITERATIONS:,} 次，随机种子 5" in text(document.xpath('//dd[@id="monte-carlo"]')[0])
    assert f"{ITERATIONS:,} 次模拟" in text(document.xpath('//figure[@id="chart-uncertainty"]/figcaption')[0])
    # the product output as the page writes quantities: 1000.0 is "1,000"
    assert text(document.xpath('//dt[.="产品产量"]/following-sibling::dd[1]')[0]) == "1,000 t · P·O 42.5 水泥"
    # the histogram stays above the sensitivity
    assert document.xpath('//figure[@id="chart-uncertainty"]/following::section[@id="sensitivity"]')


def test_inputs_beyond_the_ten_listed_are_shown_together(login, database, rule_id):
    data = copy.deepcopy(cement_dataset("华北水泥有限公司"))
    template = data["lines"][ELECTRICITY]
    data["lines"] += [
        {**template, "item": f"车间{index}用电", "amount": 400_000 + 20_000 * index} for index in range(12)
    ]
    for line in data["lines"]:
        line["uncertainty"] = {"distribution": "lognormal", "gsd": 1.5}
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), data)
        service.calculate(session, trial, by=TESTER, iterations=ITERATIONS, seed=8)
        stored = latest(session, trial.id).result["monte_carlo"]["sensitivity"]
        session.commit()
        trial_id = trial.id
    assert len(stored["inputs"]) == 10 and stored["others"] > 0
    unlisted = stored["count"] - 10 - stored.get("below_noise", 0)
    document = page(login(Role.DRAFTER).get(f"/trials/{trial_id}"))
    rows = cells(document, "sensitivity-table")
    assert len(rows) == 11 and rows[-1] == ["—", f"其他 {unlisted} 项", f"{stored['others']:.1f}", ""]
    labels = document.xpath('//figure[@id="chart-sensitivity"]//svg/text[@text-anchor="end"]')
    assert text(labels[-1]) == f"其他 {unlisted} 项"


def test_the_page_in_english_still_shows_the_sensitivity(login, database, rule_id):
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        service.calculate(session, trial, by=TESTER, iterations=ITERATIONS, seed=3)
        top = latest(session, trial.id).result["monte_carlo"]["sensitivity"]["inputs"][0]
        session.commit()
        trial_id = trial.id
    client = login(Role.DRAFTER)
    client.post_form("/language", {"locale": "en", "next": "/"})
    document = page(client.get(f"/trials/{trial_id}"))
    assert document.get("lang") == "en"
    rows = cells(document, "sensitivity-table")
    assert rows[0][1].startswith("烟煤 ") and rows[0][1].endswith(top["path"]) and rows[0][2] == f"{top['share']:.1f}"
    assert document.xpath('//figure[@id="chart-sensitivity"]//svg')
    # the method note and the note on ρ are two sentences, not run together
    method = document.xpath('//p[@id="sensitivity-method"]')[0]
    assert method.xpath("./br") and text(method).endswith(
        "A negative ρ: the larger this input, the smaller the result."
    )


def test_a_process_exchange_is_named_in_the_singular_with_a_legend_for_its_arrows(login, database, rule_id):
    """A rendering case: an exchange listed among the inputs, set by hand on a stored result. The
    page names what is uncertain in one input (msgctxt "sensitivity"), not the report's group of
    exchanges ("Process exchanges" in English)."""
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        service.calculate(session, trial, by=TESTER, iterations=500, seed=1)
        calculation = latest(session, trial.id)
        monte_carlo = calculation.result["monte_carlo"]
        exchange = {"kind": "exchange", "path": "/processes/1/inputs/0", "label": "水泥粉磨 ← 熟料"}
        exchange |= {"stage": None, "category": None, "rho": 0.9, "share": 77.5}
        sensitivity = {**monte_carlo["sensitivity"], "inputs": [exchange, *monte_carlo["sensitivity"]["inputs"][:2]]}
        calculation.result = {**calculation.result, "monte_carlo": {**monte_carlo, "sensitivity": sensitivity}}
        session.commit()
        trial_id = trial.id
    client = login(Role.DRAFTER)
    document = page(client.get(f"/trials/{trial_id}"))
    assert cells(document, "sensitivity-table")[0] == [
        "1",
        "水泥粉磨 ← 熟料 过程间交换量 /processes/1/inputs/0",
        "77.5",
        "+0.90",
    ]
    assert document.xpath('//*[@id="chart-sensitivity-legend"]')[0].text_content() == "← 过程的输入　→ 过程的产出"
    client.post_form("/language", {"locale": "en", "next": "/"})
    english = page(client.get(f"/trials/{trial_id}"))
    first = cells(english, "sensitivity-table")[0][1]
    assert first.startswith("水泥粉磨 ← 熟料 ") and "Process exchanges" not in first
    assert "Process exchanges" not in text(english.xpath('//p[@id="sensitivity-answer"]')[0])


def test_an_older_result_without_sensitivity_renders_without_the_section(login, database, rule_id):
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        service.calculate(session, trial, by=TESTER, iterations=500, seed=1)
        calculation = latest(session, trial.id)
        # as stored before issue 18: no "network", no "sensitivity"
        older = {
            key: value
            for key, value in calculation.result["monte_carlo"].items()
            if key not in ("network", "sensitivity")
        }
        calculation.result = {**calculation.result, "monte_carlo": older}
        session.commit()
        trial_id = trial.id
    client = login(Role.DRAFTER)
    document = page(client.get(f"/trials/{trial_id}"))
    assert document.xpath('//dd[@id="monte-carlo"]') and document.xpath('//figure[@id="chart-uncertainty"]')
    assert not document.xpath('//section[@id="sensitivity"]')
    assert not document.xpath('//dd[@id="monte-carlo-network"]')
    report = page(client.get(f"/drafting/{rule_id}/trials/report"))
    assert cells(report, "sources") == [["企业A", "未计算敏感性（请重新计算）"]]
    assert not report.xpath('//p[@id="sources-summary"]')


def test_the_network_line_says_what_was_drawn_and_what_was_solved_apart(login, database, rule_id):
    """A rendering case: the counts of draws solved one by one or left out are rare in real data,
    so they are set by hand on a stored result."""
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        service.calculate(session, trial, by=TESTER, iterations=500, seed=1)
        calculation = latest(session, trial.id)
        network = {"uncertain_exchanges": 7, "fallback_draws": 12, "excluded_draws": 3}
        calculation.result = {
            **calculation.result,
            "monte_carlo": {**calculation.result["monte_carlo"], "network": network},
        }
        session.commit()
        trial_id = trial.id
    line = text(page(login(Role.DRAFTER).get(f"/trials/{trial_id}")).xpath('//dd[@id="monte-carlo-network"]')[0])
    assert "7 项过程间交换量不确定" in line
    assert "12 次模拟的循环迭代未收敛，已逐次直接求解" in line
    assert "3 次模拟的过程网络无解（矩阵奇异），未计入统计" in line
    with database() as session:
        calculation = latest(session, trial_id)
        quiet = {"uncertain_exchanges": 7, "fallback_draws": 0, "excluded_draws": 0}
        calculation.result = {
            **calculation.result,
            "monte_carlo": {**calculation.result["monte_carlo"], "network": quiet},
        }
        session.commit()
    line = text(page(login(Role.DRAFTER).get(f"/trials/{trial_id}")).xpath('//dd[@id="monte-carlo-network"]')[0])
    assert "7 项过程间交换量不确定" in line and "逐次" not in line and "无解" not in line


# --- the feasibility report -----------------------------------------------------------------------------


def mean_share(results: list[dict], category: str) -> float:
    """The mean over trials of the shares of the listed inputs of one category."""
    return statistics.fmean(
        sum(item["share"] for item in result["monte_carlo"]["sensitivity"]["inputs"] if item["category"] == category)
        for result in results
    )


@pytest.fixture
def three_trials(database, rule_id):
    """Coal dominates the spread of two trials, calcination that of the third."""
    with database() as session:
        rule = session.get(Rule, rule_id)
        results = []
        for index, (enterprise, wide) in enumerate((("甲水泥", COAL), ("乙水泥", COAL), ("丙水泥", CALCINATION))):
            trial = create(session, rule, dominated(enterprise, wide))
            results.append(service.calculate(session, trial, by=TESTER, iterations=ITERATIONS, seed=index).result)
        session.commit()
    return results


def test_the_report_names_the_inputs_and_the_groups_that_drive_the_spread(login, rule_id, three_trials):
    energy, process = mean_share(three_trials, "energy"), mean_share(three_trials, "process_emissions")
    assert energy > 50 > process > 25  # two trials of three, each near 100 %
    client = login(Role.EVALUATOR)
    document = page(client.get(f"/drafting/{rule_id}/trials/report"))

    rows = cells(document, "sources")
    assert [row[0] for row in rows] == ["企业A", "企业B", "企业C"]
    trial_rows = document.xpath('//table[@id="sources"]/tbody/tr')
    for row, result, place in zip(trial_rows, three_trials, (COAL, COAL, CALCINATION), strict=True):
        inputs = result["monte_carlo"]["sensitivity"]["inputs"]
        items = row.xpath('.//ol[@class="ranked-sources"]/li')
        # the three largest, stacked in one cell (a phone shows them all), in order
        assert [item.get("data-path") for item in items] == [item["path"] for item in inputs[:3]]
        assert [text(item).split()[0] for item in items] == ["最大", "第二", "第三"]
        top = text(items[0])
        assert top.startswith("最大 " + ("能源使用 · 活动数据数量", "过程排放 · 活动数据数量")[place == CALCINATION])
        assert f"{inputs[0]['share']:.1f} %" in top and top.endswith(f"/lines/{place}")
        # a share and its percent sign do not part on a narrow screen
        assert item_percent_kept_whole(items[0])
    summary = text(document.xpath('//p[@id="sources-summary"]')[0])
    assert summary.startswith(
        f"本规则试算结果的离散主要来自：能源使用（平均 {energy:.1f} %）、过程排放（平均 {process:.1f} %）"
    )
    assert "3 项有敏感性分析的试算" in summary
    groups = document.xpath('//table[@id="source-groups"]/tbody/tr/@data-group')
    assert groups[:2] == ["energy", "process_emissions"]
    # the same sentence among the report's notes, after the uncertainty notes
    notes = [text(note) for note in document.xpath('//ul[@id="notes"]/li')]
    assert summary in notes
    # anonymised: the report names places and categories, never the enterprise's item names
    assert "烟煤" not in document.text_content() and "碳酸盐分解" not in document.text_content()

    english = login(Role.EVALUATOR)
    english.post_form("/language", {"locale": "en", "next": "/"})
    translated = page(english.get(f"/drafting/{rule_id}/trials/report"))
    assert [row[1].split()[-1] for row in cells(translated, "sources")] == [row[1].split()[-1] for row in rows]


def item_percent_kept_whole(item) -> bool:
    return "\u00a0%" in item.text_content()  # a no-break space joins the number and its sign


def test_an_exchange_is_named_once_in_the_report(login, database, rule_id):
    """A rendering case: a process exchange's group and kind have the same name (过程间交换量), which
    the report says once; the inputs are set by hand on a stored result."""
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        service.calculate(session, trial, by=TESTER, iterations=500, seed=1)
        calculation = latest(session, trial.id)
        monte_carlo = calculation.result["monte_carlo"]
        exchange = {"kind": "exchange", "path": "/processes/1/inputs/0", "category": None, "rho": 0.9, "share": 77.5}
        listed = monte_carlo["sensitivity"]["inputs"]
        sensitivity = {**monte_carlo["sensitivity"], "inputs": [exchange, *listed[:2]]}
        calculation.result = {**calculation.result, "monte_carlo": {**monte_carlo, "sensitivity": sensitivity}}
        session.commit()
    document = page(login(Role.EVALUATOR).get(f"/drafting/{rule_id}/trials/report"))
    first, second = document.xpath('//table[@id="sources"]//ol[@class="ranked-sources"]/li')[:2]
    assert text(first) == "最大 过程间交换量 77.5 % /processes/1/inputs/0"
    assert " · " in text(second)  # a line's input: its category, then what is uncertain in it
    share = text(document.xpath('//section[@id="quality"]/p')[0])
    paragraph = document.xpath('//section[@id="quality"]/p')[0].text_content()
    assert "\u00a0%" in paragraph and share.startswith("初级数据占比")  # a no-break space keeps 99.2 % whole


def test_the_report_workbook_lists_the_sources(login, rule_id, three_trials):
    response = login(Role.EVALUATOR).get(f"/drafting/{rule_id}/trials/report.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["数据质量"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    start = next(index for index, row in enumerate(values) if row[0] == "不确定性来源")
    header, first = values[start + 1], values[start + 2]
    assert header[:7] == ["企业", "排名", "不确定的量", "类别", "位置", "秩相关系数 ρ", "方差贡献（%）"]
    top = three_trials[0]["monte_carlo"]["sensitivity"]["inputs"][0]
    assert first[:5] == ["企业A", 1, "活动数据数量", "能源使用", f"/lines/{COAL}"]
    assert first[5] == pytest.approx(top["rho"]) and first[6] == pytest.approx(top["share"])
    groups = next(index for index, row in enumerate(values) if row[0] == "来源")
    assert values[groups + 1][:2] == ["能源使用", pytest.approx(mean_share(three_trials, "energy"))]
    assert any(str(row[0]).startswith("本规则试算结果的离散主要来自：能源使用") for row in values)


# --- the API and the command line ----------------------------------------------------------------------


def test_the_api_result_with_sensitivity_matches_its_schema(login, database, rule_id, validate_response):
    with database() as session:
        trial = create(session, session.get(Rule, rule_id), dominated("华北水泥有限公司"))
        calculation_id = service.calculate(session, trial, by=TESTER, iterations=1000, seed=2).id
        session.commit()
    response = login(Role.DRAFTER).get(f"/api/v1/calculations/{calculation_id}")
    validate_response("/api/v1/calculations/{calculation_id}", "get", response)
    monte_carlo = response.json["result"]["monte_carlo"]
    assert "network" in monte_carlo and monte_carlo["sensitivity"]["inputs"][0]["path"] == f"/lines/{COAL}"


def test_the_command_line_summary_prints_the_three_largest_inputs(tmp_path, session):
    rule = make_rule(session)
    rule_file, data_file = tmp_path / "rule.json", tmp_path / "data.json"
    rule_file.write_text(json.dumps(rule.revisions[-1].document, ensure_ascii=False), encoding="utf-8")
    data_file.write_text(json.dumps(dominated("甲水泥"), ensure_ascii=False), encoding="utf-8")
    arguments = [str(rule_file), str(data_file), "--monte-carlo", "2000", "--seed", "4"]
    outcome = CliRunner().invoke(calc, arguments)
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(CliRunner().invoke(calc, [*arguments, "--format", "json"]).output)
    inputs = report["monte_carlo"]["sensitivity"]["inputs"]
    lines = outcome.output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("敏感性 sensitivity"))
    printed = lines[start + 1 : start + 4]
    assert len(inputs) >= 3
    assert [line.split()[0] for line in printed] == [item["path"] for item in inputs[:3]]
    assert printed[0].split()[1] == "烟煤" and printed[0].endswith(f"{inputs[0]['share']:.1f} %")
    assert not lines[start + 4].startswith("  /lines/")


# --- grouping across trials (the report's arithmetic, on results written out) --------------------------


def outcome(label: str, inputs: list[tuple[str, str | None, float]], others: float = 0.0):
    """A usable trial whose Monte Carlo sensitivity lists `inputs` as (kind, category, share)."""
    listed = [
        {"kind": kind, "path": f"/lines/{index}", "label": f"项{index}", "stage": None, "category": category}
        | {"rho": share / 100, "share": share}
        for index, (kind, category, share) in enumerate(inputs)
    ]
    sensitivity = {"method": "spearman_squared", "draws": 2000, "count": len(listed) + 2, "inputs": listed}
    monte_carlo = {"p2_5": 1.0, "median": 2.0, "p97_5": 3.0, "sensitivity": sensitivity | {"others": others}}
    return feasibility.TrialOutcome(label, "", True, {"unit": "kg", "cfp_per_unit": 2.0, "monte_carlo": monte_carlo})


def test_exchanges_and_shared_factors_form_groups_of_their_own():
    data = feasibility.report(
        [
            outcome("企业A", [("exchange", None, 60.0), ("factor", None, 25.0), ("amount", "energy", 10.0)], 5.0),
            outcome("企业B", [("amount_and_factor", "energy", 70.0), ("exchange", None, 28.0)], 2.0),
            feasibility.TrialOutcome("企业C", "", True, {"unit": "kg", "cfp_per_unit": 2.0, "monte_carlo": None}),
        ]
    )
    sources = data["uncertainty_sources"]
    assert sources["n"] == 2 and [trial["label"] for trial in sources["trials"]] == ["企业A", "企业B"]
    means = {row["group"]: row["mean_percent"] for row in sources["groups"]}
    assert means == pytest.approx({"exchanges": 44.0, "energy": 40.0, "library_factors": 12.5})
    assert [row["group"] for row in sources["groups"]] == ["exchanges", "energy", "library_factors"]
    assert sources["unlisted_mean_percent"] == pytest.approx(3.5)
    # named while at least 10 % on average: all three here
    assert str(sources["summary"]) == (
        # a share and its percent sign joined by a no-break space: a narrow screen keeps them together
        "本规则试算结果的离散主要来自：过程间交换量（平均 44.0\u00a0%）、能源使用（平均 40.0\u00a0%）、因子库因子（平均 12.5\u00a0%）"
        "（2 项有敏感性分析的试算的平均）。"
    )
    assert sources["summary"] in data["notes"]
    assert feasibility.as_json(data)["uncertainty_sources"]["summary"] == str(sources["summary"])
    json.dumps(feasibility.as_json(data))  # JSON-ready


def test_a_report_without_sensitivities_has_no_summary():
    plain = feasibility.TrialOutcome("企业A", "", True, {"unit": "kg", "cfp_per_unit": 2.0, "monte_carlo": None})
    sources = feasibility.report([plain])["uncertainty_sources"]
    assert (sources["n"], sources["trials"], sources["groups"], sources["summary"]) == (0, [], [], None)
