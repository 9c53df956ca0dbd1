"""Issue 19, what people meet on everyday pages of the demo data, in English and on a phone: the
coverage page's level tables whole on a desktop, the product catalogue's names readable at 390 px,
dates that never break at their hyphens, the inbox's heading in English and no section claiming
it, a single account's role in the singular, the factor library's places in English, cited
standard titles marked as Chinese, and the comment-period gate saying how long the consultation
has actually run."""

import re

import pytest
from sqlalchemy import select

from workbench.dates import today
from workbench.db import db
from workbench.demo import DEMO_PASSWORD
from workbench.drafting.models import Rule

from .page_checks import check_page, squeezed
from .persona_walk import DESKTOP, PHONE, sign_in


@pytest.fixture
def demo(cli_runner):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output


@pytest.fixture
def english(app, demo):
    """`english(username)`: a test client signed in as that demo account, reading in English."""

    def signed_in(username: str):
        client = app.test_client()
        response = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.text
        client.post_form("/language", {"locale": "en"})
        return client

    return signed_in


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.text


def test_the_inbox_heading_is_english_and_no_section_claims_the_inbox(english):
    page = html(english("secretariat"), "/inbox")
    assert re.search(r"<h2>Approved rules waiting to move to drafting \(1\)</h2>", page)
    # The inbox is everyone's to-do list across sections: the header's own link is current, no section.
    navigation = page.split('<nav class="primary"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="page"' not in navigation
    assert re.search(r'<a href="/inbox" aria-current="page">Inbox</a>', page)
    # A section's own pages are still shown as current.
    lists = html(english("secretariat"), "/catalogue/")
    assert re.search(r'<a href="/catalogue/" aria-current="page">', lists)


def test_dates_are_shown_in_time_elements(english):
    client = english("secretariat")
    standards = html(client, "/standards")
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">\d{4}-\d\d-\d\d</time>', standards)
    portal = html(client, "/published/")
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">\d{4}-\d\d-\d\d</time>', portal)
    trials = html(client, "/trials")
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d">\d{4}-\d\d-\d\d \d\d:\d\d</time>', trials)


def test_labels_places_and_cited_titles_read_in_english(english):
    client = english("admin")
    users = html(client, "/users")
    assert "<td>Enterprise user</td>" in users and "Enterprise users" not in users
    factors = html(client, "/factors/")
    assert "<td>China (national)</td>" in factors and "<td>East China</td>" in factors
    assert not re.search(r"<td>全国</td>", factors)
    # GB/T 24067's registry page cites GB/T 32150: the cited title is marked as Chinese content.
    standard = html(client, "/standards/1")
    assert '<span lang="zh-CN">工业企业温室气体排放核算和报告通则</span>' in standard


def test_the_comment_period_gate_says_how_long_the_consultation_has_run(english, app):
    with app.app_context():
        rule = db.session.scalars(select(Rule).where(Rule.stage == "30")).first()
        rule_id, opened = rule.id, rule.consultation_opened_on
    page = html(english("secretariat"), f"/drafting/{rule_id}")
    days = re.search(r"The consultation has run for (\d+) days \(since ([\d-]+)\)", page)
    assert days, "the comment-period gate is not shown"
    with app.app_context():
        assert int(days.group(1)) == (today() - opened).days
    assert days.group(2) == opened.isoformat()


@pytest.mark.browser
def test_coverage_tables_fit_a_desktop_and_names_and_dates_fit_a_phone(browser, live_server, demo):
    page = sign_in(browser, live_server, "secretariat", english=True, viewport=DESKTOP)
    try:
        page.goto(live_server + "/coverage")
        for table in ("#published-by-level", "#levels-table", "#cycle-times-table"):
            box = page.locator(f".table-scroll:has({table})")
            widths = box.evaluate("box => [box.scrollWidth, box.clientWidth]")
            assert widths[0] <= widths[1], f"{table} is cut at 1280 px: {widths[0]} px in a {widths[1]} px box"
    finally:
        page.context.close()

    page = sign_in(browser, live_server, "secretariat", english=True, viewport=PHONE)
    try:
        page.goto(live_server + "/products")
        assert not squeezed(page), squeezed(page)
        assert not check_page(page, english=True, phone=True)
        name = page.locator("main tbody td.name").first.bounding_box()
        assert name["width"] >= 90, name  # room for five characters a line at least, not two

        # A rule's portal page: each date on one line (the draft date, the consultation's start).
        page.goto(live_server + "/published/")
        page.goto(live_server + page.locator("#published-rules a[href^='/published/']").first.get_attribute("href"))
        dates = page.locator("main time")
        assert dates.count() > 0
        broken = dates.evaluate_all(
            "times => times.filter((t) => t.getClientRects().length > 1).map((t) => t.textContent)"
        )
        assert not broken, f"dates broken across lines on a phone: {broken}"
        assert not check_page(page, english=True, phone=True)
    finally:
        page.context.close()
