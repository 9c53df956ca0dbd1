"""Accounts, organisations and working groups through the forms: what is saved, what is refused
and what the user is told."""

from workbench.auth.models import Organisation, User, WorkingGroup
from workbench.auth.permissions import Role

from .conftest import PASSWORD


def test_an_administrator_creates_an_account_that_can_sign_in(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form("/users/new", {
        "username": "Zhang.Wei", "display_name": "张伟", "email": "zhang@example.cn", "role": "drafter",
        "organisation": str(people["organisation"]), "working_groups": [str(people["working_group"])],
        "password": "initial password 1",
    })
    assert response.status_code == 302
    with database() as session:
        user = session.query(User).filter_by(username="zhang.wei").one()
        assert [group.code for group in user.working_groups] == ["WG-TEST"]
        assert user.organisation.name == "测试部委"
    assert login(None).post_form("/login", {"username": "zhang.wei", "password": "initial password 1"}).status_code == 302


def test_a_refused_account_form_keeps_what_was_typed_and_says_what_to_fix(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form("/users/new", {
        "username": "drafter", "display_name": "重复的人", "email": "not-an-address", "role": "drafter",
        "organisation": "0", "password": "long enough password"})
    assert response.status_code == 422
    assert "请输入有效的电子邮箱地址" in response.text
    assert 'value="重复的人"' in response.text
    response = admin.post_form("/users/new", {
        "username": "drafter", "display_name": "重复的人", "role": "drafter", "organisation": "0",
        "password": "long enough password"})
    assert response.status_code == 422
    assert "用户名“drafter”已被使用" in response.text
    response = admin.post_form("/users/new", {
        "username": "newbie", "display_name": "新人", "role": "drafter", "organisation": "0"})
    assert response.status_code == 422
    assert "密码至少需要 10 个字符" in response.text
    with database() as session:
        assert session.query(User).count() == 5


def test_an_unknown_choice_is_refused(people, login):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form("/users/new", {
        "username": "x1", "display_name": "X", "role": "emperor", "organisation": "424242",
        "password": "long enough password"})
    assert response.status_code == 422
    assert response.text.count('class="errors"') >= 2


def test_archived_organisations_are_not_offered_and_not_accepted(people, login):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form(f"/organisations/{people['organisation']}/archive")
    form = admin.get("/users/new").text
    assert ">测试部委</option>" not in form
    response = admin.post_form("/users/new", {
        "username": "late", "display_name": "迟到", "role": "drafter",
        "organisation": str(people["organisation"]), "password": "long enough password"})
    assert response.status_code == 422


def test_an_existing_member_of_an_archived_organisation_keeps_it_when_edited(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form(f"/organisations/{people['organisation']}/archive")
    assert ">测试部委</option>" in admin.get(f"/users/{people[Role.EVALUATOR]}/edit").text
    response = admin.post_form(f"/users/{people[Role.EVALUATOR]}/edit", {
        "display_name": "新名字", "role": "evaluator", "organisation": str(people["organisation"]), "active": "y"})
    assert response.status_code == 302
    with database() as session:
        assert session.get(User, people[Role.EVALUATOR]).organisation_id == people["organisation"]


def test_organisation_names_are_unique_ignoring_case(people, login):
    secretariat = login(Role.SECRETARIAT)
    assert secretariat.post_form("/organisations/new", {"name": "CNIS", "kind": "research_institute"}).status_code == 302
    response = secretariat.post_form("/organisations/new", {"name": "cnis", "kind": "research_institute"})
    assert response.status_code == 422
    assert "“cnis”已存在" in response.text


def test_archiving_twice_says_it_is_already_archived(people, login, database):
    secretariat = login(Role.SECRETARIAT)
    url = f"/organisations/{people['organisation']}"
    secretariat.post_form(f"{url}/archive")
    response = secretariat.post_form(f"{url}/archive", follow_redirects=True)
    assert "已经归档" in response.text
    with database() as session:
        assert session.get(Organisation, people["organisation"]).archived_at is not None


def test_working_group_codes_are_normalised_and_validated(people, login, database):
    secretariat = login(Role.SECRETARIAT)
    assert secretariat.post_form("/working-groups/new", {"code": "wg-steel", "name": "钢铁起草组"}).status_code == 302
    response = secretariat.post_form("/working-groups/new", {"code": "钢铁", "name": "另一个"})
    assert response.status_code == 422
    assert "WG-AL" in response.text
    with database() as session:
        assert session.query(WorkingGroup).filter_by(code="WG-STEEL").one().name == "钢铁起草组"


def test_a_deactivated_account_cannot_be_added_to_a_group(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form(f"/users/{people[Role.EVALUATOR]}/edit", {"display_name": "离任", "role": "evaluator", "organisation": "0"})
    response = admin.post_form(f"/working-groups/{people['working_group']}/edit", {
        "code": "WG-TEST", "name": "测试起草组", "members": [str(people[Role.DRAFTER]), str(people[Role.EVALUATOR])]})
    assert response.status_code == 422  # not even offered as a choice any more
    with database() as session:
        assert [m.username for m in session.get(WorkingGroup, people["working_group"]).members] == ["drafter"]


def test_lists_search_and_filter(people, login):
    admin = login(Role.ADMINISTRATOR)
    page = admin.get("/users?q=DRAF").text
    assert "测试drafter" in page and "测试evaluator" not in page
    page = admin.get("/users?role=evaluator").text
    assert "测试evaluator" in page and "测试drafter" not in page
    assert "没有符合条件的账号" in admin.get("/users?q=%25").text  # a wildcard is taken literally


def test_working_group_page_lists_members_with_their_organisation(people, login):
    page = login(Role.DRAFTER).get(f"/working-groups/{people['working_group']}").text
    assert "测试drafter" in page and "测试部委" in page
    assert "编辑" not in page  # drafters see the group but cannot edit it


def test_the_account_page_shows_role_and_groups(people, login):
    page = login(Role.DRAFTER).get("/account").text
    assert "起草人" in page and "WG-TEST" in page
    assert PASSWORD not in page
