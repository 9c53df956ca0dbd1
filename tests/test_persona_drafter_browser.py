"""Issue 19, the drafter's everyday path on the demo data, in the system Chromium against
`workbench serve`: the home page, the rules, a rule of the drafter's group being drafted (its
overview, a clause being edited with the live check answering, the parameters, the revisions and
their comparison, the trials), a rule out for consultation (the comments, the feasibility report,
the draft), the product and the standard that rule belongs to, the account. Walked in
Chinese, in English (no interface Chinese left) and at 390 px (nothing past the screen); see
tests/persona_walk.py."""

import pytest
from playwright.sync_api import expect

from .persona_walk import Walk, report, rule_row, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser

# Each demo drafter's groups, and whether the demo gives the group a rule to draft: `drafter`'s
# lithium-battery rule (WG-LIB) must be reachable; the aluminium group (WG-AL) has none in the demo.
DRAFTER_GROUPS = {"drafter": (("WG-AL", "WG-LIB", "WG-BM", "WG-CHEM"), True), "smelter": (("WG-AL",), False)}


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def drafter_path(groups: tuple[str, ...], owns_a_rule: bool):
    def path(walk: Walk):
        page = walk.page
        walk.open("/", "home")
        walk.follow("nav.primary a[href='/drafting/']", "rules")
        rules = page.url

        # A rule of the drafter's own group being drafted (the demo's lithium-battery rule for
        # `drafter`), else one of the group's at another stage; `smelter`'s group may have none.
        row = rule_row(walk, stage="20", groups=groups)
        if row.count() == 0:
            row = rule_row(walk, stage=r"\d\d", groups=groups)
        if row.count() == 0:
            if owns_a_rule:
                walk.problems.append(f"own-rule: no rule of the groups {groups} on {rules}")
        elif walk.follow("a[href^='/drafting/']", "rule", within=row):
            own_rule(walk, page.url)
            walk.open(rules, "rules-again")

        # A rule out for consultation: its comments, its feasibility report, the draft itself,
        # and the product and the standard it belongs to.
        if walk.follow("a[href^='/drafting/']", "consulted-rule", within=rule_row(walk, stage="30")):
            consulted = page.url
            walk.follow("nav.subnav a[href$='/comments']", "comments")
            walk.follow("nav.subnav a[href*='/trials']", "feasibility-report")
            for selector, label in [
                ("main a[href$='/consultation']", "consultation-draft"),
                ("main a[href^='/products/']", "product"),
                ("main a[href^='/standards/']", "standard"),
            ]:
                walk.open(consulted, "consulted-rule-again")
                walk.follow(selector, label)

        walk.follow(".account-bar a[href='/account']", "account")

    return path


def own_rule(walk: Walk, overview: str):
    """The drafter's own rule: a clause edited with the live check answering, the parameters,
    the revisions and their comparison, the trials."""
    page = walk.page
    if walk.follow("main a[href*='/clauses/']", "clause"):
        text = page.locator("form[data-live-check] textarea[name=text]")
        # A reference to a clause the rule does not have: the live check answers with a finding,
        # shown in the panel (at 390 px the whole panel, its last finding too).
        text.fill(text.input_value() + "\n\n见 [9.9](#no-such-clause)。")
        expect(page.locator("#findings[data-live] .finding").first).to_be_visible(timeout=10_000)
        last = page.locator("#findings .finding").last
        last.scroll_into_view_if_needed()
        expect(last).to_be_in_viewport()
        walk.check("clause-live-check")
        walk.open(overview, "rule-again")
    walk.follow("nav.subnav a[href$='/parameters']", "parameters")
    if walk.follow("nav.subnav a[href$='/revisions']", "revisions"):
        page.locator("#compare-form button[type=submit]").click()
        page.wait_for_load_state()
        walk.check("compare")
    if walk.follow("nav.subnav a[href*='/trials']", "trials") and page.locator("main a[href^='/trials/']").count():
        walk.follow("main a[href^='/trials/']", "trial")


def test_drafter_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, tmp_path):
    # Both demo drafters on one load of the demo: the institute's (two groups, the battery rule
    # of its own) and the smelter's (the aluminium group).
    shots = shots_folder(tmp_path)
    problems = []
    for username, (groups, owns_a_rule) in DRAFTER_GROUPS.items():
        problems += [
            f"{username} {problem}"
            for problem in walk_everywhere(browser, live_server, username, drafter_path(groups, owns_a_rule), shots)
        ]
    assert not problems, report(problems)
