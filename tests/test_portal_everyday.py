"""The public portal in everyday use: a comment is confirmed where it was written and refused at
the form with the text kept, the same comment sent twice (or twenty times at once) is kept once,
the version history tells the time in the configured zone and the publisher's note, and every
download is named after the document with one charset."""

import re
from datetime import date
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.drafting_helpers import make_rule
from tests.portal_helpers import publish_without_layout
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting.models import ConsultationComment
from workbench.publishing import service
from workbench.publishing.repository import PublicationRepository, commit_message, note_of
from workbench.workflow import service as workflow

from .conftest import SECRETARIAT, Acting, in_parallel

TITLE = "温室气体 产品碳足迹量化方法与要求 水泥"
NOTE = "根据第一轮意见修改取舍准则，再次公开征求意见。"


@pytest.fixture
def out_for_comment(app, database):
    """The cement rule out for consultation and on the portal, published with a note."""
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        record = publish_without_layout(session, app, rule, by=SECRETARIAT, note=NOTE)
        session.commit()
        return {"rule": rule.id, "commit": record.commit, "slug": record.slug}


def _comment(**fields) -> dict:
    return {
        "name": "王工",
        "organisation": "某水泥企业",
        "clause": "5.3",
        "kind": "technical",
        "revision": "1",
        **fields,
    }


def _comments(database) -> list[ConsultationComment]:
    with database() as session:
        return list(session.scalars(select(ConsultationComment).order_by(ConsultationComment.id)))


def _section(page: str, element_id: str) -> str:
    """The HTML of the <section> with this id."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def test_a_comment_is_confirmed_at_the_form_it_was_written_in(client, database, out_for_comment):
    client.get("/published/cement/")
    sent = client.post_form("/published/cement/comments", _comment(comment="建议说明 0.5% 的依据。"))
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/published/cement/#comment-form")
    page = client.get("/published/cement/").text
    form = _section(page, "comment-form")
    assert 'id="comment-received"' in form and "意见已提交，感谢！" in form
    assert 'name="comment"' in form and "建议说明" not in form  # a fresh form for the next comment
    # said once, then gone: not on the next page the visitor opens, nor on this one again
    assert "意见已提交" not in client.get("/published/").text
    assert "意见已提交" not in client.get("/published/cement/").text
    [comment] = _comments(database)
    assert (comment.clause, comment.revision, comment.comment) == ("5.3", 1, "建议说明 0.5% 的依据。")


def test_an_empty_comment_is_refused_at_the_form_on_the_portal_page_with_the_text_kept(
    client, database, out_for_comment
):
    refused = client.post_form("/published/cement/comments", _comment(comment="  ", proposed_change="改为 0.5%"))
    assert refused.status_code == 422
    page = refused.text
    # the portal's own page: its breadcrumb, the rule, its downloads; not the workspace's draft page
    assert 'class="breadcrumb"><a href="/published/">' in page and TITLE in page and 'id="downloads"' in page
    form = _section(page, "comment-form")
    assert 'id="comment-refused"' in form and "请填写意见。" in form
    assert 'value="王工"' in form and 'value="5.3"' in form and "改为 0.5%" in form
    assert re.search(r'<form method="post" action="/published/cement/comments#comment-form"', form)
    assert _comments(database) == []
    # The refused page's address, reloaded or bookmarked, opens the rule at its comment form.
    reloaded = client.get("/published/cement/comments")
    assert reloaded.status_code == 302 and reloaded.headers["Location"].endswith("/published/cement/#comment-form")


def test_the_same_comment_sent_twice_is_kept_once_and_the_second_send_is_told_so(client, database, out_for_comment):
    fields = _comment(comment="表 A.1 的单位建议统一。")
    assert client.post_form("/published/cement/comments", fields).status_code == 302
    again = client.post_form("/published/cement/comments", fields)
    assert again.status_code == 302  # received (the first time): the visitor is not asked to send it again
    confirmation = _section(client.get("/published/cement/").text, "comment-form")
    assert "这条意见已于" in confirmation and "没有重复记录" in confirmation
    assert [comment.comment for comment in _comments(database)] == ["表 A.1 的单位建议统一。"]
    # a different comment from the same visitor is a new comment
    assert client.post_form("/published/cement/comments", _comment(comment="5.2 建议补充图示。")).status_code == 302
    assert len(_comments(database)) == 2


def test_the_same_comment_sent_at_once_from_several_pages_is_kept_once(app, database, out_for_comment):
    clients = [app.test_client() for _ in range(6)]
    tokens = [each.csrf_token() for each in clients]
    fields = _comment(comment="建议增加算例。")
    answers = in_parallel(
        len(clients),
        lambda i: clients[i].post("/published/cement/comments", data={"csrf_token": tokens[i], **fields}),
    )
    assert [answer.status_code for answer in answers] == [302] * len(clients)
    assert len(_comments(database)) == 1


def test_another_visitor_may_send_the_same_words(app, database, out_for_comment):
    """Only the same source's copy is a duplicate: two people may well write the same sentence."""
    with database() as session:
        rule = drafting.get_rule(session, out_for_comment["rule"])
        for source in ("one", "other"):
            drafting.add_comment(
                session,
                rule,
                drafting.CommentInput(name="王工", organisation="", clause="", kind="general", comment="同意。"),
                source=source,
                by=None,
                now=utcnow(),
            )
        session.commit()
    assert len(_comments(database)) == 2


def test_the_version_history_shows_the_time_in_the_configured_zone_and_the_note(app, client, out_for_comment):
    [version] = PublicationRepository(app.config["PUBLICATION_REPOSITORY"]).history("cement")
    assert version.note == NOTE
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    local = version.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    utc = version.published_at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")
    history = _section(client.get("/published/cement/").text, "versions")
    assert local in history and NOTE in history
    if utc != local:
        assert utc not in history


def test_the_note_is_read_back_from_the_commit_message():
    message = commit_message(
        title=TITLE,
        rule="R",
        revision=2,
        stage="30",
        stage_label="征求意见稿",
        publisher="秘书处",
        checksum="x",
        note=NOTE,
    )
    assert note_of(message) == NOTE
    assert (
        note_of(
            commit_message(title=TITLE, rule="R", revision=2, stage="30", stage_label="", publisher="p", checksum="x")
        )
        == ""
    )


@pytest.mark.parametrize("name", ["rule.pdf", "rule.docx", "rule.json", "index.html", "rule.md"])
def test_a_download_is_named_after_the_document_with_an_ascii_fallback(client, out_for_comment, name):
    extension = name.rsplit(".", 1)[1]
    response = client.get(f"/published/cement/versions/{out_for_comment['commit']}/{name}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="cement-30-r1.{extension}"' in disposition
    assert f"filename*=UTF-8''{quote(f'{TITLE}（征求意见稿）.{extension}', safe='')}" in disposition
    assert response.headers["Content-Type"].lower().count("charset") <= 1


def test_a_standard_is_named_by_its_number():
    name = service.download_name(title=TITLE, standard_number="GB/T 44905—2024")
    assert name == f"GB-T 44905—2024 {TITLE}"
    assert service.download_name(title='a/b:c*?"<>|\x00d', stage_label="报批稿") == "a-b-c-d（报批稿）"
    disposition = service.content_disposition(f"{name}.pdf", "GB-T-44905-2024.pdf")
    assert disposition.startswith("attachment; filename=\"GB-T-44905-2024.pdf\"; filename*=UTF-8''GB-T%2044905")


def test_a_workspace_revision_downloads_under_its_title_with_one_charset(login, database, people):
    with database() as session:
        rule = make_rule(session)
        session.commit()
        rule_id, code = rule.id, rule.code
    client = login(Role.DRAFTER)
    for name, extension in (("rule.json", "json"), ("index.html", "html"), ("rule.md", "md")):
        response = client.get(f"/drafting/{rule_id}/revisions/1/{name}")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert f'filename="{code}-r1.{extension}"' in disposition
        assert f"filename*=UTF-8''{quote(TITLE, safe='')}" in disposition
        assert response.headers["Content-Type"].lower().count("charset") <= 1
