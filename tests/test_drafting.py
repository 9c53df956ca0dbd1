"""The drafting workspace: rules from the template, revisions, stale saves, findings and their
suppression, the stage gates, consultation, comparisons and the `workbench rules` commands."""

import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workbench.auth.models import User, WorkingGroup
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.drafting import service
from workbench.drafting.models import ConsultationComment, Rule, RuleRevision
from workbench.errors import Conflict, InvalidInput, TooManyAttempts, WorkbenchError
from workbench.guideline.findings import counts
from workbench.registry import service as registry
from workbench.registry.models import Standard, Status
from workbench.workflow import service as workflow

from .conftest import ADMIN, PASSWORD, Acting
from .drafting_helpers import form_data, make_rule
from .trials_helpers import make_trial

AUTHOR = ADMIN
TODAY = date.today()


def codes(rule, session, document=None):
    document = document or service.revision(session, rule).document
    return {(f.code, f.path) for f in service.findings(session, rule, document) if not f.suppressed}


def save(session, rule, document, **kwargs):
    kwargs.setdefault("based_on", rule.current_revision)
    return service.save_revision(session, rule, document, message=kwargs.pop("message", "改"), by=AUTHOR, **kwargs)


def current(session, rule):
    return json.loads(json.dumps(service.revision(session, rule).document))


# --- creating rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end_use", "boundary", "unit"),
    [("final", "cradle_to_grave", "functional_unit"), ("intermediate", "cradle_to_gate", "declared_unit")],
)
def test_a_new_rule_follows_the_template_and_the_products_end_use(session, end_use, boundary, unit):
    rule = make_rule(session, name="光伏组件", name_en="Photovoltaic modules", end_use=end_use)
    document = service.revision(session, rule).document
    assert rule.title == document["title"] == "温室气体 产品碳足迹量化方法与要求 光伏组件"
    assert document["parameters"]["system_boundary"]["type"] == boundary
    assert unit in document["parameters"]
    assert (rule.stage, rule.current_revision, rule.template) == ("20", 1, "cfp-product-rule@1.1")
    assert (rule.standard.level.value, rule.standard.status, rule.standard.product) == (
        "national",
        Status.DRAFTING,
        rule.product,
    )
    assert counts(service.findings(session, rule, document))["errors"] == 0


def test_a_rule_takes_over_the_registry_project_of_its_product(session):
    cement = registry.create_product(
        session, registry.ProductInput(name="水泥", side="production", end_use="intermediate"), by=ADMIN
    )
    project, _ = registry.create_standard(
        session,
        registry.StandardInput(level="national", title="水泥碳足迹项目", status="planned", product=cement),
        by=ADMIN,
    )
    rule = make_rule(session)
    assert rule.standard is project and project.status == Status.DRAFTING
    assert session.scalar(select(func.count()).select_from(Standard)) == 1


def test_a_rule_is_refused_where_the_level_rules_forbid_its_project(session):
    """A national project is never refused by the level rules, but an archived product is."""
    rule = make_rule(session)
    rule.product.archived_at = utcnow()
    with pytest.raises(InvalidInput, match="已归档"):
        service.create_rule(session, product=rule.product, by=AUTHOR, today=TODAY)


# --- revisions ----------------------------------------------------------------------------------------


def test_every_save_is_a_revision_and_a_stale_save_is_refused(session):
    rule = make_rule(session)
    mine, theirs = current(session, rule), current(session, rule)
    theirs["parameters"]["data_period"] = "最近 12 个月"
    save(session, rule, theirs, based_on=1)
    mine["parameters"]["data_period"] = "最近 24 个月"
    with pytest.raises(service.StaleRevision, match="第 1 版.*第 2 版") as refused:
        save(session, rule, mine, based_on=1)
    assert refused.value.details["current_revision"] == 2
    assert [revision.number for revision in rule.revisions] == [1, 2]
    assert service.revision(session, rule).document["parameters"]["data_period"] == "最近 12 个月"
    save(session, rule, mine, based_on=2)  # merged knowingly
    assert service.revision(session, rule, 1).document["parameters"]["data_period"] != "最近 24 个月"


def test_a_revision_names_its_author_as_the_audit_trail_does_even_at_the_longest(session):
    rule = make_rule(session)
    longest = Acting(Role.ADMINISTRATOR, "u" * 64, "名" * 100)  # the longest name and username an account may have
    document = current(session, rule)
    document["parameters"]["data_period"] = "最近 12 个月"
    saved = service.save_revision(session, rule, document, message="改", based_on=1, by=longest)
    session.flush()
    assert saved.author_label == f"{'名' * 100} ({'u' * 64})"


def test_a_document_that_does_not_fit_the_schema_names_the_path(session):
    rule = make_rule(session)
    broken = current(session, rule)
    broken["parameters"]["cut_off"]["total_percent"] = "五"
    with pytest.raises(InvalidInput) as refused:
        save(session, rule, broken)
    assert refused.value.details["problems"][0]["path"] == "/parameters/cut_off/total_percent"
    assert rule.current_revision == 1


def test_comparing_revisions_shows_parameters_side_by_side_and_text_as_a_redline(session):
    rule = make_rule(session)
    changed = current(session, rule)
    changed["parameters"]["cut_off"]["total_percent"] = 3
    scope = next(clause for clause in changed["clauses"] if clause["id"] == "scope")
    scope["text"] = scope["text"] + "\n\n本文件不适用于白水泥。"
    save(session, rule, changed)
    rows, clauses = service.compare(service.revision(session, rule, 1).document, changed)
    assert ("/parameters/cut_off/total_percent", 5, 3) in [(row.path, row.before, row.after) for row in rows]
    [diff] = [clause for clause in clauses if clause.change != "same"]
    assert diff.id == "scope" and ("insert", "\n\n本文件不适用于白水泥。") in diff.segments


# --- findings -----------------------------------------------------------------------------------------


def test_a_finding_appears_and_disappears_with_the_parameter(session):
    rule = make_rule(session)
    document = current(session, rule)
    document["parameters"]["system_boundary"]["type"] = "cradle_to_grave"
    save(session, rule, document)
    assert ("boundary_end_use_mismatch", "/parameters/system_boundary/type") in codes(rule, session)
    assert rule.revisions[-1].errors > 0
    document["parameters"]["system_boundary"]["type"] = "cradle_to_gate"
    save(session, rule, document)
    assert not any(code == "boundary_end_use_mismatch" for code, _ in codes(rule, session))


def test_a_finding_is_suppressed_only_with_a_reason_and_shows_as_suppressed(session):
    rule = make_rule(session, name_en="")
    assert ("title_en_missing", "/title_en") in codes(rule, session)
    with pytest.raises(InvalidInput, match="理由"):
        service.suppress(session, rule, code="title_en_missing", path="/title_en", reason=" ", by=AUTHOR)
    with pytest.raises(InvalidInput, match="没有这项"):
        service.suppress(
            session, rule, code="gwp_set_missing", path="/parameters/gwp_set", reason="无此问题", by=AUTHOR
        )
    suppression = service.suppress(
        session, rule, code="title_en_missing", path="/title_en", reason="英文名称待外文专家审定", by=AUTHOR
    )
    found = service.findings(session, rule, service.revision(session, rule).document)
    [shown] = [finding for finding in found if finding.code == "title_en_missing"]
    assert shown.suppressed and shown.suppression_reason == "英文名称待外文专家审定"
    assert counts(found)["errors"] == 0
    service.unsuppress(session, suppression, by=ADMIN)
    assert counts(service.findings(session, rule, service.revision(session, rule).document))["errors"] == 1


# --- stages -------------------------------------------------------------------------------------------


def move(session, rule, target, *, role="secretariat", today=TODAY, **kwargs):
    return workflow.move_stage(session, rule, target, by=Acting(Role(role)), today=today, **kwargs)


def test_consultation_needs_a_rule_without_errors(session):
    rule = make_rule(session, name_en="")
    with pytest.raises(InvalidInput, match="错误"):
        move(session, rule, "30")
    assert rule.stage == "20"
    document = current(session, rule)
    document["title_en"] = (
        "Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for cement"
    )
    save(session, rule, document)
    event = move(session, rule, "30")
    assert (rule.stage, rule.consultation_opened_on, rule.standard.status) == ("30", TODAY, Status.CONSULTATION)
    assert (event.from_stage, event.to_stage, event.gates) == ("20", "30", [{"gate": "no_errors", "state": "passed"}])


def test_leaving_consultation_needs_sixty_days_and_every_comment_dispositioned(session):
    rule = make_rule(session)
    opened = TODAY - timedelta(days=59)
    move(session, rule, "30", today=opened)
    comment = service.add_comment(
        session,
        rule,
        service.CommentInput("王工", "", "5.1", "technical", "建议补充算例。"),
        source="a",
        by=None,
        now=utcnow(),
    )
    with pytest.raises(InvalidInput) as refused:
        move(session, rule, "40")
    message = str(refused.value.message)
    assert "60 天" in message and "1 条意见未处理" in message
    service.dispose(session, comment, "accepted", "", by=ADMIN)
    with pytest.raises(InvalidInput, match="60 天"):
        move(session, rule, "40")
    with pytest.raises(InvalidInput, match="只有 0 家企业"):
        move(session, rule, "40", today=opened + timedelta(days=60))
    for enterprise in ("甲水泥", "乙水泥", "丙水泥"):
        make_trial(session, rule, enterprise)
    event = move(session, rule, "40", today=opened + timedelta(days=60))
    assert {"gate": "trials", "state": "passed"} in event.gates and rule.stage == "40"


def test_only_the_roles_of_a_move_may_make_it_and_no_stage_is_skipped(session):
    rule = make_rule(session)
    with pytest.raises(InvalidInput, match="不能从"):
        move(session, rule, "60")
    rule.stage = "50"
    with pytest.raises(WorkbenchError, match="角色"):
        move(session, rule, "60", role="secretariat", number="GB/T 49999-2026")


def test_publication_gives_the_registry_entry_its_number_and_makes_text_read_only(session):
    rule = make_rule(session)
    rule.stage = "50"
    with pytest.raises(InvalidInput, match="标准编号"):
        move(session, rule, "60", role="administrator")
    move(session, rule, "60", role="administrator", number="GB/T 49999-2026")
    standard = rule.standard
    assert (standard.numbers, standard.status, standard.published_on) == ("GB/T 49999—2026", Status.PUBLISHED, TODAY)
    assert workflow.review_due(rule) == TODAY.replace(year=TODAY.year + 5)
    with pytest.raises(Conflict, match="复审"):
        save(session, rule, current(session, rule))


# --- consultation -------------------------------------------------------------------------------------


def comment(text="建议增加算例。", **changes):
    values = dict(name="公众", organisation="", clause="", kind="general", comment=text)
    values.update(changes)
    return service.CommentInput(**values)


def test_comments_are_taken_only_during_consultation_and_are_limited(session):
    rule = make_rule(session)
    with pytest.raises(Conflict, match="不在征求意见阶段"):
        service.add_comment(session, rule, comment(), source="x", by=None, now=utcnow())
    move(session, rule, "30")
    now = utcnow()
    for index in range(service.COMMENTS_PER_HOUR):
        service.add_comment(session, rule, comment(f"意见 {index}"), source="x", by=None, now=now)
    with pytest.raises(TooManyAttempts, match="一小时内最多") as refusal:
        service.add_comment(session, rule, comment(), source="x", by=None, now=now)
    assert refusal.value.retry_at > now  # the window the 11th fell in ends within the hour
    assert refusal.value.retry_at <= utcnow() + timedelta(hours=1)
    service.add_comment(session, rule, comment(), source="y", by=None, now=now)
    with pytest.raises(InvalidInput, match="不能超过"):
        service.add_comment(session, rule, comment("长" * 4001), source="z", by=None, now=now)
    with pytest.raises(InvalidInput, match="意见类型"):
        service.add_comment(session, rule, comment(kind="angry"), source="z", by=None, now=now)


def test_a_disposition_other_than_accepted_needs_a_reason_and_the_table_exports(session):
    rule = make_rule(session)
    move(session, rule, "30")
    first = service.add_comment(
        session,
        rule,
        comment("表 A.1 单位不统一", clause="附录A", kind="editorial"),
        source="a",
        by=None,
        now=utcnow(),
    )
    second = service.add_comment(session, rule, comment("建议删去 5.3"), source="b", by=None, now=utcnow())
    with pytest.raises(InvalidInput, match="理由"):
        service.dispose(session, second, "not_accepted", "", by=ADMIN)
    service.dispose(session, first, "accepted", "", by=ADMIN)
    service.dispose(session, second, "not_accepted", "5.3 是计算的前提。", by=ADMIN)
    sheet = load_workbook(io.BytesIO(service.comments_table_xlsx(rule, [first, second]))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:4] == (1, "附录A", "编辑性", "表 A.1 单位不统一") and rows[0][7] == "采纳"
    assert rows[1][7:] == ("未采纳", "5.3 是计算的前提。")
    assert "征求意见汇总处理表" in sheet["A1"].value


# --- pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        group = session.get(WorkingGroup, people["working_group"])
        rule = make_rule(session, working_group=group)
        session.commit()
        return rule.id


def test_a_drafter_outside_every_working_group_is_told_why_no_rule_can_be_created(app, people, database):
    from workbench.auth import service as accounts

    with database() as session:
        accounts.create_user(
            session, by=ADMIN, username="lone", display_name="独立起草人", password=PASSWORD, role=Role.DRAFTER
        )
        session.commit()
    client = app.test_client()
    assert client.post_form("/login", {"username": "lone", "password": PASSWORD}).status_code == 302
    page = client.get("/drafting/new").text
    assert 'id="no-working-group"' in page and "请秘书处先把您加入起草组" in page and "<select" not in page


def test_the_parameters_form_saves_what_it_shows(login, database, rule_id):
    client = login(Role.DRAFTER)
    with database() as session:
        document = current(session, session.get(Rule, rule_id))
    data = form_data(document, **{"/parameters/system_boundary/type": "cradle_to_grave"})
    response = client.post_form(f"/drafting/{rule_id}/parameters", {**data, "based_on": "1", "message": "试改边界"})
    assert response.status_code == 302
    page = client.get(f"/drafting/{rule_id}/parameters").text
    assert 'data-code="boundary_end_use_mismatch"' in page and "field-parameters-system_boundary-type" in page
    with database() as session:
        saved = service.revision(session, session.get(Rule, rule_id)).document
    document["parameters"]["system_boundary"]["type"] = "cradle_to_grave"
    # Nothing else changed on the way through the form, except that the clauses still as the
    # template wrote them now state the new boundary (template.follow_parameters).
    changed = [clause["id"] for clause, was in zip(saved["clauses"], document["clauses"], strict=True) if clause != was]
    assert {**saved, "clauses": []} == {**document, "clauses": []} and "system-boundary" in changed
    assert "摇篮到坟墓" in clause_text(saved, "system-boundary")
    assert "摇篮到坟墓" not in clause_text(document, "system-boundary")


def test_every_page_of_a_rule_links_its_findings_to_where_they_are_fixed(login, database, rule_id):
    client = login(Role.DRAFTER)
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = current(session, rule)
        document["parameters"]["system_boundary"]["type"] = "cradle_to_grave"  # a finding in a field
        document["clauses"][0]["text"] = "见 [第 99 章](#no-such-clause)。"  # and one in a clause
        save(session, rule, document)
        session.commit()
        clause_id = document["clauses"][0]["id"]
    field = f'href="/drafting/{rule_id}/parameters#field-parameters-system_boundary-type"'
    for page in ("", "/parameters", "/document", f"/clauses/{clause_id}"):
        response = client.get(f"/drafting/{rule_id}{page}")
        assert response.status_code == 200, page  # the overview is another blueprint's page
        assert field in response.text, page
        assert f'href="/drafting/{rule_id}/clauses/{clause_id}"' in response.text, page


def test_a_stale_form_save_keeps_what_was_typed(login, database, rule_id):
    client = login(Role.SECRETARIAT)
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = current(session, rule)
        newer = json.loads(json.dumps(document))
        newer["parameters"]["data_period"] = "别人改的"
        save(session, rule, newer)
        session.commit()
    data = form_data(document, **{"/parameters/data_period": "我正在写的内容"})
    response = client.post_form(f"/drafting/{rule_id}/parameters", {**data, "based_on": "1"})
    assert response.status_code == 409 or response.status_code == 422
    assert "您的内容没有保存" in response.text and "我正在写的内容" in response.text
    text = client.post_form(
        f"/drafting/{rule_id}/clauses/scope", {"based_on": "1", "title": "范围", "text": "我的范围条款", "save": "1"}
    )
    assert "我的范围条款" in text.text and text.status_code == 422
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 2


def test_clause_preview_saves_nothing_and_html_is_shown_as_text(login, database, rule_id):
    client = login(Role.DRAFTER)
    response = client.post_form(
        f"/drafting/{rule_id}/clauses/scope",
        {"based_on": "1", "title": "范围", "text": "**本文件**<script>alert(1)</script>", "preview": "1"},
    )
    assert "<strong>本文件</strong>" in response.text and "&lt;script&gt;" in response.text
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_the_json_editor_names_the_line_or_the_path(login, rule_id):
    client = login(Role.DRAFTER)
    bad_json = client.post_form(f"/drafting/{rule_id}/document", {"based_on": "1", "document": '{"title": '})
    assert bad_json.status_code == 422 and "第 1 行" in bad_json.text
    wrong = client.post_form(f"/drafting/{rule_id}/document", {"based_on": "1", "document": '{"title": "x"}'})
    assert wrong.status_code == 422 and "/clauses" in wrong.text


def test_a_drafter_of_another_group_cannot_edit(database, people, login):
    with database() as session:
        other = WorkingGroup(code="WG-OTHER", name="别的起草组", description="")
        session.add(other)
        rule = make_rule(session, working_group=other)
        session.commit()
        rule_id = rule.id
    client = login(Role.DRAFTER)
    assert client.get(f"/drafting/{rule_id}").status_code == 200  # reading is open to every account
    assert client.get(f"/drafting/{rule_id}/parameters").status_code == 403
    assert (
        client.post_form(f"/drafting/{rule_id}/clauses/scope", {"based_on": "1", "title": "x", "save": "1"}).status_code
        == 403
    )


def test_the_public_comments_on_a_consultation_draft(client, database, rule_id):
    assert client.get(f"/drafting/{rule_id}/consultation").status_code == 404  # not public before 30
    with database() as session:
        move(session, session.get(Rule, rule_id), "30")
        session.commit()
    page = client.get(f"/drafting/{rule_id}/consultation")
    assert page.status_code == 200 and "征求意见稿" in page.text
    response = client.post_form(
        f"/drafting/{rule_id}/comments", {"name": "公众", "kind": "technical", "comment": "请补充电力排放因子的年份。"}
    )
    assert response.status_code == 302
    with database() as session:
        assert session.scalar(select(ConsultationComment.comment)) == "请补充电力排放因子的年份。"


def test_the_comments_table_downloads_as_xlsx(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        move(session, rule, "30")
        service.add_comment(session, rule, comment("意见一"), source="a", by=None, now=utcnow())
        session.commit()
    response = login(Role.SECRETARIAT).get(f"/drafting/{rule_id}/comments.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(response.data)).active["D3"].value == "意见一"


# --- the rules commands ---------------------------------------------------------------------------------


def test_rules_export_and_import_round_trip(cli_runner, database, tmp_path):
    with database() as session:
        rule = make_rule(session)
        session.commit()
        code = rule.code
    listed = json.loads(cli_runner("rules", "list", "--format", "json").output)
    assert [(item["code"], item["stage"], item["revision"]) for item in listed] == [(code, "20", 1)]
    exported = json.loads(cli_runner("rules", "export", code).output)
    assert exported["x_workbench"] == {"rule": code, "revision": 1}
    exported["parameters"]["data_period"] = "最近 36 个月"
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    result = cli_runner("rules", "import", str(path), "--message", "外部修改")
    assert result.exit_code == 0 and "第 2 版" in result.output
    with database() as session:
        rule = session.scalar(select(Rule).where(Rule.code == code))
        assert service.revision(session, rule).document["parameters"]["data_period"] == "最近 36 个月"
        assert session.scalar(select(RuleRevision.message).where(RuleRevision.number == 2)) == "外部修改"
    with pytest.raises(service.StaleRevision):  # exported from revision 1, which is no longer current
        cli_runner("rules", "import", str(path))


def test_the_demo_rules_are_valid_and_conformant(cli_runner, database):
    assert cli_runner("demo").exit_code == 0
    with database() as session:
        rules = session.scalars(select(Rule).order_by(Rule.code)).all()
        # the two drafted here first, then the rules at the other stages (tests/test_demo_stages.py)
        assert [rule.product.name for rule in rules[:2]] == ["锂离子电池", "水泥"]
        for rule in rules:
            document = service.revision(session, rule).document
            assert service.validate(rule, document) == []
            # the project just approved (10) is the template's text, its English title still to write
            if rule.stage != "10":
                assert counts(service.findings(session, rule, document))["errors"] == 0
        assert [rule.current_revision for rule in rules[:2]] == [3, 3]
        cement = rules[1]
        assert cement.stage == "30" and len(service.comments_of(session, cement.id)) == 3
        assert session.scalar(select(User.id).where(User.username == "drafter")) is not None


def test_after_a_stale_refusal_the_form_saves_on_the_newest_revision(login, database, rule_id):
    """The refusal moves the form onto the newest revision: saving again, merged, succeeds."""
    client = login(Role.SECRETARIAT)
    with database() as session:
        rule = session.get(Rule, rule_id)
        document = current(session, rule)
        newer = json.loads(json.dumps(document))
        newer["parameters"]["data_period"] = "别人改的"
        save(session, rule, newer)
        session.commit()
    data = {**form_data(document, **{"/parameters/data_period": "合并后的内容"}), "based_on": "1"}
    refused = client.post_form(f"/drafting/{rule_id}/parameters", data)
    assert 'name="based_on" type="hidden" value="2"' in refused.text
    assert client.post_form(f"/drafting/{rule_id}/parameters", {**data, "based_on": "2"}).status_code == 302
    with database() as session:
        rule = session.get(Rule, rule_id)
        assert service.revision(session, rule).document["parameters"]["data_period"] == "合并后的内容"


# --- what the review found -------------------------------------------------------------------------


def test_a_draft_is_not_shown_to_visitors_through_the_comment_form(client, database, rule_id):
    response = client.post_form(f"/drafting/{rule_id}/comments", {})
    assert response.status_code == 404 and "范围" not in response.text


def test_periodic_review_neither_renumbers_nor_unpublishes_the_standard(session):
    rule = make_rule(session)
    rule.stage = "50"
    move(session, rule, "60", role="administrator", number="GB/T 49999-2026")
    move(session, rule, "90")
    move(session, rule, "60", number="GB/T 11111-2027")  # the number box is not for this move
    assert (rule.standard.numbers, rule.published_on) == ("GB/T 49999—2026", TODAY)
    move(session, rule, "90")
    move(session, rule, "20")
    assert rule.standard.status == Status.UNDER_REVISION  # still in force while it is revised


def test_a_rule_keeps_its_product(session):
    rule = make_rule(session)
    document = current(session, rule)
    document["product"]["name"] = "玻璃"
    with pytest.raises(InvalidInput) as refused:
        save(session, rule, document)
    assert refused.value.details["problems"][0]["path"] == "/product/name"


def test_a_suppression_does_not_move_to_another_finding_at_the_same_place(session):
    rule = make_rule(session)
    document = current(session, rule)
    document["clauses"][3]["text"] += " 见[未知](#nowhere)。"
    save(session, rule, document)
    [finding] = [f for f in service.findings(session, rule, document) if f.code == "cross_reference_unresolved"]
    service.suppress(session, rule, code=finding.code, path=finding.path, reason="稍后补充该章条", by=AUTHOR)
    document["clauses"][3]["text"] = document["clauses"][3]["text"].replace("#nowhere", "#elsewhere")
    save(session, rule, document)
    [moved] = [f for f in service.findings(session, rule, document) if f.code == "cross_reference_unresolved"]
    assert moved.path == finding.path and not moved.suppressed


def test_user_text_with_percent_or_html_is_shown_as_typed(login, database, rule_id):
    client = login(Role.SECRETARIAT)
    with database() as session:
        rule = session.get(Rule, rule_id)
        changed = current(session, rule)  # an unchanged document would write no revision
        changed["parameters"]["data_period"] = "最近连续 12 个月（改）"
        save(session, rule, changed, message="覆盖率提高到 100%完成 <svg/onload=alert(1)>")
        move(session, rule, "30", note="完成 100%好 <a href='https://evil.example'>x</a>")
        session.commit()
    revisions = client.get(f"/drafting/{rule_id}/revisions")
    assert revisions.status_code == 200 and "100%完成 &lt;svg/onload=alert(1)&gt;" in revisions.text
    history = client.get(f"/audit/rule/{rule_id}")
    assert history.status_code == 200 and "100%好 &lt;a href=" in history.text


def test_the_comments_table_never_holds_formulas_or_control_characters(session):
    rule = make_rule(session)
    move(session, rule, "30")
    bad = service.add_comment(
        session,
        rule,
        comment('=HYPERLINK("https://evil.example","点")\x0b', name="=1+1"),
        source="a",
        by=None,
        now=utcnow(),
    )
    sheet = load_workbook(io.BytesIO(service.comments_table_xlsx(rule, [bad]))).active
    assert sheet["D3"].data_type == "s" and sheet["D3"].value.startswith("'=HYPERLINK")
    assert "\x0b" not in sheet["D3"].value and sheet["G3"].value == "'=1+1"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [('{"a": NaN}', "NaN"), ('{"a": ' + "1" * 5000 + "}", "数值"), ("[" * 100_000, "嵌套"), ('{"a": ', "第 1 行")],
)
def test_odd_json_is_refused_with_a_sentence(login, rule_id, text, fragment):
    response = login(Role.SECRETARIAT).post_form(f"/drafting/{rule_id}/document", {"based_on": "1", "document": text})
    assert response.status_code == 422 and fragment in response.text


def test_a_garbled_revision_number_is_a_stale_refusal_not_an_error(login, rule_id):
    response = login(Role.SECRETARIAT).post_form(
        f"/drafting/{rule_id}/clauses/scope", {"based_on": "abc", "title": "范围", "text": "x", "save": "1"}
    )
    assert response.status_code == 422 and "您的内容没有保存" in response.text


def test_the_disposition_form_shows_the_current_choice_and_requires_one(login, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        move(session, rule, "30")
        first = service.add_comment(session, rule, comment("一"), source="a", by=None, now=utcnow())
        service.dispose(session, first, "partly_accepted", "部分采纳的理由", by=ADMIN)
        second = service.add_comment(session, rule, comment("二"), source="a", by=None, now=utcnow())
        session.commit()
        second_id = second.id
    client = login(Role.SECRETARIAT)
    page = client.get(f"/drafting/{rule_id}/comments").text
    assert '<option selected value="partly_accepted">' in page
    client.post_form(f"/drafting/{rule_id}/comments/{second_id}/disposition", {"disposition": "", "reason": ""})
    with database() as session:
        assert session.get(ConsultationComment, second_id).disposition is None


def test_the_consultation_draft_is_the_text_that_went_out(client, database, rule_id):
    with database() as session:
        rule = session.get(Rule, rule_id)
        move(session, rule, "30")
        later = current(session, rule)
        scope = next(clause for clause in later["clauses"] if clause["id"] == "scope")
        scope["text"] = "征求意见期间起草组的新写法。"
        save(session, rule, later)
        session.commit()
    page = client.get(f"/drafting/{rule_id}/consultation").text
    assert "征求意见期间起草组的新写法" not in page
    client.post_form(f"/drafting/{rule_id}/comments", {"name": "公众", "kind": "general", "comment": "好"})
    with database() as session:
        assert session.scalar(select(ConsultationComment.revision)) == 1


def test_cross_references_land_on_their_clause(login, rule_id):
    page = login(Role.SECRETARIAT).get(f"/drafting/{rule_id}").text
    assert 'id="scope"' in page and 'href="#' in page


def test_references_the_registry_knows_as_withdrawn_or_replaced_are_flagged(session):
    rule = make_rule(session)
    registry.create_standard(
        session,
        registry.StandardInput(level="national", numbers="GB/T 2589-2008", title="综合能耗计算通则", status="replaced"),
        by=ADMIN,
    )
    document = current(session, rule)
    document["normative_references"].append({"number": "GB/T 2589—2008", "title": "综合能耗计算通则"})
    save(session, rule, document)
    found = {(f.code, f.severity) for f in service.findings(session, rule, document)}
    assert ("reference_replaced", "warning") in found


def clause_text(document: dict, clause_id: str) -> str:
    return next(clause["text"] for clause in document["clauses"] if clause["id"] == clause_id)
