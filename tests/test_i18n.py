"""Chinese first, English second: the switch, the stored preference, and a complete catalogue."""

import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from workbench.auth.permissions import Role

from .conftest import PASSWORD, PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "workbench" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
NAVIGATION_ZH = ["标准体系", "规则起草", "试算", "因子库", "清单与立项", "发布", "评估", "对外交换"]
# One word each, so that the header holds one row on a desktop (the sections' pages keep their full titles).
NAVIGATION_EN = ["Standards", "Drafting", "Trials", "Factors", "Lists", "Published", "Evaluation", "Exchange"]


def _navigation(html: str) -> list[str]:
    nav = re.search(r'<nav class="primary".*?</nav>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r">([^<>]+)</a>", nav)]


def test_chinese_by_default_whatever_the_browser_says(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="zh-CN">' in page
    assert _navigation(page) == NAVIGATION_ZH


def test_the_switch_changes_the_language_and_returns_to_the_page(client):
    response = client.post_form("/language", {"locale": "en", "next": "/standards"})
    assert response.headers["Location"] == "/standards"
    page = client.get("/standards").text
    assert '<html lang="en">' in page
    assert _navigation(page) == NAVIGATION_EN
    client.post_form("/language", {"locale": "zh_CN", "next": "/"})
    assert _navigation(client.get("/").text) == NAVIGATION_ZH


def test_an_unknown_language_is_refused(client):
    assert client.post_form("/language", {"locale": "fr"}).status_code == 400


def test_a_signed_in_user_keeps_their_language_on_the_next_sign_in(people, login):
    client = login(Role.EVALUATOR)
    client.post_form("/language", {"locale": "en"})
    client.post_form("/logout")
    client.post_form("/language", {"locale": "zh_CN"})  # as a visitor, back to Chinese
    client.post_form("/login", {"username": "evaluator", "password": PASSWORD})
    assert _navigation(client.get("/").text) == NAVIGATION_EN


def test_form_errors_flashes_and_error_pages_are_in_english(people, login):
    client = login(Role.ADMINISTRATOR)
    client.post_form("/language", {"locale": "en"})
    form = client.post_form("/users/new", {"username": "", "display_name": "", "role": "drafter", "organisation": "0"})
    assert form.status_code == 422
    assert "This field is required." in form.text  # WTForms' own message, translated
    assert "Some entries need correcting" in form.text
    created = client.post_form(
        "/organisations/new", {"name": "CNIS", "kind": "research_institute"}, follow_redirects=True
    )
    assert "Organisation “CNIS” created." in created.text
    missing = client.get("/working-groups/424242")
    assert missing.status_code == 404 and "Page or record not found" in missing.text
    assert "CSRF" in client.post("/organisations/new", data={"name": "x"}).text
    assert "security token" in client.post("/organisations/new", data={"name": "x"}).text


def test_every_source_string_has_an_english_translation():
    # the same mapping `make messages` uses, rule-template labels included
    with open(PROJECT_ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None, "ngettext": (1, 2)}
    in_source = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(PROJECT_ROOT, method_map, options_map, keywords=keywords)
    }
    assert "功能单位" in in_source  # a schema title: the template's labels are extracted too
    with open(CATALOGUE, "rb") as file:
        # a plural message (ngettext) is keyed by its singular, as the extraction gives it
        catalogue = {
            message.id[0] if isinstance(message.id, tuple) else message.id: message
            for message in read_po(file)
            if message.id
        }

    def forms(message) -> tuple:
        return message.string if isinstance(message.string, tuple) else (message.string,)

    untranslated = sorted(text for text in in_source if text not in catalogue or not all(forms(catalogue[text])))
    assert untranslated == [], "run pybabel extract/update (docs/architecture.md) and translate these"
    fuzzy = sorted(str(message.id) for message in catalogue.values() if message.fuzzy)
    assert fuzzy == []
    for key, message in catalogue.items():
        for form in forms(message):
            assert set(re.findall(r"%\(\w+\)\w", key)) == set(re.findall(r"%\(\w+\)\w", form)), key


def test_the_current_language_is_marked_and_cannot_be_chosen_again(client):
    def pressed(html):
        return re.findall(r'value="(\w+)"[^>]*aria-pressed="true" disabled', html)

    assert pressed(client.get("/").text) == ["zh_CN"]
    client.post_form("/language", {"locale": "en"})
    assert pressed(client.get("/").text) == ["en"]
