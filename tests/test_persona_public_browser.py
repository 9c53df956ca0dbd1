"""Issue 19, the public's everyday path on the demo data, in the system Chromium against
`workbench serve`, signed in as nobody: the home page, the portal's list, every published rule's
page, a version in its history, the comparison of two versions, the PDF, Word and JSON downloads
(their names and headers), and a comment on the draft out for consultation: refused when empty
(at the form, the text kept) and confirmed at the form when sent. Walked in Chinese, in English (no
interface Chinese left) and at 390 px (nothing past the screen); see tests/persona_walk.py.

Rules are found by following the portal's links, so the walk holds whatever the demo publishes."""

from datetime import date
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.portal_helpers import publish_without_layout
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting import stages
from workbench.drafting.models import Rule
from workbench.publishing.models import Publication
from workbench.workflow import service as workflow

from .conftest import SECRETARIAT
from .persona_walk import DESKTOP, PHONE, WALKS, Walk, report, shots_folder

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, cli_runner):
    """The demo, and a second version of the draft out for consultation on the portal (sent out
    again after an edit, with a note), so that the history has two versions to compare."""
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session
        rule = session.scalar(
            select(Rule)
            .join(Publication, Publication.rule_id == Rule.id)
            .where(Rule.stage == stages.CONSULTATION)
            .order_by(Rule.id)
            .limit(1)
        )
        assert rule is not None, "the demo has a draft out for consultation on the portal"
        workflow.move_stage(session, rule, stages.DRAFTING, by=SECRETARIAT, today=date.today())
        document = drafting.revision(session, rule).document
        scope = next(clause for clause in document["clauses"] if clause["id"] == "scope")
        scope["text"] += "\n\n本文件不适用于特种水泥。"
        drafting.save_revision(
            session, rule, document, message="明确适用范围", based_on=rule.current_revision, by=SECRETARIAT
        )
        workflow.move_stage(session, rule, stages.CONSULTATION, by=SECRETARIAT, today=date.today())
        publish_without_layout(session, app, rule, by=SECRETARIAT, note="明确适用范围后再次公开征求意见。")
        session.commit()


def anonymous(browser, base: str, *, english: bool, viewport: dict):
    page = browser.new_context(viewport=viewport, accept_downloads=True).new_page()
    page.goto(base + "/")
    if english:
        menu = page.locator(".menu-button")
        if menu.is_visible():  # on a phone the header's buttons sit behind the menu button
            menu.click()
        page.locator("button[name=locale][value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


def check_downloads(walk: Walk):
    """PDF, Word and JSON of the rule shown: named after its title, with one charset at most."""
    page = walk.page
    title = page.locator("main h1 [lang=zh-CN]").first.inner_text().strip()
    for label, extension in (("PDF", "pdf"), ("Word", "docx"), ("JSON", "json")):
        link = page.locator("#downloads").get_by_role("link", name=label, exact=True)
        response = page.request.get(walk.base + link.get_attribute("href"))
        disposition = response.headers.get("content-disposition", "")
        content_type = response.headers.get("content-type", "")
        readable = unquote(disposition.partition("filename*=UTF-8''")[2])
        if not (response.ok and disposition.startswith("attachment;") and readable.startswith(title)):
            walk.problems.append(f"download {label}: {response.status} {disposition!r} (title {title!r})")
        if not readable.endswith(f".{extension}") or f'.{extension}"' not in disposition:
            walk.problems.append(f"download {label}: no .{extension} name in {disposition!r}")
        if content_type.lower().count("charset") > 1:
            walk.problems.append(f"download {label}: Content-Type {content_type!r}")
    with page.expect_download() as download:
        page.locator("#downloads").get_by_role("link", name="PDF", exact=True).click()
    name = download.value.suggested_filename
    if not (name.startswith(title) and name.endswith(".pdf")):
        walk.problems.append(f"the PDF is saved as {name!r}, not after {title!r}")


def send_comments(walk: Walk):
    """An empty comment, then a real one, from the comment form at the end of the draft."""
    page = walk.page
    rule_address = page.url
    form = page.locator("#comment-form")
    form.locator("input[name=name]").fill("王工")
    form.locator("input[name=clause]").fill("5.3")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#comment-refused")).to_be_in_viewport()
    expect(page.locator("#comment-errors")).to_be_visible()  # beside the empty field
    expect(page.locator("#comment-form input[name=name]")).to_have_value("王工")  # what was typed is kept
    expect(page.locator("#comment-form input[name=clause]")).to_have_value("5.3")
    expect(page.locator("main .breadcrumb a[href='/published/']")).to_be_visible()  # the portal's own page
    walk.check("comment-refused")

    page.locator("#comment-form textarea[name=comment]").fill(f"建议说明取舍比例的依据（{walk.name}）。")
    page.locator("#comment-form button[type=submit]").click()
    expect(page.locator("#comment-received")).to_be_in_viewport()
    expect(page.locator("#comment-form textarea[name=comment]")).to_have_value("")
    assert page.url.split("#")[0] == rule_address.split("#")[0]
    walk.check("comment-received")


def public_path(walk: Walk):
    page = walk.page
    walk.open("/", "home")
    walk.follow("a[href='/published/']", "portal")
    portal = page.url
    rules = page.locator("#published-rules tbody tr")
    addresses = [row.locator("td a").first.get_attribute("href") for row in rules.all()]
    if not addresses:
        walk.problems.append("the portal lists no rule")
        return
    open_rows = rules.filter(has=page.locator(".badge-open"))
    consultation = open_rows.first.locator("td a").first.get_attribute("href") if open_rows.count() else None
    for number, address in enumerate(addresses, start=1):
        walk.open(address, f"rule-{number}")
    if consultation is None:
        walk.problems.append("no draft out for consultation on the portal")
        return

    walk.open(consultation, "consultation-draft")
    history = page.locator("#version-history tbody tr")
    if history.count() < 2:
        walk.problems.append(f"{consultation}: {history.count()} versions in its history, not two")
    walk.follow("#version-history tbody tr:last-child a", "earlier-version")
    walk.open(consultation, "consultation-draft-again")
    page.locator("#versions button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#parameter-changes, #diff-scope").first).to_be_attached()
    walk.check("compare")

    walk.open(consultation, "downloads")
    check_downloads(walk)
    send_comments(walk)
    walk.open(portal, "portal-again")


def test_the_public_reads_downloads_and_comments_in_both_languages_and_on_a_phone(browser, live_server, demo, tmp_path):
    shots, problems = shots_folder(tmp_path), []
    for name, english, phone in WALKS:
        page = anonymous(browser, live_server, english=english, viewport=PHONE if phone else DESKTOP)
        try:
            walk = Walk(
                page, live_server, name=name, english=english and not phone, phone=phone, shots=shots, persona="public"
            )
            public_path(walk)
            problems += [f"[{name}] {problem}" for problem in walk.problems]
        finally:
            page.context.close()
    assert not problems, report(problems)
