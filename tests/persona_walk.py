"""A persona's main path through the workbench, walked in the browser three times: in Chinese, in
English and on a 390 px phone. The path follows the links a person would follow (found by where
they point, so the same walk runs in either language and on whatever rules the demo holds), and
every page it reaches is checked with tests/page_checks.py: on the English walk no interface text
is left in Chinese, on the phone nothing reaches past the screen. The problems of all pages are
gathered and reported together, so one run shows everything to fix.

Screenshots of every page go to tmp_path, or to the folder WORKBENCH_SCREENSHOTS names."""

import os
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from workbench.demo import DEMO_PASSWORD

from .page_checks import check_page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HEADER_ROW = 64  # px: the top bar holding one row of links (two rows are about 95)

# (name of the walk, in English?, on a phone?): the phone walks in English, where words are longest
# (its English was checked on the desktop already).
WALKS = [("zh", False, False), ("en", True, False), ("phone", True, True)]


def shots_folder(tmp_path) -> Path:
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Walk:
    """One walk of a persona's path in one browser context: `visit` goes to a page and checks it."""

    def __init__(self, page: Page, base: str, *, name: str, english: bool, phone: bool, shots: Path, persona: str):
        self.page = page
        self.base = base
        self.name = name
        self.english = english
        self.phone = phone
        self.shots = shots
        self.persona = persona
        self.problems: list[str] = []
        self.visited: list[str] = []

    def open(self, path: str, label: str) -> bool:
        """Go to `path` (an address on the server) and check the page; whether it opened."""
        response = self.page.goto(path if path.startswith("http") else self.base + path)
        if response is None or not response.ok:
            status = response.status if response else "no answer"
            self.problems.append(f"{label}: {path} answered {status}")
            return False
        self.check(label)
        return True

    def follow(self, selector: str, label: str, *, within=None) -> bool:
        """Follow the first link matching `selector` (in `within`, a locator, if given); whether
        the page opened. A missing link is a problem of the path: the person could not go on."""
        links = (within or self.page).locator(selector)
        if links.count() == 0:
            self.problems.append(f"{label}: no link {selector!r} on {self.page.url}")
            return False
        return self.open(links.first.get_attribute("href"), label)

    def check(self, label: str):
        """Check the page as it stands (after an interaction, or after `open`)."""
        self.visited.append(label)
        self.page.screenshot(
            path=self.shots / f"{self.persona}-{self.name}-{len(self.visited):02d}-{label}.png", full_page=True
        )
        for problem in check_page(self.page, english=self.english, phone=self.phone):
            self.problems.append(f"{label}: {problem}")
        if self.page.locator("main h1").count() == 0:
            self.problems.append(f"{label}: {self.page.url} has no heading")
        if not self.phone:  # the header is one row on a desktop: sections, account and language side by side
            height = self.page.locator(".topbar").bounding_box()["height"]
            if height > HEADER_ROW:
                self.problems.append(f"{label}: {self.page.url}: the header wraps ({height:.0f} px high)")


def sign_in(browser, base: str, username: str, *, english: bool, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account-bar .who")).to_be_attached()
    # The language chosen last is remembered for the account: choose this walk's every time.
    locale, lang = ("en", "en") if english else ("zh_CN", "zh-CN")
    choice = page.locator(f"button[name=locale][value={locale}]")
    if choice.is_enabled():
        menu = page.locator(".menu-button")
        if menu.is_visible():  # on a phone the header's links and buttons sit behind the menu button
            menu.click()
        choice.click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    return page


def walk_everywhere(browser, base: str, username: str, path: Callable[[Walk], None], shots: Path) -> list[str]:
    """Walk `path` as `username` in Chinese, in English and on the phone; every problem found,
    each prefixed by the walk it was found on."""
    problems = []
    for name, english, phone in WALKS:
        page = sign_in(browser, base, username, english=english, viewport=PHONE if phone else DESKTOP)
        try:
            walk = Walk(
                page, base, name=name, english=english and not phone, phone=phone, shots=shots, persona=username
            )
            path(walk)
            problems += [f"[{name}] {problem}" for problem in walk.problems]
        finally:
            page.context.close()
    return problems


def report(problems: list[str]) -> str:
    return f"{len(problems)} problems on the path:\n" + "\n".join(problems)


def rule_row(walk: Walk, *, stage: str, groups: tuple[str, ...] = ()):
    """The first row of the rules list at `stage` (and of one of `groups`, if given)."""
    rows = walk.page.locator("main tbody tr").filter(
        has=walk.page.locator(".badge-stage", has_text=re.compile(rf"^\s*{stage}\b"))
    )
    if groups:
        rows = rows.filter(has_text=re.compile("|".join(re.escape(group) for group in groups)))
    return rows.first
