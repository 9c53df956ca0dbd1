"""Issue 19, an evaluator's everyday path on the demo data, in the system Chromium against
`workbench serve`: the home page, the evaluation overview, the evaluation plans and the overdue
ones, an evaluation record, the standard it evaluates, the implementation feedback on it and one
item, the feedback form, and an adoption application the evaluator scores on its panel. Walked in
Chinese, in English (no interface Chinese left) and at 390 px (nothing past the screen); see
tests/persona_walk.py."""

import pytest

from .persona_walk import Walk, report, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def evaluator_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")

    walk.follow("nav.primary a[href='/evaluation/']", "evaluation")
    evaluation = page.url
    walk.follow("main a[href='/evaluation/reviews/plans']", "plans")
    walk.follow("main a[href='/evaluation/reviews/plans/overdue']", "plans-overdue")
    walk.open(evaluation, "evaluation-again")
    walk.follow("main tbody a[href^='/evaluation/']", "evaluation-record")
    walk.follow("main a[href^='/standards/']", "standard")
    walk.follow("main a[href^='/evaluation/feedback/standards/']:not([href$='/new'])", "feedback")
    walk.follow("main tbody a[href^='/evaluation/feedback/']", "feedback-item")
    walk.page.go_back()
    walk.follow("main a[href$='/new']", "feedback-form")

    walk.open(evaluation, "evaluation-again")
    walk.follow("main a[href='/adoption/']", "adoption-applications")
    walk.follow("main tbody a[href^='/adoption/']", "adoption-application-panel")


@pytest.mark.parametrize("username", ["evaluator", "evaluator2"])
def test_evaluator_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, username, tmp_path):
    problems = walk_everywhere(browser, live_server, username, evaluator_path, shots_folder(tmp_path))
    assert not problems, report(problems)
