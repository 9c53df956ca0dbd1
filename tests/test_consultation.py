"""Consultation integrity (issue 14, item 4): the public reads, and comments on, the revision that
was sent out for consultation; the group may go on editing without changing what the public sees;
sending the draft out again restarts the 60 days, and a comment on the earlier text is refused
with the reason while the page keeps what was typed."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.drafting import service as drafting
from workbench.drafting.models import ConsultationComment, Rule
from workbench.drafting.stages import Gate
from workbench.publishing import service as publishing
from workbench.publishing.repository import PublicationRepository
from workbench.workflow import service as workflow

from .conftest import ADMIN, SECRETARIAT, Acting

TODAY = date.today()
LATER_TEXT = "征求意见期间起草组的新写法。"


def _edit_scope(session, rule, text):
    document = json.loads(json.dumps(drafting.revision(session, rule).document))
    next(clause for clause in document["clauses"] if clause["id"] == "scope")["text"] = text
    return drafting.save_revision(session, rule, document, message="改", based_on=rule.current_revision, by=ADMIN)


def _publish(session, app, rule):
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    record, created = publishing.publish(session, rule, by=SECRETARIAT, repository=repository)
    session.commit()
    return record, created


def _move(session, rule, target, on=TODAY):
    workflow.move_stage(session, rule, target, by=Acting(Role("secretariat")), today=on)


@pytest.fixture
def out_for_comment(app, database):
    """The cement rule sent out at revision 1 and published; then revision 2 written in the workbench."""
    with database() as session:
        rule = make_rule(session)
        _move(session, rule, "30")
        sent, _created = _publish(session, app, rule)
        _edit_scope(session, rule, LATER_TEXT)
        session.commit()
        return {"rule": rule.id, "slug": sent.slug, "sent": sent.commit}


def _comment(client, rule_id, revision, text="建议补充 5.3 的依据。", **extra):
    return client.post_form(
        f"/drafting/{rule_id}/comments",
        {"name": "王工", "kind": "technical", "clause": "5.3", "comment": text, "revision": revision, **extra},
    )


def test_publishing_during_consultation_publishes_the_revision_sent_out(app, database, out_for_comment):
    with database() as session:
        rule = session.get(Rule, out_for_comment["rule"])
        assert (rule.current_revision, drafting.public_revision(session, rule).number) == (2, 1)
        record, created = _publish(session, app, rule)
        assert (created, record.revision.number, record.commit) == (False, 1, out_for_comment["sent"])


def test_the_workspace_says_which_revision_the_public_reads_and_how_to_show_a_newer_one(login, out_for_comment):
    page = login(Role.SECRETARIAT).get(f"/drafting/{out_for_comment['rule']}").text
    assert "征求意见期间公开的是发出征求意见的第 1 版；第 2 版是之后的修改" in page
    assert "第 1 版已在这一阶段发布" in page and "发布第 2 版到公开平台" not in page


def test_the_portal_shows_the_sent_out_revision_while_a_newer_one_is_published(
    app, client, database, out_for_comment, monkeypatch
):
    """As before the fix: revision 2 got published at stage 30 too. The portal still presents
    revision 1 with the comment form, and revision 2's page says it is not the consultation draft."""
    with database() as session:
        monkeypatch.setattr(drafting, "public_revision", lambda session, rule: drafting.revision(session, rule))
        newer, created = _publish(session, app, session.get(Rule, out_for_comment["rule"]))
        assert created and newer.revision.number == 2
    page = client.get("/published/cement/")
    assert page.status_code == 200
    assert LATER_TEXT not in page.text
    assert 'id="comment-form"' in page.text and 'name="revision" type="hidden" value="1"' in page.text
    assert "（第 1 版）" in page.text
    later = client.get(f"/published/cement/versions/{newer.commit}")
    assert LATER_TEXT in later.text and 'id="comment-form"' not in later.text
    assert "不是征求意见稿，不接受意见" in later.text


def test_a_comment_records_the_revision_its_author_was_reading(client, database, out_for_comment):
    rule_id = out_for_comment["rule"]
    page = client.get(f"/drafting/{rule_id}/consultation").text
    assert LATER_TEXT not in page and 'name="revision" type="hidden" value="1"' in page
    response = _comment(client, rule_id, "1", next="/published/cement/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/published/cement/")
    with database() as session:
        [comment] = session.scalars(select(ConsultationComment)).all()
        assert (comment.revision, comment.clause) == (1, "5.3")


def test_a_comment_on_an_earlier_draft_is_refused_with_the_reason_and_keeps_its_text(client, database, out_for_comment):
    """The group sends revision 2 out again (30 → 20 → 30); a reader still on revision 1 posts."""
    rule_id = out_for_comment["rule"]
    with database() as session:
        rule = session.get(Rule, rule_id)
        _move(session, rule, "20")
        _move(session, rule, "30")
        session.commit()
    refused = _comment(client, rule_id, "1", text="第 1 版 5.3 的取舍比例过宽。")
    assert refused.status_code == 422
    assert "您阅读的是第 1 版，而现在征求意见的是" in refused.text and "第 2 版" in refused.text
    assert "第 1 版 5.3 的取舍比例过宽。" in refused.text  # what was typed is still in the form
    assert LATER_TEXT in refused.text  # the page now shows the text out for comment
    assert 'name="revision" type="hidden" value="2"' in refused.text  # sending again comments on it
    with database() as session:
        assert session.scalars(select(ConsultationComment)).all() == []
    assert _comment(client, rule_id, "2").status_code == 302
    assert _comment(client, rule_id, "x").status_code == 422  # not a revision number: not the draft sent out


def test_the_service_binds_comments_to_the_revision_sent_out(session):
    rule = make_rule(session)
    _move(session, rule, "30")
    _edit_scope(session, rule, LATER_TEXT)
    data = drafting.CommentInput(name="公众", organisation="", clause="", kind="general", comment="好")
    without = drafting.add_comment(session, rule, data, source="a", by=None, now=utcnow())
    assert without.revision == 1  # a client that does not say comments on the text sent out
    with pytest.raises(drafting.StaleConsultationDraft, match="您阅读的是第 2 版"):
        drafting.add_comment(session, rule, data, source="a", by=None, now=utcnow(), revision=2)


def test_sending_out_again_restarts_the_sixty_days_and_keeps_earlier_comments(session):
    """Editing during consultation leaves the period alone; a re-sent draft is a new consultation."""
    rule = make_rule(session)
    opened = TODAY - timedelta(days=70)
    _move(session, rule, "30", on=opened)
    data = drafting.CommentInput(name="公众", organisation="", clause="", kind="general", comment="好")
    first = drafting.add_comment(session, rule, data, source="a", by=None, now=utcnow(), revision=1)
    _edit_scope(session, rule, LATER_TEXT)

    def period():
        moves = dict(workflow.moves(session, rule, TODAY))
        move = next(move for move in moves if move.target == "40")
        return next(result for result in moves[move] if result.gate is Gate.COMMENT_PERIOD)

    assert period().passed and rule.consultation_opened_on == opened  # a new revision changes nothing
    _move(session, rule, "20")
    _move(session, rule, "30")
    assert (rule.consultation_opened_on, drafting.consultation_revision(session, rule).number) == (TODAY, 2)
    assert not period().passed
    assert period().finding.params["ends"] == (TODAY + timedelta(days=60)).isoformat()
    assert first.revision == 1 and drafting.comments_of(session, rule.id) == [first]


@pytest.mark.parametrize("forged", ["²", "١", "-1", "0", "3", "99999999999999999999", " 1 1"])
def test_a_forged_revision_number_is_refused_and_never_binds_the_comment_elsewhere(
    client, database, out_for_comment, forged
):
    """Any number but the one sent out (1; revision 2 exists but was not sent out) is refused with
    the reason. "²" is a digit to str.isdigit() and not to int(): it was a 500."""
    response = _comment(client, out_for_comment["rule"], forged)
    assert response.status_code == 422 and "现在征求意见的是" in response.text
    with database() as session:
        assert session.scalars(select(ConsultationComment)).all() == []
