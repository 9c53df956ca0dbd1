"""Registry fidelity found in the catalogue trial (issue 15, item 6): the exit status of
`hierarchy check`, local standards for products on the priority list (指引（九）), what makes each
row of the withdrawal-due list due, associations keeping only their own group standards, and a
demo whose products stand under the right parents with every list non-empty."""

import csv
import json
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from workbench.auth.models import User
from workbench.auth.permissions import Action, Role, can, issuers
from workbench.errors import AccessDenied, InvalidInput
from workbench.guideline import Severity
from workbench.guideline.articles import OPINIONS_2023, SEPARATOR, cite
from workbench.registry import hierarchy, seed, service
from workbench.registry.hierarchy import Entry, ProductTree
from workbench.registry.models import Level, Standard, Status

from .conftest import ADMIN
from .test_registry import TODAY, product, register

# --- `workbench hierarchy check` exits like `workbench check` -----------------------------------------


def _aluminium_with_national(session):
    aluminium = product(session, "电解铝", aliases="原铝")
    register(
        session,
        "national",
        aluminium,
        number="GB/T 44905-2024",
        published=date(2024, 10, 26),
        implemented=date(2025, 5, 1),
    )
    session.commit()
    return aluminium


@pytest.mark.parametrize("output", [[], ["--format", "json"]], ids=["text", "json"])
def test_hierarchy_check_exits_1_when_refused_and_0_otherwise(cli_runner, session, output):
    _aluminium_with_national(session)
    refused = cli_runner("hierarchy", "check", "--product", "原铝", "--level", "local", *output)
    assert refused.exit_code == 1
    assert "local_where_higher_exists" in refused.output or "不再制定地方标准" in refused.output
    warned = cli_runner("hierarchy", "check", "--product", "原铝", "--level", "group", *output)
    assert warned.exit_code == 0 and "不再鼓励制定团体标准" in warned.output  # a warning does not refuse
    clean = cli_runner("hierarchy", "check", "--product", "原铝", "--level", "enterprise", *output)
    assert clean.exit_code == 0


# --- 指引（九）: a local standard for a product on the priority list ----------------------------------------

TREE = ProductTree(parents={1: None, 2: None}, names={1: "水泥", 2: "服装"}, listed=frozenset({1}))


def _candidate(level=Level.LOCAL, product_id=1, status="planned"):
    return Entry(id=None, designation="", level=level, status=status, product_id=product_id)


def test_a_local_candidate_for_a_listed_product_gets_the_article_9_warning():
    findings = hierarchy.check(_candidate(), [], TREE, TODAY)
    assert [(found.code, found.severity, found.article) for found in findings] == [
        ("local_on_priority_list", Severity.WARNING, cite(9))
    ]
    assert "“水泥”在重点产品碳足迹核算标准清单上" in findings[0].message
    assert "参与国家标准的编制" in findings[0].message  # what to do instead


@pytest.mark.parametrize(
    "candidate",
    [
        _candidate(product_id=2),  # not on the list: local character is possible
        _candidate(level=Level.NATIONAL),  # the national track itself
        _candidate(level=Level.GROUP),
        _candidate(status="withdrawn"),  # finished standards are outside the level rules
    ],
    ids=["unlisted", "national", "group", "withdrawn"],
)
def test_only_an_active_local_candidate_on_the_list_gets_it(candidate):
    codes = [found.code for found in hierarchy.check(candidate, [], TREE, TODAY)]
    assert "local_on_priority_list" not in codes


def test_it_comes_in_addition_to_the_other_level_findings():
    national = Entry(
        id=7, designation="GB/T 1—2024", level=Level.NATIONAL, status="published", product_id=1, published_on=TODAY
    )
    codes = [found.code for found in hierarchy.check(_candidate(), [national], TREE, TODAY)]
    assert codes == ["local_where_higher_exists", "local_on_priority_list"]  # errors first


def test_the_registry_knows_the_list_from_the_priority_category(session):
    cement = product(session, "水泥")
    clothing = product(session, "服装")
    assert service.product_tree(session).listed == frozenset()
    cement.priority_category = "raw_material"  # as the catalogue sets it when it publishes a batch
    session.flush()
    assert service.product_tree(session).listed == frozenset({cement.id})
    assert [f.code for f in service.check_level(session, cement, "local", on=TODAY)] == ["local_on_priority_list"]
    assert service.check_level(session, clothing, "local", on=TODAY) == []
    # Registering such a local project is allowed (a warning), and says so.
    _standard, findings = register(session, "local", cement, status="planned")
    assert [f.code for f in findings] == ["local_on_priority_list"]


# --- what makes each row of the withdrawal-due list due ------------------------------------------------


def _due_registry(session):
    aluminium = product(session, "电解铝")
    register(session, "local", aluminium, number="DB15/T 77-2019", published=date(2019, 1, 1))
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


def test_each_due_row_cites_what_makes_it_due(session):
    _due_registry(session)
    due = {standard.designation: item.article for item, standard, _ in service.withdrawal_due(session, on=TODAY)}
    assert due == {"YS/T 1001—2020": cite(14), "DB15/T 77—2019": cite(9) + SEPARATOR + OPINIONS_2023}


def test_the_due_command_prints_the_article_per_row(cli_runner, session):
    _due_registry(session)
    text = cli_runner("hierarchy", "due").output.splitlines()
    assert any("YS/T 1001—2020" in line and "指引（十四）" in line for line in text)
    assert any("DB15/T 77—2019" in line and "《关于加快建立产品碳足迹管理体系的意见》" in line for line in text)
    rows = json.loads(cli_runner("hierarchy", "due", "--format", "json").output)
    assert {row["standard"]["numbers"][0]: row["article"] for row in rows} == {
        "YS/T 1001—2020": "指引（十四）",
        "DB15/T 77—2019": "指引（九）；《关于加快建立产品碳足迹管理体系的意见》（2023）",
    }


def test_the_due_page_shows_the_article_per_row(client, database):
    with database() as session:
        _due_registry(session)
    page = client.get("/standards/withdrawal-due").text
    rows = page.split("<tbody>")[1].split("</tr>")
    assert any("YS/T 1001—2020" in row and "指引（十四）" in row for row in rows)
    assert any("DB15/T 77—2019" in row and "关于加快建立产品碳足迹管理体系的意见" in row for row in rows)


# --- an association keeps its own organisation's group standards ---------------------------------------


@dataclass
class Organisation:
    name: str


@dataclass
class Representative:
    organisation: Organisation | None
    role: Role = Role.ASSOCIATION
    id: int = 1
    is_active: bool = True
    is_authenticated: bool = True


@dataclass
class GroupStandard:
    association: str
    level: str = "group"


NONFERROUS = Representative(Organisation("中国有色金属工业协会"))


@pytest.mark.parametrize(
    ("association", "expected"),
    [
        ("中国有色金属工业协会", True),
        ("中国有色金属工业协会 中国有色金属学会", True),  # issued jointly: each issuer keeps it
        ("中国有色金属学会、中国有色金属工业协会", True),
        ("  中国有色金属工业协会  ", True),
        ("中国钢铁工业协会", False),  # T/CISA 469—2024 belongs to the steel association
        ("中国有色金属工业协会分会", False),  # names are compared whole, not as substrings
        ("有色金属工业协会", False),
        ("", False),
    ],
)
def test_an_association_manages_a_group_standard_only_when_it_is_among_the_issuers(association, expected):
    assert can(NONFERROUS, Action.MANAGE_STANDARDS, GroupStandard(association)) is expected


def test_an_association_without_an_organisation_keeps_no_existing_standard_and_never_another_level():
    assert not can(Representative(None), Action.MANAGE_STANDARDS, GroupStandard("中国有色金属工业协会"))
    assert not can(NONFERROUS, Action.MANAGE_STANDARDS, GroupStandard("中国有色金属工业协会", level="national"))
    # Registering a new group standard is open to it; the service checks the issuers it names.
    assert can(NONFERROUS, Action.MANAGE_STANDARDS, "group") and can(NONFERROUS, Action.MANAGE_STANDARDS)
    secretariat = Representative(None, role=Role.SECRETARIAT)
    assert can(secretariat, Action.MANAGE_STANDARDS, GroupStandard("中国钢铁工业协会"))


def test_issuers_split_on_spaces_and_enumeration_commas():
    assert issuers("甲协会 乙学会、丙联合会\u3000丁会") == ["甲协会", "乙学会", "丙联合会", "丁会"]
    assert issuers(None) == []


def _representative(session, people):
    return session.get(User, people[Role.ASSOCIATION])  # of the organisation 测试部委


def _group_input(association="", **changes):
    values = dict(level="group", numbers="T/TEST 9-2025", title="测试团体标准", status="published")
    return service.StandardInput(**{**values, "association": association, **changes})


def test_the_service_refuses_a_group_standard_of_another_organisation(session, people):
    by = _representative(session, people)
    with pytest.raises(InvalidInput) as refused:
        service.create_standard(session, _group_input("中国钢铁工业协会"), by=by, on=TODAY)
    assert refused.value.details["association"] and "测试部委" in refused.value.details["association"]
    assert session.scalar(select(Standard.id)) is None


def test_the_service_fills_in_the_organisation_and_accepts_joint_issue(session, people):
    by = _representative(session, people)
    own, _ = service.create_standard(session, _group_input(), by=by, on=TODAY)
    assert own.association == "测试部委"
    joint, _ = service.create_standard(
        session, _group_input("中国钢铁工业协会、测试部委", numbers="T/TEST 10-2025"), by=by, on=TODAY
    )
    assert joint.association == "中国钢铁工业协会、测试部委"
    # Taking its own organisation off a standard it keeps is refused: it would lose it.
    with pytest.raises(InvalidInput, match="测试部委"):
        service.update_standard(session, own, _group_input("中国钢铁工业协会"), by=by, on=TODAY)


def test_the_service_refuses_another_organisations_standard(session, people):
    steel, _ = service.create_standard(
        session, _group_input("中国钢铁工业协会", numbers="T/CISA 469-2024"), by=ADMIN, on=TODAY
    )
    session.commit()
    by = _representative(session, people)
    with pytest.raises(AccessDenied):
        service.update_standard(session, steel, _group_input("测试部委", numbers="T/CISA 469-2024"), by=by, on=TODAY)
    with pytest.raises(AccessDenied):
        service.set_archived(session, steel, True, by=by)
    assert (steel.association, steel.archived_at) == ("中国钢铁工业协会", None)


def test_the_pages_prefill_the_organisation_and_refuse_another_organisations_standard(app, people, login):
    with app.app_context():
        from workbench.db import db

        steel, _ = service.create_standard(
            db.session, _group_input("中国钢铁工业协会", numbers="T/CISA 469-2024"), by=ADMIN, on=TODAY
        )
        db.session.commit()
        steel_id = steel.id
    client = login(Role.ASSOCIATION)
    form = client.get("/standards/new").text
    assert 'name="association"' in form and 'value="测试部委"' in form
    assert f"/standards/{steel_id}/edit" not in client.get(f"/standards/{steel_id}").text
    assert client.get(f"/standards/{steel_id}/edit").status_code == 403
    refused = client.post_form(
        "/standards/new",
        {
            "level": "group",
            "numbers": "T/TEST 3-2025",
            "title": "别家的团体标准",
            "product": "0",
            "status": "published",
            "nature": "recommended",
            "association": "中国钢铁工业协会",
        },
    )
    assert refused.status_code == 422 and "测试部委" in refused.text


# --- the demo ------------------------------------------------------------------------------------------


def test_every_parent_in_the_product_file_is_a_product_before_it_and_recycled_aluminium_stands_alone():
    with seed.PRODUCTS_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    seen: set[str] = set()
    for row in rows:
        assert not row["parent"] or row["parent"] in seen, row["product"]
        seen.add(row["product"])
    parents = {row["product"]: row["parent"] for row in rows}
    assert parents["再生铝合金锭"] == ""  # recycled aluminium is not a kind of 电解铝 (primary aluminium)
    assert [child for child, parent in parents.items() if parent == "电解铝"] == []


def test_the_demo_registry_fills_every_list_and_loads_once(session):
    from workbench import demo

    demo.load_registry(session, ADMIN)
    session.commit()
    recycled = session.scalar(select(Standard).where(Standard.title.contains("再生铝合金锭")))
    assert recycled.product.name == "再生铝合金锭" and recycled.product.parent is None
    assert recycled.association == "中国有色金属工业协会" and recycled.note == seed.DEMO_NOTE
    due = service.withdrawal_due(session, on=TODAY)
    assert [(standard.designation, national.designation) for _, standard, national in due] == [
        ("YS/T 9001—2023", "GB/T 44905—2024")
    ]
    assert due[0][1].note == seed.DEMO_STANDARD_NOTE and "演示" in due[0][1].note
    # Published before the national standard, it was registered legitimately.
    assert Severity.ERROR not in {found.severity for found in service.findings_for(session, due[0][1], on=TODAY)}
    count = len(session.scalars(select(Standard)).all())
    assert demo.load_registry(session, ADMIN) == (0, 0, 0)
    assert len(session.scalars(select(Standard)).all()) == count


def test_loading_again_moves_an_earlier_demos_project_off_primary_aluminium(session):
    seed.load_products(session, ADMIN)
    seed.load_standards(session, ADMIN)
    old_title = next(iter(seed.RENAMED_PROJECTS))
    old, _ = service.create_standard(
        session,
        service.StandardInput(
            level=Level.GROUP,
            title=old_title,
            status=Status.PLANNED,
            product=service.find_product(session, "电解铝"),
            association="中国有色金属工业协会",
            note=seed.DEMO_NOTE,
        ),
        by=ADMIN,
    )
    seed.load_projects(session, ADMIN)
    assert (old.title, old.product.name) == ("温室气体 产品碳足迹量化方法与要求 再生铝合金锭", "再生铝合金锭")
    assert len(session.scalars(select(Standard).where(Standard.title.contains("再生铝合金锭"))).all()) == 1


def _lca_standard(numbers: str) -> service.StandardInput:
    return service.StandardInput(
        level=Level.NATIONAL,
        title="环境管理 生命周期评价 原则与框架",
        status=Status.PUBLISHED,
        numbers=numbers,
        published_on=date(2008, 5, 26),
    )


def test_a_double_number_records_the_identical_adoption_once(session):
    standard, _ = service.create_standard(session, _lca_standard("GB/T 24040—2008/ISO 14040:2006"), by=ADMIN)
    assert standard.numbers == "GB/T 24040—2008"
    (relation,) = standard.relations
    assert (relation.kind.value, relation.target_text, relation.equivalence.value) == (
        "adopts_international",
        "ISO 14040:2006",
        "IDT",
    )
    service.update_standard(session, standard, _lca_standard("GB/T 24040-2008 / ISO 14040:2006"), by=ADMIN)
    assert len(standard.relations) == 1  # saved again: still one adoption
    plain = _lca_standard("GB/T 24041—2000")
    single, _ = service.create_standard(session, plain, by=ADMIN)
    assert single.relations == []  # a single number says nothing of an adoption


def test_the_adoption_points_at_the_international_standard_when_the_registry_holds_it(session):
    iso, _ = service.create_standard(
        session,
        service.StandardInput(
            level=Level.INTERNATIONAL,
            title="Environmental management — LCA",
            status=Status.PUBLISHED,
            numbers="ISO 14040:2006",
        ),
        by=ADMIN,
    )
    standard, _ = service.create_standard(session, _lca_standard("GB/T 24040—2008/ISO 14040:2006"), by=ADMIN)
    (relation,) = standard.relations
    assert relation.target is iso and relation.target_text is None
