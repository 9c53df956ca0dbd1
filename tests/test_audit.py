"""Every change to a record is an event with actor, time, before/after and reason; nothing is
deleted behind the trail's back; the audit pages show it to the right people."""

import re

import pytest
from sqlalchemy import select, update

from workbench.audit import Actor, RecordDeletionRefused, change_reason, set_actor
from workbench.audit.models import AuditEvent
from workbench.auth import service
from workbench.auth.models import Organisation, OrganisationKind, User, WorkingGroup
from workbench.auth.permissions import Role

from .conftest import ADMIN, PASSWORD


def events_for(session, record_type, record_id):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == record_type, AuditEvent.record_id == str(record_id))
        .order_by(AuditEvent.id)
    ).all()


def test_a_web_edit_is_recorded_with_actor_before_after_and_reason(people, login, database):
    admin = login(Role.SECRETARIAT)
    response = admin.post_form(
        f"/organisations/{people['organisation']}/edit",
        {"name": "国家市场监督管理总局", "name_en": "SAMR", "kind": "ministry", "reason": "更正为正式名称"},
    )
    assert response.status_code == 302

    with database() as session:
        event = events_for(session, "organisation", people["organisation"])[-1]
    assert event.action == "updated"
    assert event.actor_id == people[Role.SECRETARIAT]
    assert event.actor_label == "测试secretariat (secretariat)"
    assert event.reason == "更正为正式名称"
    assert event.changes == {
        "name": {"before": "测试部委", "after": "国家市场监督管理总局"},
        "name_en": {"before": None, "after": "SAMR"},
    }
    assert event.occurred_at.tzinfo is not None


def test_creation_records_every_value_and_hides_secrets(session, app):
    set_actor(session, Actor(None, "test"))
    user = service.create_user(session, username="li", display_name="李工", password=PASSWORD, role="drafter", by=ADMIN)
    session.commit()
    (event,) = events_for(session, "user", user.id)
    assert event.action == "created"
    assert event.changes["username"] == {"before": None, "after": "li"}
    assert event.changes["role"] == {"before": None, "after": "drafter"}
    assert event.changes["password_hash"] == {"before": None, "after": "[redacted]"}
    assert "id" not in event.changes  # the event names its record; the key is not a change
    assert PASSWORD not in str(event.changes) and user.password_hash not in str(event.changes)


def test_membership_changes_are_recorded_on_the_group(session, people):
    group = session.get(WorkingGroup, people["working_group"])
    evaluator = session.get(User, people[Role.EVALUATOR])
    service.update_working_group(
        session,
        group,
        code=group.code,
        name=group.name,
        description="",
        members=[*group.members, evaluator],
        reason="增补评估专家",
        by=ADMIN,
    )
    session.commit()
    event = events_for(session, "working_group", group.id)[-1]
    assert event.changes["members"] == {"before": ["drafter"], "after": ["drafter", "evaluator"]}
    assert event.reason == "增补评估专家"


def test_archive_and_restore_are_events_and_the_record_stays(database, people, login):
    client = login(Role.ADMINISTRATOR)
    client.post_form(f"/working-groups/{people['working_group']}/archive", {"reason": "产品并入其他起草组"})
    client.post_form(f"/working-groups/{people['working_group']}/restore")
    with database() as session:
        events = events_for(session, "working_group", people["working_group"])
        assert [event.action for event in events[-2:]] == ["archived", "restored"]
        assert events[-2].reason == "产品并入其他起草组"
        assert session.get(WorkingGroup, people["working_group"]).archived_at is None


def test_an_archivable_record_cannot_be_deleted(session, people):
    session.delete(session.get(Organisation, people["organisation"]))
    with pytest.raises(RecordDeletionRefused):
        session.flush()


def test_bulk_updates_that_would_bypass_the_trail_are_refused(session, people):
    with pytest.raises(RuntimeError, match="audit trail"):
        session.execute(update(User).values(display_name="x"))


def test_an_expired_record_still_records_its_old_value(session, people):
    user = session.get(User, people[Role.EVALUATOR])
    session.commit()  # expires every loaded attribute
    user.display_name = "新名字"
    session.commit()
    event = events_for(session, "user", user.id)[-1]
    assert event.changes["display_name"] == {"before": "测试evaluator", "after": "新名字"}


def test_a_rolled_back_change_leaves_no_event(session, people):
    count = len(events_for(session, "organisation", people["organisation"]))
    with change_reason(session, "试试"):
        session.get(Organisation, people["organisation"]).name = "临时名称"
    session.rollback()
    assert len(events_for(session, "organisation", people["organisation"])) == count
    assert session.get(Organisation, people["organisation"]).name == "测试部委"


def test_a_refused_form_saves_nothing_and_records_nothing(database, people, login):
    client = login(Role.SECRETARIAT)
    with database() as session:
        service.create_organisation(session, name="已有协会", kind=OrganisationKind.ASSOCIATION, by=ADMIN)
        session.commit()
        count = session.query(AuditEvent).count()
    response = client.post_form(
        f"/organisations/{people['organisation']}/edit", {"name": "已有协会", "kind": "ministry"}
    )
    assert response.status_code == 422
    assert "“已有协会”已存在" in response.text
    with database() as session:
        assert session.get(Organisation, people["organisation"]).name == "测试部委"
        assert session.query(AuditEvent).count() == count


def test_record_history_page_shows_labels_values_and_actor(people, login):
    client = login(Role.ADMINISTRATOR)
    client.post_form(
        f"/users/{people[Role.EVALUATOR]}/edit",
        {"display_name": "王评估", "role": "association", "organisation": "0", "active": "y", "reason": "转岗"},
    )
    page = client.get(f"/audit/user/{people[Role.EVALUATOR]}")
    assert page.status_code == 200
    assert "王评估" in page.text and "测试evaluator" in page.text
    assert "协会代表" in page.text  # the role's label, not its code
    assert "转岗" in page.text
    # The actor by name, with the username the log is searched by beside it.
    assert '<span lang="zh-CN">测试administrator</span> <span class="muted small">administrator</span>' in page.text


def test_users_read_their_own_history_but_not_others(people, login):
    drafter = login(Role.DRAFTER)
    assert drafter.get(f"/audit/user/{people[Role.DRAFTER]}").status_code == 200
    assert drafter.get(f"/audit/user/{people[Role.EVALUATOR]}").status_code == 403
    assert drafter.get(f"/audit/organisation/{people['organisation']}").status_code == 403


def test_unknown_record_types_and_ids_are_not_found(people, login):
    admin = login(Role.ADMINISTRATOR)
    assert admin.get("/audit/standard/1").status_code == 404
    assert admin.get("/audit/user/999999").status_code == 404


def test_global_log_filters_by_type_and_actor(people, login):
    admin = login(Role.ADMINISTRATOR)
    admin.post_form("/organisations/new", {"name": "中国标准化研究院", "kind": "research_institute"})
    page = admin.get("/audit/?type=organisation&actor=administrator")
    assert "中国标准化研究院" in page.text
    assert "测试起草组" not in page.text  # the working group's creation is filtered out
    assert admin.get("/audit/?type=working_group").text.count("测试起草组") >= 1


def test_the_global_log_pages_back_in_time_without_gaps_or_repeats(people, login, database):
    with database() as session:
        for number in range(70):
            session.get(Organisation, people["organisation"]).name = f"名称 {number:02d}"
            session.flush()
        session.commit()
    admin = login(Role.ADMINISTRATOR)
    seen, url = [], "/audit/?type=organisation"
    while url:
        page = admin.get(url).text
        seen += re.findall(r"<td class=\"after\"[^>]*>名称 (\d\d)</td>", page)
        older = re.search(r'href="(/audit/\?[^"]*before=\d+[^"]*)">更早的记录', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == [f"{number:02d}" for number in reversed(range(70))]


def test_an_unknown_actor_finds_nothing_and_says_so(people, login):
    page = login(Role.ADMINISTRATOR).get("/audit/?actor=ghost").text
    assert "没有用户名为“ghost”的账号" in page
    assert "暂无记录" in page


def test_a_reference_is_recorded_by_the_name_it_had_then(session, people):
    institute = service.create_organisation(
        session, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE, by=ADMIN
    )
    user = session.get(User, people[Role.EVALUATOR])
    user.organisation_id = institute.id  # by key, without touching the relationship
    session.commit()
    institute.name = "中国标准化研究院（更名后）"
    session.commit()
    event = [e for e in events_for(session, "user", user.id) if e.action == "updated"][-1]
    assert event.changes == {"organisation": {"before": "测试部委", "after": "中国标准化研究院"}}


def _memberships(session, record_type, record_id):
    return [
        event.changes.get("working_groups" if record_type == "user" else "members")
        for event in events_for(session, record_type, record_id)
        if ("working_groups" if record_type == "user" else "members") in event.changes
    ]


def test_a_new_account_in_a_group_shows_in_both_histories(session, people):
    session.expire_all()  # nothing preloaded: the trail must not depend on what happens to be loaded
    group = session.get(WorkingGroup, people["working_group"])
    user = service.create_user(
        session, username="li", display_name="李工", password=PASSWORD, role="drafter", working_groups=[group], by=ADMIN
    )
    session.commit()
    (created,) = events_for(session, "user", user.id)
    assert created.action == "created"
    assert created.changes["working_groups"] == {"before": [], "after": ["WG-TEST 测试起草组"]}
    assert _memberships(session, "working_group", group.id)[-1] == {"before": ["drafter"], "after": ["drafter", "li"]}


def test_removing_a_member_from_the_group_shows_in_the_members_history(database, people, login):
    response = login(Role.SECRETARIAT).post_form(
        f"/working-groups/{people['working_group']}/edit", {"code": "WG-TEST", "name": "测试起草组", "reason": "调岗"}
    )
    assert response.status_code == 302
    with database() as session:
        last = events_for(session, "user", people[Role.DRAFTER])[-1]
        assert last.changes == {"working_groups": {"before": ["WG-TEST 测试起草组"], "after": []}}
        assert last.reason == "调岗" and last.actor_label == "测试secretariat (secretariat)"


def test_changing_a_users_groups_shows_in_every_group_concerned(database, people, login):
    with database() as session:
        other = service.create_working_group(session, code="WG-PV", name="光伏起草组", by=ADMIN)
        session.commit()
        other_id = other.id
    response = login(Role.ADMINISTRATOR).post_form(
        f"/users/{people[Role.DRAFTER]}/edit",
        {
            "display_name": "测试drafter",
            "role": "drafter",
            "organisation": "0",
            "active": "y",
            "working_groups": [str(other_id)],
        },
    )
    assert response.status_code == 302
    with database() as session:
        assert _memberships(session, "working_group", people["working_group"])[-1] == {
            "before": ["drafter"],
            "after": [],
        }
        assert _memberships(session, "working_group", other_id)[-1] == {"before": [], "after": ["drafter"]}
        assert _memberships(session, "user", people[Role.DRAFTER])[-1] == {
            "before": ["WG-TEST 测试起草组"],
            "after": ["WG-PV 光伏起草组"],
        }


def test_the_version_counter_is_not_listed_as_a_change(session, people):
    organisation = session.get(Organisation, people["organisation"])
    organisation.name = "新名称"
    session.commit()
    assert events_for(session, "organisation", organisation.id)[-1].changes == {
        "name": {"before": "测试部委", "after": "新名称"}
    }


def test_a_system_reason_is_stored_once_and_read_in_each_language(people, login, database):
    client = login(Role.EVALUATOR)
    client.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new password", "confirm": "a brand new password"},
    )
    with database() as session:
        assert events_for(session, "user", people[Role.EVALUATOR])[-1].reason == "用户修改了自己的密码"
    client.post_form("/language", {"locale": "en"})
    assert "The user changed their own password" in client.get(f"/audit/user/{people[Role.EVALUATOR]}").text


def test_visitors_learn_nothing_about_which_records_exist(people, client):
    for record_id in (people[Role.DRAFTER], 424242):
        response = client.get(f"/audit/user/{record_id}")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        assert client.get(f"/api/v1/audit/user/{record_id}").status_code == 401
