"""What a declaration makes public and what it must not, on the demo (see test_declarations):
one withdrawn before it was ever verified stays private; a PACT file declares its own company's
footprint only; the trials' results behind the fallback benchmark stay confidential; the
distribution and the lists read a bounded number of statements; suspending or withdrawing a
declaration deprecates its shared PACT footprints; the QR code and the printed address follow
WORKBENCH_PUBLIC_URL, not the Host header; the verification date is compared with the local
day of the submission."""

import copy
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
import segno
from sqlalchemy import event, select

from workbench.auth import service as accounts
from workbench.auth.models import Organisation, OrganisationKind
from workbench.auth.permissions import Action, can
from workbench.db import db, utcnow
from workbench.drafting.models import Rule
from workbench.errors import InvalidInput
from workbench.exchange import declaration_reading as reading
from workbench.exchange import declarations as service
from workbench.exchange import footprints, pact
from workbench.exchange.models import Declaration, DeclarationStatus, FootprintStatus, SharedFootprint
from workbench.trials import display
from workbench.trials.models import Calculation, Trial

from . import test_declarations as declarations_tests
from .conftest import ADMIN
from .test_declarations import TODAY, data, declare, user, verified

demo = declarations_tests.demo  # the demo with the cement rule, its calculation and its body (a fixture)


def _chart(text: str) -> dict:
    return json.loads(re.search(r'id="distribution-data">(.*?)</script>', text).group(1))


# --- 1. never verified, never public ---------------------------------------------------------------


def test_a_declaration_withdrawn_before_verification_stays_private(demo, app, database):
    with database() as session:
        cement = user(session, "cement")
        draft = declare(session, demo, product="撤销的草稿水泥")
        service.withdraw(session, draft, "不再声明", by=cement)
        submitted = declare(session, demo, product="撤销的待核查水泥")
        service.submit(session, submitted, session.get(Organisation, demo["body"]), by=cement)
        service.withdraw(session, submitted, "不再声明", by=cement)
        public = verified(session, demo)
        service.withdraw(session, public, "产品停产", by=cement)
        session.commit()
        assert draft.status == submitted.status == DeclarationStatus.WITHDRAWN
        assert not can(None, Action.VIEW_DECLARATION, draft)
        assert can(None, Action.VIEW_DECLARATION, public)  # verified once: stays readable, says withdrawn
        hidden = [draft.public_id, submitted.public_id]
        shown = public.public_id
    anonymous = app.test_client()
    for public_id in hidden:
        for suffix in ("", ".json", "/pact.json", "/qr.svg"):
            assert anonymous.get(f"/declarations/p/{public_id}{suffix}").status_code == 404, suffix
        # Not even its own enterprise gets a public page for it (it has its workspace page).
    for suffix in ("", ".json", "/pact.json", "/qr.svg"):
        assert anonymous.get(f"/declarations/p/{shown}{suffix}").status_code == 200, suffix
    listed = anonymous.get("/api/v1/declarations?status=withdrawn").json
    assert [item["public_id"] for item in listed["items"]] == [shown]
    everything = anonymous.get("/api/v1/declarations").json
    assert not {item["public_id"] for item in everything["items"]} & set(hidden)
    page = anonymous.get("/declarations/").text
    assert "撤销的草稿水泥" not in page and "撤销的待核查水泥" not in page


# --- 2. a PACT file of another company --------------------------------------------------------------


def test_a_pact_file_of_another_company_is_refused(demo, database):
    with database() as session:
        cement = user(session, "cement")
        rule = session.get(Rule, demo["rule"])
        calculation = session.get(Calculation, demo["calculation"])
        own = footprints.calculation_document(session, calculation, by=cement)
        other = copy.deepcopy(own)
        other["companyName"] = "别家水泥股份有限公司"
        other["companyIds"] = [pact.company_urn("别家水泥股份有限公司")]
        with pytest.raises(InvalidInput) as refused:
            service.create_from_pact(session, rule, other, data(product=""), by=cement)
        assert "file" in refused.value.details
        assert "别家水泥股份有限公司" in refused.value.message and "companyName" in refused.value.message
        # The organisation's URN among companyIds is enough, whatever the name says.
        renamed = copy.deepcopy(own)
        renamed["companyName"] = "Demo Cement A Co., Ltd."
        assert service.create_from_pact(session, rule, renamed, data(product=""), by=cement).status == "draft"
        # The name written with other spacing and case is the same enterprise.
        spaced = copy.deepcopy(own)
        spaced["companyName"] = " ".join(cement.organisation.name)
        spaced["companyIds"] = ["urn:pact:company:customcode:vendor-assigned:name-other"]
        assert service.create_from_pact(session, rule, spaced, data(product=""), by=cement).status == "draft"
        session.rollback()


# --- 3. the trials' results stay confidential ------------------------------------------------------


def _no_valid_declaration(session, demo):
    for row in reading.valid_declarations(session, demo["rule"], TODAY):
        service.suspend(session, row, "暂停以查看试算基准", by=user(session, "certifier"))


def test_the_trials_fallback_shows_the_median_and_the_count_never_a_trials_value(demo, app, database):
    with database() as session:
        _no_valid_declaration(session, demo)
        session.commit()
        values = [
            row.cfp_per_unit
            for row in session.scalars(select(Calculation).where(Calculation.of_record.is_(True)))
            if row.cfp_per_unit is not None
        ]
        result = reading.distribution(session, session.get(Rule, demo["rule"]), TODAY)
        assert result.basis == "trials" and result.count == 3 and result.values == []
    page = app.test_client().get(f"/declarations/rules/{demo['rule']}")
    assert page.status_code == 200
    assert "试算结果数：3" in page.text and display.number(result.benchmark) in page.text
    assert 'id="distribution-table"' not in page.text
    chart = _chart(page.text)
    assert chart["bins"] == [] and chart["values"] == []  # only the thresholds and the benchmark
    assert chart["benchmark"] == pytest.approx(result.benchmark)
    for value in values:
        if value != result.benchmark:
            assert f"{value:.6g}" not in page.text and f"{value:.4g}" not in page.text

    with database() as session:  # one trial archived: two left, too few to show anything
        trial = session.scalar(select(Trial).where(Trial.rule_id == demo["rule"], Trial.archived_at.is_(None)))
        trial.archived_at = utcnow()
        session.commit()
        result = reading.distribution(session, session.get(Rule, demo["rule"]), TODAY)
        assert result.basis == "few_trials" and result.benchmark is None and result.values == []
    page = app.test_client().get(f"/declarations/rules/{demo['rule']}")
    assert "少于 3 份" in page.text and 'id="distribution-data"' not in page.text


# --- 3b. how the pages show a declaration ----------------------------------------------------------


def test_the_pages_show_one_number_format_the_class_and_the_country_by_name(demo, app, database):
    with database() as session:
        declaration = verified(session, demo)
        declaration.value = 724.14485  # more digits than the pages show
        declaration.geography_kind, declaration.geography = "country", "CN"
        session.commit()
        public_id, declaration_id, grade = declaration.public_id, declaration.id, declaration.performance_class
    anonymous = app.test_client()
    public = anonymous.get(f"/declarations/p/{public_id}").text
    listing = anonymous.get("/declarations/").text
    distribution = anonymous.get(f"/declarations/rules/{demo['rule']}").text
    for page in (public, listing, distribution):
        assert "724.1 " in page or "724.1<" in page
        assert "724.145" not in page.replace('title="724.14485"', "")  # the exact value: a title only
    assert 'title="724.14485"' in public
    assert "中国（CN）" in public and "country: CN" not in public
    assert f'id="public-class">{grade}<' in public
    assert "≤ 700<" in distribution and "≤ 700.0" not in distribution  # the class table as the chart
    chart = _chart(distribution)
    assert [row["label"] for row in chart["thresholds"]] == ["1 级 ≤ 700", "2 级 ≤ 740", "3 级 ≤ 800"]
    assert chart["benchmark_label"] == "724.1"
    assert all(row["label"] == f"{display.number(row['low'])}–{display.number(row['high'])}" for row in chart["bins"])
    workspace = declarations_tests.sign_in(app, "cement").get(f"/declarations/{declaration_id}").text
    assert "中国（CN）" in workspace and "724.1 kg" in workspace

    # In English: the country's English name (the reader's locale); the JSON keeps the rule's
    # grade and adds its number.
    anonymous.post_form("/language", {"locale": "en"})
    assert "China" in anonymous.get(f"/declarations/p/{public_id}").text
    document = anonymous.get(f"/declarations/p/{public_id}.json").json
    assert document["performance_class"] == grade and document["performance_class_number"] == int(grade.split()[0])


# --- 4. bounded reads --------------------------------------------------------------------------------


def _add_declarations(session, base: Declaration, count: int, start: int) -> None:
    columns = [column.key for column in Declaration.__table__.columns if column.key not in ("id", "public_id")]
    for index in range(start, start + count):
        organisation = accounts.create_organisation(
            session, by=ADMIN, name=f"水泥企业{index:03d}", kind=OrganisationKind.ENTERPRISE
        )
        row = Declaration(**{key: getattr(base, key) for key in columns})
        row.public_id = f"bulk-{index:05d}"
        row.organisation_id = organisation.id
        row.value = base.value + index
        session.add(row)
    session.flush()


def _statements(app, client, url: str) -> int:
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, response.text
    return len(seen)


def test_the_distribution_and_the_lists_read_a_bounded_number_of_statements(demo, app, database, monkeypatch):
    monkeypatch.setattr(reading, "LISTED", 6)
    with database() as session:
        base = verified(session, demo)
        _add_declarations(session, base, 3, 0)
        session.commit()
        base_id = base.id
    anonymous = app.test_client()
    urls = [f"/declarations/rules/{demo['rule']}", "/declarations/", "/api/v1/declarations"]
    before = [_statements(app, anonymous, url) for url in urls]
    with database() as session:
        _add_declarations(session, session.get(Declaration, base_id), 20, 3)
        session.commit()
        total = len(reading.valid_values(session, demo["rule"], TODAY))
    after = [_statements(app, anonymous, url) for url in urls]
    assert after == before  # twenty more enterprises, not one statement more
    page = anonymous.get(f"/declarations/rules/{demo['rule']}").text
    table = page.split('id="distribution-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 6  # the head and the newest six
    assert 'id="more-declarations"' in page and f"共 {total} 项" in page
    assert len([row for row in _chart(page)["values"]]) == total  # the chart counts them all


# --- 5. shared footprints follow the declaration --------------------------------------------------


def test_suspending_or_withdrawing_deprecates_the_shared_footprint(demo, database):
    with database() as session:
        cement, certifier = user(session, "cement"), user(session, "certifier")
        declaration = verified(session, demo)
        shared = footprints.share_declaration(session, declaration, by=cement)
        assert shared.status == FootprintStatus.ACTIVE
        service.suspend(session, declaration, "未按期接受监督", by=certifier)
        assert shared.status == FootprintStatus.DEPRECATED and shared.document["status"] == "Deprecated"
        service.reinstate(session, declaration, by=certifier)
        assert shared.status == FootprintStatus.DEPRECATED  # PACT's deprecation is final

        other = verified(session, demo)
        again = footprints.share_declaration(session, other, by=cement)
        service.withdraw(session, other, "产品停产", by=cement)
        session.flush()
        stored = session.scalar(select(SharedFootprint).where(SharedFootprint.id == again.id))
        assert stored.status == FootprintStatus.DEPRECATED
        session.rollback()


# --- 6. the printed address -------------------------------------------------------------------------


def test_the_qr_code_and_the_printed_address_follow_the_public_url_not_the_host(demo, app, database, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://labels.example.cn")
    with database() as session:
        public_id = verified(session, demo).public_id
        session.commit()
    forged = app.test_client()
    headers = {"Host": "evil.example"}
    url = f"https://labels.example.cn/declarations/p/{public_id}"
    page = forged.get(f"/declarations/p/{public_id}", headers=headers)
    assert page.status_code == 200 and url in page.text and "evil.example" not in page.text
    qr = forged.get(f"/declarations/p/{public_id}/qr.svg", headers=headers)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    assert qr.data == out.getvalue()
    assert forged.get(f"/declarations/p/{public_id}.json", headers=headers).json["url"] == url


# --- 7. the local day of the submission -------------------------------------------------------------


def test_the_verification_date_is_compared_with_the_local_day_of_the_submission(demo, database):
    with database() as session:
        declaration = declare(session, demo)
        service.submit(session, declaration, session.get(Organisation, demo["body"]), by=user(session, "cement"))
        # 2026-03-10 17:30 UTC is 2026-03-11 01:30 in Beijing (the configured zone).
        declaration.submitted_at = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
        certifier = user(session, "certifier")

        def verify(on: date):
            return service.verify(
                session,
                declaration,
                certificate_number="LC-TZ",
                verified_on=on,
                scope="全部",
                by=certifier,
                today=date(2026, 3, 12),
            )

        with pytest.raises(InvalidInput) as refused:
            verify(date(2026, 3, 10))  # the UTC day, the day before the submission where it was made
        assert "2026-03-11" in refused.value.message
        assert verify(date(2026, 3, 11)).status == DeclarationStatus.VERIFIED  # the same local day
        session.rollback()
