"""Comparison in words (issue 14, item 5): changed fields named by the template's schema and shown
as the parameters form shows them, clause tables compared as tables, and the public comparison
without what only the workbench needs."""

import json
from datetime import date

import pytest

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.drafting import comparison
from workbench.drafting import service as drafting
from workbench.drafting import template as templates
from workbench.messages import identity
from workbench.publishing import service as publishing
from workbench.publishing.repository import PublicationRepository
from workbench.workflow import service as workflow

from .conftest import ADMIN, SECRETARIAT, Acting

CEMENT = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples" / "cement.json"
TABLE = "表 1 能耗\n\n| 项目 | 数值 | 单位 |\n|---|---|---|\n| 电 | 1 | kWh |\n| 热 | 2 | GJ |\n"


def cement() -> dict:
    return json.loads(CEMENT.read_text(encoding="utf-8"))


def said(value) -> str | None:
    return value if value is None or isinstance(value, str) else value.render(identity)


def words(rows) -> dict[str, tuple]:
    return {said(row.label): (said(row.shown_before), said(row.shown_after)) for row in rows}


def changes(old, new, *, public=False):
    return comparison.structured_changes(old, new, templates.load().schema, public=public)


def test_fields_are_named_by_the_schema_and_shown_as_the_form_shows_them():
    old, new = cement(), cement()
    boundary = new["parameters"]["system_boundary"]
    boundary["type"] = "cradle_to_grave"
    boundary["stages_included"] = ["raw_material_acquisition", "production", "use"]
    new["parameters"]["electricity"]["contractual_instruments_allowed"] = False
    new["parameters"]["cut_off"]["total_percent"] = 3.0
    new["front_matter"]["drafters"] = ["张三", "李四"]
    shown = words(changes(old, new))
    assert shown["系统边界 › 边界类型"] == ("摇篮到大门", "摇篮到坟墓")
    assert shown["系统边界 › 纳入的阶段"] == ("原材料获取、生产", "原材料获取、生产、使用")
    assert shown["电力碳排放核算 › 允许使用合同凭证"] == ("是", "否")
    assert shown["取舍准则 › 累计取舍比例（%）"] == ("5", "3")
    assert shown["封面和前言 › 主要起草人"][1] == "张三、李四"
    assert not any("cradle" in str(value) for pair in shown.values() for value in pair)


def test_items_of_a_list_are_matched_by_what_names_them():
    """Removing the second reference shows that reference removed, not every later one changed."""
    old, new = cement(), cement()
    removed = new["normative_references"].pop(1)
    new["terms"][0]["definition"] += "（修改）"
    rows = changes(old, new)
    shown = words(rows)
    assert {label for label in shown if label.startswith("规范性引用文件")} == {
        f"规范性引用文件 › {removed['number']} › 文件编号",
        f"规范性引用文件 › {removed['number']} › 文件名称",
    }
    assert shown[f"规范性引用文件 › {removed['number']} › 文件编号"] == (removed["number"], None)
    term = old["terms"][0]
    assert f"术语和定义 › {term['zh']} › 定义" in shown
    assert [row.path for row in rows if row.label and "术语" in said(row.label)] == ["/terms/0/definition"]


def test_the_public_comparison_leaves_out_what_only_the_workbench_needs():
    old, new = cement(), cement()
    old["template"] = "cfp-product-rule@1.0"
    for number, document in ((1, old), (2, new)):
        document["publication"] = {
            "rule": "CFP-R-0001",
            "revision": number,
            "revision_id": 10 + number,
            "stage": "30" if number == 1 else "40",
            "stage_label": "征求意见稿" if number == 1 else "送审稿",
            "level": "national",
            "checksum": f"sha256:{number:064d}",
            "draft_date": f"2026-0{number}-01",
        }
    new["x_workbench"] = {"rule": "CFP-R-0001", "revision": 2}
    public = {row.path for row in changes(old, new, public=True)}
    assert public == {"/publication/revision", "/publication/stage_label", "/publication/draft_date"}
    internal = {row.path for row in changes(old, new)}
    assert {"/template", "/publication/checksum", "/publication/revision_id", "/x_workbench/rule"} <= internal


def test_figure_data_shows_as_its_size_not_as_base64():
    old, new = cement(), cement()
    figure = {"id": "flow", "caption": "系统边界图", "media_type": "image/png", "data": "QUFB" * 1000}
    old["figures"] = [figure]
    new["figures"] = [{**figure, "data": "QkJC" * 2000}]
    assert words(changes(old, new)) == {"图 › 系统边界图 › 图片数据": ("3 KB", "6 KB")}


def test_a_table_in_clause_text_is_compared_as_a_table():
    before = "4.1 数据\n" + TABLE + "| 气 | 4 | m3 |\n\n其余说明。"
    after = "4.1 数据\n" + TABLE.replace("| 电 | 1 |", "| 电 | 1.5 |").replace("| 热 | 2 | GJ |\n", "")
    after += "| 气 | 4 | m3 |\n| 水 | 3 | t |\n"
    blocks = comparison.block_redline(before, after)
    assert [kind for kind, _ in blocks] == ["text", "table", "text"]
    table = blocks[1][1]
    assert table.header == [[("equal", "项目")], [("equal", "数值")], [("equal", "单位")]]
    assert [change for change, _ in table.rows] == ["changed", "delete", "equal", "insert"]
    assert table.rows[0][1][1] == [("equal", "1"), ("insert", ".5")]  # the cell, character by character
    assert table.rows[1][1][0] == [("delete", "热")]
    assert blocks[2] == ("text", [("delete", "其余说明。")])


def test_a_table_added_to_a_clause_is_shown_inserted_whole():
    blocks = comparison.block_redline("说明。", "说明。\n\n" + TABLE)
    assert blocks[0] == ("text", [("equal", "说明。"), ("insert", "\n\n表 1 能耗")])  # the caption, as text
    kind, table = blocks[1]
    assert kind == "table" and len(blocks) == 2
    assert table.header == [[("insert", "项目")], [("insert", "数值")], [("insert", "单位")]]
    assert [change for change, _ in table.rows] == ["insert", "insert"]


def test_pipes_that_are_not_a_table_stay_text():
    assert comparison.blocks("a | b\n---\nc") == [("text", "a | b\n---\nc")]


@pytest.fixture
def two_revisions(database):
    with database() as session:
        rule = make_rule(session)
        document = json.loads(json.dumps(drafting.revision(session, rule).document))
        document["parameters"]["system_boundary"]["type"] = "cradle_to_grave"
        clause = next(clause for clause in document["clauses"] if clause["id"] == "scope")
        clause["text"] += "\n\n" + TABLE
        drafting.save_revision(session, rule, document, message="改", based_on=1, by=ADMIN)
        session.commit()
        return rule.id


def test_the_drafting_comparison_page_reads_in_words_and_keeps_the_pointer_for_the_group(login, two_revisions):
    client = login(Role.SECRETARIAT)
    page = client.get(f"/drafting/{two_revisions}/compare?a=1&b=2").text
    assert "系统边界 › 边界类型" in page and "摇篮到坟墓" in page and "cradle_to_grave" not in page
    assert "<code>/parameters/system_boundary/type</code>" in page  # the group may look the field up
    assert 'class="table redline-table"' in page and "|---|" not in page
    client.post_form("/language", {"locale": "en", "next": "/"})
    english = client.get(f"/drafting/{two_revisions}/compare?a=1&b=2").text
    assert "Boundary type" in english and "Cradle-to-grave" in english


def test_the_public_comparison_reads_in_words_without_internal_fields(app, client, database):
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    with database() as session:
        rule = make_rule(session)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        first, _ = publishing.publish(session, rule, by=SECRETARIAT, repository=repository)
        workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
        document = json.loads(json.dumps(drafting.revision(session, rule).document))
        document["parameters"]["electricity"]["contractual_instruments_allowed"] = False
        drafting.save_revision(session, rule, document, message="改", based_on=1, by=ADMIN)
        workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
        second, _ = publishing.publish(session, rule, by=SECRETARIAT, repository=repository)
        session.commit()
        slug, old, new = first.slug, first.commit, second.commit
    page = client.get(f"/published/{slug}/compare?from={old}&to={new}").text
    assert "电力碳排放核算 › 允许使用合同凭证" in page and ">否</td>" in page
    for internal in ("校验和", "修订标识", "sha256:", "/publication/", "<code>"):
        assert internal not in page
