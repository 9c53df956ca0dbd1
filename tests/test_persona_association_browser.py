"""Issue 19, an industry association's everyday path on the demo data, in the system Chromium
against `workbench serve`: the home page, the group standards in the registry and one of them,
the recommended group-standard lists and a batch of them, the adoption applications, the form to
apply for adoption, the association's own application, the proposals. Walked in Chinese, in
English (no interface Chinese left) and at 390 px (nothing past the screen); see
tests/persona_walk.py."""

import pytest

from .persona_walk import Walk, report, shots_folder, walk_everywhere

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


def association_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")

    walk.follow("nav.primary a[href='/standards']", "registry")
    page.locator("main select[name=level]").select_option("group")
    page.locator("main form[method=get] button[type=submit]").first.click()
    page.wait_for_load_state()
    walk.check("group-standards")
    walk.follow("main tbody a[href^='/standards/']", "group-standard")

    walk.follow("nav.primary a[href='/catalogue/']", "lists")
    recommended = page.locator("main tbody tr").filter(has=page.locator("a[href^='/catalogue/batches/']"))
    walk.follow("a[href^='/catalogue/batches/']", "recommended-list", within=recommended.last)

    walk.follow("nav.primary a[href='/evaluation/']", "evaluation")
    walk.follow("main a[href='/adoption/']", "adoption-applications")
    applications = page.url
    walk.follow("main a[href='/adoption/new']", "apply-for-adoption")
    walk.open(applications, "adoption-applications-again")
    walk.follow("main tbody a[href^='/adoption/']", "own-application")

    walk.follow("nav.primary a[href='/catalogue/']", "lists-again")
    walk.follow("main a[href='/proposals']", "proposals")
    walk.follow("main a[href^='/proposals/new']", "propose")


@pytest.mark.parametrize("username", ["association", "cstm"])
def test_association_path_reads_in_both_languages_and_fits_a_phone(browser, live_server, demo, username, tmp_path):
    problems = walk_everywhere(browser, live_server, username, association_path, shots_folder(tmp_path))
    assert not problems, report(problems)
