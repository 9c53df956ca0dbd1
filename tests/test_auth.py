"""Signing in and out, sessions that end when they should, personal tokens, and CSRF."""

import re
import threading

import pytest
from sqlalchemy import select

from workbench.auth import service
from workbench.auth.models import ApiToken, Organisation, User
from workbench.auth.permissions import Role
from workbench.db import db
from workbench.errors import InvalidInput

from .conftest import ADMIN, PASSWORD, make_app


def test_sign_in_and_out(people, client):
    response = client.post_form("/login", {"username": "Drafter ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "测试drafter" in client.get("/").text
    assert client.post_form("/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(people, client):
    for username, password in (("drafter", "wrong password"), ("nobody", PASSWORD)):
        response = client.post_form("/login", {"username": username, "password": password})
        assert response.status_code == 422
        assert "用户名或密码不正确" in response.text
        assert f'value="{username}"' in response.text  # what was typed is kept
    assert client.get("/account").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(people, client):
    response = client.get("/users")
    assert response.headers["Location"] == "/login?next=%2Fusers"
    form = {"username": "administrator", "password": PASSWORD}
    assert client.post_form("/login", {**form, "next": "/users"}).headers["Location"] == "/users"
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert client.post_form("/login", {**form, "next": hostile}).headers["Location"] == "/"


def test_a_deactivated_account_cannot_sign_in_and_its_sessions_end(people, login, database):
    drafter = login(Role.DRAFTER)
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form(
        f"/users/{people[Role.DRAFTER]}/edit",
        {"display_name": "测试drafter", "role": "drafter", "organisation": "0", "reason": "离职"},
    )
    assert response.status_code == 302
    assert drafter.get("/account").status_code == 302  # signed out everywhere
    again = drafter.post_form("/login", {"username": "drafter", "password": PASSWORD})
    assert again.status_code == 422
    with database() as session:
        assert session.get(User, people[Role.DRAFTER]).active is False


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(people, login):
    here, elsewhere = login(Role.EVALUATOR), login(Role.EVALUATOR)
    response = here.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new password", "confirm": "a brand new password"},
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    fresh = login(None)
    assert fresh.post_form("/login", {"username": "evaluator", "password": "a brand new password"}).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"current_password": "not mine", "new_password": "a brand new password", "confirm": "a brand new password"},
            "当前密码不正确",
        ),
        ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"}, "10"),
        (
            {"current_password": PASSWORD, "new_password": "a brand new password", "confirm": "another one entirely"},
            "两次输入的密码不一致",
        ),
    ],
)
def test_a_refused_password_change_says_what_to_fix(people, login, fields, message):
    client = login(Role.EVALUATOR)
    response = client.post_form("/account/password", fields)
    assert response.status_code == 422
    assert message in response.text
    assert login(None).post_form("/login", {"username": "evaluator", "password": PASSWORD}).status_code == 302


def test_the_last_administrator_cannot_be_deactivated_or_demoted(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form(
        f"/users/{people[Role.ADMINISTRATOR]}/edit",
        {"display_name": "测试administrator", "role": "drafter", "organisation": "0", "active": "y"},
    )
    assert response.status_code == 422
    assert "最后一个启用的管理员" in response.text
    with database() as session:
        assert session.get(User, people[Role.ADMINISTRATOR]).role == Role.ADMINISTRATOR


def test_the_command_lines_own_account_neither_counts_as_an_administrator_nor_can_be_edited(
    people, login, database, cli_runner
):
    created = cli_runner(  # the first command that acts creates the built-in `operator` administrator
        "user",
        "create",
        "sun",
        "--name",
        "孙工",
        "--role",
        "drafter",
        "--password-stdin",
        input="a good long password\n",
    )
    assert created.exit_code == 0, created.output
    with database() as session:
        operator = session.scalar(select(User).where(User.username == "operator"))
        assert operator.role == Role.ADMINISTRATOR and operator.id
    admin = login(Role.ADMINISTRATOR)
    demoted = admin.post_form(
        f"/users/{people[Role.ADMINISTRATOR]}/edit",
        {"display_name": "测试administrator", "role": "drafter", "organisation": "0", "active": "y"},
    )
    assert demoted.status_code == 422 and "最后一个启用的管理员" in demoted.text  # operator cannot sign in
    given_a_password = admin.post_form(
        f"/users/{operator.id}/edit",
        {
            "display_name": "命令行操作员",
            "role": "administrator",
            "organisation": "0",
            "active": "y",
            "password": "a good long password",
        },
    )
    assert given_a_password.status_code == 422 and "--as" in given_a_password.text
    with database() as session:
        assert session.get(User, operator.id).password_hash == "!"


# --- CSRF -----------------------------------------------------------------------------------------


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post("/organisations/new", data={"name": "伪造的组织", "kind": "association"})
    assert response.status_code == 400
    assert "CSRF" in response.text
    response = admin.post(
        "/organisations/new", data={"name": "伪造的组织", "kind": "association", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    with database() as session:
        assert session.query(Organisation).filter_by(name="伪造的组织").count() == 0


def test_a_session_api_call_without_csrf_header_is_refused(people, login):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post("/api/v1/working-groups", json={"code": "WG-X", "name": "无令牌"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"
    assert admin.api("POST", "/api/v1/working-groups", {"code": "WG-X", "name": "有令牌"}).status_code == 201


def test_a_csrf_token_from_another_session_is_refused(people, login):
    admin, other = login(Role.ADMINISTRATOR), login(Role.SECRETARIAT)
    response = admin.post(
        "/organisations/new", data={"name": "跨会话", "kind": "association", "csrf_token": other.csrf_token()}
    )
    assert response.status_code == 400


# --- personal API tokens --------------------------------------------------------------------------


def _create_token(client) -> str:
    response = client.post_form("/account/tokens", {"name": "因子库同步脚本"})
    assert response.status_code == 201
    token = response.text.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("wbt_")
    return token


def test_a_token_authenticates_api_calls_without_csrf(people, login, app):
    token = _create_token(login(Role.SECRETARIAT))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).json["username"] == "secretariat"
    created = api.post("/api/v1/working-groups", json={"code": "WG-TOKEN", "name": "令牌创建"}, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/working-groups/{created.json['id']}"


def test_a_token_is_shown_once_and_stored_only_as_a_hash(people, login, database):
    client = login(Role.DRAFTER)
    token = _create_token(client)
    assert token not in client.get("/account").text
    with database() as session:
        stored = session.query(ApiToken).one()
        assert stored.token_hash != token and token not in (stored.prefix, stored.name)


def test_a_revoked_or_unknown_token_is_refused(people, login, app, database):
    client = login(Role.DRAFTER)
    token = _create_token(client)
    with database() as session:
        token_id = session.query(ApiToken).one().id
    assert client.post_form(f"/account/tokens/{token_id}/revoke").status_code == 302
    api = app.test_client()
    for bad in (token, "wbt_made_up"):
        response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthenticated"


def test_a_token_does_not_skip_csrf_outside_the_api(people, login, app):
    token = _create_token(login(Role.ADMINISTRATOR))
    response = app.test_client().post(
        "/organisations/new", data={"name": "绕过", "kind": "association"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400


def test_nobody_revokes_somebody_elses_token(people, login, database):
    _create_token(login(Role.DRAFTER))
    with database() as session:
        token_id = session.query(ApiToken).one().id
    assert login(Role.ADMINISTRATOR).post_form(f"/account/tokens/{token_id}/revoke").status_code == 404
    with database() as session:
        assert session.get(ApiToken, token_id).revoked_at is None


# --- several app instances behave like one ---------------------------------------------------------


def test_a_session_from_one_app_instance_works_on_another(people, app, database_url, tmp_path):
    """Two app instances (as two servers would be) sharing the database and secret key."""
    other = make_app(database_url, tmp_path)
    first = app.test_client()
    first.post_form("/login", {"username": "secretariat", "password": PASSWORD})
    second = other.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    assert second.get("/account").status_code == 200
    assert "测试secretariat" in second.get("/account").text


def test_password_change_and_deactivation_end_the_api_tokens_too(people, login, app):
    client = login(Role.DRAFTER)
    token = _create_token(client)
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new password", "confirm": "a brand new password"},
    )
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    second = _create_token(login(Role.EVALUATOR))
    login(Role.ADMINISTRATOR).post_form(
        f"/users/{people[Role.EVALUATOR]}/edit",
        {"display_name": "测试evaluator", "role": "evaluator", "organisation": "0"},
    )  # deactivated
    login(Role.ADMINISTRATOR).post_form(
        f"/users/{people[Role.EVALUATOR]}/edit",
        {"display_name": "测试evaluator", "role": "evaluator", "organisation": "0", "active": "y"},
    )  # and back
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 401


def test_password_managers_are_told_which_password_is_which(people, login):
    admin = login(Role.ADMINISTRATOR)
    edit = admin.get(f"/users/{people[Role.DRAFTER]}/edit").text
    assert re.search(
        r'autocomplete="new-password"[^>]*name="password"|name="password"[^>]*autocomplete="new-password"', edit
    )
    account = admin.get("/account").text
    assert account.count('autocomplete="new-password"') == 2 and 'autocomplete="current-password"' in account


def test_two_administrators_demoting_each_other_at_once_leave_one(app, people):
    """Each request sees the other administrator still active; the database must order them."""
    with app.app_context():
        service.create_user(
            db.session,
            username="admin2",
            display_name="第二位管理员",
            password=PASSWORD,
            role=Role.ADMINISTRATOR,
            by=ADMIN,
        )
        db.session.commit()
    start, outcomes = threading.Barrier(2), {}

    def demote(username):
        with app.app_context():
            user = service.find_user(db.session, username)
            start.wait()
            try:
                service.update_user(
                    db.session,
                    user,
                    display_name=user.display_name,
                    email=None,
                    role=Role.DRAFTER,
                    organisation=None,
                    working_groups=[],
                    active=True,
                    by=ADMIN,
                )
                db.session.commit()
                outcomes[username] = "demoted"
            except InvalidInput:
                db.session.rollback()
                outcomes[username] = "refused"

    threads = [threading.Thread(target=demote, args=(name,)) for name in ("administrator", "admin2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["demoted", "refused"]
    with app.app_context():
        assert db.session.query(User).filter_by(role=Role.ADMINISTRATOR, active=True).count() == 1


def test_signed_in_pages_are_not_cached(people, login, client):
    assert "no-store" in login(Role.DRAFTER).get("/account").headers["Cache-Control"]
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # a visitor's browser keeps pages
