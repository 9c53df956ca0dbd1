"""Live checking (POST /drafting/<id>/check): the unsaved parameters form or clause is checked as a
save would check it, nothing is written; and a save of the unchanged document writes no revision."""

import json
import re

import pytest
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import Role
from workbench.drafting import service
from workbench.drafting.live_check import MAX_CHECK_BYTES
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import AccessDenied

from .conftest import ADMIN, Acting
from .drafting_helpers import form_data, make_rule

BOUNDARY = "/parameters/system_boundary/type"
MISMATCH = "非终端消费产品一般采用“摇篮到大门”边界，本规则为“摇篮到坟墓”"


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def document_of(database, rule_id, number=None):
    with database() as session:
        rule = session.get(Rule, rule_id)
        return json.loads(json.dumps(service.revision(session, rule, number).document))


def stored(database, rule_id):
    """(revisions, audit events): what a check must not change."""
    with database() as session:
        revisions = session.scalar(
            select(func.count()).select_from(RuleRevision).where(RuleRevision.rule_id == rule_id)
        )
        return revisions, session.scalar(select(func.count()).select_from(AuditEvent))


def check(client, rule_id, data):
    return client.post_form(f"/drafting/{rule_id}/check", data, headers={"Accept": "application/json"})


def one(answer, code):
    [found] = [finding for finding in answer["findings"] if finding["code"] == code]
    return found


# --- the parameters form ----------------------------------------------------------------------------


def test_the_unsaved_parameters_are_checked_as_the_save_would_check_them(login, database, rule_id):
    client = login(Role.DRAFTER)
    document = document_of(database, rule_id)
    before = stored(database, rule_id)
    data = form_data(document, **{BOUNDARY: "cradle_to_grave"})

    response = check(client, rule_id, {**data, "based_on": "1", "message": "未保存"})

    assert response.status_code == 200 and response.is_json
    answer = response.json
    assert stored(database, rule_id) == before  # no revision, no audit event
    mismatch = one(answer, "boundary_end_use_mismatch")
    assert mismatch["severity"] == "error" and mismatch["article"] == "指引（三）"
    assert mismatch["path"] == BOUNDARY and mismatch["field"] == BOUNDARY
    assert MISMATCH in mismatch["message"]
    assert mismatch["url"] == f"/drafting/{rule_id}/parameters#field-parameters-system_boundary-type"
    stages = one(answer, "boundary_stages_inconsistent")
    assert stages["field"] == "/parameters/system_boundary/stages_included"
    assert answer["counts"]["errors"] >= 2 and answer["problems"] == [] and answer["unchanged"] is False
    assert answer["revision"] == 1
    assert answer["summary"].startswith("已检查（未保存）：错误 ")

    # The panel is the page's own markup, without forms to suppress a finding that is not saved.
    panel = answer["panel_html"]
    assert f'data-code="boundary_end_use_mismatch" data-path="{BOUNDARY}"' in panel
    assert 'class="badge badge-error">错误 ' in panel and "data-live" in panel
    assert "<form" not in panel and "保存后才能忽略" in panel

    # Saved, the same form gives exactly the findings the check reported.
    saved = client.post_form(f"/drafting/{rule_id}/parameters", {**data, "based_on": "1", "message": "改边界"})
    assert saved.status_code == 302
    with database() as session:
        rule = session.get(Rule, rule_id)
        found = service.findings(session, rule, service.revision(session, rule).document)
    assert [(f["code"], f["path"], f["message"]) for f in answer["findings"]] == [
        (finding.code, finding.path, finding.message) for finding in found
    ]


def test_the_check_reads_clause_texts_as_the_save_would_rewrite_them(login, database, rule_id):
    """A changed parameter rewrites the clauses still as the template wrote them (follow_parameters):
    the check sees that text, so the clause the save would rewrite is not reported against it."""
    client = login(Role.DRAFTER)
    document = document_of(database, rule_id)
    data = form_data(document, **{BOUNDARY: "cradle_to_grave"})
    answer = check(client, rule_id, data).json
    system_boundary = next(i for i, clause in enumerate(document["clauses"]) if clause["id"] == "system-boundary")
    # The link of a finding in a clause goes to the clause of the checked document.
    assert all(
        finding["url"] == f"/drafting/{rule_id}/clauses/system-boundary"
        for finding in answer["findings"]
        if finding["path"].startswith(f"/clauses/{system_boundary}/")
    )
    saved = client.post_form(f"/drafting/{rule_id}/parameters", {**data, "based_on": "1"})
    assert saved.status_code == 302
    assert "摇篮到坟墓" in next(
        clause["text"] for clause in document_of(database, rule_id)["clauses"] if clause["id"] == "system-boundary"
    )
    assert answer["counts"] == check(client, rule_id, {**data, "based_on": "2"}).json["counts"]


def test_a_value_that_does_not_fit_is_a_problem_under_its_field(login, database, rule_id):
    client = login(Role.DRAFTER)
    data = form_data(document_of(database, rule_id), **{"/parameters/cut_off/total_percent": "五"})
    answer = check(client, rule_id, data).json
    [problem] = answer["problems"]
    assert problem["path"] == problem["field"] == "/parameters/cut_off/total_percent"
    assert "五" in problem["message"] or "数" in problem["message"]


def test_the_check_of_an_unchanged_form_says_it_is_the_saved_revision(login, database, rule_id):
    client = login(Role.DRAFTER)
    answer = check(client, rule_id, form_data(document_of(database, rule_id))).json
    assert answer["unchanged"] is True and answer["summary"] == "已检查：与已保存的第 1 版相同。"


def test_a_suppressed_finding_stays_suppressed_in_the_live_check(login, database, people):
    with database() as session:
        rule = make_rule(session, name_en="", working_group=session.get(WorkingGroup, people["working_group"]))
        service.suppress(session, rule, code="title_en_missing", path="/title_en", reason="待外文专家审定", by=ADMIN)
        session.commit()
        rule_id = rule.id
    data = form_data(document_of(database, rule_id), **{"/parameters/data_period": "最近连续 12 个月"})
    answer = check(login(Role.DRAFTER), rule_id, data).json
    assert one(answer, "title_en_missing")["suppressed"] is True
    assert answer["counts"]["errors"] == 0


def test_the_reader_gets_findings_in_their_language(login, database, rule_id):
    client = login(Role.DRAFTER)
    client.post_form("/language", {"locale": "en", "next": "/"})
    data = form_data(document_of(database, rule_id), **{BOUNDARY: "cradle_to_grave"})
    mismatch = one(check(client, rule_id, data).json, "boundary_end_use_mismatch")
    assert mismatch["article"] == "Guideline (3)"
    assert mismatch["message"].startswith("Products not for final consumption usually have")


# --- the clause editor -------------------------------------------------------------------------------


def test_the_unsaved_clause_text_is_checked(login, database, rule_id):
    client = login(Role.DRAFTER)
    document = document_of(database, rule_id)
    index, clause = next((i, c) for i, c in enumerate(document["clauses"]) if c["id"] == "scope")
    before = stored(database, rule_id)
    data = {"clause_id": "scope", "title": clause["title"], "text": "见 [第 99 章](#no-such-clause)。"}

    answer = check(client, rule_id, {**data, "based_on": "1"}).json

    unresolved = one(answer, "cross_reference_unresolved")
    assert unresolved["severity"] == "error" and unresolved["article"] == "GB/T 1.1—2020 9.5"
    assert unresolved["path"] == f"/clauses/{index}/text" and unresolved["field"] == "text"
    assert unresolved["url"] == f"/drafting/{rule_id}/clauses/scope"
    assert 'data-code="cross_reference_unresolved"' in answer["panel_html"]
    assert stored(database, rule_id) == before
    # The same check as JSON, for scripts.
    as_json = client.api("POST", f"/drafting/{rule_id}/check", data)
    assert as_json.status_code == 200 and as_json.json["findings"] == answer["findings"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"clause_id": "no-such-clause", "title": "范围", "text": "正文"}, "当前修订中没有条款“no-such-clause”。"),
        ({"clause_id": "scope", "title": "", "text": "正文"}, "标题："),
        ({"clause_id": "scope", "title": "范围", "text": "字" * 200_001}, "一个条款的正文最多 200000 个字符"),
    ],
    ids=["unknown clause", "no title", "text too long"],
)
def test_a_clause_that_cannot_be_checked_is_a_400_that_says_why(login, rule_id, data, message):
    client = login(Role.DRAFTER)
    response = client.api("POST", f"/drafting/{rule_id}/check", data)
    assert response.status_code == 400 and response.is_json
    assert message in response.json["error"]["message"]


# --- what is refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [("[1, 2]", "请求体须是 JSON 对象"), ('{"title": 5}', "字段“title”的值须是文字"), ("{", "请求体须是 JSON 对象")],
)
def test_json_that_is_not_an_object_of_strings_is_refused(login, rule_id, body, message):
    client = login(Role.DRAFTER)
    response = client.post(
        f"/drafting/{rule_id}/check",
        data=body,
        headers={"X-CSRFToken": client.csrf_token(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and message in response.json["error"]["message"]


@pytest.mark.parametrize("as_json", [True, False], ids=["JSON", "form"])
def test_a_body_larger_than_any_clause_is_refused_before_it_is_read(login, rule_id, monkeypatch, as_json):
    read = []
    monkeypatch.setattr("workbench.drafting.live_check.submitted", lambda: read.append(1))
    client = login(Role.DRAFTER)
    token = client.csrf_token()
    data = {"clause_id": "scope", "title": "范围", "text": "x" * (MAX_CHECK_BYTES + 1)}
    if as_json:
        sent = {"data": json.dumps(data), "headers": {"X-CSRFToken": token, "Content-Type": "application/json"}}
    else:
        sent = {"data": {**data, "csrf_token": token}, "headers": {"Accept": "application/json"}}
    response = client.post(f"/drafting/{rule_id}/check", **sent)
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    assert read == []


def test_only_editors_of_the_rule_may_check_it_and_only_with_the_pages_token(login, database, people, rule_id):
    data = form_data(document_of(database, rule_id))
    assert check(login(Role.EVALUATOR), rule_id, data).status_code == 403
    drafter = login(Role.DRAFTER)
    without_token = drafter.post(f"/drafting/{rule_id}/check", data=data, headers={"Accept": "application/json"})
    assert without_token.status_code == 400 and without_token.json["error"]["code"] == "csrf_failed"
    with database() as session:
        rule = session.get(Rule, rule_id)
        with pytest.raises(AccessDenied):
            service.check_draft(session, rule, service.revision(session, rule).document, by=Acting(Role.EVALUATOR))


def test_the_pages_check_as_the_user_types_without_inline_script(login, rule_id):
    client = login(Role.DRAFTER)
    for page in ("parameters", "clauses/scope"):
        response = client.get(f"/drafting/{rule_id}/{page}")
        html = response.text
        assert f'data-live-check="/drafting/{rule_id}/check"' in html, page
        assert 'src="/static/js/livecheck.js"' in html and "data-live-status" in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page  # the CSP allows no inline script
    assert 'data-clause-id="scope"' in html and 'data-marks-for="text"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    # A reader who may not edit gets the page without the live check.
    reader = login(Role.SECRETARIAT)
    assert "data-live-check" in reader.get(f"/drafting/{rule_id}/parameters").text  # the secretariat edits


# --- saving the unchanged document ---------------------------------------------------------------------


def test_saving_the_unchanged_document_writes_no_revision(session):
    rule = make_rule(session)
    document = json.loads(json.dumps(service.revision(session, rule).document))
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    same = service.save_revision(session, rule, document, message="没改", based_on=1, by=ADMIN)
    assert same.number == 1 and rule.current_revision == 1
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    # A publication block is dropped on saving: a document that differs only by it is the same.
    same = service.save_revision(
        session, rule, {**document, "publication": {"number": "GB/T 1—2025"}}, message="", based_on=1, by=ADMIN
    )
    assert same.number == 1


def test_a_loaded_document_changed_in_place_is_still_saved(session):
    """The comparison reads the stored revision afresh: the caller's copy changed in place is not it."""
    rule = make_rule(session)
    document = service.revision(session, rule).document  # the loaded object itself
    document["parameters"]["data_period"] = "最近连续 12 个月（改）"
    saved = service.save_revision(session, rule, document, message="改", based_on=1, by=ADMIN)
    assert saved.number == 2 and rule.current_revision == 2


@pytest.mark.parametrize("page", ["parameters", "clause", "document"])
def test_a_form_saved_unchanged_says_so_and_writes_nothing(login, database, rule_id, page):
    client = login(Role.DRAFTER)
    document = document_of(database, rule_id)
    scope = next(clause for clause in document["clauses"] if clause["id"] == "scope")
    url, data = {
        "parameters": (f"/drafting/{rule_id}/parameters", form_data(document)),
        "clause": (f"/drafting/{rule_id}/clauses/scope", {"title": scope["title"], "text": scope["text"], "save": "1"}),
        "document": (f"/drafting/{rule_id}/document", {"document": json.dumps(document, ensure_ascii=False)}),
    }[page]
    before = stored(database, rule_id)
    response = client.post_form(url, {**data, "based_on": "1", "message": "没改"}, follow_redirects=True)
    assert response.status_code == 200
    assert '<div class="flash flash-info" role="status">内容与第 1 版相同，未保存新版本。</div>' in response.text
    assert "已保存为第" not in response.text
    assert stored(database, rule_id) == before
