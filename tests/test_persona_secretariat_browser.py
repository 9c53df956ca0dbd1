"""Issue 19, the TC548 secretariat's everyday path on the demo data, in the system Chromium against
`workbench serve`: the home page, the inbox, the rules, a rule being drafted with the stage moves it
may make and their gates, a rule out for consultation with its comments to dispose of, the working
groups, the registry's standards and the product catalogue, the users and an account's change
record, and the jobs. Walked in Chinese, in English (no interface Chinese left) and at 390 px
(nothing past the screen); see tests/persona_walk.py."""

import pytest
from playwright.sync_api import expect

from .persona_walk import Walk, report, rule_row, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def secretariat_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")
    walk.follow(".account-bar a[href='/inbox']", "inbox")  # the to-do list: rules approved and waiting for drafting
    walk.follow("nav.primary a[href='/drafting/']", "rules")
    rules = page.url

    # A rule being drafted: the secretariat moves it on, each move with its gates.
    if walk.follow("a[href^='/drafting/']", "rule", within=rule_row(walk, stage="20")):
        expect(page.locator("#stages .move").first).to_be_visible()
        expect(page.locator("#stages .gates .gate").first).to_be_attached()
        walk.follow("nav.subnav a[href$='/revisions']", "revisions")

    # A rule out for consultation: the comments, each with its disposition form.
    walk.open(rules, "rules-again")
    if walk.follow("a[href^='/drafting/']", "consulted-rule", within=rule_row(walk, stage="30")):
        walk.follow("nav.subnav a[href$='/comments']", "comments")
        forms = page.locator("#comments details")
        if forms.count():
            forms.first.locator("summary").click()
            walk.check("comment-disposition")
        walk.follow("nav.subnav a[href*='/trials']", "trials")

    # The header's links (behind the menu button on a phone: read where they point).
    walk.follow(".account-bar a[href$='/working-groups']", "working-groups")
    walk.follow("main a[href^='/working-groups/']:not([href$='/new'])", "working-group")
    walk.follow("nav.primary a[href='/standards']", "standards")
    standards = page.url
    walk.follow("main tbody a[href^='/standards/']", "standard")
    walk.open(standards, "standards-again")
    walk.follow("main a[href='/products']", "products")  # the product catalogue: names not squeezed on a phone
    walk.follow("main tbody a[href^='/products/']", "product")
    walk.follow(".account-bar a[href$='/users']", "users")
    walk.follow("main tbody a[href^='/users/']", "user")
    walk.follow("main a[href^='/audit/']", "history")  # the account's change record
    walk.follow(".account-bar a[href^='/jobs']", "jobs")
    walk.follow(".account-bar a[href='/account']", "account")


def test_secretariat_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, tmp_path):
    problems = walk_everywhere(browser, live_server, "secretariat", secretariat_path, shots_folder(tmp_path))
    assert not problems, report(problems)
