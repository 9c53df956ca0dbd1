"""The public portal and the publish button: what an anonymous visitor can read, download and
compare, and what the secretariat's click does."""

import io
import json
from datetime import date

import docx
import git
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.drafting import service as drafting
from workbench.drafting import template as templates
from workbench.drafting.models import ConsultationComment, Rule
from workbench.publishing import service
from workbench.publishing.models import Publication
from workbench.publishing.repository import PublicationRepository
from workbench.workflow import service as workflow

from .conftest import SECRETARIAT, Acting

EXAMPLES = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.0" / "examples"


def _publish(session, app, rule):
    record, _created = service.publish(
        session, rule, by=SECRETARIAT, repository=PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    )
    session.commit()
    return record


def _revise_and_publish(session, app, rule, per_item_percent):
    """Back to drafting, a new cut-off, out for consultation again and published."""
    workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
    document = drafting.revision(session, rule).document
    document["parameters"]["cut_off"]["per_item_percent"] = per_item_percent
    drafting.save_revision(session, rule, document, message="取舍", based_on=rule.current_revision, by=SECRETARIAT)
    workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
    return _publish(session, app, rule)


@pytest.fixture
def two_versions(app, database):
    """The cement rule published as a consultation draft, revised, and published again."""
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        first = _publish(session, app, rule)
        second = _revise_and_publish(session, app, rule, per_item_percent=0.5)
        return {"rule": rule.id, "first": first.commit, "second": second.commit, "slug": first.slug}


def test_an_anonymous_visitor_finds_reads_and_downloads_a_published_rule(client, two_versions):
    listing = client.get("/published/")
    assert listing.status_code == 200 and "温室气体 产品碳足迹量化方法与要求 水泥" in listing.text
    assert "征求意见中" in listing.text
    assert "水泥" in client.get("/published/?q=水泥").text
    assert "没有符合条件的规则" in client.get("/published/?q=钢铁").text
    assert "没有符合条件的规则" in client.get("/published/?kind=standards").text

    page = client.get("/published/cement/")
    assert page.status_code == 200
    assert "5.3　取舍准则" in page.text and "0.5%" in page.text  # the latest version's text
    assert page.text.count('name="from"') == 2  # both versions offered for comparison
    assert 'id="comment-form"' in page.text  # out for consultation: the comment form is there

    slug, second = two_versions["slug"], two_versions["second"]
    pdf = client.get(f"/published/{slug}/versions/{second}/rule.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "immutable" in pdf.headers["Cache-Control"] and pdf.headers["ETag"]
    assert (
        client.get(
            f"/published/{slug}/versions/{second}/rule.pdf", headers={"If-None-Match": pdf.headers["ETag"]}
        ).status_code
        == 304
    )
    word = client.get(f"/published/{slug}/versions/{second}/rule.docx")
    headings = [p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs if p.style.name == "Heading 1"]
    assert "1\u3000范围" in headings
    published = client.get(f"/published/{slug}/versions/{second}/rule.json").get_json()
    assert templates.load().validate(published) == [] and published["publication"]["revision"] == 2


def test_an_old_version_stays_readable_and_the_diff_shows_the_change(client, two_versions):
    slug, first, second = two_versions["slug"], two_versions["first"], two_versions["second"]
    old = client.get(f"/published/{slug}/versions/{first}")
    assert old.status_code == 200 and "历史版本" in old.text and 'id="comment-form"' not in old.text
    diff = client.get(f"/published/{slug}/compare?from={first}&to={second}")
    assert diff.status_code == 200
    assert "取舍准则 › 单项取舍比例（%）" in diff.text  # the field in words, not its JSON pointer
    assert "<del>1</del><ins>0.5</ins>" in diff.text.replace("\n", "")
    assert client.get(f"/published/{slug}/compare").status_code == 200  # defaults: the last two versions


def test_portal_pages_answer_304_until_something_is_published(client, app, database, two_versions):
    first = client.get("/published/cement/")
    etag = first.headers["ETag"]
    assert client.get("/published/cement/", headers={"If-None-Match": etag}).status_code == 304
    with database() as session:  # the consultation closes: the page must drop its comment form
        rule = session.get(Rule, two_versions["rule"])
        workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
        session.commit()
    closed = client.get("/published/cement/", headers={"If-None-Match": etag})
    assert closed.status_code == 200 and 'id="comment-form"' not in closed.text
    etag = closed.headers["ETag"]
    with database() as session:
        rule = session.get(Rule, two_versions["rule"])
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        session.commit()
    etag = client.get("/published/cement/").headers["ETag"]
    with database() as session:
        _revise_and_publish(session, app, session.get(Rule, two_versions["rule"]), per_item_percent=0.8)
    assert client.get("/published/cement/", headers={"If-None-Match": etag}).status_code == 200


def test_unknown_rules_versions_and_files_are_not_found(client, two_versions):
    slug = two_versions["slug"]
    assert client.get("/published/steel/").status_code == 404
    assert client.get(f"/published/{slug}/versions/{'0' * 40}").status_code == 404
    assert client.get(f"/published/{slug}/versions/{'0' * 40}/rule.pdf").status_code == 404
    assert client.get(f"/published/{slug}/versions/{two_versions['first']}/secret.txt").status_code == 404
    assert client.get(f"/published/{slug}/versions/HEAD/rule.pdf").status_code == 404  # a commit, not a ref


def test_a_comment_sent_from_the_portal_is_recorded_and_returns_to_the_portal(client, database, two_versions):
    page = client.get("/published/cement/")
    assert page.status_code == 200
    response = client.post_form(
        f"/drafting/{two_versions['rule']}/comments",
        {
            "name": "王工",
            "organisation": "某水泥企业",
            "clause": "5.3",
            "kind": "technical",
            "comment": "建议说明 0.5% 的依据。",
            "next": "/published/cement/",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/published/cement/")
    with database() as session:
        [comment] = session.scalars(select(ConsultationComment)).all()
        assert (comment.clause, comment.revision) == ("5.3", 2)


def test_the_secretariat_publishes_from_the_workspace(login, app, database):
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        session.commit()
        rule_id = rule.id
    client = login(Role.SECRETARIAT)
    workspace = client.get(f"/drafting/{rule_id}")
    assert "发布第 1 版到公开平台" in workspace.text
    response = client.post_form(f"/drafting/{rule_id}/publish", {"note": "公开征求意见"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]  # a background job publishes
    job = client.get(response.headers["Location"])
    assert "已完成" in job.text and 'href="/published/cement/"' in job.text  # done, with the way to the portal
    again = client.post_form(f"/drafting/{rule_id}/publish", {"note": ""})
    assert again.status_code == 302 and again.headers["Location"].endswith("/published/cement/")
    assert "已经发布过" in client.get("/published/cement/").text
    with database() as session:
        [record] = session.scalars(select(Publication)).all()
        assert (record.publisher_label, record.message) == ("测试secretariat (secretariat)", "公开征求意见")
    assert len(list(git.Repo(app.config["PUBLICATION_REPOSITORY"]).iter_commits())) == 1
    assert "cement/30-r1" in client.get(f"/drafting/{rule_id}").text  # the workspace lists the publication


def test_a_working_draft_cannot_be_published_and_says_why(login, database):
    with database() as session:
        rule_id = make_rule(session).id
        session.commit()
    response = login(Role.SECRETARIAT).post_form(f"/drafting/{rule_id}/publish", {"note": ""})
    assert response.status_code == 422 and "工作组讨论稿" in response.text


def test_drafters_download_any_revision_as_pdf_and_word_but_visitors_do_not(login, client, database):
    with database() as session:
        rule_id = make_rule(session).id
        session.commit()
    drafter = login(Role.DRAFTER)
    assert "生成 PDF" in drafter.get(f"/drafting/{rule_id}/revisions/1/rule.pdf").text  # laid out by a job, on request
    for name in ("rule.pdf", "rule.docx"):
        job = drafter.post_form(f"/drafting/{rule_id}/revisions/1/{name}/render")
        assert job.status_code == 302 and "/jobs/" in job.headers["Location"]
    pdf = drafter.get(f"/drafting/{rule_id}/revisions/1/rule.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert 'filename="' in pdf.headers["Content-Disposition"]
    word = drafter.get(f"/drafting/{rule_id}/revisions/1/rule.docx")
    assert docx.Document(io.BytesIO(word.data)).paragraphs
    assert drafter.get(f"/drafting/{rule_id}/revisions/9/rule.pdf").status_code == 404
    assert client.get(f"/drafting/{rule_id}/revisions/1/rule.pdf").status_code == 302  # sign in first


# --- the command line -----------------------------------------------------------------------------------


def test_render_writes_every_format_from_a_rule_file_without_a_database(tmp_path):
    from workbench.cli import cli

    outputs = {name: tmp_path / name for name in ("rule.html", "rule.pdf", "rule.docx", "rule.md")}
    result = CliRunner().invoke(
        cli,
        [
            "render",
            str(EXAMPLES / "cement.json"),
            "--stage",
            "30",
            *("--html", str(outputs["rule.html"]), "--pdf", str(outputs["rule.pdf"])),
            *("--docx", str(outputs["rule.docx"]), "--markdown", str(outputs["rule.md"])),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "征求意见稿" in outputs["rule.html"].read_text(encoding="utf-8")
    assert outputs["rule.pdf"].read_bytes().startswith(b"%PDF")
    assert docx.Document(str(outputs["rule.docx"])).paragraphs
    assert outputs["rule.md"].read_text(encoding="utf-8").startswith("# 温室气体")


def test_render_refuses_a_file_that_is_not_a_rule(tmp_path):
    from workbench.cli import cli

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"template": "cfp-product-rule@1.0", "title": 3}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(broken), "--pdf", str(tmp_path / "out.pdf")])
    assert result.exit_code == 2 and not (tmp_path / "out.pdf").exists()
    nothing = CliRunner().invoke(cli, ["render", str(EXAMPLES / "cement.json")])
    assert nothing.exit_code == 2


def test_publish_command_publishes_the_current_revision(app, database):
    from workbench.cli import cli

    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        session.commit()
        code = rule.code
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["publish", code, "--message", "公开征求意见"])
    assert result.exit_code == 0, result.output
    assert "cement/30-r1" in result.output
    again = runner.invoke(cli, ["publish", code])
    assert again.exit_code == 0 and "unchanged" in again.output
    with database() as session:
        assert session.scalar(select(Publication.tag)) == "cement/30-r1"
