"""Issue 19, the SAMR and MEE officials' everyday path on the demo data, in the system Chromium
against `workbench serve`: the home page, the lists (the priority product catalogue and a batch of
it), the calls for proposals and one call, the proposals inbox, the coverage against the 2027 and
2030 targets (its charts drawn), the registry and a standard in it, the adoption applications and
one application, the evaluation overview, an evaluation, the TC548 coordination report, the
reference factors and one factor. Walked in Chinese, in English (no interface Chinese left) and at
390 px (nothing past the screen); see tests/persona_walk.py."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .page_checks import HAN
from .persona_walk import Walk, report, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser

CHART_IDS = ("burn-up-chart", "levels-chart")
CHARTS_DRAWN = f"() => window.Chart && {list(CHART_IDS)}.every((id) => window.Chart.getChart(id))"
# The legends' labels and the axis labels of both charts.
CHART_LABELS = f"""() => {list(CHART_IDS)}.flatMap((id) => {{
  const chart = window.Chart.getChart(id);
  return [...chart.data.datasets.map((set) => String(set.label)), ...chart.data.labels.map(String)];
}})"""


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def ministry_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")

    walk.follow("nav.primary a[href='/catalogue/']", "lists")
    lists = page.url
    walk.follow("#priority-list a[href^='/catalogue/batches/']", "priority-batch")
    walk.open(lists, "lists-again")
    walk.follow("main a[href='/catalogue/calls']", "calls")
    walk.follow("main a[href^='/catalogue/calls/']:not([href$='/new'])", "call")
    walk.follow("main a[href='/proposals']", "proposals")

    walk.open(lists, "lists-again")
    walk.follow("main a[href='/coverage']", "coverage")

    # The charts are drawn on canvases, where the page checks cannot read: their legends and
    # labels are read from Chart.js itself and must be in the page's language too.
    try:
        page.wait_for_function(CHARTS_DRAWN, timeout=10_000)
        labels = page.evaluate(CHART_LABELS)
    except PlaywrightTimeout:
        walk.problems.append(f"coverage: the charts were not drawn on {page.url}")
        labels = []
    for label in labels:
        if walk.english and HAN.search(label):
            walk.problems.append(f"coverage: chart label {label!r} is Chinese")

    walk.follow("nav.primary a[href='/standards']", "registry")
    walk.follow("main tbody a[href^='/standards/']", "standard")

    walk.follow("nav.primary a[href='/evaluation/']", "evaluation")
    evaluation = page.url
    walk.follow("main tbody a[href^='/evaluation/']", "evaluation-record")
    walk.open(evaluation, "evaluation-again")
    walk.follow("main a[href='/coordination/']", "coordination")
    walk.open(evaluation, "evaluation-again")
    walk.follow("main a[href='/adoption/']", "adoption-applications")
    walk.follow("main tbody a[href^='/adoption/']", "adoption-application")

    walk.follow("nav.primary a[href='/factors/']", "factors")
    walk.follow("main tbody a[href^='/factors/']", "factor")


@pytest.mark.parametrize("username", ["admin", "mee"])
def test_ministry_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, username, tmp_path):
    problems = walk_everywhere(browser, live_server, username, ministry_path, shots_folder(tmp_path))
    assert not problems, report(problems)
