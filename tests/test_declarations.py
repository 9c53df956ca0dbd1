"""Declarations (信息披露), labels (碳标识) and performance classes (分级管理) on the demo: the
enterprise member `cement` declares under the published cement rule from its calculation of
record, the certifier of 示例低碳认证中心 verifies; validity, expiry, suspension, reinstatement,
withdrawal, rejection and resubmission; who may see and do what; the classes and the benchmark;
the public page, its JSON and its QR code; the command line."""

import json
import re
from datetime import date, timedelta

import pytest
import segno
from sqlalchemy import select

from workbench.auth import service as accounts
from workbench.auth.models import Organisation, OrganisationKind, User
from workbench.auth.permissions import Role
from workbench.catalogue.proposals import add_months
from workbench.dates import today
from workbench.drafting.models import Rule
from workbench.errors import AccessDenied, Conflict, InvalidInput
from workbench.exchange import classes
from workbench.exchange import declaration_reading as reading
from workbench.exchange import declarations as service
from workbench.exchange.models import Declaration, DeclarationStatus
from workbench.trials.models import Calculation

from .conftest import ADMIN

DEMO_PASSWORD = "workbench-demo"
CEMENT_TITLE = "温室气体 产品碳足迹量化方法与要求 水泥"
TODAY = today()  # the submission is stamped now: verified on or after it


@pytest.fixture
def demo(cli_runner, database):
    result = cli_runner("demo")
    assert result.exit_code == 0, result.output
    with database() as session:
        rule = session.scalar(select(Rule).where(Rule.title == CEMENT_TITLE))
        cement = session.scalar(select(User).where(User.username == "cement"))
        certifier = session.scalar(select(User).where(User.username == "certifier"))
        calculation = reading.own_calculations(session, rule, by=cement)[0]
        return {
            "rule": rule.id,
            "calculation": calculation.id,
            "value": calculation.cfp_per_unit,
            "body": certifier.organisation_id,
            # The demo's own verified declaration (workbench.exchange.seed) is there from the start.
            "valid": len(reading.valid_declarations(session, rule.id, TODAY)),
        }


def user(session, username):
    return session.scalar(select(User).where(User.username == username))


def data(**overrides):
    values = {
        "product": "P·O 42.5 普通硅酸盐水泥",
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "geography_kind": "subdivision",
        "geography": "CN-ZJ",
    }
    return service.DeclarationInput(**{**values, **overrides})


def declare(session, demo, **overrides) -> Declaration:
    rule = session.get(Rule, demo["rule"])
    calculation = session.get(Calculation, demo["calculation"])
    return service.create_from_calculation(session, rule, calculation, data(**overrides), by=user(session, "cement"))


def verified(session, demo, on=TODAY) -> Declaration:
    declaration = declare(session, demo)
    service.submit(session, declaration, session.get(Organisation, demo["body"]), by=user(session, "cement"))
    service.verify(
        session,
        declaration,
        certificate_number="LC-2026-0001",
        verified_on=on,
        scope="P·O 42.5 水泥，摇篮到大门",
        by=user(session, "certifier"),
        today=on,
    )
    return declaration


def sign_in(app, username):
    client = app.test_client()
    response = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.text
    return client


# --- classes (pure) -------------------------------------------------------------------------------

CLASSES = [
    {"grade": "1 级", "upper_limit": 700},
    {"grade": "2 级", "upper_limit": 740},
    {"grade": "3 级", "upper_limit": 800},
]


def test_a_value_gets_the_first_class_whose_limit_it_does_not_exceed():
    assert classes.class_of(650, CLASSES) == "1 级"
    assert classes.class_of(700, CLASSES) == "1 级"  # the limit is inside the class
    assert classes.class_of(700.01, CLASSES) == "2 级"
    assert classes.class_of(800, CLASSES) == "3 级"
    assert classes.class_of(801, CLASSES) is None  # 超出分级
    assert classes.class_of(650, list(reversed(CLASSES))) == "1 级"  # listed out of order
    assert classes.class_of(650, []) is None


def test_the_benchmark_is_the_median_and_bins_count_every_value():
    assert classes.benchmark([3, 1, 2]) == 2
    assert classes.benchmark([1, 2, 3, 4]) == 2.5
    assert classes.benchmark([]) is None
    rows = classes.bins([690, 720, 735, 790], CLASSES)
    assert sum(row["count"] for row in rows) == 4
    assert rows[0]["low"] == 680 and rows[-1]["high"] == 800


def test_bins_have_the_class_limits_as_edges_and_round_edges_otherwise():
    edges = lambda rows: [rows[0]["low"], *(row["high"] for row in rows)]  # noqa: E731
    # Every limit is an edge, so a bar never straddles two classes; a value on a limit is
    # counted in the bin below it, as it is in the class below it ("≤ 700").
    rows = classes.bins([700, 724.145], CLASSES)
    assert {700, 740, 800} <= set(edges(rows))
    assert [(row["low"], row["count"]) for row in rows if row["count"]] == [(680, 1), (720, 1)]
    # Without classes: round edges around the values.
    rows = classes.bins([1, 2, 3, 50, 120])
    assert edges(rows) == [0, 25, 50, 75, 100, 125]
    assert [row["count"] for row in rows] == [3, 1, 0, 0, 1]
    # Limits no round step divides: the limits are edges still, among round ones.
    odd = [{"grade": "1 级", "upper_limit": 700.3}, {"grade": "2 级", "upper_limit": 733}]
    rows = classes.bins([690.3, 1500], odd)
    assert {700.3, 733} <= set(edges(rows)) and sum(row["count"] for row in rows) == 2
    assert len(classes.bins(list(range(100, 10000, 7)), CLASSES)) <= classes.MAX_BINS


def test_the_grade_number_is_read_from_the_rules_text():
    assert classes.class_number("2 级") == 2
    assert classes.class_number(" 12级 ") == 12
    assert classes.class_number("A") is None and classes.class_number(None) is None


# --- the life of a declaration --------------------------------------------------------------------


def test_declare_from_the_calculation_of_record_under_the_published_rule(demo, database):
    with database() as session:
        declaration = declare(session, demo)
        rule = session.get(Rule, demo["rule"])
        assert declaration.status == DeclarationStatus.DRAFT
        assert declaration.value == pytest.approx(demo["value"])
        assert declaration.declared_unit == "t"
        assert declaration.rule_number == reading.rule_number(rule)
        assert declaration.revision.rule_id == rule.id
        expected = classes.class_of(demo["value"], classes.classes_of(declaration.revision.parameters))
        assert declaration.performance_class == expected
        assert declaration.organisation.name == "演示水泥甲有限公司"


def test_the_whole_life_verify_expire_suspend_reinstate_withdraw(demo, database):
    with database() as session:
        declaration = verified(session, demo)
        assert declaration.status == DeclarationStatus.VERIFIED
        assert declaration.valid_until == add_months(TODAY, 24)  # the default terms
        assert declaration.surveillance_dates == [add_months(TODAY, 12).isoformat()]  # every 12 months in between
        assert reading.is_valid(declaration, TODAY)
        # One more than the demo's own verified declaration.
        assert reading.application_counts(session, [demo["rule"]], TODAY) == {demo["rule"]: demo["valid"] + 1}
        # Expired by date: shown, not stored.
        later = add_months(TODAY, 24) + timedelta(days=1)
        assert reading.status_key(declaration, later) == "expired"
        assert reading.valid_declarations(session, demo["rule"], later) == []
        assert reading.application_counts(session, [demo["rule"]], later) == {}

        certifier = user(session, "certifier")
        with pytest.raises(InvalidInput) as refused:
            service.suspend(session, declaration, "  ", by=certifier)
        assert "reason" in refused.value.details
        service.suspend(session, declaration, "未按期接受监督", by=certifier)
        assert declaration.status == DeclarationStatus.SUSPENDED
        assert declaration not in reading.valid_declarations(session, demo["rule"], TODAY)
        service.reinstate(session, declaration, by=certifier)
        assert declaration.status == DeclarationStatus.VERIFIED
        service.withdraw(session, declaration, "产品停产", by=user(session, "cement"))
        assert declaration.status == DeclarationStatus.WITHDRAWN
        with pytest.raises(Conflict):
            service.reinstate(session, declaration, by=certifier)
        with pytest.raises(Conflict):
            service.withdraw(session, declaration, "again", by=certifier)


def test_rejected_with_reasons_then_edited_and_resubmitted(demo, database):
    with database() as session:
        cement, certifier = user(session, "cement"), user(session, "certifier")
        body = session.get(Organisation, demo["body"])
        declaration = declare(session, demo)
        service.submit(session, declaration, body, by=cement)
        with pytest.raises(Conflict):
            service.update(session, declaration, data(product="x"), by=cement)
        with pytest.raises(InvalidInput):
            service.reject(session, declaration, "", by=certifier)
        service.reject(session, declaration, "数据期间与证书不符", by=certifier)
        assert declaration.status == DeclarationStatus.REJECTED
        assert declaration.status_reason == "数据期间与证书不符"
        version = declaration.version
        with pytest.raises(Conflict):  # a form opened before the last change
            service.update(session, declaration, data(), by=cement, expected_version=version - 1)
        service.update(session, declaration, data(period_start=date(2025, 2, 1)), by=cement, expected_version=version)
        service.submit(session, declaration, body, by=cement)
        assert declaration.status == DeclarationStatus.SUBMITTED
        assert declaration.status_reason == ""


def test_refusals_say_what_to_fix(demo, database):
    with database() as session:
        cement = user(session, "cement")
        with pytest.raises(InvalidInput) as refused:
            declare(session, demo, geography_kind="country", geography="XX")
        assert "ISO 3166-1" in refused.value.message
        with pytest.raises(InvalidInput) as refused:
            declare(session, demo, geography="ZJ")
        assert "CN-ZJ" in refused.value.message
        with pytest.raises(InvalidInput) as refused:
            declare(session, demo, period_end=date(2024, 1, 1))
        assert "period_end" in refused.value.details
        declaration = declare(session, demo, geography_kind="country", geography="cn")
        assert declaration.geography == "CN"
        with pytest.raises(InvalidInput) as refused:
            service.submit(
                session,
                declaration,
                session.scalar(select(Organisation).where(Organisation.name == "演示水泥甲有限公司")),
                by=cement,
            )
        assert "certification_body_id" in refused.value.details
        # A rule never published cannot be declared under.
        other = session.scalar(select(Rule).where(Rule.id != demo["rule"]))
        with pytest.raises(InvalidInput) as refused:
            service.create_from_calculation(session, other, None, data(), by=cement)
        assert "尚未在门户发布" in refused.value.message


def test_another_enterprise_sees_no_draft_and_another_body_cannot_verify(demo, database, app):
    with database() as session:
        declaration = declare(session, demo, product="未公开的草稿水泥")
        other_plant = accounts.create_organisation(
            session, by=ADMIN, name="另一水泥公司", kind=OrganisationKind.ENTERPRISE
        )
        other_body = accounts.create_organisation(
            session, by=ADMIN, name="另一认证机构", kind=OrganisationKind.CERTIFICATION_BODY
        )
        for username, role, organisation in (
            ("plant2", Role.ENTERPRISE, other_plant),
            ("cert2", Role.CERTIFIER, other_body),
        ):
            accounts.create_user(
                session,
                by=ADMIN,
                username=username,
                display_name=username,
                password=DEMO_PASSWORD,
                role=role,
                organisation=organisation,
            )
        service.submit(session, declaration, session.get(Organisation, demo["body"]), by=user(session, "cement"))
        session.commit()
        declaration_id, public_id = declaration.id, declaration.public_id
        # Another enterprise cannot declare from cement's calculation.
        assert reading.own_calculations(session, session.get(Rule, demo["rule"]), by=user(session, "plant2")) == []
    plant2 = sign_in(app, "plant2")
    assert plant2.get(f"/declarations/{declaration_id}").status_code == 403
    assert plant2.get(f"/declarations/p/{public_id}").status_code == 404
    assert "未公开的草稿水泥" not in plant2.get("/declarations/").text
    cert2 = sign_in(app, "cert2")
    response = cert2.post_form(
        f"/declarations/{declaration_id}/verify",
        {"certificate_number": "X", "verified_on": TODAY.isoformat(), "verification_scope": "x"},
    )
    assert response.status_code == 403
    assert sign_in(app, "cement").get(f"/declarations/{declaration_id}").status_code == 200
    # The right body's certifier sees it in its queue.
    assert "未公开的草稿水泥" in sign_in(app, "certifier").get("/declarations/").text


def test_the_pages_declare_submit_and_verify(demo, app, database):
    cement = sign_in(app, "cement")
    page = cement.get(f"/declarations/new?rule={demo['rule']}")
    assert page.status_code == 200
    response = cement.post_form(
        "/declarations/new",
        {
            "rule_id": demo["rule"],
            "source": "calculation",
            "calculation_id": demo["calculation"],
            "product": "P·O 42.5 水泥 <script>",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "geography_kind": "country",
            "geography": "CN",
            "action": "save",
        },
    )
    assert response.status_code == 302, response.text
    declaration_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with database() as session:
        version = session.get(Declaration, declaration_id).version
    response = cement.post_form(
        f"/declarations/{declaration_id}/submit", {"certification_body_id": demo["body"], "version": version}
    )
    assert response.status_code == 302, response.text
    certifier = sign_in(app, "certifier")
    response = certifier.post_form(
        f"/declarations/{declaration_id}/verify",
        {"certificate_number": "LC-1", "verified_on": "", "verification_scope": "全部"},
    )
    assert response.status_code == 422 and "请填写核查日期" in response.text
    response = certifier.post_form(
        f"/declarations/{declaration_id}/verify",
        {"certificate_number": "LC-1", "verified_on": today().isoformat(), "verification_scope": "全部"},
    )
    assert response.status_code == 302, response.text
    with database() as session:
        declaration = session.get(Declaration, declaration_id)
        public_id = declaration.public_id
        assert declaration.status == DeclarationStatus.VERIFIED
    anonymous = app.test_client()
    page = anonymous.get(f"/declarations/p/{public_id}")
    assert page.status_code == 200
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text.split("P·O 42.5 水泥")[1][:20]
    assert "LC-1" in page.text


def test_public_json_and_the_qr_code_point_back_to_the_page(demo, app, database):
    with database() as session:
        declaration = verified(session, demo)
        session.commit()
        public_id, value, grade = declaration.public_id, declaration.value, declaration.performance_class
    anonymous = app.test_client()
    document = anonymous.get(f"/declarations/p/{public_id}.json").json
    url = f"http://localhost/declarations/p/{public_id}"
    assert document["url"] == url
    assert document["value"] == pytest.approx(value)
    assert document["performance_class"] == grade  # the rule's own text, "2 级"
    assert document["performance_class_number"] == classes.class_number(grade) == int(grade.split()[0])
    assert document["certificate"]["number"] == "LC-2026-0001"
    assert document["status"] in ("verified", "expired")
    qr = anonymous.get(f"/declarations/p/{public_id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    # The SVG draws exactly segno's matrix of the page's address.
    expected = segno.make(url, error="m")
    out = __import__("io").BytesIO()
    expected.save(out, kind="svg", scale=4, border=2, xmldecl=False)
    assert qr.data == out.getvalue()
    assert anonymous.get(f"/declarations/p/{public_id}").text.count(f"/declarations/p/{public_id}/qr.svg") == 1


def test_the_benchmark_falls_back_to_the_trials_then_uses_declarations(demo, app, database):
    with database() as session:
        # The demo's verified declaration suspended: no valid declaration under the rule.
        for row in reading.valid_declarations(session, demo["rule"], TODAY):
            service.suspend(session, row, "演示：暂停以查看试算基准", by=user(session, "certifier"))
        session.commit()
        rule = session.get(Rule, demo["rule"])
        before = reading.distribution(session, rule, TODAY)
        assert before.basis == "trials" and before.count == 3
        assert before.values == []  # the trials' own results are confidential: the median only
        trials = sorted(reading._trial_values(session, demo["rule"]))
        assert before.benchmark == pytest.approx(trials[1])
    page = app.test_client().get(f"/declarations/rules/{demo['rule']}")
    assert page.status_code == 200 and "试算结果" in page.text and 'id="distribution-chart"' in page.text
    with database() as session:
        declaration = verified(session, demo, on=TODAY)
        session.commit()
        after = reading.distribution(session, session.get(Rule, demo["rule"]), TODAY)
        assert after.basis == "declarations" and after.values == [declaration.value]
        assert after.benchmark == pytest.approx(declaration.value)
        assert [row["grade"] for row in after.classes] == ["1 级", "2 级", "3 级"]
    page = app.test_client().get(f"/declarations/rules/{demo['rule']}")
    chart = json.loads(re.search(r'id="distribution-data">(.*?)</script>', page.text).group(1))
    assert chart["benchmark"] == pytest.approx(after.benchmark)
    assert [row["limit"] for row in chart["thresholds"]] == [700, 740, 800]


def test_terms_per_rule(demo, database):
    with database() as session:
        rule = session.get(Rule, demo["rule"])
        with pytest.raises(AccessDenied):
            service.set_terms(session, rule, 36, 6, by=user(session, "cement"))
        with pytest.raises(InvalidInput):
            service.set_terms(session, rule, 12, 24, by=user(session, "secretariat"))
        service.set_terms(session, rule, 36, 6, by=user(session, "secretariat"))
        declaration = verified(session, demo)
        assert declaration.valid_until == add_months(TODAY, 36)
        assert len(declaration.surveillance_dates) == 5


def test_the_command_line_lists_declarations_as_json(demo, database, cli_runner):
    with database() as session:
        declaration = verified(session, demo, on=TODAY)
        declare(session, demo)  # a draft: not in the public list
        session.commit()
        public_id = declaration.public_id
    result = cli_runner("declarations", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert public_id in [row["id"] for row in rows]
    assert {row["status"] for row in rows} <= {"verified", "suspended", "withdrawn", "expired"}
    table = cli_runner("declarations", "list", "--rule", "CFP-NOPE")
    assert table.exit_code != 0 or "CFP-NOPE" in table.output
