"""The standards registry: products, standards, the level rules of 指引（八）–（十四）, search,
CSV import, the CLI and the API, each on a registry built in the test."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.permissions import Role
from workbench.db import utcnow
from workbench.errors import InvalidInput, StaleVersion
from workbench.guideline import Severity
from workbench.i18n import finding_text
from workbench.registry import importing, numbers, seed, service
from workbench.registry.models import PriorityCategory, Product, Standard, Status

from .conftest import ADMIN
from .test_cli import _one_line_error, cli_env, run_workbench  # noqa: F401  (cli_env is a fixture)

TODAY = date(2026, 11, 21)
ALUMINIUM_TITLE = "温室气体 产品碳足迹量化方法与要求 电解铝"


def product(session, name, parent=None, *, aliases="", end_use="intermediate"):
    return service.create_product(
        session,
        service.ProductInput(name=name, aliases=aliases, parent=parent, side="production", end_use=end_use),
        by=ADMIN,
    )


def register(session, level, product, *, number="", status="published", published=None, implemented=None, title=None):
    standard, findings = service.create_standard(
        session,
        service.StandardInput(
            level=level,
            numbers=number,
            title=title or f"温室气体 产品碳足迹量化方法与要求 {product.name if product else '通用'}",
            status=status,
            product=product,
            published_on=published,
            implemented_on=implemented,
        ),
        on=TODAY,
        by=ADMIN,
    )
    return standard, findings


def codes(findings):
    return {(finding.code, finding.severity) for finding in findings}


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _aluminium(session):
    item = product(session, "电解铝", aliases="原铝")
    national, _ = register(
        session,
        "national",
        item,
        number="GB/T 44905-2024",
        published=date(2024, 10, 26),
        implemented=date(2025, 5, 1),
        title=ALUMINIUM_TITLE,
    )
    session.commit()
    return item, national


@pytest.fixture
def aluminium(session):
    """电解铝 with GB/T 44905-2024 published 2024-10-26, in force since 2025-05-01."""
    return _aluminium(session)


@pytest.fixture
def aluminium_ids(database):
    """The same, committed, for tests that send requests: (product id, national standard id)."""
    with database() as session:
        item, national = _aluminium(session)
        return item.id, national.id


# --- the level rules, one scenario each ------------------------------------------------------------


def test_a_local_standard_for_aluminium_after_the_national_one_is_refused(session, aluminium):
    item, _national = aluminium
    with pytest.raises(InvalidInput) as refused:
        register(session, "local", item, number="DB15/T 4051.1-2025", published=date(2025, 6, 1))
    message = str(refused.value.message)
    assert "指引（九）" in message and "GB/T 44905—2024" in message and "不再制定地方标准" in message
    session.rollback()
    assert count(session, Standard) == 1
    # A project (no number, not published) is refused just the same: it would be made today.
    with pytest.raises(InvalidInput):
        register(session, "local", item, status="planned")


def test_a_local_standard_made_before_the_national_one_is_history_not_refused(session, aluminium):
    item, _ = aluminium
    standard, findings = register(session, "local", item, number="DB15/T 1-2023", published=date(2023, 3, 1))
    assert standard.id is not None
    assert ("local_where_higher_exists", Severity.ERROR) not in codes(findings)


def test_a_local_standard_also_yields_to_an_industry_standard(session):
    magnesium = product(session, "原生镁锭")
    register(session, "industry", magnesium, number="YS/T 1-2024", published=date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="不再制定地方标准"):
        register(session, "local", magnesium, status="drafting")


def test_a_local_project_while_the_national_one_is_drafted_is_warned(session):
    cement = product(session, "水泥")
    register(session, "national", cement, status="drafting")
    _, findings = register(session, "local", cement, status="planned")
    assert ("local_where_higher_in_preparation", Severity.WARNING) in codes(findings)


def test_a_group_standard_where_a_national_one_exists_is_warned_not_encouraged(session, aluminium):
    item, _ = aluminium
    standard, findings = register(session, "group", item, number="T/CNIA 0300-2025", published=date(2025, 7, 1))
    assert standard.id is not None  # allowed
    [warning] = [finding for finding in findings if finding.code == "group_where_higher_exists"]
    assert warning.severity == Severity.WARNING and warning.article == "指引（十）"
    assert "不再鼓励" in finding_text(warning) and "GB/T 44905—2024" in finding_text(warning)


def test_an_industry_standard_where_a_national_one_exists_is_refused_with_the_reason(session, aluminium):
    item, _ = aluminium
    with pytest.raises(InvalidInput) as refused:
        register(session, "industry", item, number="YS/T 3001-2025", published=date(2025, 8, 1))
    assert "指引（八）（十四）" in str(refused.value.message) and "行业主管部门废止" in str(refused.value.message)
    assert refused.value.details["findings"][0]["code"] == "industry_where_national_exists"


def test_an_industry_standard_while_the_national_one_is_drafted_is_warned(session):
    battery = product(session, "锂电池", aliases="锂离子电池")
    register(session, "national", battery, status="consultation")
    standard, findings = register(session, "industry", battery, status="planned")
    assert standard.id and ("industry_where_national_in_preparation", Severity.WARNING) in codes(findings)


def test_a_second_active_standard_at_the_same_level_is_a_duplicate(session):
    glass = product(session, "平板玻璃")
    first, _ = register(session, "group", glass, number="T/CECRPA 010-2024", published=date(2024, 12, 11))
    _, findings = register(session, "group", glass, number="T/CBMF 999-2025", published=date(2025, 1, 1))
    [duplicate] = [finding for finding in findings if finding.code == "duplicate_at_level"]
    assert duplicate.severity == Severity.WARNING and duplicate.article == "指引（十二）"
    assert duplicate.standard_ids == (first.id,)


def test_a_new_edition_is_not_a_duplicate_of_the_one_it_replaces(session):
    glass = product(session, "平板玻璃")
    old, _ = register(session, "group", glass, number="T/CECRPA 010-2024", published=date(2024, 12, 11))
    new, _ = register(session, "group", glass, status="drafting", title="平板玻璃 修订")
    service.add_relation(session, new, "replaces", target=old, by=ADMIN)
    assert "duplicate_at_level" not in {finding.code for finding in service.findings_for(session, new, on=TODAY)}
    assert old.status == Status.PUBLISHED  # still in force while the revision is drafted


def test_enterprises_may_each_have_their_own_standard(session):
    tyre = product(session, "轮胎")
    register(session, "enterprise", tyre, number="Q/ABC 1-2024", published=date(2024, 1, 1))
    _, findings = register(session, "enterprise", tyre, number="Q/XYZ 2-2024", published=date(2024, 1, 1))
    assert findings == []


def test_a_standard_for_a_broader_or_narrower_product_gets_an_overlap_notice(session):
    glass = product(session, "玻璃")
    flat = product(session, "平板玻璃", parent=glass)
    broad, _ = register(session, "national", glass, status="drafting")
    _, findings = register(session, "group", flat, number="T/CECRPA 010-2024", published=date(2024, 12, 11))
    [overlap] = [finding for finding in findings if finding.code == "overlap_in_product_tree"]
    assert overlap.severity == Severity.INFO and overlap.standard_ids == (broad.id,)
    assert "上级产品" in finding_text(overlap) and "玻璃" in finding_text(overlap)
    # And from above: the broad standard sees the narrow one.
    notices = service.findings_for(session, broad, on=TODAY)
    assert any(f.code == "overlap_in_product_tree" and "下级产品" in finding_text(f) for f in notices)


def test_an_industry_standard_whose_product_got_a_national_standard_in_force_is_due_for_withdrawal(session):
    aluminium = product(session, "电解铝")
    local, _ = register(session, "local", aluminium, number="DB15/T 77-2019", published=date(2019, 1, 1))
    industry, _ = register(session, "industry", aluminium, number="YS/T 1001-2020", published=date(2020, 6, 1))
    register(session, "industry", product(session, "原生镁锭"), number="YS/T 1002-2020", published=date(2020, 6, 1))
    national, findings = register(
        session,
        "national",
        aluminium,
        number="GB/T 44905-2024",
        published=date(2024, 10, 26),
        implemented=date(2025, 5, 1),
    )
    assert ("national_supersedes_lower", Severity.INFO) in codes(findings)

    due = service.withdrawal_due(session, on=TODAY)
    assert [(item.standard.id, item.national.id, item.since) for item, _, _ in due] == [
        (local.id, national.id, date(2025, 5, 1)),
        (industry.id, national.id, date(2025, 5, 1)),
    ]
    # Before the national standard came into force, nothing was due; withdrawn ones drop out.
    assert service.withdrawal_due(session, on=date(2025, 4, 30)) == []
    industry.status = Status.WITHDRAWN
    assert [item.standard.id for item, _, _ in service.withdrawal_due(session, on=TODAY)] == [local.id]


def test_finished_and_general_standards_are_outside_the_level_rules(session, aluminium):
    item, _ = aluminium
    general, findings = register(session, "national", None, number="GB/T 24067-2024", published=date(2024, 8, 23))
    assert findings == [] and general.product is None
    withdrawn, findings = register(session, "local", item, number="DB15/T 9-2024", status="withdrawn")
    assert findings == []


def test_the_check_on_demand_names_article_and_severity(session, aluminium):
    item, _ = aluminium
    by_level = {level: service.check_level(session, item, level, on=TODAY) for level in ("local", "group", "industry")}
    assert [(f.code, f.severity.value) for f in by_level["local"]] == [("local_where_higher_exists", "error")]
    assert [(f.code, f.severity.value) for f in by_level["group"]] == [("group_where_higher_exists", "warning")]
    assert [(f.code, f.severity.value) for f in by_level["industry"]] == [("industry_where_national_exists", "error")]
    assert service.check_level(session, item, "enterprise", on=TODAY) == []


def test_changing_level_or_product_is_checked_again_but_withdrawing_is_not(session, aluminium):
    item, _ = aluminium
    other = product(session, "服装")
    local, _ = register(session, "local", other, number="DB4403/T 281-2022", published=date(2022, 12, 12))
    data = service.StandardInput(
        level="local",
        numbers="DB4403/T 281-2022",
        title=local.title,
        status="published",
        product=item,
        published_on=date(2025, 12, 1),
    )
    with pytest.raises(InvalidInput, match="不再制定地方标准"):
        service.update_standard(session, local, data, on=TODAY, by=ADMIN)
    session.rollback()
    data.product, data.status, data.withdrawn_on = other, "withdrawn", date(2026, 1, 1)
    service.update_standard(session, local, data, on=TODAY, by=ADMIN)
    assert local.status == Status.WITHDRAWN


# --- products and standards --------------------------------------------------------------------------


def test_products_are_found_by_name_or_alias_and_names_are_unique(session):
    battery = product(session, "锂电池", aliases="锂离子电池、锂电")
    assert service.find_product(session, "锂离子电池") is battery
    assert service.find_product(session, " 锂电池 ") is battery
    assert service.find_product(session, "锂") is None  # exact names only, never a substring
    with pytest.raises(InvalidInput, match="锂电池"):
        product(session, "锂离子电池")
    with pytest.raises(InvalidInput, match="锂离子电池"):
        product(session, "电池", aliases="锂离子电池")


def test_a_product_cannot_sit_under_itself(session):
    glass = product(session, "玻璃")
    flat = product(session, "平板玻璃", parent=glass)
    data = service.ProductInput(name="玻璃", parent=flat, side="production", end_use="intermediate")
    with pytest.raises(InvalidInput, match="下级产品"):
        service.update_product(session, glass, data, by=ADMIN)


def test_numbers_are_stored_canonically_and_unique_in_any_printed_form(session):
    first, _ = register(session, "national", None, number="ＧＢ／Ｔ　24067－2024", published=date(2024, 8, 23))
    assert first.numbers == "GB/T 24067—2024" and first.year == 2024 and first.nature.value == "recommended"
    with pytest.raises(InvalidInput, match="已登记"):
        register(session, "national", None, number="GB/T24067—2024", title="另一个")


def test_a_jointly_issued_standard_has_every_number(session):
    item = product(session, "原生镁锭")
    standard, _ = register(session, "group", item, number="T/CNIA 0295-2025；T/CSTM 01234-2025")
    assert standard.number_list == ["T/CNIA 0295—2025", "T/CSTM 01234—2025"]
    assert service.find_standard(session, "T/CSTM 01234-2025") is standard


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"numbers": "DB34/T 4916-2024"}, "numbers", "地方标准"),
        ({"numbers": "GB/T 24067"}, "numbers", "缺少年份"),
        ({"numbers": "", "status": "published"}, "numbers", "必须填写标准编号"),
        ({"implemented_on": date(2024, 1, 1)}, "implemented_on", "不能早于发布日期"),
        ({"withdrawn_on": date(2025, 1, 1)}, "withdrawn_on", "废止"),
        ({"status": "planned", "numbers": ""}, "published_on", "尚未发布"),
        ({"title": "  "}, "title", "标准名称"),
        ({"level": "provincial"}, "level", "级别"),
    ],
)
def test_bad_standard_input_names_the_field(session, change, field, fragment):
    data = service.StandardInput(
        level="national",
        numbers="GB/T 44905-2024",
        title=ALUMINIUM_TITLE,
        status="published",
        published_on=date(2024, 10, 26),
    )
    for key, value in change.items():
        setattr(data, key, value)
    with pytest.raises(InvalidInput) as refused:
        service.create_standard(session, data, on=TODAY, by=ADMIN)
    assert field in refused.value.details and fragment in str(refused.value.details[field])


def test_status_in_force_and_upcoming_come_from_the_implementation_date(session, aluminium):
    _, national = aluminium
    assert national.display_status(date(2025, 4, 30)) == "upcoming"
    assert national.display_status(date(2025, 5, 1)) == "in_force"
    national.implemented_on = None
    assert national.display_status(TODAY) == "published"


def test_publishing_a_new_edition_marks_the_old_one_replaced(session):
    item = product(session, "预拌砂浆")
    old, _ = register(session, "group", item, number="T/CBMF 281-2024", published=date(2024, 10, 22))
    new, _ = register(session, "group", item, status="drafting", title="预拌砂浆 修订")
    service.add_relation(session, new, "replaces", target=old, by=ADMIN)
    assert old.status == Status.PUBLISHED
    data = service.StandardInput(
        level="group",
        numbers="T/CBMF 281-2026",
        title=new.title,
        status="published",
        product=item,
        published_on=date(2026, 3, 1),
    )
    service.update_standard(session, new, data, on=TODAY, by=ADMIN)
    assert old.status == Status.REPLACED
    assert [relation.standard for relation in old.inverse_relations] == [new]


@pytest.mark.parametrize(
    ("kind", "target_text", "equivalence", "fragment"),
    [
        ("adopts_international", "ISO 14067:2018", None, "一致性程度"),
        ("cites", "ISO 14044:2006", "IDT", "只有采用国际标准"),
        ("adopts_group", "T/CNIA 1-2024", None, "团体标准"),
        ("cites", "", None, "对象标准"),
    ],
)
def test_relations_refuse_what_does_not_make_sense(session, kind, target_text, equivalence, fragment):
    standard, _ = register(session, "national", None, number="GB/T 24067-2024")
    with pytest.raises(InvalidInput, match=fragment):
        service.add_relation(session, standard, kind, target_text=target_text, equivalence=equivalence, by=ADMIN)


def test_changes_to_standards_are_audited(session, aluminium):
    _, national = aluminium
    data = service.StandardInput(
        level="national",
        numbers="GB/T 44905-2024",
        title=ALUMINIUM_TITLE,
        status="published",
        product=national.product,
        published_on=date(2024, 10, 26),
        implemented_on=date(2025, 6, 1),
    )
    service.update_standard(
        session, national, data, reason="公告更正", expected_version=national.version, on=TODAY, by=ADMIN
    )
    service.add_relation(
        session, national, "adopts_international", target_text="ISO 14067:2018", equivalence="NEQ", by=ADMIN
    )
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.record_type == "standard")).all()
    update = [event for event in events if event.action == "updated"][-1]
    assert update.changes["implemented_on"] == {"before": "2025-05-01", "after": "2025-06-01"}
    assert update.reason == "公告更正"
    relation = session.scalar(select(AuditEvent).where(AuditEvent.record_type == "standard_relation"))
    assert relation.action == "created" and "ISO 14067:2018" in relation.record_label
    with pytest.raises(StaleVersion):
        service.update_standard(session, national, data, expected_version=1, on=TODAY, by=ADMIN)


# --- search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["GB/T 24067-2024", "GB/T24067—2024", "ＧＢ／Ｔ 24067-2024", "gb/t 24067", "24067"])
def test_any_printed_form_of_a_number_finds_the_same_standard(session, query):
    target, _ = register(
        session, "national", None, number="GB/T 24067-2024", title="温室气体 产品碳足迹 量化要求和指南"
    )
    register(session, "national", None, number="GB/T 32150-2015", title="工业企业温室气体排放核算和报告通则")
    found = session.scalars(service.search(service.StandardFilters(text=query), on=TODAY)).all()
    assert found == [target]


def test_filters_combine(session, aluminium):
    item, national = aluminium
    group, _ = register(session, "group", item, number="T/CNIA 0300-2025", published=date(2025, 7, 1))
    other, _ = register(session, "group", product(session, "轮胎"), number="T/CPCIF 0391-2024")

    def found(**filters):
        return session.scalars(service.search(service.StandardFilters(**filters), on=TODAY)).all()

    assert found(product=item) == [group, national]  # newest year first
    assert found(level="group") == [group, other]
    assert found(status="in_force") == [national]
    assert found(status="published") == [group, other]  # no implementation date: published, not in force
    assert found(year=2024) == [other, national]
    assert found(text="电解铝", level="national") == [national]
    assert found(committee="tc548") == []


# --- CSV import --------------------------------------------------------------------------------------


def test_every_row_of_the_reference_file_parses_and_round_trips():
    with seed.STANDARDS_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 20
    for row in rows:
        parsed = numbers.parse(row["number"])
        assert parsed.level.value == row["level"]
        assert numbers.parse(parsed.canonical) == parsed == numbers.parse(parsed.key)
        assert "\u2014" in parsed.canonical


def test_the_reference_copies_are_unchanged_and_the_catalogue_has_every_priority_product(session):
    with seed.PRIORITY_FILE.open(encoding="utf-8") as file:
        priority = list(csv.DictReader(file))
    assert len(priority) == 19
    seed.load_products(session, by=ADMIN)
    for row in priority:
        item = service.find_product(session, row["product"])
        assert item is not None, row["product"]
        # The category as priority batch 1 of the catalogue (the same plan) sets it.
        assert (item.priority_category.value, item.side.value, item.end_use.value) == (
            row["category"],
            row["side"],
            row["end_use"],
        )
    assert {
        product.name for product in session.scalars(select(Product).where(Product.priority_category.is_not(None)))
    } == {row["product"] for row in priority}


def _catalogue_and_import(session):
    seed.load_products(session, by=ADMIN)
    report = seed.load_standards(session, by=ADMIN)
    session.commit()
    return report


def test_the_reference_file_imports_linked_to_products_and_twice_changes_nothing(session):
    report = _catalogue_and_import(session)
    assert len(report.created) == 20
    assert {standard.designation for standard in report.without_product} == {"GB/T 24067—2024", "GB/T 32150—2015"}
    assert service.find_standard(session, "GB/T 44905-2024").product.name == "电解铝"
    assert service.find_standard(session, "T/GDCPA 013-2023").product.name == "光伏组件"  # an older title
    assert service.find_standard(session, "DB4403/T 281-2022").region == "广东（4403）"
    tcnia = service.find_standard(session, "T/CNIA 0295-2025")
    assert (tcnia.committee, tcnia.association) == ("SAC/TC243", "中国有色金属工业协会 中国有色金属学会")
    assert service.find_standard(session, "T/CISA 469-2024").published_on is None  # only the year was known
    events = count(session, AuditEvent)

    again = importing.import_csv(session, seed.STANDARDS_FILE.read_bytes(), by=ADMIN)
    session.commit()
    assert (len(again.created), len(again.unchanged), again.differing) == (0, 20, [])
    assert (count(session, Standard), count(session, AuditEvent)) == (20, events)


BAD_ROWS = [
    ("national,GB/T 4490-2024,温室气体 产品碳足迹量化方法与要求 水泥,,,2024-13-01,,published,,", "不是日期"),
    ("national,GB/T 4490,温室气体 产品碳足迹量化方法与要求 水泥,,,,,published,,", "缺少年份"),
    ("provincial,DB34/T 1-2024,x,,,,,published,,", "级别"),
    ("local,DB34/T 1-2024,x,,,,,in_effect,,", "状态"),
    ("group,GB/T 4490-2024,x,,,,,published,,", "不符"),
    ("local,DB15/T 5-2025,温室气体 产品碳足迹量化方法与要求 电解铝,,,2025-06-01,,published,,", "不再制定地方标准"),
    ("national,GB/T 44905-2024,重复的行,,,,,published,,", "与第 2 行重复"),
]


@pytest.mark.parametrize(("row", "fragment"), BAD_ROWS)
def test_a_bad_row_leaves_the_database_unchanged_and_is_named(session, row, fragment):
    seed.load_products(session, by=ADMIN)
    session.commit()
    before = (count(session, Standard), count(session, AuditEvent))
    content = "\n".join(
        [
            ",".join(importing.CSV_COLUMNS),
            f"national,GB/T 44905-2024,{ALUMINIUM_TITLE},,SAC/TC548,2024-10-26,2025-05-01,published,,",
            "group,T/CPCIF 0391-2024,温室气体 产品碳足迹量化方法与要求 轮胎,,,2024,,published,,",
            row,
        ]
    )
    with pytest.raises(InvalidInput) as refused:
        importing.import_csv(session, content.encode(), on=TODAY, by=ADMIN)
    session.rollback()
    assert "第 4 行" in str(refused.value.message) and fragment in str(refused.value.message)
    assert refused.value.details["rows"][0]["row"] == 4
    assert (count(session, Standard), count(session, AuditEvent)) == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"level,number\nnational,GB/T 1-2020\n", "缺少列"),
        ("level,number".encode("gbk") + "\n国家,标准".encode("gbk"), "UTF-8"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_whole(session, content, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        importing.import_csv(session, content, by=ADMIN)


def test_a_row_may_name_its_product_and_an_unknown_one_is_refused(session):
    seed.load_products(session, by=ADMIN)
    header = ",".join([*importing.CSV_COLUMNS, "product"])
    good = f"{header}\ngroup,T/CNIA 1-2025,原铝碳足迹评价,,,,,published,,,电解铝\n"
    report = importing.import_csv(session, good.encode(), on=TODAY, by=ADMIN)
    assert report.created[0].product.name == "电解铝"
    bad = f"{header}\ngroup,T/CNIA 2-2025,x,,,,,published,,,月球岩石\n"
    with pytest.raises(InvalidInput, match="月球岩石"):
        importing.import_csv(session, bad.encode(), on=TODAY, by=ADMIN)


def test_the_replaces_column_links_editions(session):
    seed.load_products(session, by=ADMIN)
    content = "\n".join(
        [
            ",".join(importing.CSV_COLUMNS),
            "group,T/CBMF 281-2024,温室气体 产品碳足迹量化方法与要求 预拌砂浆,,,2024-10-22,,published,,",
            "group,T/CBMF 281-2026,温室气体 产品碳足迹量化方法与要求 预拌砂浆,,,2026-03-01,,published,T/CBMF 281—2024,",
            "group,T/CBMF 400-2026,温室气体 产品碳足迹量化方法与要求 轮胎,,,2026-03-01,,published,T/CBMF 100-2015,",
        ]
    )
    importing.import_csv(session, content.encode(), on=TODAY, by=ADMIN)
    old = service.find_standard(session, "T/CBMF 281-2024")
    assert old.status == Status.REPLACED
    unregistered = service.find_standard(session, "T/CBMF 400-2026").relations[0]
    assert (unregistered.target, unregistered.target_text) == (None, "T/CBMF 100—2015")


# --- pages ---------------------------------------------------------------------------------------------


def test_the_import_page_reports_and_refuses_with_the_row(app, people, login):
    with app.app_context():
        from workbench.db import db

        seed.load_products(db.session, by=ADMIN)
        db.session.commit()
    client = login(Role.SECRETARIAT)

    def upload(content: bytes, name="standards.csv"):
        return client.post_form(
            "/standards/import", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
        )

    response = upload(seed.STANDARDS_FILE.read_bytes())
    assert response.status_code == 200 and "新登记 20 项" in response.text
    bad = (
        seed.STANDARDS_FILE.read_text(encoding="utf-8")
        + "local,DB15/T 5-2025,温室气体 产品碳足迹量化方法与要求 电解铝,,,,,planned,,\n"
    )
    response = upload(bad.encode())
    assert response.status_code == 422 and "第 22 行" in response.text and "没有写入任何数据" in response.text
    assert upload(b"x", name="standards.xlsx").status_code == 422


def test_the_product_page_shows_the_ladder_and_the_findings(client, aluminium_ids):
    page = client.get(f"/products/{aluminium_ids[0]}").text
    assert "GB/T 44905—2024" in page and "现行" in page
    assert "不再制定地方标准" in page and "不再鼓励制定团体标准" in page


def test_the_secretariat_cannot_put_a_product_on_or_off_the_priority_list(app, database, login):
    """Only publishing a priority batch (catalogue.lists.publish_batch) sets the category the level
    rules read: the product form has no such field, a posted value is ignored, the API has no
    write operation on products (405) and documents the property as read-only."""
    with database() as session:
        seed.load_products(session, by=ADMIN)
        session.commit()
        aluminium = service.find_product(session, "电解铝")
        product_id, version = aluminium.id, aluminium.version
        assert aluminium.priority_category == PriorityCategory.RAW_MATERIAL  # the 2024 plan's, as batch 1
    client = login(Role.SECRETARIAT)
    form = client.get(f"/products/{product_id}/edit")
    assert form.status_code == 200 and 'name="source"' in form.text and "priority_category" not in form.text
    response = client.post_form(
        f"/products/{product_id}/edit",
        {
            "name": "电解铝",
            "aliases": "原铝",
            "parent": "0",
            "side": "production",
            "end_use": "intermediate",
            "priority_category": "",  # an attempt to take it off the list
            "source": "测试来源",
            "version": str(version),
        },
    )
    assert response.status_code == 302, response.text
    created = client.post_form(
        "/products/new",
        {
            "name": "测试新产品",
            "parent": "0",
            "side": "production",
            "end_use": "final",
            "priority_category": "transport",
        },
    )
    assert created.status_code == 302, created.text
    with database() as session:
        saved = session.get(Product, product_id)
        assert (saved.source, saved.priority_category) == ("测试来源", PriorityCategory.RAW_MATERIAL)
        assert service.find_product(session, "测试新产品").priority_category is None
    page = client.get(f"/products/{product_id}").text
    assert "按已发布的重点产品清单批次确定" in page and 'href="/catalogue/"' in page
    for method in ("PATCH", "PUT", "POST"):
        url = f"/api/v1/products/{product_id}" if method != "POST" else "/api/v1/products"
        assert client.api(method, url, json={"priority_category": None}).status_code == 405
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Product"]
    assert schema["properties"]["priority_category"]["readOnly"] is True
    with pytest.raises(TypeError):
        service.ProductInput(name="x", side="production", end_use="final", priority_category="transport")


def test_the_list_finds_a_number_typed_in_full_width(client, aluminium_ids):
    page = client.get("/standards", query_string={"q": "ＧＢ／Ｔ 44905-2024"}).text
    assert "GB/T 44905—2024" in page
    assert "没有符合条件的标准" in client.get("/standards", query_string={"q": "GB/T 1-2020"}).text


def test_the_withdrawal_due_page_lists_the_overdue(client, database):
    with database() as session:
        aluminium = product(session, "电解铝")
        register(session, "industry", aluminium, number="YS/T 1001-2020", published=date(2020, 6, 1))
        national = dict(number="GB/T 44905-2024", published=date(2024, 10, 26), implemented=date(2025, 5, 1))
        register(session, "national", aluminium, **national)
        session.commit()
    page = client.get("/standards/withdrawal-due").text
    assert "YS/T 1001—2020" in page and "2025-05-01" in page


# --- CLI -----------------------------------------------------------------------------------------------


def test_cli_parse_prints_fields_or_one_line_and_status_2(cli_runner):
    result = cli_runner("standards", "parse", "--format", "json", "ＤＢ１５／Ｔ ４０５１.１－２０２５")
    assert result.exit_code == 0
    expected = {"canonical": "DB15/T 4051.1—2025", "level": "local", "part": "1", "region": "15"}
    assert expected.items() <= json.loads(result.output).items()
    wrong = run_workbench("standards", "parse", "DB99/T 1-2020")
    assert "99" in _one_line_error(wrong, code=2)


def test_cli_import_is_all_or_nothing_and_idempotent(cli_env, app, tmp_path):  # noqa: F811
    assert run_workbench("demo", env=cli_env).returncode == 0  # products and the reference standards
    again = run_workbench("standards", "import", str(seed.STANDARDS_FILE), "--format", "json", env=cli_env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["created"] == [] and len(json.loads(again.stdout)["unchanged"]) == 20
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(importing.CSV_COLUMNS)
        + "\ngroup,T/NEW 1-2025,新团体标准,,,,,published,,\nnational,GB/T 5,x,,,,,published,,\n",
        encoding="utf-8",
    )
    refused = run_workbench("standards", "import", str(bad), env=cli_env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("错误 error: 导入已取消") and "第 3 行：编号 GB/T 5：缺少年份" in refused.stderr
    result = run_workbench("standards", "parse", "T/NEW 1-2025", env=cli_env)
    assert result.returncode == 0
    with app.app_context():
        from workbench.db import db

        assert service.find_standard(db.session, "T/NEW 1-2025") is None


def test_cli_hierarchy_check_and_due(cli_runner, session):
    aluminium = product(session, "电解铝", aliases="原铝")
    register(session, "industry", aluminium, number="YS/T 1001-2020", published=date(2020, 6, 1))
    register(
        session,
        "national",
        aluminium,
        number="GB/T 44905-2024",
        published=date(2024, 10, 26),
        implemented=date(2025, 5, 1),
    )
    session.commit()
    check = cli_runner("hierarchy", "check", "--product", "原铝", "--level", "local", "--format", "json")
    findings = json.loads(check.output)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("local_where_higher_exists", "error")]
    due = json.loads(cli_runner("hierarchy", "due", "--format", "json").output)
    assert [(item["standard"]["numbers"], item["since"]) for item in due] == [(["YS/T 1001—2020"], "2025-05-01")]


# --- API -----------------------------------------------------------------------------------------------


def test_api_lists_filters_and_pages(client, aluminium_ids, validate_response):
    response = client.get("/api/v1/standards", query_string={"q": "GB/T44905—2024"})
    validate_response("/api/v1/standards", "get", response)
    assert [item["numbers"] for item in response.json["items"]] == [["GB/T 44905—2024"]]
    assert response.json["items"][0]["display_status"] == "in_force"
    assert client.get("/api/v1/standards", query_string={"level": "city"}).status_code == 422
    detail = client.get(f"/api/v1/standards/{aluminium_ids[1]}")
    validate_response("/api/v1/standards/{standard_id}", "get", detail)


def test_api_create_answers_findings_and_refuses_with_422(people, login, aluminium_ids, validate_response):
    client = login(Role.SECRETARIAT)
    body = {
        "level": "group",
        "numbers": ["T/CNIA 0300-2025"],
        "title": "x",
        "status": "published",
        "product_id": aluminium_ids[0],
    }
    created = client.api("POST", "/api/v1/standards", body)
    assert created.status_code == 201
    validate_response("/api/v1/standards", "post", created)
    assert [f["code"] for f in created.json["findings"]] == ["group_where_higher_exists"]
    refused = client.api("POST", "/api/v1/standards", {**body, "level": "local", "numbers": ["DB15/T 5-2025"]})
    assert (
        refused.status_code == 422
        and refused.json["error"]["details"]["findings"][0]["code"] == "local_where_higher_exists"
    )
    stale = client.api("PATCH", f"/api/v1/standards/{created.json['id']}", {"title": "y", "version": 99})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"


def test_api_parse_and_check(client, aluminium_ids, validate_response):
    parsed = client.get("/api/v1/standards/parse", query_string={"number": "T/CECA-G 0374—2025"})
    validate_response("/api/v1/standards/parse", "get", parsed)
    assert parsed.json["numbers"][0]["code"] == "T/CECA-G"
    bad = client.get("/api/v1/standards/parse", query_string={"number": "ZZ/T 1-2020"})
    assert bad.status_code == 422 and "ZZ" in bad.json["error"]["message"]
    check = client.get("/api/v1/hierarchy/check", query_string={"product": "电解铝", "level": "industry"})
    validate_response("/api/v1/hierarchy/check", "get", check)
    assert check.json["findings"][0]["severity"] == "error"


# --- what the review found -------------------------------------------------------------------------


def test_publishing_a_local_project_after_the_national_standard_is_refused(session):
    cement = product(session, "水泥")
    project, _ = register(session, "local", cement, status="drafting")
    register(session, "national", cement, number="GB/T 90001-2025", published=date(2025, 1, 1))
    session.commit()
    data = service.StandardInput(
        level="local",
        numbers="DB34/T 9001-2025",
        title=project.title,
        status="published",
        product=cement,
        published_on=date(2025, 6, 1),
    )
    with pytest.raises(InvalidInput, match="不再制定地方标准"):
        service.update_standard(session, project, data, on=TODAY, by=ADMIN)
    session.rollback()
    # Correcting its title is not a new conflict, and withdrawing it is always allowed.
    data = service.StandardInput(level="local", title="改过的名称", status="drafting", product=project.product)
    service.update_standard(session, project, data, on=TODAY, by=ADMIN)
    data.status = "withdrawn"
    service.update_standard(session, project, data, on=TODAY, by=ADMIN)


def test_an_archived_project_comes_back_only_if_the_rules_allow_it(session):
    cement = product(session, "水泥")
    project, _ = register(session, "local", cement, status="drafting")
    project.archived_at = utcnow()
    register(session, "national", cement, number="GB/T 90001-2025", published=date(2025, 1, 1))
    with pytest.raises(InvalidInput, match="不再制定地方标准"):
        service.set_archived(session, project, False, by=ADMIN)


def test_replaces_links_editions_of_one_product_and_removing_it_restores_the_old_one(session):
    tyre, steel = product(session, "轮胎"), product(session, "钢铁")
    tyres, _ = register(session, "group", tyre, number="T/CPCIF 0391-2024")
    steel_standard, _ = register(session, "group", steel, number="T/CISA 469-2024")
    with pytest.raises(InvalidInput, match="同一产品"):
        service.add_relation(session, steel_standard, "replaces", target=tyres, by=ADMIN)
    new, _ = register(session, "group", tyre, number="T/CPCIF 0391-2026", title="轮胎 第二版")
    relation = service.add_relation(session, new, "replaces", target=tyres, by=ADMIN)
    assert tyres.status == Status.REPLACED
    service.remove_relation(session, relation, by=ADMIN)
    assert tyres.status == Status.PUBLISHED


def test_group_and_enterprise_codes_ending_in_digits_stay_distinct(session):
    item = product(session, "轮胎")
    one, _ = register(session, "enterprise", item, number="Q/GDW1 2345-2020")
    two, _ = register(session, "enterprise", item, number="Q/GDW 12345-2020")
    assert service.find_standard(session, "Q/GDW1 2345-2020") is one
    assert service.find_standard(session, "Q/GDW 12345—2020") is two
    found = session.scalars(service.search(service.StandardFilters(text="Q/GDW12345"), on=TODAY)).all()
    assert set(found) == {one, two}  # typed without its space, the search cannot tell them apart


def test_the_import_does_not_depend_on_the_order_of_rows(session):
    seed.load_products(session, by=ADMIN)
    header = ",".join(importing.CSV_COLUMNS)
    newer_first = "\n".join(
        [
            header,
            "group,T/CBMF 281-2026,温室气体 产品碳足迹量化方法与要求 预拌砂浆,,,2026-03-01,,published,T/CBMF 281-2024,",
            "group,T/CBMF 281-2024,温室气体 产品碳足迹量化方法与要求 预拌砂浆,,,2024-10-22,,published,,",
        ]
    )
    importing.import_csv(session, newer_first.encode(), on=TODAY, by=ADMIN)
    assert service.find_standard(session, "T/CBMF 281-2024").status == Status.REPLACED
    local_first = "\n".join(
        [
            header,
            "local,DB34/T 9002-2025,温室气体 产品碳足迹量化方法与要求 水泥,,,2025-06-01,,published,,",
            "national,GB/T 90001-2024,温室气体 产品碳足迹量化方法与要求 水泥,,,2024-01-01,,published,,",
        ]
    )
    with pytest.raises(InvalidInput, match="第 2 行.*不再制定地方标准"):
        importing.import_csv(session, local_first.encode(), on=TODAY, by=ADMIN)


def test_importing_projects_twice_changes_nothing_and_lines_count_blank_ones(session):
    seed.load_products(session, by=ADMIN)
    content = (
        ",".join(importing.CSV_COLUMNS) + "\nnational,,温室气体 产品碳足迹量化方法与要求 玻璃,,SAC/TC548,,,planned,,\n"
    )
    importing.import_csv(session, content.encode(), on=TODAY, by=ADMIN)
    again = importing.import_csv(session, content.encode(), on=TODAY, by=ADMIN)
    assert (len(again.created), len(again.unchanged), count(session, Standard)) == (0, 1, 1)
    blank_lines = ",".join(importing.CSV_COLUMNS) + "\n\n\nnational,GB/T 5,x,,,,,published,,\n"
    with pytest.raises(InvalidInput, match="第 4 行"):
        importing.import_csv(session, blank_lines.encode(), on=TODAY, by=ADMIN)
    broken = ",".join(importing.CSV_COLUMNS) + '\nnational,"GB/T 1-2020' + "x" * 140_000 + "\n"
    with pytest.raises(InvalidInput, match="不是有效的 CSV"):
        importing.import_csv(session, broken.encode(), on=TODAY, by=ADMIN)


def test_too_many_or_too_long_numbers_are_refused_not_crashed(session):
    with pytest.raises(InvalidInput, match="过长"):
        register(session, "national", None, number="GB/T " + "1" * 250 + "-2020")
    six = "；".join(f"T/CNIA {n}-2025" for n in range(1, 7))
    with pytest.raises(InvalidInput, match="最多"):
        register(session, "group", None, number=six)


@pytest.mark.parametrize(
    "url",
    [
        "/standards?product=99999999999999999999",
        "/standards?year=%C2%B2%E2%81%B0%C2%B2%E2%81%B4",
        "/standards?q=%00",
        "/products?q=%00",
        "/standards/check?product=99999999999999999999&level=local",
        "/standards/new?product=99999999999999999999",
    ],
)
def test_odd_query_strings_are_ignored_not_crashed(client, url):
    assert client.get(url).status_code in (200, 302)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/standards?product=99999999999999999999",
        "/api/v1/standards?year=abc",
        "/api/v1/hierarchy/check?product=%00&level=local",
        "/api/v1/hierarchy/check?product=99999999999999999999&level=local",
    ],
)
def test_odd_api_parameters_answer_422(client, url):
    assert client.get(url).status_code == 422
