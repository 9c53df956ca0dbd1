"""Signing in under attack: throttled guesses, sign-ins that end on the server, limits that hold
when requests arrive together, and the client's address behind a trusted proxy."""

from datetime import timedelta

from sqlalchemy import select

from workbench.audit.models import AuditEvent
from workbench.auth import service
from workbench.auth.models import SignIn, User
from workbench.db import db, utcnow
from workbench.drafting.models import ConsultationComment
from workbench.throttle import RateCounter, address_key, hit, limit, refund

from .conftest import ADMIN, PASSWORD, in_parallel, make_app
from .drafting_helpers import make_rule
from .test_drafting import move


def sign_in(client, username, password=PASSWORD, *, headers=None, **fields):
    return client.post_form("/login", {"username": username, "password": password, **fields}, headers=headers or {})


def test_wrong_passwords_lock_the_account_and_say_until_when(app, client, people, database):
    for _attempt in range(5):
        response = sign_in(client, "drafter", "wrong password")
        assert response.status_code == 422
        assert "用户名或密码不正确" in response.text
    # The sixth attempt is refused before the password is looked at, even the right one.
    locked = sign_in(client, "drafter")
    assert locked.status_code == 429
    assert "已暂时锁定" in locked.text and "之后再试" in locked.text
    assert locked.headers["Retry-After"]
    assert client.get("/account").status_code == 302  # not signed in

    # Another account from the same address is not locked by them.
    assert sign_in(app.test_client(), "secretariat").status_code == 302

    with database() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "user", AuditEvent.record_id == str(people["drafter"]))
        ).all()
        actions = [event.action for event in events if event.action.startswith("login")]
        assert actions == ["login_failed"] * 5 + ["login_locked"]
        assert all(event.actor_label == "anonymous (127.0.0.1)" for event in events if event.action.startswith("login"))
        # An unknown name is recorded too, under the name that was tried.
    sign_in(app.test_client(), "nobody-here", "x")
    with database() as session:
        unknown = session.scalar(select(AuditEvent).where(AuditEvent.record_label == "nobody-here"))
        assert unknown.action == "login_failed" and unknown.record_id == "-"

    # The audit log shows them, in words, the attempt on a name no account has included.
    admin = app.test_client()
    sign_in(admin, "administrator")
    log = admin.get(f"/audit/user/{people['drafter']}")
    assert "登录失败" in log.text and "登录受限" in log.text
    everything = admin.get("/audit/")
    assert everything.status_code == 200 and "nobody-here" in everything.text

    # Further refused attempts in the same window count, but are not recorded one by one.
    for _attempt in range(10):  # (the address's own 5-minute gate stays below its 20)
        assert sign_in(client, "drafter", "wrong password").status_code == 429
    with database() as session:
        locked = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "login_locked")).all()
        assert len(locked) == 1


def test_a_right_password_gives_the_account_its_attempts_back(client, people):
    for _attempt in range(4):
        assert sign_in(client, "drafter", "wrong password").status_code == 422
    assert sign_in(client, "drafter").status_code == 302
    client.post_form("/logout")
    for _attempt in range(4):
        assert sign_in(client, "drafter", "wrong password").status_code == 422
    assert sign_in(client, "drafter").status_code == 302


def test_parallel_guesses_cannot_slip_past_the_count(app, people):
    clients = [app.test_client() for _ in range(16)]
    tokens = [client.csrf_token() for client in clients]

    def guess(index):
        form = {"csrf_token": tokens[index], "username": "drafter", "password": f"guess {index}"}
        return clients[index].post("/login", data=form).status_code

    statuses = in_parallel(16, guess)
    # At most five passwords were tried (fewer when a guess counted fifth in the 5-minute window
    # found the hourly window already full of the others); every other guess was refused unread.
    assert 1 <= statuses.count(422) <= 5
    assert statuses.count(429) == 16 - statuses.count(422)


def test_a_flood_of_guesses_locks_the_account_only_until_its_window_ends(app, people):
    clients = [app.test_client() for _ in range(30)]
    tokens = [client.csrf_token() for client in clients]

    def guess(index):
        form = {"csrf_token": tokens[index], "username": "drafter", "password": f"guess {index}"}
        return clients[index].post("/login", data=form).status_code

    in_parallel(30, guess)
    assert sign_in(app.test_client(), "drafter").status_code == 429
    # Five minutes later (the 5-minute windows end): the refused guesses extended no longer
    # lock, so the account's owner signs in again.
    storage = app.extensions["workbench.throttle"]
    with storage.engine.begin() as connection:
        connection.execute(
            RateCounter.__table__.update().where(RateCounter.key.like("%/5/minute")).values(expires_at=0)
        )
    assert sign_in(app.test_client(), "drafter").status_code == 302


def test_signing_in_again_in_a_browser_ends_its_earlier_sign_in(app, people):
    browser = app.test_client()
    sign_in(browser, "drafter")
    copied = browser.get_cookie("session").value
    sign_in(browser, "secretariat")
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/account").status_code == 302
    assert "secretariat" in browser.get("/account").text


def test_sign_out_ends_the_session_cookie_and_the_remember_me_cookie_on_the_server(app, people):
    browser = app.test_client()
    assert sign_in(browser, "drafter", remember="y").status_code == 302
    session_cookie = browser.get_cookie("session").value
    remember_cookie = browser.get_cookie("remember_token").value

    def with_cookie(name, value):
        copy = app.test_client()
        copy.set_cookie(name, value)
        return copy.get("/account")

    # Copies of either cookie sign in while the sign-in lasts…
    assert with_cookie("session", session_cookie).status_code == 200
    assert with_cookie("remember_token", remember_cookie).status_code == 200
    browser.post_form("/logout")
    # …and neither does once it has ended, wherever they were copied to.
    assert with_cookie("session", session_cookie).status_code == 302
    assert with_cookie("remember_token", remember_cookie).status_code == 302


def test_the_account_page_lists_sign_ins_and_ends_them(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "drafter", headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"})
    sign_in(phone, "drafter", headers={"User-Agent": "Mozilla/5.0 (iPhone) Version/18 Safari/604.1"})
    page = laptop.get("/account")
    assert "Firefox · Windows" in page.text and "Safari · iPhone" in page.text
    assert page.text.count("此设备") == 1

    with app.app_context():
        phone_id = db.session.scalar(select(SignIn.id).where(SignIn.user_agent.contains("iPhone")))
    assert laptop.post_form(f"/account/sign-ins/{phone_id}/end").status_code == 302
    assert phone.get("/account").status_code == 302  # the phone is signed out
    assert laptop.get("/account").status_code == 200

    # Another account cannot end someone else's sign-in.
    other = app.test_client()
    sign_in(other, "secretariat")
    with app.app_context():
        laptop_id = db.session.scalar(select(SignIn.id).where(SignIn.user_agent.contains("Firefox")))
    assert other.post_form(f"/account/sign-ins/{laptop_id}/end").status_code == 404
    assert laptop.get("/account").status_code == 200

    # "Sign out everywhere else" keeps this browser only.
    tablet = app.test_client()
    sign_in(tablet, "drafter")
    response = laptop.post_form("/account/sign-ins/end-others", follow_redirects=True)
    assert "其他 1 处登录" in response.text
    assert tablet.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200


def test_a_password_change_and_a_deactivation_end_the_other_sign_ins(app, people, database):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "drafter")
    sign_in(elsewhere, "drafter")
    response = here.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "another long secret", "confirm": "another long secret"},
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200  # where it was changed stays signed in
    assert elsewhere.get("/account").status_code == 302

    with database() as session:
        user = session.get(User, people["drafter"])
        service.update_user(
            session,
            user,
            by=ADMIN,
            display_name=user.display_name,
            email=None,
            role=user.role,
            organisation=user.organisation,
            working_groups=user.working_groups,
            active=False,
        )
        session.commit()
    assert here.get("/account").status_code == 302


def test_an_idle_sign_in_ends_after_its_limit(app, people, database):
    plain, remembered = app.test_client(), app.test_client()
    sign_in(plain, "drafter")
    sign_in(remembered, "secretariat", remember="y")
    with database() as session:
        for record in session.scalars(select(SignIn)):
            record.last_seen_at = utcnow() - timedelta(hours=13)
        session.commit()
    assert plain.get("/account").status_code == 302  # a working day unused
    assert remembered.get("/account").status_code == 200  # "keep me signed in" lasts longer
    with database() as session:
        for record in session.scalars(select(SignIn)):
            record.last_seen_at = utcnow() - timedelta(days=31)
        session.commit()
    remembered.delete_cookie("session")
    assert remembered.get("/account").status_code == 302


def test_the_comment_limit_holds_when_posts_arrive_together(app, people, database):
    with database() as session:
        rule = make_rule(session)
        move(session, rule, "30")
        session.commit()
        rule_id = rule.id
    clients = [app.test_client() for _ in range(20)]
    tokens = [client.csrf_token() for client in clients]

    def post(index):
        form = {"csrf_token": tokens[index], "name": "公众", "kind": "general", "comment": f"意见 {index}"}
        return clients[index].post(f"/drafting/{rule_id}/comments", data=form)

    responses = in_parallel(20, post)
    with database() as session:
        stored = session.scalar(select(db.func.count()).select_from(ConsultationComment))
    assert stored == 10
    refused = [response for response in responses if response.status_code != 302]
    assert len(refused) == 10 and {response.status_code for response in refused} == {429}
    assert all(f"意见 {index}" in response.text for index, response in enumerate(responses) if response in refused)
    assert all("一小时内最多提交 10 条意见，请于" in response.text for response in refused)
    assert all(0 < int(response.headers["Retry-After"]) <= 3600 for response in refused)


def test_behind_a_trusted_proxy_the_forwarded_address_counts(database_url, tmp_path, people):
    # (CSRF on HTTPS also checks the Referer, as a browser sends it.)
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    direct = make_app(database_url, tmp_path / "direct")
    proxied = make_app(database_url, tmp_path / "proxied", TRUSTED_PROXIES=1)
    sign_in(direct.test_client(), "drafter", headers=forwarded)
    sign_in(proxied.test_client(), "secretariat", headers=forwarded)
    with proxied.app_context():
        addresses = dict(db.session.execute(select(User.username, SignIn.address).join(SignIn.user)).all())
    # Without a trusted proxy the header is anybody's to forge, so it is ignored.
    assert addresses == {"drafter": "127.0.0.1", "secretariat": "203.0.113.9"}


def test_addresses_are_counted_by_host_or_by_ipv6_block():
    assert address_key("203.0.113.9") == "203.0.113.9"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::7") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")


def test_a_refund_never_goes_below_nothing(app):
    item = limit("3 per minute")
    with app.app_context():
        refund(item, "k")  # nothing counted yet: no credit
        assert hit(item, "k").allowed and hit(item, "k").allowed and hit(item, "k").allowed
        assert not hit(item, "k").allowed


def test_counters_are_shared_atomic_and_expire(app):
    storage = app.extensions["workbench.throttle"]
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    with storage.engine.begin() as connection:
        connection.execute(RateCounter.__table__.update().values(expires_at=0))
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1  # a new window


def test_an_api_token_shows_when_and_where_it_was_last_used(app, people):
    browser = app.test_client()
    sign_in(browser, "drafter")
    page = browser.post_form("/account/tokens", {"name": "脚本"})
    token = page.text.split('<code class="token">')[1].split("<")[0]
    assert "从未使用" in page.text
    assert app.test_client().get("/api/v1/standards", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = browser.get("/account")
    assert "从未使用" not in page.text and "127.0.0.1" in page.text


def test_api_callers_have_an_allowance_per_minute(database_url, tmp_path, people):
    app = make_app(database_url, tmp_path / "api", API_RATE_LIMIT="3 per minute")
    visitor = app.test_client()
    assert [visitor.get("/api/v1/standards").status_code for _ in range(3)] == [200, 200, 200]
    refused = visitor.get("/api/v1/standards")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert "每 1分钟 最多 3 次" in refused.json["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # A signed-in caller has an allowance of its own, wherever its calls come from.
    token_client = app.test_client()
    sign_in(token_client, "drafter")
    assert token_client.get("/api/v1/standards").status_code == 200
