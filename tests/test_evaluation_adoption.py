"""Adoption (采信) of group standards as recommended national standards (指引（十五））: each
eligibility line broken on its own, attachments and their limits, the panel and its recusals,
scores and their aggregate, SAMR's decision, the public list, the API and the command line."""

import io
import json
import logging
import zipfile
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from workbench.audit.models import AuditEvent
from workbench.auth import service as accounts
from workbench.auth.models import OrganisationKind
from workbench.auth.permissions import Role
from workbench.catalogue.proposals import add_months
from workbench.dates import today
from workbench.db import db
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput
from workbench.evaluation import adoption
from workbench.evaluation import eligibility as rules
from workbench.evaluation.eligibility import AdoptionFacts
from workbench.evaluation.models import (
    AdoptionApplication,
    AdoptionAttachment,
    ApplicationStatus,
    PanelMember,
    PanelStatus,
)
from workbench.factors import service as factors
from workbench.guideline import Severity
from workbench.registry import service as registry
from workbench.registry.models import Level, RelationKind, Standard, StandardRelation, Status

from .conftest import ADMIN, PASSWORD

ASSOCIATION = "中国钢铁工业协会"
UNIT = "宝山钢铁股份有限公司"
INSTITUTE = "中国标准化研究院"
OLD, YOUNG = "T/CISA 469-2022", "T/CISA 470-2025"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FIELDS = {
    "necessity": "国家标准体系缺少长流程钢铁产品的碳足迹标准，出口企业急需。",
    "main_content": "功能单位、系统边界、数据收集、分配和报告。",
    "expected_uptake": "全国长流程钢铁企业，约 100 家。",
    "proposed_committee": "SAC/TC548",
    "drafting_units": f"{ASSOCIATION}\n{UNIT}",
}


def years_ago(years: int, day: date | None = None) -> date:
    day = day or today()
    return rules.anniversary(day, -years)


def make_world(session, *, on: date) -> dict:
    """Two group standards of 中国钢铁工业协会: OLD in force three years and cited by three
    library factors, YOUNG in force one year; the association's representative `assoc`, an
    evaluator of the association `assoc_expert`, one of a drafting unit `unit_expert`, two
    independent evaluators `expert1` and `expert2`, SAMR `samr` and the secretariat `sec`; ids only."""
    association = accounts.create_organisation(session, by=ADMIN, name=ASSOCIATION, kind=OrganisationKind.ASSOCIATION)
    unit = accounts.create_organisation(session, by=ADMIN, name=UNIT, kind=OrganisationKind.ENTERPRISE)
    institute = accounts.create_organisation(
        session, by=ADMIN, name=INSTITUTE, kind=OrganisationKind.RESEARCH_INSTITUTE
    )
    ministry = accounts.create_organisation(session, by=ADMIN, name="市场监管总局", kind=OrganisationKind.MINISTRY)
    users = {}
    for username, role, organisation in (
        ("assoc", Role.ASSOCIATION, association),
        ("assoc_expert", Role.EVALUATOR, association),
        ("unit_expert", Role.EVALUATOR, unit),
        ("expert1", Role.EVALUATOR, institute),
        ("expert2", Role.EVALUATOR, institute),
        ("expert3", Role.EVALUATOR, institute),
        ("samr", Role.ADMINISTRATOR, ministry),
        ("sec", Role.SECRETARIAT, ministry),
    ):
        users[username] = accounts.create_user(
            session,
            by=ADMIN,
            username=username,
            display_name=f"测试{username}",
            password=PASSWORD,
            role=role,
            organisation=organisation,
        ).id
    products = {}
    for name in ("长流程钢材", "短流程钢材"):
        products[name] = registry.create_product(
            session, registry.ProductInput(name=name, side="production", end_use="intermediate"), by=ADMIN
        )
    standards = {}
    for number, product, implemented in (
        (OLD, "长流程钢材", years_ago(3, on)),
        (YOUNG, "短流程钢材", years_ago(1, on)),
    ):
        standards[number], _found = registry.create_standard(
            session,
            registry.StandardInput(
                level=Level.GROUP,
                numbers=number,
                title=f"温室气体 产品碳足迹量化方法与要求 {product}",
                status=Status.PUBLISHED,
                product=products[product],
                association=ASSOCIATION,
                published_on=implemented - timedelta(days=30),
                implemented_on=implemented,
            ),
            by=ADMIN,
        )
    for index in range(3):
        factors.create_factor(
            session,
            factors.FactorInput(
                code=f"STEEL-{index + 1}",
                name=f"钢材因子{index + 1}",
                value="2.1",
                unit="kgCO2e/kg",
                kind="cfp_life_cycle",
                tier="industry",
                source="行业数据库",
                standards=f"GB/T 24067-2024；{OLD}",
            ),
            by=ADMIN,
        )
    session.commit()
    return {
        **users,
        "old": standards[OLD].id,
        "young": standards[YOUNG].id,
        "product": products["长流程钢材"].id,
        "association": association.id,
    }


@pytest.fixture
def world(app):
    with app.app_context():
        return make_world(db.session, on=today())


@pytest.fixture
def sign_in(app, world):
    def signed_in(username):
        client = app.test_client()
        response = client.post_form("/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return signed_in


def facts(**changes) -> AdoptionFacts:
    base = dict(
        number=OLD,
        level="group",
        status="published",
        implemented_on=date(2023, 3, 1),
        today=date(2026, 3, 1),
        citations=3,
        citing_codes=("F1", "F2", "F3"),
        threshold=3,
        product="长流程钢材",
        higher_standards=(),
        higher_projects=(),
        good_practice=True,
    )
    return AdoptionFacts(**{**base, **changes})


def errors_of(found):
    return [(item.code, item.path) for item in found if item.severity == Severity.ERROR]


# --- eligibility, line by line (pure) -------------------------------------------------------------


def test_an_eligible_standard_has_every_line_as_information():
    found = rules.findings(facts())
    assert rules.is_eligible(found)
    assert [item.code for item in found] == ["adoption_requirement_met"] * 5
    assert all(item.article == "指引（十五）" for item in found)


@pytest.mark.parametrize(
    ("change", "code", "variant_text"),
    [
        ({"level": "national"}, "adoption_not_group", "不是团体标准"),
        ({"status": "withdrawn"}, "adoption_not_group", "不是现行有效"),
        ({"implemented_on": date(2024, 3, 2)}, "adoption_years_in_force", "2026-03-02 起才能申请采信"),
        ({"implemented_on": None}, "adoption_years_in_force", "没有登记实施日期"),
        (
            {"citations": 2, "citing_codes": ("F1", "F2")},
            "adoption_factor_citations",
            "有 2 个（F1、F2），少于采信要求的 3 个",
        ),
        ({"citations": 0, "citing_codes": ()}, "adoption_factor_citations", "没有依据"),
        (
            {"higher_standards": ("GB/T 1-2025",)},
            "adoption_higher_level_exists",
            "已有国家标准或行业标准（GB/T 1-2025）",
        ),
        ({"higher_projects": ("YB/T 项目",)}, "adoption_higher_level_exists", "正在制定"),
        ({"product": None}, "adoption_higher_level_exists", "没有关联产品"),
        ({"good_practice": False}, "adoption_good_practice_missing", "GB/T 20004"),
    ],
)
def test_each_line_is_broken_on_its_own(change, code, variant_text):
    found = rules.findings(facts(**change))
    errors = [item for item in found if item.severity == Severity.ERROR]
    assert [item.code for item in errors] == [code]
    assert variant_text in errors[0].message
    assert not rules.is_eligible(found)


def test_the_higher_level_line_cites_articles_ten_and_fifteen():
    (error,) = [item for item in rules.findings(facts(higher_standards=("GB/T 1-2025",))) if item.severity == "error"]
    assert error.article == "指引（十）（十五）"


def test_the_proof_of_good_practice_is_asked_of_an_application_only():
    found = rules.findings(facts(good_practice=None))
    assert rules.is_eligible(found) and len(found) == 4


@pytest.mark.parametrize(
    ("since", "on", "years"),
    [
        (date(2024, 3, 1), date(2026, 2, 28), 1),
        (date(2024, 3, 1), date(2026, 3, 1), 2),  # two full years on the second anniversary
        (date(2024, 2, 29), date(2026, 2, 27), 1),
        (date(2024, 2, 29), date(2026, 2, 28), 2),  # 29 February: the anniversary is 28 February
        (date(2024, 2, 29), date(2028, 2, 28), 3),  # … except in a leap year
        (date(2024, 2, 29), date(2028, 2, 29), 4),
        (date(2026, 5, 1), date(2026, 3, 1), 0),  # not yet in force
    ],
)
def test_full_years_in_force(since, on, years):
    assert rules.full_years(since, on) == years


def test_the_eligibility_of_a_registered_standard_gathers_its_facts(app, world):
    with app.app_context():
        old = db.session.get(Standard, world["old"])
        result = adoption.check(db.session, old, today=today())
        assert result.eligible and result.full_years == 3
        assert result.facts.citing_codes == ("STEEL-1", "STEEL-2", "STEEL-3")
        young = adoption.check(db.session, db.session.get(Standard, world["young"]), today=today())
        assert errors_of(young.findings) == [
            ("adoption_years_in_force", "/implemented_on"),
            ("adoption_factor_citations", "/factor_citations"),
        ]
        # A national standard registered for the product: 指引（十）.
        registry.create_standard(
            db.session,
            registry.StandardInput(
                level=Level.NATIONAL,
                title="温室气体 产品碳足迹量化方法与要求 长流程钢材",
                status=Status.PLANNED,
                product=old.product,
            ),
            by=ADMIN,
        )
        result = adoption.check(db.session, old, today=today())
        assert errors_of(result.findings) == [("adoption_higher_level_exists", "/product")]
        db.session.rollback()


# --- the application through the pages ------------------------------------------------------------


def create_application(client, standard_id, **fields) -> int:
    response = client.post_form(
        "/adoption/new", {"standard_id": str(standard_id), "action": "save", **{**FIELDS, **fields}}
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def upload(client, application_id, content, name="proof.pdf", kind="good_practice"):
    return client.post(
        f"/adoption/{application_id}/attachments",
        data={"csrf_token": client.csrf_token(), "kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def submitted(client, world, database) -> int:
    application_id = create_application(client, world["old"])
    assert upload(client, application_id, PDF).status_code == 302
    response = client.post_form(f"/adoption/{application_id}/submit")
    assert response.status_code == 302, response.text
    with database() as session:
        assert session.get(AdoptionApplication, application_id).status == ApplicationStatus.SUBMITTED
    return application_id


def test_the_new_page_shows_the_eligibility_before_anything_is_saved(sign_in, world, database):
    assoc = sign_in("assoc")
    page = assoc.get(f"/adoption/new?standard={world['young']}")
    assert page.status_code == 200
    assert "adoption_years_in_force" in page.text and "指引（十五）" in page.text
    checked = assoc.post_form(
        "/adoption/new", {"standard_id": str(world["young"]), "action": "check", "necessity": "急需"}
    )
    assert checked.status_code == 200 and "急需" in checked.text and "adoption_factor_citations" in checked.text
    with database() as session:
        assert session.scalar(select(AdoptionApplication.id)) is None


def test_submission_is_refused_while_a_line_is_an_error_and_nothing_typed_is_lost(sign_in, world, database):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["young"])
    refused = assoc.post_form(f"/adoption/{application_id}/submit")
    assert refused.status_code == 422
    assert 'data-code="adoption_years_in_force"' in refused.text
    assert 'data-code="adoption_good_practice_missing"' in refused.text
    assert FIELDS["necessity"] in refused.text
    with database() as session:
        application = session.get(AdoptionApplication, application_id)
        assert application.status == ApplicationStatus.DRAFT and application.necessity == FIELDS["necessity"]


def test_submission_needs_the_fields_of_the_proposal(sign_in, world, database):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"], main_content="", proposed_committee="")
    upload(assoc, application_id, PDF)
    refused = assoc.post_form(f"/adoption/{application_id}/submit")
    assert refused.status_code == 422
    assert "请填写“主要技术内容”" in refused.text and "请填写“建议归口技术委员会”" in refused.text
    with database() as session:
        assert session.get(AdoptionApplication, application_id).status == ApplicationStatus.DRAFT


def test_an_association_applies_for_its_own_group_standards_only(app, sign_in, world, database):
    with app.app_context():
        other, _found = registry.create_standard(
            db.session,
            registry.StandardInput(
                level=Level.GROUP, numbers="T/CNIA 0295-2025", title="原生镁锭", status=Status.PUBLISHED
            ),
            by=ADMIN,
        )
        other_id = other.id
        db.session.commit()
    assoc = sign_in("assoc")
    response = assoc.post_form("/adoption/new", {"standard_id": str(other_id), "action": "save", **FIELDS})
    assert response.status_code == 422
    with database() as session:
        assert session.scalar(select(AdoptionApplication.id)) is None
    assert sign_in("expert1").get("/adoption/new").status_code == 403


@pytest.mark.parametrize("action", ["check", "save"])
def test_a_standard_id_too_large_for_the_database_is_no_standard(sign_in, world, database, action):
    assoc = sign_in("assoc")
    response = assoc.post_form("/adoption/new", {"standard_id": "99999999999999999999999", "action": action, **FIELDS})
    assert response.status_code == (200 if action == "check" else 422)
    assert FIELDS["necessity"] in response.text
    if action == "save":
        assert "请选择本团体已发布的团体标准。" in response.text
    with database() as session:
        assert session.scalar(select(AdoptionApplication.id)) is None


def test_the_registry_page_of_a_group_standard_leads_its_association_to_adoption(app, sign_in, world):
    page = f"/standards/{world['old']}"
    assoc = sign_in("assoc")
    before = assoc.get(page)
    assert before.status_code == 200 and 'id="adoption"' in before.text
    assert f'href="/adoption/new?standard={world["old"]}"' in before.text and "申请采信" in before.text
    application_id = create_application(assoc, world["old"])
    after = assoc.get(page)
    assert f'href="/adoption/{application_id}"' in after.text and "草稿" in after.text
    assert "/adoption/new?" not in after.text  # one open application at a time
    # The secretariat reads the application from there too; others see no panel.
    assert f'href="/adoption/{application_id}"' in sign_in("sec").get(page).text
    assert 'id="adoption"' not in sign_in("expert1").get(page).text
    assert 'id="adoption"' not in app.test_client().get(page).text


# --- attachments ----------------------------------------------------------------------------------


def test_a_pdf_is_stored_outside_the_web_root_and_served_as_a_download(app, sign_in, world, database):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    assert upload(assoc, application_id, PDF, name="../../良好行为\x00证明.pdf").status_code == 302
    with database() as session:
        item = session.scalar(select(AdoptionAttachment))
        item_id, stored_name = item.id, item.stored_name
        assert item.filename == "良好行为证明.pdf" and item.content_type == "application/pdf"
        assert item.size == len(PDF) and len(item.sha256) == 64
    path = Path(app.config["ATTACHMENT_DIR"]) / stored_name
    assert path.read_bytes() == PDF
    assert "static" not in str(path)
    response = assoc.get(f"/adoption/attachments/{item_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    # Nobody outside the application reads it: another evaluator, or a visitor.
    assert sign_in("expert1").get(f"/adoption/attachments/{item_id}").status_code == 403
    assert app.test_client().get(f"/adoption/attachments/{item_id}").status_code in (302, 401)
    # Deleting the attachment removes the file.
    assert assoc.post_form(f"/adoption/attachments/{item_id}/delete").status_code == 302
    with database() as session:
        assert session.get(AdoptionAttachment, item_id) is None
    assert not path.exists()


def docx(with_document=True, *, macros=False, content_types="<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 VBA")
    return buffer.getvalue()


DOCM_TYPES = (
    '<Types><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a pdf at all", "virus.pdf", "只接受 PDF、Word（.docx）、PNG 或 JPEG 文件"),
        (docx(with_document=False), "fake.docx", "只接受 PDF、Word（.docx）、PNG 或 JPEG 文件"),
        (b"<html><script>alert(1)</script>", "page.png", "只接受 PDF、Word（.docx）、PNG 或 JPEG 文件"),
        (b"", "empty.pdf", "文件是空的"),
        # Word with macros, whatever the name says: the VBA project, or the declared .docm type.
        (docx(macros=True), "编制说明.docx", "是含宏的 Word 文件（.docm），没有保存：请在 Word 中另存为不含宏的 .docx"),
        (docx(content_types=DOCM_TYPES), "编制说明.docm", "是含宏的 Word 文件（.docm）"),
    ],
)
def test_a_file_of_another_type_is_refused_by_its_bytes(app, sign_in, world, database, content, name, message):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    response = upload(assoc, application_id, content, name=name)
    assert response.status_code == 422
    assert message in response.text
    with database() as session:
        assert session.scalar(select(AdoptionAttachment.id)) is None


def test_a_docx_png_and_jpeg_are_accepted(sign_in, world, database):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    for content, name in (
        (docx(), "编制说明.docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "登记证明"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "scan.jpeg"),
    ):
        assert upload(assoc, application_id, content, name=name, kind="other").status_code == 302
    with database() as session:
        rows = session.scalars(select(AdoptionAttachment).order_by(AdoptionAttachment.id)).all()
        assert [(row.filename, row.content_type.split("/")[-1]) for row in rows] == [
            ("编制说明.docx", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("登记证明.png", "png"),
            ("scan.jpeg", "jpeg"),
        ]


def test_an_application_holds_at_most_thirty_attachments(sign_in, world, database):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    for index in range(adoption.MAX_ATTACHMENTS):
        assert upload(assoc, application_id, PDF, name=f"proof-{index}.pdf").status_code == 302
    refused = upload(assoc, application_id, PDF, name="one-too-many.pdf")
    assert refused.status_code == 422
    assert "一项采信申请最多 30 个附件，已有 30 个，没有保存" in refused.text
    with database() as session:
        assert len(session.scalars(select(AdoptionAttachment.id)).all()) == adoption.MAX_ATTACHMENTS


@pytest.mark.parametrize(
    ("name", "fallback", "encoded"),
    [
        ("良好行为证明（2024）.pdf", 'filename="attachment-{id}.pdf"', "%E8%89%AF%E5%A5%BD"),
        ("proof 2024.pdf", 'filename="proof 2024.pdf"', "proof%202024.pdf"),
    ],
)
def test_a_download_names_the_file_for_every_client(sign_in, world, database, name, fallback, encoded):
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    assert upload(assoc, application_id, PDF, name=name).status_code == 302
    with database() as session:
        item_id = session.scalar(select(AdoptionAttachment.id))
    disposition = assoc.get(f"/adoption/attachments/{item_id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert fallback.format(id=item_id) in disposition
    assert f"filename*=UTF-8''{encoded}" in disposition


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(app, sign_in, world, database, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_MB", 1)
    assoc = sign_in("assoc")
    application_id = create_application(assoc, world["old"])
    folder = Path(app.config["ATTACHMENT_DIR"])
    before = set(folder.iterdir()) if folder.is_dir() else set()
    response = upload(assoc, application_id, PDF + b"0" * (1024 * 1024))
    assert response.status_code == 422 and "文件超过 1 MB" in response.text
    assert set(folder.iterdir()) == before
    with database() as session:
        assert session.scalar(select(AdoptionAttachment.id)) is None


# --- the panel, scores and the decision -----------------------------------------------------------


def add_member(client, application_id, user_id):
    return client.post_form(f"/adoption/{application_id}/panel", {"user_id": str(user_id)})


@pytest.mark.parametrize(
    ("expert", "reason"),
    [("assoc_expert", "是申请单位“中国钢铁工业协会”的成员"), ("unit_expert", "起草单位")],
)
def test_a_member_of_the_applicant_or_a_drafting_unit_is_refused_and_the_recusal_recorded(
    sign_in, world, database, expert, reason
):
    application_id = submitted(sign_in("assoc"), world, database)
    sec = sign_in("sec")
    response = add_member(sec, application_id, world[expert])
    assert response.status_code == 422
    assert "不能加入评审组，已记录回避" in response.text and reason in response.text
    with database() as session:
        (member,) = session.scalars(select(PanelMember)).all()
        assert member.status == PanelStatus.RECUSED and reason in member.recusal_reason
        assert world[expert] not in session.get(AdoptionApplication, application_id).panel_user_ids
    # Proposing them again is refused, saying they recused.
    again = add_member(sec, application_id, world[expert])
    assert again.status_code == 422 and "已记录为回避" in again.text
    # The recused evaluator may not score.
    assert sign_in(expert).post_form(f"/adoption/{application_id}/scores", scores(5)).status_code == 403


def scores(*values, remarks="") -> dict:
    values = values if len(values) == 4 else values * 4
    keys = ("urgency", "soundness", "data_reliability", "testing")
    data = {f"score_{key}": str(value) for key, value in zip(keys, values, strict=True)}
    data.update({f"remarks_{key}": remarks for key in keys})
    return data


def test_only_panel_members_score_and_scoring_again_replaces_their_own(app, sign_in, world, database):
    application_id = submitted(sign_in("assoc"), world, database)
    sec = sign_in("sec")
    assert add_member(sec, application_id, world["expert1"]).status_code == 302
    assert sign_in("expert2").post_form(f"/adoption/{application_id}/scores", scores(4)).status_code == 403
    assert sign_in("assoc").post_form(f"/adoption/{application_id}/scores", scores(5)).status_code == 403
    assert sign_in("samr").post_form(f"/adoption/{application_id}/scores", scores(5)).status_code == 403
    expert1 = sign_in("expert1")
    missing = expert1.post_form(f"/adoption/{application_id}/scores", {**scores(4), "score_testing": "9"})
    assert missing.status_code == 422 and "请为“测试验证充分性”打分" in missing.text
    assert expert1.post_form(f"/adoption/{application_id}/scores", scores(4, remarks="数据可靠")).status_code == 302
    assert expert1.post_form(f"/adoption/{application_id}/scores", scores(2, 3, 4, 5)).status_code == 302
    with app.app_context():
        application = db.session.get(AdoptionApplication, application_id)
        assert sorted((row.dimension, row.score) for row in application.scores) == [
            ("data_reliability", 4),
            ("soundness", 3),
            ("testing", 5),
            ("urgency", 2),
        ]
    # A panel member taken off the panel takes their scores along.
    with database() as session:
        member_id = session.scalar(select(PanelMember.id))
    assert sec.post_form(f"/adoption/panel/{member_id}/remove").status_code == 302
    with database() as session:
        assert session.get(AdoptionApplication, application_id).scores == []
        # … and the trail records it, with the reason.
        removed = session.scalar(
            select(AuditEvent).where(AuditEvent.record_type == "panel_member", AuditEvent.action == "deleted")
        )
        assert removed is not None and removed.reason == "移出评审组"


def test_the_scores_aggregate_with_mean_spread_and_dissent(app, sign_in, world, database):
    application_id = submitted(sign_in("assoc"), world, database)
    sec = sign_in("sec")
    for expert, value in (("expert1", 5), ("expert2", 4), ("expert3", 1)):
        assert add_member(sec, application_id, world[expert]).status_code == 302
        assert sign_in(expert).post_form(f"/adoption/{application_id}/scores", scores(value)).status_code == 302
    with app.app_context():
        application = db.session.get(AdoptionApplication, application_id)
        summary = adoption.aggregate(application)[0]
        assert (summary.key, summary.count, summary.mean, summary.low, summary.high) == ("urgency", 3, 3.33, 1, 5)
        assert summary.stdev == 1.7  # population standard deviation of 5, 4, 1
        assert summary.dissent == [("测试expert3", 1)]  # 2.33 from the mean; 5 is 1.67 away
        assert adoption.complete_scorers(application) == {world["expert1"], world["expert2"], world["expert3"]}
    page = sign_in("samr").get(f"/adoption/{application_id}")
    assert "3.33" in page.text and "1–5" in page.text and "测试expert3：1" in page.text


def test_samr_adopts_a_scored_application_into_a_national_project_at_stage_10(app, sign_in, world, database):
    application_id = submitted(sign_in("assoc"), world, database)
    sec, samr = sign_in("sec"), sign_in("samr")
    assert add_member(sec, application_id, world["expert1"]).status_code == 302
    assert sign_in("expert1").post_form(f"/adoption/{application_id}/scores", scores(4)).status_code == 302
    early = samr.post_form(f"/adoption/{application_id}/adopt", {"working_group_id": "0"})
    assert early.status_code == 422 and "至少 2 位评审组成员完成全部维度的评分" in early.text
    assert sec.post_form(f"/adoption/{application_id}/adopt", {"working_group_id": "0"}).status_code == 403
    assert add_member(sec, application_id, world["expert2"]).status_code == 302
    assert sign_in("expert2").post_form(f"/adoption/{application_id}/scores", scores(5)).status_code == 302
    response = samr.post_form(f"/adoption/{application_id}/adopt", {"working_group_id": "0", "reason": "填补空白"})
    assert response.status_code == 302, response.text
    with database() as session:
        application = session.get(AdoptionApplication, application_id)
        assert application.status == ApplicationStatus.ADOPTED
        assert application.due_on == add_months(today(), 12) and application.decided_on == today()
        rule = session.get(Rule, application.rule_id)
        assert rule.stage == "10"
        national = session.get(Standard, application.national_id)
        assert national.level == Level.NATIONAL and national.product_id == world["product"]
        assert national.status == Status.PLANNED and "T/CISA 469—2022" in national.note
        relation = session.scalar(select(StandardRelation).where(StandardRelation.standard_id == national.id))
        assert (relation.kind, relation.target_id) == (RelationKind.ADOPTS_GROUP, world["old"])
    public = app.test_client().get("/adoption/decided")
    assert (
        public.status_code == 200
        and "T/CISA 469—2022" in public.text
        and "已采信" in public.text
        and "填补空白" in public.text
    )


def adopted(sign_in, world, database) -> int:
    """An application of OLD with a recusal, two scorers (one dissenting), an attachment, adopted."""
    application_id = submitted(sign_in("assoc"), world, database)
    sec = sign_in("sec")
    assert add_member(sec, application_id, world["unit_expert"]).status_code == 422  # recused
    for expert, value in (("expert1", 5), ("expert2", 1)):
        assert add_member(sec, application_id, world[expert]).status_code == 302
        assert sign_in(expert).post_form(f"/adoption/{application_id}/scores", scores(value)).status_code == 302
    response = sign_in("samr").post_form(f"/adoption/{application_id}/adopt", {"working_group_id": "0"})
    assert response.status_code == 302, response.text
    return application_id


def test_the_applicant_sees_no_member_of_the_panel_and_the_outcome_only_once_decided(
    app, sign_in, world, database, validate_response
):
    application_id = submitted(sign_in("assoc"), world, database)
    sec = sign_in("sec")
    for expert, value, remark in (("expert1", 5, "边界清楚"), ("expert2", 1, "数据来源存疑")):
        assert add_member(sec, application_id, world[expert]).status_code == 302
        scored = sign_in(expert).post_form(f"/adoption/{application_id}/scores", scores(value, remarks=remark))
        assert scored.status_code == 302
    secrets = ("测试expert1", "测试expert2", "边界清楚", "数据来源存疑")
    assoc = sign_in("assoc")

    # Under review: the status, and neither the panel nor any score.
    page = assoc.get(f"/adoption/{application_id}")
    assert page.status_code == 200 and "评审中" in page.text and 'id="review-confidential"' in page.text
    assert 'id="panel"' not in page.text and 'id="score-summary"' not in page.text
    assert not [secret for secret in secrets if secret in page.text]
    api = assoc.get(f"/api/v1/adoption/applications/{application_id}")
    validate_response("/api/v1/adoption/applications/{application_id}", "get", api)
    assert api.json["status"] == "submitted" and api.json["panel"] == [] and api.json["scores"] == []
    listed = assoc.get("/api/v1/adoption/applications").get_data(as_text=True)
    assert not [secret for secret in secrets if secret in listed]

    # The panel, the secretariat and SAMR/MEE see everyone's scores and remarks.
    for reader in ("expert1", "sec", "samr"):
        page = sign_in(reader).get(f"/adoption/{application_id}")
        assert all(secret in page.text for secret in secrets), reader
        api = sign_in(reader).get(f"/api/v1/adoption/applications/{application_id}")
        assert len(api.json["panel"]) == 2 and api.json["scores"][0]["stdev"] == 2.0, reader

    # Decided: the mean and the range per dimension, still nobody's own score or remark.
    response = sign_in("samr").post_form(f"/adoption/{application_id}/adopt", {"working_group_id": "0"})
    assert response.status_code == 302, response.text
    page = assoc.get(f"/adoption/{application_id}")
    assert 'id="score-summary"' in page.text and "3.00" in page.text and "1–5" in page.text
    assert 'id="panel"' not in page.text and 'id="score-detail"' not in page.text
    assert not [secret for secret in secrets if secret in page.text]
    api = assoc.get(f"/api/v1/adoption/applications/{application_id}")
    validate_response("/api/v1/adoption/applications/{application_id}", "get", api)
    assert api.json["panel"] == []
    assert api.json["scores"][0] == {
        "dimension": "urgency",
        "count": 2,
        "mean": 3,
        "min": 1,
        "max": 5,
        "stdev": None,
        "dissent": [],
    }
    assert not [secret for secret in secrets if secret in api.get_data(as_text=True)]


def test_the_public_list_tells_the_outcome_and_nothing_of_the_panel(app, sign_in, world, database, validate_response):
    application_id = adopted(sign_in, world, database)
    response = app.test_client().get("/api/v1/adoption/decided")
    assert response.status_code == 200
    validate_response("/api/v1/adoption/decided", "get", response)
    (item,) = response.json
    with database() as session:
        application = session.get(AdoptionApplication, application_id)
        national_id, national = application.national_id, application.national.designation
    assert item == {
        "id": application_id,
        "standard": {"id": world["old"], "number": "T/CISA 469—2022", "title": item["standard"]["title"]},
        "organisation": {"name": ASSOCIATION},
        "status": "adopted",
        "decided_on": today().isoformat(),
        "decision_reason": "",
        "national": {"id": national_id, "designation": national},
        "due_on": add_months(today(), 12).isoformat(),
    }
    text = response.get_data(as_text=True)
    for secret in ("测试expert1", "测试unit_expert", "panel", "scores", "attachments", "sha256", UNIT, "necessity"):
        assert secret not in text


def test_an_adoption_whose_rule_text_cannot_be_copied_says_where_the_text_is(
    app, sign_in, world, database, monkeypatch, caplog
):
    """The group standard was drafted here, but its text no longer fits the template: SAMR's
    decision stands, and the project and the application say the text comes from the attachment."""
    source = SimpleNamespace(code="R-2022-007", current_revision=3)
    monkeypatch.setattr(adoption.drafting, "rule_of_standard", lambda session, standard: source)
    monkeypatch.setattr(adoption.drafting, "revision", lambda session, rule: SimpleNamespace(document={}))

    def refuse_the_text(*args, **kwargs):
        raise InvalidInput("内容不符合模板：/title 缺少名称")

    monkeypatch.setattr(adoption.drafting, "save_revision", refuse_the_text)
    with caplog.at_level(logging.WARNING, logger="workbench.evaluation.adoption"):
        application_id = adopted(sign_in, world, database)
    assert "R-2022-007" in caplog.text and "缺少名称" in caplog.text
    with database() as session:
        application = session.get(AdoptionApplication, application_id)
        assert application.status == ApplicationStatus.ADOPTED
        note = application.national.note
    assert "规则 R-2022-007 的文本未能复制到本项目" in note and "须取自申请附件中的团体标准文本" in note
    page = sign_in("assoc").get(f"/adoption/{application_id}")
    assert 'id="national-note"' in page.text and "未能复制" in page.text


def test_declining_needs_a_reason(sign_in, world, database):
    application_id = submitted(sign_in("assoc"), world, database)
    samr = sign_in("samr")
    refused = samr.post_form(f"/adoption/{application_id}/decline", {"reason": "  "})
    assert refused.status_code == 422 and "不予采信须说明理由" in refused.text
    assert samr.post_form(f"/adoption/{application_id}/decline", {"reason": "技术内容尚需验证"}).status_code == 302
    with database() as session:
        application = session.get(AdoptionApplication, application_id)
        assert (application.status, application.decision_reason) == (ApplicationStatus.DECLINED, "技术内容尚需验证")
    page = sign_in("assoc").get(f"/adoption/{application_id}")
    assert "技术内容尚需验证" in page.text and "不予采信" in page.text


# --- the API and the command line -----------------------------------------------------------------


def test_the_api_tells_eligibility_and_records_a_recusal_it_refuses(app, sign_in, world, database, validate_response):
    public = app.test_client().get(f"/api/v1/adoption/eligibility/{world['young']}")
    assert public.status_code == 200 and public.json["eligible"] is False
    validate_response("/api/v1/adoption/eligibility/{standard_id}", "get", public)
    assoc = sign_in("assoc")
    created = assoc.api("POST", "/api/v1/adoption/applications", {"standard_id": world["old"], **FIELDS})
    assert created.status_code == 201, created.json
    validate_response("/api/v1/adoption/applications", "post", created)
    application_id = created.json["id"]
    refused = assoc.api("POST", f"/api/v1/adoption/applications/{application_id}/submit", {})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "adoption_refused"
    codes = [item["code"] for item in refused.json["error"]["details"]["findings"] if item["severity"] == "error"]
    assert codes == ["adoption_good_practice_missing"]
    upload(assoc, application_id, PDF)
    assert assoc.api("POST", f"/api/v1/adoption/applications/{application_id}/submit", {}).status_code == 200
    sec = sign_in("sec")
    recused = sec.api(
        "POST", f"/api/v1/adoption/applications/{application_id}/panel", {"user_id": world["unit_expert"]}
    )
    assert recused.status_code == 422 and recused.json["error"]["code"] == "panel_member_recused"
    with database() as session:
        assert session.scalar(select(PanelMember.status)) == PanelStatus.RECUSED
    added = sec.api("POST", f"/api/v1/adoption/applications/{application_id}/panel", {"user_id": world["expert1"]})
    assert added.status_code == 201
    body = {
        "scores": [{"dimension": key, "score": 4} for key in ("urgency", "soundness", "data_reliability", "testing")]
    }
    scored = sign_in("expert1").api("POST", f"/api/v1/adoption/applications/{application_id}/scores", body)
    assert scored.status_code == 200 and scored.json["scores"][0]["mean"] == 4
    validate_response("/api/v1/adoption/applications/{application_id}/scores", "post", scored)


def test_the_command_line_tells_eligibility(cli_runner, world):
    result = cli_runner("adoption", "eligibility", OLD, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"number", "in_force_since", "full_years_in_force", "factor_citations", "citation_threshold"} <= set(
        document
    )
    assert (document["number"], document["full_years_in_force"], document["factor_citations"]) == (
        "T/CISA 469—2022",
        3,
        3,
    )
    assert document["citation_threshold"] == 3 and document["eligible"] is True
    assert document["citing_factors"] == ["STEEL-1", "STEEL-2", "STEEL-3"]
    young = cli_runner("adoption", "eligibility", YOUNG, "--format", "json")
    assert young.exit_code == 1 and json.loads(young.output)["eligible"] is False
    table = cli_runner("adoption", "eligibility", YOUNG)
    assert "adoption" not in table.output and "不符合采信条件" in table.output
    unknown = cli_runner("adoption", "eligibility", "T/CISA 999-2020")
    assert unknown.exit_code == 2 and "T/CISA 999-2020" in unknown.output
