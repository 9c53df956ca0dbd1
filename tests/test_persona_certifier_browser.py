"""Issue 19, a certification body's everyday path on the demo data (`certifier`), in the system
Chromium against `workbench serve`: the home page, 对外交换, the declarations submitted to it, a
declaration's work page (where it verifies, suspends or withdraws), the declaration's public page
with the QR code and the rule's distribution and classes, and the public declaration page as anyone
sees it, signed out. Walked in Chinese, in English (no interface Chinese left) and at 390 px
(nothing past the screen); see tests/persona_walk.py."""

import pytest
from playwright.sync_api import expect

from .persona_walk import Walk, report, shots_folder, walk_everywhere
from .test_persona_enterprise_browser import WORK_PAGE, qr_code_shown

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def choose_language(page, *, english: bool):
    """Choose the page's language with the header's button, as a reader who is not signed in does."""
    choice = page.locator(f"button[name=locale][value={'en' if english else 'zh_CN'}]")
    if choice.is_enabled():
        menu = page.locator(".menu-button")
        if menu.is_visible():  # on a phone the header's buttons sit behind the menu button
            menu.click()
        choice.click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if english else "zh-CN")


def certifier_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")

    walk.follow("nav.primary a[href='/exchange/']", "exchange")
    walk.follow("main a[href='/declarations/']", "declarations")
    walk.follow("main a[href^='/declarations/p/']", "public-declaration")
    qr_code_shown(walk, "public-declaration")
    public = page.url
    walk.follow(WORK_PAGE, "declaration")
    # The demo's declaration is verified: the certifier may suspend or withdraw it here.
    if page.locator("main #verify form, main #decisions form, main #reinstate form").count() == 0:
        walk.problems.append(f"declaration: no form to verify, suspend or reinstate on {page.url}")
    walk.open(public, "public-declaration-again")
    walk.follow("main a[href^='/declarations/rules/']", "rule-distribution")

    # The public page as a buyer scanning the QR code sees it: signed out, in the walk's language.
    page.context.clear_cookies()
    page.goto(public)
    choose_language(page, english=walk.name != "zh")
    walk.check("public-declaration-signed-out")
    qr_code_shown(walk, "public-declaration-signed-out")


def test_certifier_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, tmp_path):
    problems = walk_everywhere(browser, live_server, "certifier", certifier_path, shots_folder(tmp_path))
    assert not problems, report(problems)
