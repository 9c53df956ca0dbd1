"""The lists SAMR and MEE keep (指引（七）、（十）) and their calls for proposals: the seeded
batches, immutability once published, corrections, who may, calls by date, the pages and the API."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from workbench import demo
from workbench.audit.models import AuditEvent
from workbench.auth.models import OrganisationKind, User
from workbench.auth.permissions import Role
from workbench.catalogue import lists
from workbench.catalogue import seed as catalogue_seed
from workbench.catalogue.models import BatchStatus, Call, ListBatch, ListItem, ListKind
from workbench.dates import today
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.registry import seed as registry_seed
from workbench.registry import service as registry
from workbench.registry.models import PriorityCategory, Standard

from .conftest import ADMIN, SECRETARIAT, Acting

TODAY = date(2026, 12, 1)
ASSOCIATION = Acting(Role.ASSOCIATION, "association", "协会")
PUBLISHED = "已发布的批次不能修改，请发布更正批次"


def load_registry(session):
    registry_seed.load_products(session, ADMIN)
    registry_seed.load_standards(session, ADMIN)


@pytest.fixture
def seeded(app, database):
    with database() as session:
        load_registry(session)
        catalogue_seed.load(session, ADMIN)
        session.commit()


def batch(session, kind, number) -> ListBatch:
    return session.scalar(select(ListBatch).where(ListBatch.kind == kind, ListBatch.number == number))


def product(session, name):
    return registry.find_product(session, name)


def draft(session, kind=ListKind.PRIORITY, corrects=None, by=ADMIN):
    return lists.create_batch(
        session, lists.BatchInput(kind=kind, title="测试批次", issued_on=TODAY, corrects=corrects), by=by
    )


# --- the seed -------------------------------------------------------------------------------------


def test_the_seed_holds_the_plans_nineteen_products_and_only_registered_group_standards(session):
    load_registry(session)
    assert catalogue_seed.load(session, ADMIN) == 4
    first = batch(session, ListKind.PRIORITY, 1)
    assert first.status == BatchStatus.PUBLISHED and first.document_number == "环气候〔2024〕30号"
    assert first.issued_on == date(2024, 6, 4) and first.issuers.count("、") == 14  # fifteen departments
    assert len(first.items) == 19
    assert {item.product.name for item in first.items} >= {"电力", "电解铝", "锂电池", "电子电器"}
    assert {(item.level, item.target_year, item.lead_ministry) for item in first.items} == {("national", 2027, "")}
    aluminium = next(item for item in first.items if item.product.name == "电解铝")
    assert (aluminium.category, aluminium.side) == (PriorityCategory.RAW_MATERIAL, "production")

    group = {number: batch(session, ListKind.GROUP_RECOMMENDED, number) for number in (1, 2, 3)}
    assert [item.standard.designation for item in group[1].items] == ["T/CISA 469—2024"]
    assert [item.standard.designation for item in group[2].items] == ["T/CBMF 281—2024"]
    assert len(group[3].items) == 4
    assert (group[3].issued_on, group[3].document_number) == (date(2026, 1, 26), "")
    assert "73" in group[3].note  # the published list's size; the items are the registered ones

    assert all(item.standard.level == "group" for number in group for item in group[number].items)

    assert catalogue_seed.load(session, ADMIN) == 0  # idempotent
    assert session.scalar(select(func.count()).select_from(ListItem)) == 19 + 6


def test_the_reference_lists_and_notes_read_in_the_readers_language(seeded, client, database):
    """The seeded batches' titles, issuers and notes and the registry's reference notes are stored
    in Chinese: the Chinese pages show them as published, the English pages in English."""
    with database() as session:
        group = batch(session, ListKind.GROUP_RECOMMENDED, 2)
        page, standard = f"/catalogue/batches/{group.id}", group.items[0].standard_id
    chinese = client.get(page).text
    assert "团体标准推荐清单（第二批）" in chinese and "原清单共 23 项团体标准" in chinese
    assert "团体标准推荐清单第 2 批" in client.get(f"/standards/{standard}").text
    client.post_form("/language", {"locale": "en"})
    english = client.get(page).text
    assert "Recommended group-standard list (batch 2)" in english
    assert "The published list holds 23 group standards" in english and "原清单" not in english
    assert "Ministry of Industry and Information Technology" in english
    shown = client.get(f"/standards/{standard}").text
    assert "Recommended group-standard list, batch 2" in shown and "recommended group-standard list batch" not in shown


def test_the_demo_loads_the_lists_a_provincial_account_and_an_open_call(session):

    operator = Acting()
    demo.load(session, operator)
    demo.load_registry(session, operator)
    demo.load_registry(session, operator)  # idempotent
    session.commit()
    province = session.scalar(select(User).where(User.username == "province"))
    assert province.role == Role.DRAFTER and province.organisation.kind == OrganisationKind.LOCAL_AUTHORITY
    assert province.organisation.name == "浙江省市场监督管理局"
    calls = session.scalars(select(Call)).all()
    assert len(calls) == 1 and calls[0].is_open(today())
    assert calls[0].levels == ["national", "industry", "local", "group"] and calls[0].months_to_approval == 12
    assert [b.number for b in calls[0].batches] == [1] and calls[0].batches[0].kind == ListKind.PRIORITY


# --- immutability ---------------------------------------------------------------------------------


def test_a_published_batch_refuses_every_change(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    first = batch(session, ListKind.PRIORITY, 1)
    item = first.items[0]
    attempts = [
        lambda: lists.update_batch(session, first, lists.BatchInput(kind="priority", title="改"), by=ADMIN),
        lambda: lists.add_item(session, first, lists.ItemInput(product=product(session, "光伏组件")), by=ADMIN),
        lambda: lists.update_item(session, item, lists.ItemInput(product=item.product, category="transport"), by=ADMIN),
        lambda: lists.remove_item(session, item, by=ADMIN),
        lambda: lists.publish_batch(session, first, by=ADMIN),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match=PUBLISHED):
            attempt()
    assert len(first.items) == 19 and first.title.startswith("《关于建立碳足迹管理体系的实施方案》")


def test_an_empty_batch_is_not_published(session):
    empty = draft(session)
    with pytest.raises(InvalidInput, match="还没有条目"):
        lists.publish_batch(session, empty, by=ADMIN)
    assert empty.status == BatchStatus.DRAFT


def test_the_web_refuses_changes_to_a_published_batch(seeded, database, login):
    client = login(Role.ADMINISTRATOR)
    with database() as session:
        first = batch(session, ListKind.PRIORITY, 1)
        first_id, item_id, glass = first.id, first.items[0].id, product(session, "平板玻璃").id
    response = client.post_form(f"/catalogue/batches/{first_id}/items", {"product": glass, "category": "raw_material"})
    assert response.status_code == 409 and PUBLISHED in response.text
    response = client.get(f"/catalogue/batches/{first_id}/edit", follow_redirects=True)
    assert PUBLISHED in response.text
    response = client.post_form(f"/catalogue/batches/{first_id}/items/{item_id}/delete", follow_redirects=True)
    assert PUBLISHED in response.text
    with database() as session:
        assert len(batch(session, ListKind.PRIORITY, 1).items) == 19


# --- items and corrections ------------------------------------------------------------------------


def test_a_group_list_takes_registered_group_standards_only(session):
    load_registry(session)
    group = draft(session, ListKind.GROUP_RECOMMENDED)
    national = registry.find_standard(session, "GB/T 24067-2024")
    with pytest.raises(InvalidInput, match="只列团体标准") as refused:
        lists.add_item(session, group, lists.ItemInput(standard=national), by=ADMIN)
    assert "国家标准" in refused.value.message
    magnesium = registry.find_standard(session, "T/CNIA 0295-2025")
    added = lists.add_item(session, group, lists.ItemInput(standard=magnesium), by=ADMIN)
    assert added.standard is magnesium and added.category is None
    with pytest.raises(InvalidInput, match="本批次中已有条目"):
        lists.add_item(session, group, lists.ItemInput(standard=magnesium), by=ADMIN)


def test_an_ordinary_batch_adds_only_what_is_not_listed(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    second = draft(session)
    assert second.number == 2  # the next of its list
    with pytest.raises(InvalidInput, match="已在清单第1批中"):
        lists.add_item(
            session, second, lists.ItemInput(product=product(session, "电解铝"), category="raw_material"), by=ADMIN
        )
    with pytest.raises(InvalidInput, match="只有更正批次"):
        lists.add_item(
            session, second, lists.ItemInput(product=product(session, "平板玻璃"), change="remove"), by=ADMIN
        )
    with pytest.raises(InvalidInput, match="请选择类别"):
        lists.add_item(session, second, lists.ItemInput(product=product(session, "平板玻璃")), by=ADMIN)


def test_a_correction_changes_and_removes_and_the_list_in_force_follows(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    first = batch(session, ListKind.PRIORITY, 1)
    aluminium, coal, glass = product(session, "电解铝"), product(session, "煤炭"), product(session, "平板玻璃")
    assert coal.priority_category == PriorityCategory.BASIC_ENERGY and glass.priority_category is None

    correction = draft(session, corrects=first)
    with pytest.raises(InvalidInput, match="不在现行清单上"):
        lists.add_item(
            session, correction, lists.ItemInput(product=glass, change="change", category="raw_material"), by=ADMIN
        )
    with pytest.raises(InvalidInput, match="已在清单第1批中"):
        lists.add_item(
            session, correction, lists.ItemInput(product=coal, change="add", category="raw_material"), by=ADMIN
        )
    lists.add_item(
        session,
        correction,
        lists.ItemInput(product=aluminium, change="change", category="export_product", lead_ministry="工业和信息化部"),
        by=ADMIN,
    )
    lists.add_item(session, correction, lists.ItemInput(product=coal, change="remove"), by=ADMIN)
    lists.add_item(session, correction, lists.ItemInput(product=glass, change="add", category="raw_material"), by=ADMIN)
    # Nothing changes before the correction is published.
    assert effective_names(session)[aluminium.id] == ("raw_material", 1)
    lists.publish_batch(session, correction, by=ADMIN, reason="更正")

    effective = effective_names(session)
    assert coal.id not in effective
    assert effective[aluminium.id] == ("export_product", correction.number)
    assert effective[glass.id] == ("raw_material", correction.number)
    assert len(effective) == 19
    in_force = lists.priority_in_force(session)
    assert in_force[aluminium.id].batch_id == correction.id and in_force[aluminium.id].batch_number == 2
    assert in_force[aluminium.id].category == PriorityCategory.EXPORT_PRODUCT
    assert in_force[aluminium.id].lead_ministry == "工业和信息化部"
    assert in_force[product(session, "水泥").id].batch_id == first.id
    assert {key: (row.category.value, row.batch_number) for key, row in in_force.items()} == effective
    # A call's batches alone: the list as batch 1 left it, whatever was published later.
    as_first_left_it = lists.effective_priority_items(session, batch_ids=[first.id])
    assert len(as_first_left_it) == 19 and as_first_left_it[coal.id].batch is first
    assert as_first_left_it[aluminium.id].category == PriorityCategory.RAW_MATERIAL
    assert glass.id not in as_first_left_it
    assert lists.effective_priority_items(session, batch_ids=[first.id, correction.id]).keys() == effective.keys()
    assert aluminium.priority_category == PriorityCategory.EXPORT_PRODUCT
    assert coal.priority_category is None and glass.priority_category == PriorityCategory.RAW_MATERIAL
    assert len(first.items) == 19  # the corrected batch itself is untouched

    # Removed means it may be listed again, in a later correction.
    again = draft(session, corrects=correction)
    lists.add_item(session, again, lists.ItemInput(product=coal, change="add", category="basic_energy"), by=ADMIN)
    with pytest.raises(InvalidInput, match="不在现行清单上"):
        lists.add_item(session, again, lists.ItemInput(product=product(session, "光伏组件"), change="remove"), by=ADMIN)


def effective_names(session):
    return {
        product_id: (item.category.value, item.batch.number)
        for product_id, item in lists.effective_priority_items(session).items()
    }


def test_a_correction_names_a_published_batch_of_the_same_list(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    unpublished = draft(session)
    with pytest.raises(InvalidInput, match="只能更正已发布的批次"):
        draft(session, corrects=unpublished)
    with pytest.raises(InvalidInput, match="同一清单"):
        draft(session, ListKind.GROUP_RECOMMENDED, corrects=batch(session, ListKind.PRIORITY, 1))


def test_publishing_is_audited_with_its_reason(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    second = draft(session)
    lists.add_item(
        session, second, lists.ItemInput(product=product(session, "平板玻璃"), category="raw_material"), by=ADMIN
    )
    lists.publish_batch(session, second, by=ADMIN, reason="第二批")
    session.flush()
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == "list_batch", AuditEvent.record_id == str(second.id))
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.reason == "第二批" and "status" in str(event.changes)


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", [ASSOCIATION, SECRETARIAT, Acting(Role.DRAFTER, "drafter", "起草人")])
def test_only_samr_and_mee_keep_lists_and_open_calls(session, by):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    second = draft(session)
    lists.add_item(
        session, second, lists.ItemInput(product=product(session, "平板玻璃"), category="raw_material"), by=ADMIN
    )
    with pytest.raises(AccessDenied):
        draft(session, by=by)
    with pytest.raises(AccessDenied):
        lists.publish_batch(session, second, by=by)
    with pytest.raises(AccessDenied):
        lists.create_call(session, call_input(), by=by, today=TODAY)
    assert second.status == BatchStatus.DRAFT


@pytest.mark.parametrize("role", [Role.ASSOCIATION, Role.SECRETARIAT])
def test_the_pages_refuse_others(seeded, database, login, role):
    with database() as session:
        second = draft(session)
        lists.add_item(
            session, second, lists.ItemInput(product=product(session, "平板玻璃"), category="raw_material"), by=ADMIN
        )
        session.commit()
        second_id = second.id
    client = login(role)
    assert client.post_form(f"/catalogue/batches/{second_id}/publish", {"confirm": "y"}).status_code == 403
    assert (
        client.post_form("/catalogue/batches/new", {"kind": "priority", "title": "x", "corrects": 0}).status_code == 403
    )
    assert client.post_form("/catalogue/calls/new", {"title": "x"}).status_code == 403
    assert client.get(f"/catalogue/batches/{second_id}").status_code == 404  # a draft is not shown
    with database() as session:
        assert session.get(ListBatch, second_id).status == BatchStatus.DRAFT
        assert session.scalar(select(func.count()).select_from(Call)) == 0


# --- calls ----------------------------------------------------------------------------------------


def call_input(**changes):
    values = {
        "title": "测试征集",
        "opens_on": TODAY,
        "closes_on": TODAY + timedelta(days=30),
        "months_to_approval": 12,
        "levels": ["national", "group"],
        "batches": [],
    }
    return lists.CallInput(**{**values, **changes})


def test_calls_are_open_between_their_dates_until_closed(session):
    soon = lists.create_call(
        session,
        call_input(title="下月", opens_on=TODAY + timedelta(days=5), closes_on=TODAY + timedelta(days=40)),
        by=ADMIN,
        today=TODAY,
    )
    now = lists.create_call(session, call_input(title="本月"), by=ADMIN, today=TODAY)
    assert lists.open_calls(session, TODAY) == [now]
    assert lists.open_calls(session, TODAY + timedelta(days=5)) == [now, soon]  # the soonest to close first
    assert lists.open_calls(session, TODAY + timedelta(days=30)) == [now, soon]  # the last day is in
    assert lists.open_calls(session, TODAY + timedelta(days=31)) == [soon]
    lists.close_call(session, now, by=ADMIN, today=TODAY, reason="提前完成")
    assert lists.open_calls(session, TODAY + timedelta(days=5)) == [soon]
    with pytest.raises(Conflict):
        lists.close_call(session, now, by=ADMIN, today=TODAY)


def test_a_call_is_checked_and_changes_only_its_description_once_open(session):
    load_registry(session)
    catalogue_seed.load(session, ADMIN)
    with pytest.raises(InvalidInput, match="不能早于开始日期"):
        lists.create_call(session, call_input(closes_on=TODAY - timedelta(days=1)), by=ADMIN, today=TODAY)
    with pytest.raises(InvalidInput, match="至少选择一个"):
        lists.create_call(session, call_input(levels=[]), by=ADMIN, today=TODAY)
    with pytest.raises(InvalidInput, match="无效"):
        lists.create_call(session, call_input(levels=["international"]), by=ADMIN, today=TODAY)
    with pytest.raises(InvalidInput, match="1 至 60 个月"):
        lists.create_call(session, call_input(months_to_approval=61), by=ADMIN, today=TODAY)
    with pytest.raises(InvalidInput, match="尚未发布"):
        lists.create_call(session, call_input(batches=[draft(session)]), by=ADMIN, today=TODAY)
    call = lists.create_call(
        session, call_input(batches=[batch(session, ListKind.PRIORITY, 1)]), by=ADMIN, today=TODAY - timedelta(days=3)
    )
    # Before it opens, anything may change.
    spaced = "2026年  碳足迹\n征集"  # stored as "2026年 碳足迹 征集"
    lists.update_call(
        session,
        call,
        call_input(title=spaced, months_to_approval=9, batches=call.batches),
        by=ADMIN,
        today=TODAY - timedelta(days=1),
    )
    assert (call.months_to_approval, call.title) == (9, "2026年 碳足迹 征集")
    # Once open, the form sent back as the user wrote it is no change: only the description moves.
    opened = call_input(title=spaced, months_to_approval=9, batches=list(call.batches), description="补充说明")
    lists.update_call(session, call, opened, by=ADMIN, today=TODAY)
    assert call.description == "补充说明"
    # The same values written otherwise (spaces, levels in another order, a batch twice) are no change.
    again = call_input(
        title=" 2026年 碳足迹 征集 ",
        months_to_approval=9,
        levels=["group", "national", "group"],
        batches=list(call.batches) * 2,
        description="再补充",
    )
    lists.update_call(session, call, again, by=ADMIN, today=TODAY)
    assert call.description == "再补充"
    with pytest.raises(Conflict, match="只能修改说明"):
        lists.update_call(
            session,
            call,
            call_input(title="另一个标题", months_to_approval=9, batches=list(call.batches)),
            by=ADMIN,
            today=TODAY,
        )
    with pytest.raises(Conflict, match="只能修改说明"):
        lists.update_call(
            session,
            call,
            call_input(title=spaced, months_to_approval=6, batches=list(call.batches)),
            by=ADMIN,
            today=TODAY,
        )
    assert (call.months_to_approval, call.title) == (9, "2026年 碳足迹 征集")


def test_the_public_sees_open_calls_without_signing_in(seeded, database, client, login):
    with database() as session:
        lists.create_call(
            session,
            call_input(
                title="公开的征集", opens_on=today() - timedelta(days=1), batches=[batch(session, ListKind.PRIORITY, 1)]
            ),
            by=ADMIN,
            today=today(),
        )
        lists.create_call(
            session, call_input(title="以后的征集", opens_on=today() + timedelta(days=3)), by=ADMIN, today=today()
        )
        session.commit()
        call_id = session.scalar(select(Call.id).where(Call.title == "公开的征集"))
    page = client.get("/catalogue/calls")
    assert page.status_code == 200 and "公开的征集" in page.text and "以后的征集" not in page.text
    one = client.get(f"/catalogue/calls/{call_id}")
    assert one.status_code == 200 and "国家标准" in one.text and "12 个月" in one.text
    assert f"/proposals/new?call={call_id}" not in one.text  # a visitor is asked to sign in first
    assert f"/proposals/new?call={call_id}" in login(Role.DRAFTER).get(f"/catalogue/calls/{call_id}").text
    index = client.get("/catalogue/")
    assert index.status_code == 200 and "公开的征集" in index.text and "电解铝" in index.text


# --- pages ----------------------------------------------------------------------------------------


def test_mee_publishes_a_batch_and_opens_a_call_through_the_pages(seeded, database, login):
    client = login(Role.ADMINISTRATOR)
    form = client.get("/catalogue/batches/new")
    assert form.status_code == 200
    created = client.post_form(
        "/catalogue/batches/new",
        {
            "kind": "priority",
            "title": "重点产品碳足迹核算标准清单（第二批）",
            "issuers": "市场监管总局、生态环境部",
            "corrects": 0,
        },
    )
    assert created.status_code == 302
    batch_url = created.headers["Location"]
    with database() as session:
        glass = product(session, "平板玻璃").id
        second_id = batch(session, ListKind.PRIORITY, 2).id
    typed = {"product": glass, "category": "", "side": "", "level": "national", "lead_ministry": "工信部"}
    refused = client.post_form(batch_url + "/items", typed)
    assert refused.status_code == 422 and "请选择类别" in refused.text and 'value="工信部"' in refused.text
    added = client.post_form(batch_url + "/items", {**typed, "category": "raw_material", "target_year": "2028"})
    assert added.status_code == 302
    unconfirmed = client.post_form(batch_url + "/publish", {"reason": "按计划"})
    assert unconfirmed.status_code == 422 and "请勾选确认" in unconfirmed.text and "按计划" in unconfirmed.text
    assert client.post_form(batch_url + "/publish", {"confirm": "y"}).status_code == 302
    page = client.get(batch_url)
    assert "已发布" in page.text and "平板玻璃" in page.text and "添加条目" not in page.text

    refused = client.post_form(
        "/catalogue/calls/new",
        {
            "title": "第二批征集",
            "opens_on": today().isoformat(),
            "closes_on": (today() - timedelta(days=1)).isoformat(),
            "months_to_approval": "12",
            "levels": "national",
            "batches": second_id,
        },
    )
    assert refused.status_code == 422 and "不能早于开始日期" in refused.text and 'value="第二批征集"' in refused.text
    opened = client.post_form(
        "/catalogue/calls/new",
        {
            "title": "第二批征集",
            "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=30)).isoformat(),
            "months_to_approval": "12",
            "levels": ["national", "industry"],
            "batches": second_id,
        },
    )
    assert opened.status_code == 302
    with database() as session:
        call = session.scalar(select(Call))
        assert call.levels == ["national", "industry"] and [b.id for b in call.batches] == [second_id]
        assert session.scalar(select(User.id).where(User.username == "administrator")) == call.opened_by_id
        assert product(session, "平板玻璃").priority_category == PriorityCategory.RAW_MATERIAL
    closed = client.post_form(f"/catalogue/calls/{call.id}/close", {"reason": "演示"})
    assert closed.status_code == 302
    assert "已提前截止" in client.get(f"/catalogue/calls/{call.id}").text


def test_a_standard_shows_every_list_it_is_on(seeded, database, client):
    with database() as session:
        steel = registry.find_standard(session, "T/CISA 469-2024").id
        national = registry.find_standard(session, "GB/T 24067-2024").id
    page = client.get(f"/standards/{steel}")
    assert page.status_code == 200 and "列入的清单" in page.text and "团体标准推荐清单 第1批" in page.text
    assert "2025-01-15" in page.text
    assert "列入的清单" not in client.get(f"/standards/{national}").text


def test_a_standard_on_two_batches_shows_both_until_a_correction_takes_it_off(seeded, database, client):
    with database() as session:
        first = batch(session, ListKind.GROUP_RECOMMENDED, 1)
        steel = registry.find_standard(session, "T/CISA 469-2024")
        other_item = batch(session, ListKind.GROUP_RECOMMENDED, 2).items[0]  # a standard of another batch
        second = draft(session, ListKind.GROUP_RECOMMENDED, corrects=first)
        lists.add_item(session, second, lists.ItemInput(standard=steel, change="change", note="更正名称"), by=ADMIN)
        lists.publish_batch(session, second, by=ADMIN)
        session.commit()
        steel_id, other_id, second_number = steel.id, other_item.standard_id, second.number

    def block(standard_id):
        page = client.get(f"/standards/{standard_id}").text
        return page[page.index("列入的清单") : page.index("与其他标准的关系")] if "列入的清单" in page else ""

    shown = block(steel_id)
    assert "团体标准推荐清单 第1批" in shown and f"团体标准推荐清单 第{second_number}批" in shown and "修改" in shown
    assert f"第{second_number}批" not in block(other_id)

    with database() as session:
        second = batch(session, ListKind.GROUP_RECOMMENDED, second_number)
        third = draft(session, ListKind.GROUP_RECOMMENDED, corrects=second)
        steel = session.get(Standard, steel_id)
        lists.add_item(session, third, lists.ItemInput(standard=steel, change="remove"), by=ADMIN)
        lists.publish_batch(session, third, by=ADMIN)
        session.commit()
        assert lists.lists_of_standard(session, steel_id) == []
    assert block(steel_id) == ""  # taken off: no longer shown as on any list
    assert "团体标准推荐清单 第2批" in block(other_id)  # the others stay


def test_the_navigation_and_the_home_page_lead_to_the_catalogue(client):
    home = client.get("/")
    assert 'href="/catalogue/"' in home.text and "清单与立项" in home.text and 'href="/coverage' in home.text


# --- API ------------------------------------------------------------------------------------------


def test_the_api_round_trip(seeded, database, login, client, validate_response):
    mee = login(Role.ADMINISTRATOR)
    listing = client.get("/api/v1/lists/batches")
    validate_response("/api/v1/lists/batches", "get", listing)
    assert [(b["kind"], b["number"], len(b["items"])) for b in listing.json][:1] == [("priority", 1, 19)]
    assert ("priority", 1, 19) in [(b["kind"], b["number"], len(b["items"])) for b in listing.json]

    made = mee.api(
        "POST", "/api/v1/lists/batches", {"kind": "group_recommended", "title": "团体标准推荐清单（第四批）"}
    )
    assert made.status_code == 201, made.text
    validate_response("/api/v1/lists/batches", "post", made)
    assert made.json["number"] == 4 and made.json["status"] == "draft"
    location = made.headers["Location"]
    assert client.get(location).status_code == 404  # a draft is not public
    drafts = "/api/v1/lists/batches?drafts=true&kind=group_recommended"
    assert [b["number"] for b in client.get(drafts).json] == [1, 2, 3]  # drafts only for SAMR/MEE
    assert [b["number"] for b in mee.get(drafts).json] == [1, 2, 3, 4]

    refused = mee.api("POST", location + "/items", {"standard": "GB/T 24067-2024"})
    assert refused.status_code == 422 and "只列团体标准" in refused.json["error"]["message"]
    added = mee.api("POST", location + "/items", {"standard": "T/CNIA 0295—2025", "note": "原生镁锭"})
    assert added.status_code == 201, added.text
    validate_response("/api/v1/lists/batches/{batch_id}/items", "post", added)
    published = mee.api("POST", location + "/publish", {"reason": "第四批"})
    assert published.status_code == 200, published.text
    validate_response("/api/v1/lists/batches/{batch_id}/publish", "post", published)
    again = mee.api("POST", location + "/items", {"standard": "T/CNIA 0295—2025"})
    assert again.status_code == 409 and PUBLISHED in again.json["error"]["message"]
    public = client.get(location)
    validate_response("/api/v1/lists/batches/{batch_id}", "get", public)
    assert public.json["items"][0]["standard"]["designation"] == "T/CNIA 0295—2025"

    association = login(Role.ASSOCIATION)
    assert association.api("POST", "/api/v1/lists/batches", {"kind": "priority", "title": "x"}).status_code == 403
    assert association.api("POST", location + "/publish", {}).status_code == 403

    body = {
        "title": "API 征集",
        "opens_on": today().isoformat(),
        "closes_on": (today() + timedelta(days=10)).isoformat(),
        "levels": ["national"],
        "batch_ids": [public.json["id"]],
        "months_to_approval": 18,
    }
    assert association.api("POST", "/api/v1/calls", body).status_code == 403
    call = mee.api("POST", "/api/v1/calls", body)
    assert call.status_code == 201, call.text
    validate_response("/api/v1/calls", "post", call)
    calls = client.get("/api/v1/calls")
    validate_response("/api/v1/calls", "get", calls)
    assert [c["title"] for c in calls.json] == ["API 征集"] and calls.json[0]["open"] is True
    one = client.get(call.headers["Location"])
    validate_response("/api/v1/calls/{call_id}", "get", one)
    assert one.json["months_to_approval"] == 18


def test_a_correction_is_started_from_the_published_batch_and_its_items_edited(seeded, database, login):
    client = login(Role.ADMINISTRATOR)
    with database() as session:
        first = batch(session, ListKind.PRIORITY, 1)
        first_id, coal = first.id, product(session, "煤炭").id
    page = client.get(f"/catalogue/batches/{first_id}")
    assert f"/catalogue/batches/new?corrects={first_id}" in page.text and "添加条目" not in page.text
    form = client.get(f"/catalogue/batches/new?corrects={first_id}")
    assert f'<option selected value="{first_id}">' in form.text and "（更正）" in form.text
    created = client.post_form(
        "/catalogue/batches/new", {"kind": "priority", "title": "更正", "corrects": first_id, "number": ""}
    )
    assert created.status_code == 302, created.text
    url = created.headers["Location"]
    item = {"change": "remove", "product": coal, "category": "", "side": "", "level": "national"}
    assert client.post_form(url + "/items", item).status_code == 302
    with database() as session:
        correction = session.get(ListBatch, int(url.rsplit("/", 1)[1]))
        item_id = correction.items[0].id
    assert "移出" in client.get(url).text
    edit = client.get(f"{url}/items/{item_id}/edit")
    assert edit.status_code == 200 and re.search(
        r'<option (selected value="remove"|value="remove" selected)', edit.text
    )
    changed = client.post_form(f"{url}/items/{item_id}/edit", {**item, "change": "change", "category": "transport"})
    assert changed.status_code == 302
    with database() as session:
        assert session.get(ListItem, item_id).category == PriorityCategory.TRANSPORT


def test_an_open_call_offers_only_its_description_to_edit(seeded, database, login):
    with database() as session:
        call = lists.create_call(
            session,
            call_input(opens_on=today() - timedelta(days=1), closes_on=today() + timedelta(days=9)),
            by=ADMIN,
            today=today(),
        )
        session.commit()
        call_id = call.id
    client = login(Role.ADMINISTRATOR)
    form = client.get(f"/catalogue/calls/{call_id}/edit")
    assert form.status_code == 200 and "只能修改说明" in form.text and 'name="closes_on"' not in form.text
    assert client.post_form(f"/catalogue/calls/{call_id}/edit", {"description": "新的说明"}).status_code == 302
    with database() as session:
        saved = session.get(Call, call_id)
        assert saved.description == "新的说明" and saved.closes_on == today() + timedelta(days=9)
