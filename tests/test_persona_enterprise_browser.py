"""Issue 19, an enterprise's everyday path on the demo data (`cement`, of 演示水泥甲有限公司), in the
system Chromium against `workbench serve`: the home page, 对外交换 (the exchange index, the shared
footprints with their PACT download, the PACT partners page), the declarations (the list, the public
page of its declaration with the QR code, the rule's distribution and classes, the declaration's
work page, the form for a new one), the international comparison (the index, a rule, its factor
comparison) and the factor exchange. Walked in Chinese, in English (no interface Chinese left) and
at 390 px (nothing past the screen); see tests/persona_walk.py."""

import pytest
from playwright.sync_api import expect

from .persona_walk import Walk, report, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser

# The declaration's work page, /declarations/<id>: not the public page (/p/…), a rule's page
# (/rules/…), the list or the new form.
WORK_PAGE = (
    "main a[href^='/declarations/']:not([href*='/p/']):not([href*='/rules/'])"
    ":not([href$='/']):not([href$='/new']):not([href*='?'])"
)


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def qr_code_shown(walk: Walk, label: str):
    """The public page's QR code is a loaded image, not a broken one."""
    code = walk.page.locator("main img[src$='/qr.svg']")
    if code.count() == 0:
        walk.problems.append(f"{label}: no QR code on {walk.page.url}")
    elif not code.first.evaluate("(image) => image.complete && image.naturalWidth > 0"):
        walk.problems.append(f"{label}: the QR code on {walk.page.url} did not load")


def enterprise_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")

    walk.follow("nav.primary a[href='/exchange/']", "exchange")
    exchange = page.url
    walk.follow("main a[href='/exchange/footprints']", "footprints")
    if page.locator("main a[href$='/pact.json']").count() == 0:
        walk.problems.append(f"footprints: no PACT download on {page.url}")
    walk.open(exchange, "exchange-again")
    walk.follow("main a[href='/exchange/partners/']", "partners")

    walk.open(exchange, "exchange-again")
    walk.follow("main a[href='/declarations/']", "declarations")
    declarations = page.url
    walk.follow("main a[href^='/declarations/p/']", "public-declaration")
    qr_code_shown(walk, "public-declaration")
    public = page.url
    walk.follow("main a[href^='/declarations/rules/']", "rule-distribution")
    walk.open(public, "public-declaration-again")
    walk.follow(WORK_PAGE, "declaration")
    walk.open(declarations, "declarations-again")
    if walk.follow("main a[href='/declarations/new']", "new-declaration"):
        # Choosing the rule opens the rest of the form: the trial results to declare, or a PACT file.
        rules = page.locator("#rule_id option:not([value='0'])")
        if rules.count() == 0:
            walk.problems.append(f"new-declaration: no published rule to choose on {page.url}")
        else:
            page.locator("#rule_id").select_option(rules.first.get_attribute("value"))
            # declaration_form.js fetches the rule's fields in place (the 选择规则 button is hidden).
            expect(page.locator("#declaration-fields #source")).to_be_attached()
            walk.check("new-declaration-rule-chosen")

    walk.open(exchange, "exchange-again")
    walk.follow("main a[href='/international/']", "international")
    walk.follow("main a[href^='/international/rules/']", "international-rule")
    walk.follow("main a[href$='/factors']", "international-factors")

    walk.open(exchange, "exchange-again")
    walk.follow("main a[href='/exchange/factors/']", "factor-exchange")


def test_enterprise_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, tmp_path):
    problems = walk_everywhere(browser, live_server, "cement", enterprise_path, shots_folder(tmp_path))
    assert not problems, report(problems)
