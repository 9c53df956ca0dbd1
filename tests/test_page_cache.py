"""Rendered pages kept in memory (workbench.page_cache): what a reader sees is what the database
and the publication repository hold now, through whichever app server, in the reader's language,
with the reader's own name and CSRF token; a browser that has the page gets 304."""

import re
from datetime import date

from workbench.auth.permissions import Role
from workbench.db import db
from workbench.page_cache import PageCache
from workbench.publishing import service as publishing
from workbench.publishing.repository import PublicationRepository
from workbench.registry import service as registry
from workbench.workflow import service as workflow

from .conftest import ADMIN, SECRETARIAT, Acting, make_app
from .drafting_helpers import make_rule

TITLE = "温室气体 产品碳足迹量化方法与要求 平板玻璃"


def register_standard(session, title=TITLE):
    registry.create_standard(
        session,
        registry.StandardInput(level="group", numbers="T/CBMF 100-2026", title=title, status="drafting"),
        by=ADMIN,
    )
    session.commit()


def token_of(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def switch_language(client, token: str, locale: str = "en"):
    return client.post("/language", data={"csrf_token": token, "locale": locale, "next": "/"})


def test_the_registry_list_answers_304_until_a_standard_is_registered(client, database):
    first = client.get("/standards")
    assert first.status_code == 200 and TITLE not in first.text
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]  # the page holds this session's CSRF token
    assert client.get("/standards", headers={"If-None-Match": etag}).status_code == 304
    with database() as session:
        register_standard(session)
    changed = client.get("/standards", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and TITLE in changed.text
    # Another session never matches this one's ETag: its page would carry another token.
    assert client.application.test_client().get("/standards", headers={"If-None-Match": etag}).status_code == 200


def test_a_change_made_through_another_app_server_shows_at_once(app, client, database_url, tmp_path):
    assert TITLE not in client.get("/standards").text  # kept by this server
    other = make_app(database_url, tmp_path, PUBLICATION_REPOSITORY=app.config["PUBLICATION_REPOSITORY"])
    try:
        with other.app_context():
            register_standard(db.session)
    finally:
        with other.app_context():
            db.engine.dispose()
    assert TITLE in client.get("/standards").text


def test_a_new_publication_changes_the_portal_page(app, client, database):
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        publishing.publish(session, rule, by=SECRETARIAT, repository=repository)
        session.commit()
        rule_id = rule.id
    first = client.get("/published/cement/")
    assert first.status_code == 200 and first.text.count('name="from"') == 0  # one version
    with database() as session:
        from workbench.drafting import service as drafting
        from workbench.drafting.models import Rule

        rule = session.get(Rule, rule_id)
        workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
        document = drafting.revision(session, rule).document
        document["parameters"]["cut_off"]["per_item_percent"] = 0.8
        drafting.save_revision(session, rule, document, message="取舍", based_on=rule.current_revision, by=SECRETARIAT)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        publishing.publish(session, rule, by=SECRETARIAT, repository=repository)
        session.commit()
    second = client.get("/published/cement/")
    assert second.text.count('name="from"') == 2 and "0.8%" in second.text


def test_a_signed_in_page_is_never_served_to_another_account(login, database):
    with database() as session:
        rule_id = make_rule(session).id
        session.commit()
    secretariat, drafter = login(Role.SECRETARIAT), login(Role.DRAFTER)
    url = f"/drafting/{rule_id}"
    for _ in range(2):  # rendered, then kept
        mine = secretariat.get(url)
        assert mine.status_code == 200 and "测试secretariat" in mine.text and "测试drafter" not in mine.text
        theirs = drafter.get(url)
        assert theirs.status_code == 200 and "测试drafter" in theirs.text and "测试secretariat" not in theirs.text
    # Each page carries its own session's token, which works there and nowhere else.
    assert switch_language(drafter, token_of(mine.text)).status_code == 400
    assert switch_language(drafter, token_of(theirs.text)).status_code == 302
    assert "测试drafter" in drafter.get(url).text and '<html lang="en">' in drafter.get(url).text
    assert '<html lang="zh-CN">' in secretariat.get(url).text  # the other account keeps its language
    visitor = login(None).get(url)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


def test_visitors_share_a_page_but_each_gets_a_token_of_their_own(app):
    first, second = app.test_client(), app.test_client()
    one, other = token_of(first.get("/").text), token_of(second.get("/").text)  # rendered, then kept
    assert one != other
    assert switch_language(second, one).status_code == 400
    assert switch_language(second, other).status_code == 302
    assert '<html lang="en">' in second.get("/").text
    assert '<html lang="zh-CN">' in first.get("/").text  # the first visitor still reads Chinese


def test_a_flash_message_is_shown_once_and_to_no_one_else(app, database):
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        publishing.publish(
            session, rule, by=SECRETARIAT, repository=PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
        )
        session.commit()
        rule_id = rule.id
    visitor, other = app.test_client(), app.test_client()
    assert other.get("/published/cement/").status_code == 200  # kept before the comment
    page = visitor.get("/published/cement/")
    comment = {"name": "王工", "kind": "technical", "comment": "建议说明依据。", "next": "/published/cement/"}
    sent = visitor.post(f"/drafting/{rule_id}/comments", data={"csrf_token": token_of(page.text), **comment})
    assert sent.status_code == 302
    thanks = "意见已提交"
    assert thanks in visitor.get("/published/cement/").text
    assert thanks not in visitor.get("/published/cement/").text
    assert thanks not in other.get("/published/cement/").text


def test_the_cache_holds_at_most_its_bytes():
    pages = PageCache(max_bytes=1000, seconds=60)
    for number in range(10):
        pages.put(("page", number), b"x" * 300)
    assert pages.pages.currsize <= 1000 and pages.get(("page", 9)) == b"x" * 300
    assert pages.get(("page", 0)) is None  # the oldest made room
    pages.put(("large",), b"x" * 2000)
    assert pages.get(("large",)) is None  # larger than the whole cache: not kept
