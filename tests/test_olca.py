"""Factors as openLCA JSON-LD (指引（五）): exported with their provenance, tier, data quality and
uncertainty, read back by olca-schema's own ZipReader, re-imported unchanged; the quality
assessment and the submission package for the national factor database; refused zips change
nothing; the pages and `workbench jsonld …`."""

import csv
import io
import json
import math
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta

import olca_schema as o
from olca_schema import zipio
from sqlalchemy import func, select

from workbench.auth.permissions import Role
from workbench.errors import InvalidInput
from workbench.exchange import factor_exchange, olca, quality
from workbench.factors import service as factors
from workbench.factors.models import Factor, FactorVersion
from workbench.publishing.models import StoredDocument

from .conftest import ADMIN

TODAY = date(2025, 6, 1)
COMPARED = ("value", "unit", "tier", "kind", "source", "source_url", "uncertainty", "geography", "data_year")
COMPARED += ("database", "standards", "gases", "name", "published_on")

BASE = dict(
    kind="cfp_life_cycle",
    tier="industry",
    source="中国钢铁工业协会 生命周期数据 2024",
    source_url="https://example.org/cisa-lca",
    geography="全国",
    data_year=2023,
    database="CISA LCA 2024",
    standards="GB/T 24067-2024；T/CISA 469-2024",
)
UNCERTAIN = [
    ("TEST-LOGNORMAL-GSD", "热轧钢卷", 2.1, "kgCO2e/kg", {"distribution": "lognormal", "gsd": 1.25}),
    ("TEST-LOGNORMAL-SIGMA", "冷轧钢卷", 2.4, "kgCO2e/kg", {"distribution": "lognormal", "sigma": 0.18232155679395462}),
    ("TEST-NORMAL", "公路货运", 0.078, "kgCO2e/t·km", {"distribution": "normal", "sd": 0.0123}),
    ("TEST-TRIANGULAR", "天然气", 2.31, "kgCO2e/m3", {"distribution": "triangular", "min": 2.0, "max": 2.9}),
    ("TEST-UNIFORM", "外购蒸汽", 0.11, "tCO2e/GJ", {"distribution": "uniform", "min": 0.09, "max": 0.13}),
    (
        "TEST-PEDIGREE",
        "石灰石",
        0.0123,
        "kgCO2e/kg",
        {"distribution": "lognormal", "gsd": 1.1, "pedigree": [1, 2, 2, 1, 3], "basic_variance": 0.0006},
    ),
    ("TEST-PEDIGREE-ONLY", "包装纸箱", 1.2, "kgCO2e/件", {"pedigree": [2, 2, 1, 1, 2]}),
]


def _library(session) -> list[Factor]:
    """The reference factors and one factor per uncertainty form (one with per-gas values)."""
    factors.load_reference_factors(session, by=ADMIN)
    for code, name, value, unit, uncertainty in UNCERTAIN:
        factors.create_factor(
            session,
            factors.FactorInput(
                code=code,
                name=name,
                value=value,
                unit=unit,
                uncertainty=uncertainty,
                published_on=date(2024, 3, 15),
                gases={"CO2": 2.0, "CH4_fossil": 0.003} if code == "TEST-LOGNORMAL-GSD" else None,
                **BASE,
            ),
            by=ADMIN,
        )
    session.commit()
    return list(session.scalars(select(Factor).order_by(Factor.code)))


def _snapshots(session) -> dict[str, dict]:
    return {factor.code: factor.snapshot() for factor in session.scalars(select(Factor))}


def _versions(session) -> int:
    return session.scalar(select(func.count()).select_from(FactorVersion))


def test_exported_factors_are_read_back_by_olca_schema_and_reimport_unchanged(session):
    library = _library(session)
    before = _snapshots(session)
    content = factor_exchange.export_jsonld(session, by=None)  # the library is public

    # olca-schema's own reader sees one process per factor, with the mapping of the docstring.
    with zipio.ZipReader(io.BytesIO(content)) as reader:
        processes = {process.name: process for process in reader.read_each(o.Process)}
        assert len(processes) == len(library)
        normal = processes["公路货运"]
        value = next(exchange for exchange in normal.exchanges if exchange.internal_id == olca.VALUE_ID)
        reference = next(exchange for exchange in normal.exchanges if exchange.is_quantitative_reference)
        assert (value.amount, value.unit.name, value.flow.name) == (0.078, "kg", "CO2e")
        assert reference.amount == 1.0 and reference.unit.name == "t·km"
        assert value.uncertainty.distribution_type == o.UncertaintyType.NORMAL_DISTRIBUTION
        assert value.uncertainty.sd == 0.0123
        pedigree = processes["石灰石"]
        assert pedigree.dq_entry == "(1;2;2;1;3)" and pedigree.exchange_dq_system is not None
        assert reader.read_dq_system(pedigree.exchange_dq_system.id).name == olca.DQ_SYSTEM_NAME
        source = reader.read_source(pedigree.process_documentation.publication.id)
        assert (source.text_reference, source.url, source.year) == (BASE["source"], BASE["source_url"], 2024)
        assert reader.read_location(pedigree.location.id).code == "CN"
        assert pedigree.process_documentation.valid_from == "2023-01-01"
        assert "workbench:tier=industry" in pedigree.tags
        steam = next(e for e in processes["外购蒸汽"].exchanges if e.internal_id == olca.REFERENCE_ID)
        group = reader.read_unit_group(next(iter(reader.ids_of(o.UnitGroup))))
        assert group is not None and steam.unit.name == "GJ"
        energy = [g for g in reader.read_each(o.UnitGroup) if any(u.name == "GJ" for u in g.units)][0]
        assert {u.name: u.conversion_factor for u in energy.units}["GJ"] == 1000.0  # to the reference MJ

    read = {factor["code"]: factor for factor in olca.read_zip(content)}
    assert set(read) == set(before)
    for code, snapshot in before.items():
        assert {key: read[code][key] for key in COMPARED} == {key: snapshot[key] for key in COMPARED}, code

    # Re-importing the export changes nothing; importing it over edited factors restores them.
    versions = _versions(session)
    assert factor_exchange.import_jsonld(session, content, by=ADMIN) == ([], [])
    assert _versions(session) == versions
    edited = session.scalar(select(Factor).where(Factor.code == "TEST-NORMAL"))
    factors.update_factor(
        session,
        edited,
        factors.FactorInput(**{**before["TEST-NORMAL"], "value": 9.9, "uncertainty": None, "published_on": None}),
        by=ADMIN,
    )
    created, updated = factor_exchange.import_jsonld(session, content, by=ADMIN)
    assert created == [] and [factor.code for factor in updated] == ["TEST-NORMAL"]
    session.commit()
    assert _snapshots(session) == before
    assert session.scalar(select(func.max(FactorVersion.version)).where(FactorVersion.factor_id == edited.id)) == 3


def test_every_entry_is_the_json_olca_schema_itself_writes(session):
    _library(session)
    content = factor_exchange.export_jsonld(session, by=None)
    classes = {folder: cls for cls, folder in olca.FOLDERS.items()}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert names[0] == "olca-schema.json" and archive.read(names[0]) == b'{"version": 2}'
        for name in names[1:]:
            text = archive.read(name).decode()
            # olca-schema reading the entity and writing it again (json.dumps, indent 2) gives the same text
            assert classes[name.split("/")[0]].from_json(text).to_json() == text, name
    # The direct encoder writes what json.dumps(…, indent=2) writes, escapes and special floats too.
    odd = {'é\n"\u2028': [1.5, 1e300, -0.0, math.inf, -math.inf, 3, True, None, [], {}, [{"x": [[]]}]]}
    parts = []
    olca._encode(odd, 0, parts)
    assert "".join(parts) == json.dumps(odd, indent=2)
    assert olca.entity_json(o.Location(id="x", name="NaN", latitude=math.nan)).count("NaN") == 2
    for parts in (("factor", "TEST-NORMAL"), ("source", "公告", "", None), ("unit", "[mass]", "kg")):
        assert olca._id(*parts) == str(uuid.uuid5(olca.NAMESPACE, "\x1f".join(str(part) for part in parts)))


def _counting_builds(monkeypatch) -> list:
    built = []
    write_zip = olca.write_zip

    def counted(factors):
        built.append(len(factors))
        return write_zip(factors)

    monkeypatch.setattr(olca, "write_zip", counted)
    return built


def test_a_second_download_is_served_from_the_store_until_the_library_changes(session, monkeypatch):
    _library(session)
    built = _counting_builds(monkeypatch)
    first = factor_exchange.export_jsonld(session, by=None)
    session.commit()
    assert factor_exchange.export_jsonld(session, by=None) == first and len(built) == 1
    stored = session.scalars(select(StoredDocument).where(StoredDocument.kind == factor_exchange.EXPORT_KIND)).all()
    assert [document.size for document in stored] == [len(first)]
    subset = factor_exchange.export_jsonld(session, ["TEST-NORMAL"], by=None)
    assert len(built) == 2 and [f["code"] for f in olca.read_zip(subset)] == ["TEST-NORMAL"]

    # An edit (a new version), an archived factor, a new one: each gives another zip, built once.
    edited = session.scalar(select(Factor).where(Factor.code == "TEST-NORMAL"))
    snapshot = edited.snapshot()
    factors.update_factor(
        session, edited, factors.FactorInput(**{**snapshot, "value": 0.5, "published_on": None}), by=ADMIN
    )
    session.commit()
    after_edit = factor_exchange.export_jsonld(session, by=None)
    assert len(built) == 3 and {f["code"]: f["value"] for f in olca.read_zip(after_edit)}["TEST-NORMAL"] == 0.5
    assert factor_exchange.export_jsonld(session, by=None) == after_edit and len(built) == 3
    factors.set_archived(session, edited, True, by=ADMIN)
    session.commit()
    archived = factor_exchange.export_jsonld(session, by=None)
    assert len(built) == 4 and "TEST-NORMAL" not in {f["code"] for f in olca.read_zip(archived)}
    # A change that bypasses the service still moves the factor's version on.
    session.scalar(select(Factor).where(Factor.code == "TEST-UNIFORM")).value = 0.2
    session.commit()
    changed = factor_exchange.export_jsonld(session, by=None)
    assert len(built) == 5 and {f["code"]: f["value"] for f in olca.read_zip(changed)}["TEST-UNIFORM"] == 0.2

    # The submission package: once a day; another day is assessed again.
    package = factor_exchange.submission_package(session, TODAY, by=ADMIN)
    assert len(built) == 6 and factor_exchange.submission_package(session, TODAY, by=ADMIN) == package
    factor_exchange.submission_package(session, TODAY + timedelta(days=1), by=ADMIN)
    assert len(built) == 7


def test_stale_zips_are_dropped_when_a_new_one_is_stored(session):
    _library(session)
    factor_exchange.export_jsonld(session, by=None)
    session.execute(StoredDocument.__table__.update().values(created_at=datetime(2020, 1, 1, tzinfo=UTC)))
    session.add(StoredDocument(checksum="sha256:pdf", kind="pdf", content=b"%PDF", size=4))
    factors.set_archived(session, session.scalar(select(Factor).where(Factor.code == "TEST-NORMAL")), True, by=ADMIN)
    factor_exchange.export_jsonld(session, by=None)
    session.commit()
    kinds = session.scalars(select(StoredDocument.kind).order_by(StoredDocument.kind)).all()
    assert kinds == ["jsonld", "pdf"]  # the old export gone, the rule's PDF untouched


def test_import_into_an_empty_library_creates_every_factor_with_a_version(session):
    _library(session)
    before = _snapshots(session)
    content = factor_exchange.export_jsonld(session, ["TEST-UNIFORM", "test-pedigree"], by=None)
    session.execute(FactorVersion.__table__.delete())
    session.execute(Factor.__table__.delete())
    created, updated = factor_exchange.import_jsonld(session, content, by=ADMIN)
    assert sorted(factor.code for factor in created) == ["TEST-PEDIGREE", "TEST-UNIFORM"] and updated == []
    assert _versions(session) == 2
    for factor in created:
        assert factor.snapshot() == before[factor.code]


def _factor(**changes) -> dict:
    return {
        "code": "Q",
        "name": "因子",
        "value": 1.0,
        "unit": "kgCO2e/kg",
        "tier": "government",
        "source": "公告 2024 年第 12 号",
        "uncertainty": {"distribution": "normal", "sd": 0.1},
        "data_year": 2023,
        **changes,
    }


def test_the_quality_assessment_names_every_reason():
    assert quality.assess(_factor(), TODAY).passed
    literature = quality.assess(_factor(tier="literature"), TODAY)
    certain = quality.assess(_factor(uncertainty=None), TODAY)
    old = quality.assess(_factor(data_year=TODAY.year - quality.MAX_AGE_YEARS - 1), TODAY)
    poor = quality.assess(_factor(uncertainty={"pedigree": [4, 4, 3, 4, 4]}), TODAY)
    nameless = quality.assess(_factor(source="未知", data_year=None), TODAY)
    assert not any(item.passed for item in (literature, certain, old, poor, nameless))
    assert [str(reason) for reason in literature.reasons] == ["数据来源层级为 literature：文献值等不纳入提交"]
    assert [str(reason) for reason in certain.reasons] == ["未给出不确定性（分布或谱系矩阵评分）"]
    assert [str(reason) for reason in old.reasons] == [f"数据年份 {TODAY.year - 6} 距今超过 5 年"]
    assert [check.criterion for check in poor.checks if check.passed is False] == ["quality"]
    assert "DQR 3.80" in str(poor.reasons[0])
    assert [check.criterion for check in nameless.checks if check.passed is False] == ["source", "age"]
    good = quality.assess(_factor(uncertainty={"pedigree": [1, 2, 3, 2, 1]}), TODAY)
    assert good.passed and next(c for c in good.checks if c.criterion == "quality").passed is True
    unrated = quality.assess(_factor(), TODAY)
    assert next(c for c in unrated.checks if c.criterion == "quality").passed is None


def test_the_submission_package_holds_exactly_the_passing_factors_and_the_report(session):
    _library(session)
    for code, changes in (
        ("LEFT-LITERATURE", {"tier": "literature"}),
        ("LEFT-CERTAIN", {"uncertainty": None}),
        ("LEFT-OLD", {"data_year": 2015}),
    ):
        data = {**BASE, **changes}
        uncertainty = data.pop("uncertainty", {"distribution": "normal", "sd": 0.1})
        factors.create_factor(
            session,
            factors.FactorInput(code=code, name=code, value=1.0, unit="kgCO2e/kg", uncertainty=uncertainty, **data),
            by=ADMIN,
        )
    session.commit()
    package = zipfile.ZipFile(io.BytesIO(factor_exchange.submission_package(session, TODAY, by=ADMIN)))
    assert sorted(package.namelist()) == ["README.md", "factors-olca-jsonld.zip", "report.csv", "report.json"]
    report = json.loads(package.read("report.json"))
    passing = {row["code"] for row in report["factors"] if row["passed"]}
    # The uncertain test factors pass; the reference factors carry no uncertainty and are left out.
    assert passing == {code for code, *_ in UNCERTAIN}
    assert report["passed"] == len(passing) and report["total"] == session.scalar(select(func.count(Factor.id)))
    jsonld = package.read("factors-olca-jsonld.zip")
    with zipio.ZipReader(io.BytesIO(jsonld)) as reader:
        assert {process.name for process in reader.read_each(o.Process)} == {name for _, name, *_ in UNCERTAIN}
    assert {factor["code"] for factor in olca.read_zip(jsonld)} == passing
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(package.read("report.csv").decode("utf-8-sig")))}
    assert rows["LEFT-LITERATURE"]["passed"] == "no" and "文献值" in rows["LEFT-LITERATURE"]["reasons"]
    assert "未给出不确定性" in rows["LEFT-CERTAIN"]["reasons"]
    assert "数据年份 2015 距今超过 5 年" in rows["LEFT-OLD"]["reasons"]
    assert rows["TEST-NORMAL"]["passed"] == "yes" and rows["TEST-NORMAL"]["reasons"] == ""
    readme = package.read("README.md").decode()
    assert "文献值不纳入" in readme and "literature values are left out" in readme and "5 years" in readme


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_process(content: bytes, change) -> bytes:
    """The JSON-LD zip with each process's JSON changed by `change(dict)`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = {}
    for name in source.namelist():
        data = source.read(name)
        if name.startswith("processes/"):
            document = json.loads(data)
            change(document)
            data = json.dumps(document)
        entries[name] = data
    return _zip(entries)


def test_refused_zips_change_nothing(session):
    _library(session)
    before, versions = _snapshots(session), _versions(session)
    good = factor_exchange.export_jsonld(session, ["TEST-NORMAL", "TEST-UNIFORM"], by=None)

    def refused(content: bytes) -> str:
        try:
            factor_exchange.import_jsonld(session, content, by=ADMIN)
        except InvalidInput as error:
            session.commit()
            assert _snapshots(session) == before and _versions(session) == versions
            return str(error.message)
        raise AssertionError("not refused")

    assert "不是有效的 zip" in refused(b"PK\x03\x04 not really a zip")
    bomb = _zip({"processes/a.json": b"\0" * (factor_exchange.MAX_UNCOMPRESSED + 1)})
    assert len(bomb) < 1024 * 1024 and "超过上限" in refused(bomb)
    many = _zip({f"x/{n}.json": b"" for n in range(factor_exchange.MAX_ENTRIES + 1)})
    assert "个文件，超过上限" in refused(many)
    assert "没有过程" in refused(_zip({"olca-schema.json": '{"version": 2}'}))

    def bad_tier(document):
        document["tags"] = [t.replace("tier=industry", "tier=rumour") for t in document["tags"]]
        if document["name"] == "公路货运":
            document["tags"] = [t.replace("tier=rumour", "tier=industry") for t in document["tags"]]

    message = refused(_with_process(good, bad_tier))
    assert "TEST-UNIFORM" in message and "rumour" in message and "TEST-NORMAL" not in message

    def without_value(document):
        document["exchanges"] = [e for e in document["exchanges"] if e["internalId"] != olca.VALUE_ID]

    message = refused(_with_process(good, without_value))
    assert "公路货运" in message and "外购蒸汽" in message and "内部编号 2" in message
    broken = _zip(
        {**{n: zipfile.ZipFile(io.BytesIO(good)).read(n) for n in ["olca-schema.json"]}, "processes/x.json": "{"}
    )
    assert "processes/x.json" in refused(broken)


def test_the_pages(client, database, login, monkeypatch):
    with database() as session:
        _library(session)
        content = factor_exchange.export_jsonld(session, ["TEST-NORMAL"], by=None)
        factor_id = session.scalar(select(Factor.id).where(Factor.code == "TEST-NORMAL"))
    assert "/exchange/factors/" in client.get("/factors/").text  # the library links to the exchange
    index = client.get("/exchange/factors/")
    assert index.status_code == 200 and "jsonld-export" in index.text and "导入 JSON-LD" not in index.text
    download = client.get("/exchange/factors/factors.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert len(olca.read_zip(download.data)) > 20
    built = _counting_builds(monkeypatch)
    assert client.get("/exchange/factors/factors.zip").data == download.data and built == []  # from the store
    assert client.get("/exchange/factors/import").status_code in (302, 401)
    assert client.get("/exchange/factors/submission").status_code in (302, 401)
    assert login(Role.DRAFTER).get("/exchange/factors/submission").status_code == 403

    secretariat = login(Role.SECRETARIAT)
    assert "导入 JSON-LD" in secretariat.get("/exchange/factors/").text
    bad = _with_process(content, lambda document: document.update(tags=["workbench:code=TEST-NORMAL"]))
    refused = secretariat.post_form(
        "/exchange/factors/import", {"file": (io.BytesIO(bad), "bad.zip")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "import-refusal" in refused.text and "workbench:tier" in refused.text
    no_token = secretariat.post(
        "/exchange/factors/import", data={"file": (io.BytesIO(content), "f.zip")}, content_type="multipart/form-data"
    )
    assert no_token.status_code == 400  # CSRF
    with database() as session:
        session.get(Factor, factor_id).value = 5.0
        session.commit()
    done = secretariat.post_form(
        "/exchange/factors/import", {"file": (io.BytesIO(content), "f.zip")}, content_type="multipart/form-data"
    )
    assert done.status_code == 302
    with database() as session:
        assert session.get(Factor, factor_id).value == 0.078

    preview = secretariat.get("/exchange/factors/submission")
    assert preview.status_code == 200 and "left-out" in preview.text and "未给出不确定性" in preview.text
    assert "7 / " in preview.text and "table-scroll" in preview.text
    assert secretariat.get("/exchange/factors/submission", query_string={"page": 2}).status_code == 200
    package = secretariat.get("/exchange/factors/submission.zip")
    assert package.status_code == 200 and "report.json" in zipfile.ZipFile(io.BytesIO(package.data)).namelist()


def test_the_commands(cli_runner, database, tmp_path):
    with database() as session:
        _library(session)
        before = _snapshots(session)
    exported = cli_runner("jsonld", "export", "--output", str(tmp_path / "f.zip"))
    assert exported.exit_code == 0, exported.output
    again = cli_runner("jsonld", "import", str(tmp_path / "f.zip"), "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {"created": [], "updated": []}
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    bad = cli_runner("jsonld", "import", str(tmp_path / "bad.zip"))
    assert bad.exit_code != 0 and "zip" in bad.output
    as_drafter = cli_runner("jsonld", "import", str(tmp_path / "f.zip"), "--as", "nobody")
    assert as_drafter.exit_code != 0 and "nobody" in as_drafter.output
    table = cli_runner("jsonld", "submission", "--output", str(tmp_path / "package.zip"))
    assert table.exit_code == 0 and "通过 passed 7 /" in table.output and "MEE-ELEC" in table.output
    assert "report.csv" in zipfile.ZipFile(tmp_path / "package.zip").namelist()
    listed = json.loads(cli_runner("jsonld", "submission", "--format", "json").output)
    assert listed["passed"] == 7 and all(item["reasons"] for item in listed["factors"] if not item["passed"])
    with database() as session:
        assert _snapshots(session) == before
