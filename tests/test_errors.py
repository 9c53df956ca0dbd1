"""No stack trace reaches a user: unknown routes, bad ids, bad input and failures give a page or a
JSON error in the user's language."""

import pytest
from flask import Blueprint

from workbench.auth.permissions import Role

from .conftest import make_app


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-page",
        "/users/abc",
        "/users/0",
        "/users/-1",
        "/users/99999999999999999999",  # would overflow the database integer
        "/organisations/2147483648",
        "/working-groups/424242",
        "/audit/user/notanumber",
    ],
)
def test_unknown_routes_and_bad_ids_give_a_not_found_page(people, login, url):
    response = login(Role.ADMINISTRATOR).get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "找不到页面或记录" in response.text
    assert "Traceback" not in response.text


def test_a_wrong_method_gives_a_page(client):
    response = client.put("/login")
    assert response.status_code in (400, 405)  # CSRF is checked before the method on unknown verbs
    assert "Traceback" not in response.text


def test_json_clients_get_json_errors_for_pages_too(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_an_oversized_upload_is_refused_with_a_message(people, login):
    client = login(Role.ADMINISTRATOR)
    response = client.post_form("/organisations/new", {"name": "x" * (17 * 1024 * 1024), "kind": "association"})
    assert response.status_code == 413
    assert "上传内容过大" in response.text


def test_an_unexpected_failure_shows_a_plain_page_and_keeps_the_trace_in_the_log(database_url, tmp_path, caplog):
    app = make_app(database_url, tmp_path, TESTING=False)
    broken = Blueprint("broken", __name__)

    @broken.get("/explode")
    def explode():
        raise RuntimeError("secret internals: password=hunter2")

    app.register_blueprint(broken)
    for accept, mimetype in (("text/html", "text/html"), ("application/json", "application/json")):
        response = app.test_client().get("/explode", headers={"Accept": accept})
        assert response.status_code == 500
        assert response.mimetype == mimetype
        assert "hunter2" not in response.text and "Traceback" not in response.text
    assert "服务器内部错误" in app.test_client().get("/explode").text
    assert "hunter2" in caplog.text  # the operator still sees what went wrong


def test_a_database_outage_still_gives_a_page(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", tmp_path, TESTING=False)
    response = app.test_client().post_form("/login", {"username": "admin", "password": "whatever it is"})
    assert response.status_code == 503  # not a fault of the application: trying again later may work
    assert "暂时无法访问数据库" in response.text and "请稍后重试" in response.text
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_security_headers_are_sent(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_a_write_that_races_past_the_checks_is_a_conflict_not_a_crash(people, login, monkeypatch):
    """Two people creating the same organisation in the same instant: the database decides."""
    from workbench.auth import service

    monkeypatch.setattr(
        service, "_unique", lambda *args, **kwargs: None
    )  # as if the other request had not committed yet
    client = login(Role.SECRETARIAT)
    response = client.post_form("/organisations/new", {"name": "测试部委", "kind": "ministry"})
    assert response.status_code == 409
    assert "有人在同一时刻保存了同一条记录" in response.text  # and the form, with what was typed
    assert 'name="name" required type="text" value="测试部委"' in response.text


def test_a_huge_keyset_position_is_just_the_start_of_the_log(people, login):
    assert login(Role.ADMINISTRATOR).get("/audit/?before=99999999999999999999").status_code == 200
