"""Accounts, organisations and working groups through the forms: what is saved, what is refused
and what the user is told."""

import re

import pytest

from workbench.auth import service
from workbench.auth.models import Organisation, OrganisationKind, User, WorkingGroup
from workbench.auth.permissions import Role

from .conftest import ADMIN, PASSWORD


def test_an_administrator_creates_an_account_that_can_sign_in(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form(
        "/users/new",
        {
            "username": "Zhang.Wei",
            "display_name": "张伟",
            "email": "zhang@example.cn",
            "role": "drafter",
            "organisation": str(people["organisation"]),
            "working_groups": [str(people["working_group"])],
            "password": "initial password 1",
        },
    )
    assert response.status_code == 302
    with database() as session:
        user = session.query(User).filter_by(username="zhang.wei").one()
        assert [group.code for group in user.working_groups] == ["WG-TEST"]
        assert user.organisation.name == "测试部委"
    assert (
        login(None).post_form("/login", {"username": "zhang.wei", "password": "initial password 1"}).status_code == 302
    )


def test_a_refused_account_form_keeps_what_was_typed_and_says_what_to_fix(people, login, database):
    with database() as session:
        accounts = session.query(User).count()
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form(
        "/users/new",
        {
            "username": "drafter",
            "display_name": "重复的人",
            "email": "not-an-address",
            "role": "drafter",
            "organisation": "0",
            "password": "long enough password",
        },
    )
    assert response.status_code == 422
    assert "请输入有效的电子邮箱地址" in response.text
    assert 'value="重复的人"' in response.text
    response = admin.post_form(
        "/users/new",
        {
            "username": "drafter",
            "display_name": "重复的人",
            "role": "drafter",
            "organisation": "0",
            "password": "long enough password",
        },
    )
    assert response.status_code == 422
    assert "用户名“drafter”已被使用" in response.text
    response = admin.post_form(
        "/users/new", {"username": "newbie", "display_name": "新人", "role": "drafter", "organisation": "0"}
    )
    assert response.status_code == 422
    assert "密码至少需要 10 个字符" in response.text
    with database() as session:
        assert session.query(User).count() == accounts  # nothing was created by the refused forms


def test_an_unknown_choice_is_refused(people, login):
    admin = login(Role.ADMINISTRATOR)
    response = admin.post_form(
        "/users/new",
        {
            "username": "x1",
            "display_name": "X",
            "role": "emperor",
            "organisation": "424242",
            "password": "long enough password",
        },
    )
    assert response.status_code == 422
    assert response.text.count('class="errors"') >= 2


def test_archived_organisations_are_not_offered_and_not_accepted(people, login):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form(f"/organisations/{people['organisation']}/archive")
    form = admin.get("/users/new").text
    assert ">测试部委</option>" not in form
    response = admin.post_form(
        "/users/new",
        {
            "username": "late",
            "display_name": "迟到",
            "role": "drafter",
            "organisation": str(people["organisation"]),
            "password": "long enough password",
        },
    )
    assert response.status_code == 422


def test_an_existing_member_of_an_archived_organisation_keeps_it_when_edited(people, login, database):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form(f"/organisations/{people['organisation']}/archive")
    assert ">测试部委</option>" in admin.get(f"/users/{people[Role.EVALUATOR]}/edit").text
    response = admin.post_form(
        f"/users/{people[Role.EVALUATOR]}/edit",
        {"display_name": "新名字", "role": "evaluator", "organisation": str(people["organisation"]), "active": "y"},
    )
    assert response.status_code == 302
    with database() as session:
        assert session.get(User, people[Role.EVALUATOR]).organisation_id == people["organisation"]


def test_organisation_names_are_unique_ignoring_case(people, login):
    secretariat = login(Role.SECRETARIAT)
    assert (
        secretariat.post_form("/organisations/new", {"name": "CNIS", "kind": "research_institute"}).status_code == 302
    )
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
    admin.post_form(
        f"/users/{people[Role.EVALUATOR]}/edit", {"display_name": "离任", "role": "evaluator", "organisation": "0"}
    )
    response = admin.post_form(
        f"/working-groups/{people['working_group']}/edit",
        {"code": "WG-TEST", "name": "测试起草组", "members": [str(people[Role.DRAFTER]), str(people[Role.EVALUATOR])]},
    )
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


def test_a_form_opened_before_someone_elses_save_does_not_silently_undo_it(people, login, database):
    secretariat, admin = login(Role.SECRETARIAT), login(Role.ADMINISTRATOR)
    url = f"/working-groups/{people['working_group']}/edit"
    stale_form = secretariat.get(url).text
    stale_version = re.search(r'name="version" type="hidden" value="(\d+)"', stale_form).group(1)

    # Meanwhile an administrator adds the evaluator to the group.
    members = [str(people[Role.DRAFTER]), str(people[Role.EVALUATOR])]
    assert admin.post_form(url, {"code": "WG-TEST", "name": "测试起草组", "members": members}).status_code == 302

    # The secretariat saves the form it opened earlier, with the old member list.
    fields = {
        "code": "WG-TEST",
        "name": "改名的起草组",
        "members": [str(people[Role.DRAFTER])],
        "version": stale_version,
    }
    refused = secretariat.post_form(url, fields)
    assert refused.status_code == 422
    assert "已被他人修改" in refused.text
    assert 'value="改名的起草组"' in refused.text  # what they typed is kept
    with database() as session:
        group = session.get(WorkingGroup, people["working_group"])
        assert [m.username for m in group.members] == ["drafter", "evaluator"] and group.name == "测试起草组"

    # Having seen the warning, saving again is a deliberate choice, and it goes through.
    current = re.search(r'name="version" type="hidden" value="(\d+)"', refused.text).group(1)
    assert secretariat.post_form(url, {**fields, "version": current}).status_code == 302


def test_paging_links_keep_filters_but_ignore_hostile_parameters(people, login, database):
    with database() as session:
        for number in range(55):
            service.create_organisation(session, name=f"协会 {number:02d}", kind=OrganisationKind.ASSOCIATION, by=ADMIN)
        session.commit()
    admin = login(Role.ADMINISTRATOR)
    page = admin.get("/organisations?q=协会&endpoint=static&_external=1&_anchor=x%22onmouseover")
    assert page.status_code == 200
    (next_link,) = re.findall(r'<a href="([^"]+)">下一页</a>', page.text)
    assert next_link.startswith("/organisations?") and "page=2" in next_link and "http" not in next_link
    second = admin.get(next_link.replace("&amp;", "&"))
    assert "协会 54" in second.text and "测试部委" not in second.text


@pytest.mark.parametrize(
    "url", ["/organisations?page=99999999999999999999", "/users?page=0", "/working-groups?page=-3"]
)
def test_page_numbers_out_of_range_are_not_found(people, login, url):
    assert login(Role.ADMINISTRATOR).get(url).status_code == 404


@pytest.mark.parametrize("page", ["/users", "/organisations", "/working-groups"])
def test_a_nul_byte_in_the_search_is_ignored_not_a_500(people, login, page):
    # PostgreSQL refuses NUL in text parameters; the search drops it.
    assert login(Role.ADMINISTRATOR).get(page, query_string={"q": "测试\x00"}).status_code == 200
