"""No typed text is lost: a save the database refuses (another editor saved the same revision in
the same instant, at flush or at commit; the disk is full; the connection is gone) answers with
the form, the user's text in it and what to do, and leaves nothing half-written.

The races are made deterministic: the other editor's save is committed, through a session of its
own, between the moment this request loaded the rule and the moment it writes or commits.
"""

import html
import json
import re
import sqlite3
import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workbench.audit.models import AuditEvent
from workbench.auth import service as accounts
from workbench.auth.models import Organisation, WorkingGroup, working_group_members
from workbench.auth.permissions import Role
from workbench.db import db, write
from workbench.drafting import service
from workbench.drafting.models import Rule, RuleRevision
from workbench.workflow import service as workflow

from .conftest import ADMIN, SECRETARIAT
from .drafting_helpers import form_data, make_rule

TYPED = "本文件规定了**水泥**产品碳足迹的量化方法。\n\n- 第一项 <甲> & “乙”\n- 第二项：以 1 t 熟料计"
OTHER_EDITORS_TEXT = "另一位编辑同时写下的范围条款。"
REAL_COMMIT = Session.commit


@pytest.fixture
def rule_id(database, people):
    with database() as session:
        rule = make_rule(session, working_group=session.get(WorkingGroup, people["working_group"]))
        session.commit()
        return rule.id


def other_editor_saves_the_clause(app, rule_id: int) -> None:
    """Another editor saves revision 2 of the scope clause and commits, in a session of their own."""
    with app.app_context():  # a new application context has its own database session
        rule = db.session.get(Rule, rule_id)
        document = json.loads(json.dumps(service.revision(db.session, rule).document))
        document["clauses"][0]["text"] = OTHER_EDITORS_TEXT
        service.save_revision(db.session, rule, document, message="同时保存", based_on=rule.current_revision, by=ADMIN)
        db.session.commit()


def textarea(page: str, name: str) -> str:
    """What a textarea of the page holds, as the browser shows it."""
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name} on the page"
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page)
    assert match, f"no input {name} on the page"
    return html.unescape(match.group(1))


def post_clause(client, rule_id: int, token: str):
    """The scope clause, edited from revision 1 and saved."""
    data = {"csrf_token": token, "based_on": "1", "title": "范围", "text": TYPED, "message": "改范围", "save": "1"}
    return client.post(f"/drafting/{rule_id}/clauses/scope", data=data)


def assert_the_loser_keeps_the_text_and_is_told_to_merge(response) -> None:
    assert response.status_code == 422  # the same answer as a save made after the other one
    assert textarea(response.text, "text") == TYPED
    assert "您的内容没有保存，仍保留在下方" in response.text and "请对照最新版合并后再保存" in response.text
    assert "第 2 版" in response.text and "在新窗口查看最新版" in response.text
    assert 'name="based_on" type="hidden" value="2"' in response.text  # saving again is the merge


def assert_only_the_other_editor_saved(database, rule_id: int) -> None:
    with database() as session:
        rule = session.get(Rule, rule_id)
        assert rule.current_revision == 2
        assert session.scalar(select(func.count()).where(RuleRevision.rule_id == rule_id)) == 2
        assert service.revision(session, rule).document["clauses"][0]["text"] == OTHER_EDITORS_TEXT


# --- two editors saving the same revision -----------------------------------------------------------


def test_two_editors_saving_the_same_revision_at_once_one_is_saved_and_the_other_keeps_the_text(
    login, database, rule_id, monkeypatch
):
    """A real race: both requests have read revision 1 before either writes (a barrier), then both
    write and commit at once. Which one wins is up to the database."""
    editors = [login(Role.DRAFTER), login(Role.SECRETARIAT)]
    tokens = [editor.csrf_token() for editor in editors]
    both_have_read = threading.Barrier(2, timeout=30)
    write_revision = service._write_revision

    def together(*args, **kwargs):
        both_have_read.wait()
        return write_revision(*args, **kwargs)

    monkeypatch.setattr(service, "_write_revision", together)
    texts = [f"{TYPED}\n\n起草人写的", f"{TYPED}\n\n秘书处写的"]
    responses = [None, None]

    def save(i: int) -> None:
        data = {"csrf_token": tokens[i], "based_on": "1", "title": "范围", "text": texts[i], "save": "1"}
        responses[i] = editors[i].post(f"/drafting/{rule_id}/clauses/scope", data=data)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(response.status_code for response in responses) == [302, 422]
    winner = next(i for i, response in enumerate(responses) if response.status_code == 302)
    loser = responses[1 - winner]
    assert textarea(loser.text, "text") == texts[1 - winner]
    assert "您的内容没有保存，仍保留在下方" in loser.text and "请对照最新版合并后再保存" in loser.text
    assert 'name="based_on" type="hidden" value="2"' in loser.text
    with database() as session:
        rule = session.get(Rule, rule_id)
        assert rule.current_revision == 2
        clauses = service.revision(session, rule).document["clauses"]
        assert next(clause["text"] for clause in clauses if clause["id"] == "scope") == texts[winner]


def test_the_editor_who_loses_a_race_at_the_write_keeps_the_clause_text_and_is_shown_how_to_merge(
    app, login, database, rule_id, monkeypatch
):
    client = login(Role.DRAFTER)
    token = client.csrf_token()
    write_revision = service._write_revision
    raced = []

    def other_editor_first(*args, **kwargs):
        if not raced:  # between this request's reading of revision 1 and its writing of revision 2
            raced.append(True)
            other_editor_saves_the_clause(app, rule_id)
        return write_revision(*args, **kwargs)

    monkeypatch.setattr(service, "_write_revision", other_editor_first)
    response = post_clause(client, rule_id, token)
    assert raced
    assert_the_loser_keeps_the_text_and_is_told_to_merge(response)
    assert_only_the_other_editor_saved(database, rule_id)


def test_the_editor_who_loses_a_race_at_the_commit_keeps_the_clause_text_and_is_shown_how_to_merge(
    app, login, database, rule_id, monkeypatch
):
    client = login(Role.DRAFTER)
    token = client.csrf_token()
    raced = []

    def other_editor_commits_first(session):
        if raced:
            return REAL_COMMIT(session)
        raced.append(True)
        # This request's revision 2 is refused by the database at commit, as a deferred unique
        # check or a serialization failure would do, after the other editor's revision 2 went in.
        session.rollback()
        other_editor_saves_the_clause(app, rule_id)
        raise IntegrityError("COMMIT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: rule_revisions.number"))

    monkeypatch.setattr(Session, "commit", other_editor_commits_first)
    response = post_clause(client, rule_id, token)
    monkeypatch.undo()
    assert raced
    assert_the_loser_keeps_the_text_and_is_told_to_merge(response)
    assert_only_the_other_editor_saved(database, rule_id)


def test_a_form_page_that_loses_a_race_shows_the_form_moved_to_the_current_version(
    app, people, login, database, monkeypatch
):
    """Every form page saved through workbench.web.save answers a lost race as a stale save."""
    client = login(Role.SECRETARIAT)
    organisation_id = people["organisation"]
    url = f"/organisations/{organisation_id}/edit"
    version = int(input_value(client.get(url).text, "version"))
    token = client.csrf_token()
    update = accounts.update_organisation
    raced = []

    def other_secretary_first(session, organisation, **kwargs):
        if not raced:
            raced.append(True)
            with app.app_context():
                record = db.session.get(Organisation, organisation_id)
                accounts.update_organisation(db.session, record, by=ADMIN, name="别人改的名称", kind=record.kind)
                db.session.commit()
        return update(session, organisation, **kwargs)

    monkeypatch.setattr(accounts, "update_organisation", other_secretary_first)
    typed = {"csrf_token": token, "name": "我输入的名称", "name_en": "", "kind": "ministry", "version": str(version)}
    response = client.post(url, data=typed)
    assert raced
    assert response.status_code == 422
    assert input_value(response.text, "name") == "我输入的名称"
    assert "在您打开后已被他人修改。您填写的内容仍保留在下方" in response.text
    assert input_value(response.text, "version") == str(version + 1)
    with database() as session:
        assert session.get(Organisation, organisation_id).name == "别人改的名称"


# --- a database that cannot write ----------------------------------------------------------------------


def failing_commit(reason: str):
    def commit(session):
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError(reason))

    return commit


def audit_count(database) -> int:
    with database() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("reason", ["disk I/O error", "could not extend file: No space left on device"])
def test_a_clause_saved_when_the_commit_fails_stays_in_the_form_and_nothing_is_half_written(
    login, database, rule_id, monkeypatch, reason
):
    client = login(Role.DRAFTER)
    token = client.csrf_token()
    events = audit_count(database)
    with database() as session:
        version = session.get(Rule, rule_id).version
    monkeypatch.setattr(Session, "commit", failing_commit(reason))
    response = post_clause(client, rule_id, token)
    monkeypatch.undo()
    assert response.status_code == 503
    assert textarea(response.text, "text") == TYPED
    assert "您的内容没有保存：数据库暂时无法写入" in response.text and "请稍后再次保存" in response.text
    assert 'name="based_on" type="hidden" value="1"' in response.text  # saving again is just that
    with database() as session:
        rule = session.get(Rule, rule_id)
        assert rule.current_revision == 1 and rule.version == version
        assert session.scalar(select(func.count()).where(RuleRevision.rule_id == rule_id)) == 1
    assert audit_count(database) == events


def test_the_parameters_form_keeps_what_was_typed_when_the_commit_fails(login, database, rule_id, monkeypatch):
    client = login(Role.DRAFTER)
    with database() as session:
        document = service.revision(session, session.get(Rule, rule_id)).document
    data = {**form_data(document, **{"/parameters/data_period": "2023 年全年的生产数据"}), "based_on": "1"}
    token = client.csrf_token()
    monkeypatch.setattr(Session, "commit", failing_commit("database or disk is full"))
    response = client.post(f"/drafting/{rule_id}/parameters", data={**data, "csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 503
    assert "2023 年全年的生产数据" in response.text and "数据库暂时无法写入" in response.text
    with database() as session:
        assert session.get(Rule, rule_id).current_revision == 1


def test_every_form_page_keeps_what_was_typed_when_the_commit_fails(people, login, database, monkeypatch):
    client = login(Role.SECRETARIAT)
    url = f"/organisations/{people['organisation']}/edit"
    version = input_value(client.get(url).text, "version")
    token = client.csrf_token()
    monkeypatch.setattr(Session, "commit", failing_commit("disk I/O error"))
    typed = {"csrf_token": token, "name": "我输入的名称", "name_en": "", "kind": "ministry", "version": version}
    response = client.post(url, data=typed)
    monkeypatch.undo()
    assert response.status_code == 503
    assert input_value(response.text, "name") == "我输入的名称"
    assert "您的内容没有保存：数据库暂时无法写入" in response.text
    with database() as session:
        assert session.get(Organisation, people["organisation"]).name == "测试部委"


# --- the JSON API --------------------------------------------------------------------------------------


def test_an_api_change_that_loses_a_race_at_the_commit_is_a_conflict_with_the_current_version(
    app, people, login, database, monkeypatch
):
    client = login(Role.SECRETARIAT)
    group_id = people["working_group"]
    url = f"/api/v1/working-groups/{group_id}"
    version = client.get(url).json["version"]
    token = client.csrf_token()
    raced = []

    def other_secretary_commits_first(session):
        if raced:
            return REAL_COMMIT(session)
        raced.append(True)
        session.rollback()
        with app.app_context():
            group = db.session.get(WorkingGroup, group_id)
            accounts.update_working_group(
                db.session, group, by=ADMIN, code=group.code, name="别人改的名称", description="", members=group.members
            )
            db.session.commit()
        raise StaleDataError("UPDATE statement on table 'working_groups' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(Session, "commit", other_secretary_commits_first)
    response = client.open(
        url, method="PATCH", json={"name": "我的名称", "version": version}, headers={"X-CSRFToken": token}
    )
    monkeypatch.undo()
    assert raced
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "stale_version" and error["details"]["current_version"] == version + 1
    with database() as session:
        assert session.get(WorkingGroup, group_id).name == "别人改的名称"


def test_an_api_change_when_the_commit_fails_is_refused_with_503_and_nothing_changes(
    people, login, database, monkeypatch
):
    client = login(Role.SECRETARIAT)
    url = f"/api/v1/working-groups/{people['working_group']}"
    version = client.get(url).json["version"]
    token = client.csrf_token()
    monkeypatch.setattr(Session, "commit", failing_commit("disk I/O error"))
    response = client.open(
        url, method="PATCH", json={"name": "我的名称", "version": version}, headers={"X-CSRFToken": token}
    )
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert "没有保存" in response.json["error"]["message"]
    with database() as session:
        assert session.get(WorkingGroup, people["working_group"]).name == "测试起草组"


def test_a_consultation_comment_stays_in_the_form_when_the_commit_fails(login, database, rule_id, monkeypatch):
    with database() as session:
        workflow.move_stage(session, session.get(Rule, rule_id), "30", by=SECRETARIAT, today=date.today())
        session.commit()
    client = login(Role.DRAFTER)
    token = client.csrf_token()
    monkeypatch.setattr(Session, "commit", failing_commit("database or disk is full"))
    typed = {"csrf_token": token, "name": "张三", "kind": "technical", "comment": "第 5.2 条的取舍准则应写明 1%。"}
    response = client.post(f"/drafting/{rule_id}/comments", data=typed)
    monkeypatch.undo()
    assert response.status_code == 503
    assert textarea(response.text, "comment") == "第 5.2 条的取舍准则应写明 1%。"
    assert "您的内容没有保存：数据库暂时无法写入" in response.text
    with database() as session:
        assert service.comments_of(session, rule_id) == []


def test_a_change_without_a_form_whose_commit_fails_is_a_503_page_not_a_500(people, login, database, monkeypatch):
    client = login(Role.SECRETARIAT)
    token = client.csrf_token()
    monkeypatch.setattr(Session, "commit", failing_commit("disk I/O error"))
    response = client.post(f"/organisations/{people['organisation']}/archive", data={"csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 503
    assert "这次提交没有保存" in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]  # a page like any other
    with database() as session:
        assert session.get(Organisation, people["organisation"]).archived_at is None


# --- what counts as a lost race ------------------------------------------------------------------------


def test_a_unique_violation_is_a_lost_race_and_the_write_runs_again(app, people):
    groups = WorkingGroup.__table__
    codes = iter(["WG-TEST", "WG-NEW"])  # the first is taken, as if another request took it just now
    attempts = []

    def operation():
        attempts.append(True)
        db.session.execute(groups.insert().values(code=next(codes), name="新起草组", description="", version=1))
        return "saved"

    with app.test_request_context():
        assert write(operation) == "saved"
        assert len(attempts) == 2
        assert db.session.scalar(select(func.count()).select_from(groups).where(groups.c.code == "WG-NEW")) == 1


@pytest.mark.parametrize("violation", ["not null", "foreign key"])
def test_other_integrity_errors_are_bugs_raised_as_they_are_not_retried_nor_blamed_on_a_race(app, people, violation):
    attempts = []

    def operation():
        attempts.append(True)
        if violation == "not null":
            db.session.execute(WorkingGroup.__table__.insert().values(code="WG-NULL", name=None, description=""))
        else:
            db.session.execute(working_group_members.insert().values(working_group_id=999_999, user_id=999_999))

    with app.test_request_context():
        with pytest.raises(IntegrityError):  # a 500, logged, not "someone saved at the same time" (409)
            write(operation)
        assert len(attempts) == 1
        assert db.session.scalar(select(func.count()).select_from(WorkingGroup.__table__)) == 1  # rolled back
