"""Importing a rule from a published standard (issue 14, item 6): the publication block and the
cover are kept, the registry's record gets the number and dates, and an import never makes a
second national project for a product silently."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.drafting import importing
from workbench.drafting import service as drafting
from workbench.drafting import template as templates
from workbench.drafting.models import Rule, StageEvent
from workbench.publishing import service as publishing
from workbench.registry import service as registry
from workbench.registry.models import Level, Standard, Status

from .conftest import ADMIN

CEMENT = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples" / "cement.json"
NUMBER = "GB/T 99999—2025"
ISSUERS = ["国家市场监督管理总局", "国家标准化管理委员会"]


def published_file(tmp_path, **publication) -> str:
    """The cement example as a published standard's rule.json, with its publication block."""
    document = json.loads(CEMENT.read_text(encoding="utf-8"))
    document["publication"] = {
        "rule": "CFP-R-0042",
        "revision": 7,
        "revision_id": 99,
        "stage": "60",
        "stage_label": "标准",
        "level": "national",
        "standard_number": NUMBER,
        "draft_date": "2025-03-01",
        "published_on": "2025-05-30",
        "implemented_on": "2025-12-01",
        "issuers": ISSUERS,
        "checksum": "sha256:" + "0" * 64,
        **publication,
    }
    path = tmp_path / "published.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def draft_file(tmp_path) -> str:
    path = tmp_path / "draft.json"
    path.write_text(CEMENT.read_text(encoding="utf-8"), encoding="utf-8")
    return str(path)


def cement(session):
    return registry.find_product(session, "水泥") or registry.create_product(
        session,
        registry.ProductInput(name="水泥", name_en="Cement", side="production", end_use="intermediate"),
        by=ADMIN,
    )


def national_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Standard).where(Standard.level == Level.NATIONAL))


def test_a_published_standard_keeps_its_publication_block_and_its_cover(cli_runner, database, tmp_path):
    with database() as session:
        cement(session)
        session.commit()
    result = cli_runner("rules", "import", published_file(tmp_path))
    assert result.exit_code == 0, result.output
    assert NUMBER in result.output
    with database() as session:
        rule = session.scalar(select(Rule))
        document = drafting.revision(session, rule).document
        assert "publication" not in document
        assert document["source_publication"] == {
            "standard_number": NUMBER,
            "stage": "60",
            "stage_label": "标准",
            "level": "national",
            "draft_date": "2025-03-01",
            "published_on": "2025-05-30",
            "implemented_on": "2025-12-01",
            "issuers": ISSUERS,
        }  # the other workbench's rule code, revision id and checksum are not kept
        assert (rule.stage, rule.published_on) == ("60", date(2025, 5, 30))
        standard = rule.standard
        assert (standard.numbers, standard.status, standard.published_on, standard.implemented_on) == (
            NUMBER,
            Status.PUBLISHED,
            date(2025, 5, 30),
            date(2025, 12, 1),
        )
        assert standard.issuer == " ".join(ISSUERS)
        cover = publishing.meta_for(rule, drafting.revision(session, rule))
        assert (cover.standard_number, cover.published_on, cover.implemented_on, cover.issuers) == (
            NUMBER,
            "2025-05-30",
            "2025-12-01",
            tuple(ISSUERS),
        )
        [event] = session.scalars(select(StageEvent)).all()
        assert (event.to_stage, event.note) == ("60", f"导入已发布的标准 {NUMBER}")


def test_the_registry_record_of_the_number_is_used_and_only_completed(cli_runner, database, tmp_path):
    with database() as session:
        product = cement(session)
        registry.create_standard(
            session,
            registry.StandardInput(
                level="national",
                numbers="GB/T 99999-2025",  # another spelling of the same number
                title="温室气体 产品碳足迹量化方法与要求 水泥",
                status="published",
                product=product,
                issuer="国家标准化管理委员会",
                published_on=date(2025, 5, 30),
            ),
            by=ADMIN,
        )
        session.commit()
    assert cli_runner("rules", "import", published_file(tmp_path)).exit_code == 0
    with database() as session:
        assert national_count(session) == 1  # no second project
        standard = session.scalar(select(Rule)).standard
        assert standard.implemented_on == date(2025, 12, 1)  # what it lacked
        assert standard.issuer == "国家标准化管理委员会"  # what it held stays


def test_an_import_stops_and_names_the_national_project_the_product_has(cli_runner, database, tmp_path):
    with database() as session:
        code = make_rule(session).code
        session.commit()
    refused = cli_runner("rules", "import", draft_file(tmp_path))
    assert refused.exit_code == 1
    assert "“水泥”已有国家标准或国家标准项目" in refused.output and f"规则 {code}" in refused.output
    assert f"--as-revision-of {code}" in refused.output and "--new-project" in refused.output
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 1 and national_count(session) == 1

    revised = cli_runner("rules", "import", draft_file(tmp_path), "--as-revision-of", code)
    assert revised.exit_code == 0 and f"{code} 第 2 版" in revised.output
    added = cli_runner("rules", "import", draft_file(tmp_path), "--new-project")
    assert added.exit_code == 0, added.output
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 2 and national_count(session) == 2


def test_a_published_standard_is_not_imported_twice(cli_runner, database, tmp_path):
    with database() as session:
        cement(session)
        session.commit()
    assert cli_runner("rules", "import", published_file(tmp_path)).exit_code == 0
    again = cli_runner("rules", "import", published_file(tmp_path))
    assert again.exit_code == 1 and NUMBER in again.output and "--as-revision-of CFP-R-0001" in again.output
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 1


def test_a_published_standard_does_not_take_over_a_planned_project_silently(session):
    product = cement(session)
    registry.create_standard(
        session,
        registry.StandardInput(level="national", title="水泥碳足迹修订项目", status="planned", product=product),
        by=ADMIN,
    )
    document = json.loads(CEMENT.read_text(encoding="utf-8"))
    document["publication"] = {"standard_number": NUMBER, "stage": "60", "stage_label": "标准", "rule": "x"}
    with pytest.raises(drafting.NationalExists, match="水泥碳足迹修订项目"):
        importing.import_rule(session, document, by=ADMIN, today=date.today())
    imported = importing.import_rule(session, document, by=ADMIN, today=date.today(), new_project=True)
    assert imported.published and imported.rule.standard.numbers == NUMBER and national_count(session) == 2


def test_a_number_registered_for_another_product_is_refused(session):
    cement(session)
    steel = registry.create_product(
        session, registry.ProductInput(name="钢铁", side="production", end_use="intermediate"), by=ADMIN
    )
    registry.create_standard(
        session,
        registry.StandardInput(level="national", numbers=NUMBER, title="钢铁", status="published", product=steel),
        by=ADMIN,
    )
    document = json.loads(CEMENT.read_text(encoding="utf-8"))
    document["publication"] = {"standard_number": NUMBER, "stage": "60"}
    with pytest.raises(Exception, match="登记为“钢铁”的标准"):
        importing.import_rule(session, document, by=ADMIN, today=date.today())


def test_a_draft_from_another_workbench_keeps_its_facts_and_stays_a_draft():
    document = json.loads(CEMENT.read_text(encoding="utf-8"))
    document["publication"] = {"rule": "CFP-R-0001", "stage": "30", "stage_label": "征求意见稿", "checksum": "x"}
    kept = importing.split_publication(document)
    assert kept["source_publication"] == {"stage": "30", "stage_label": "征求意见稿"}
    assert importing.published_number(kept["source_publication"]) is None


def test_the_new_rule_page_asks_before_a_second_national_project(login, database):
    with database() as session:
        rule = make_rule(session)
        session.commit()
        product_id, code = rule.product_id, rule.code
    client = login(Role.SECRETARIAT)
    asked = client.post_form("/drafting/new", {"product": product_id, "working_group": 0})
    assert asked.status_code == 422
    assert 'id="national-exists"' in asked.text and f"规则 {code}" in asked.text
    assert f'name="new_project" value="{product_id}"' in asked.text
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 1
    created = client.post_form(
        "/drafting/new", {"product": product_id, "working_group": 0, "new_project": str(product_id)}
    )
    assert created.status_code == 302
    with database() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 2 and national_count(session) == 2


def test_a_number_registered_for_another_product_is_refused_as_a_revision_of_a_rule_too(session):
    """`as_revision_of` used to save the file as it was: the cement rule's next revision then
    claimed to be the steel standard."""
    rule = make_rule(session)
    steel = registry.create_product(
        session, registry.ProductInput(name="钢铁", side="production", end_use="intermediate"), by=ADMIN
    )
    registry.create_standard(
        session,
        registry.StandardInput(level="national", numbers=NUMBER, title="钢铁", status="published", product=steel),
        by=ADMIN,
    )
    document = json.loads(CEMENT.read_text(encoding="utf-8"))
    document["publication"] = {"standard_number": NUMBER.replace("—", "-"), "stage": "60"}
    with pytest.raises(Exception, match="登记为“钢铁”的标准，而文件的产品是“水泥”"):
        importing.import_rule(session, document, by=ADMIN, today=date.today(), as_revision_of=rule)
    assert rule.current_revision == 1
    # A number the registry does not know, or one of the rule's own product, is kept as a fact.
    document["publication"] = {"standard_number": "GB/T 99998—2025", "stage": "60"}
    imported = importing.import_rule(session, document, by=ADMIN, today=date.today(), as_revision_of=rule)
    assert imported.revision.number == 2 and imported.revision.document["source_publication"]["stage"] == "60"
