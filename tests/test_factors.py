"""The factor library: reference factors with their sources, versions kept on every change,
units read by pint, search, CSV and XLSX import (all rows or none) and export, and
`workbench factors export|import`."""

import io
import json
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth.permissions import Role
from workbench.errors import InvalidInput, StaleVersion
from workbench.factors import files, reference, units
from workbench.factors import service as factors
from workbench.factors.models import Factor, FactorVersion, Tier

from .conftest import ADMIN
from .test_cli import _one_line_error, cli_env, run_workbench  # noqa: F401  (cli_env is a fixture)

DIESEL = dict(
    code="TEST-DIESEL",
    name="柴油燃烧",
    value="3.0959",
    unit="kgCO2/kg",
    kind="co2_combustion_only",
    tier="government",
    source="GB/T 32150 缺省值",
)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_the_reference_factors_load_once_with_their_sources(session):
    created = factors.load_reference_factors(session, by=ADMIN)
    assert len(created) == 24  # 21 MEE/NBS electricity factors and 3 fuels
    national_2023 = session.scalar(
        select(Factor).where(Factor.kind == "cfp_life_cycle", Factor.data_year == 2023, Factor.geography == "全国")
    )
    assert (national_2023.value, national_2023.unit, national_2023.tier) == (0.6205, "kgCO2e/kWh", Tier.GOVERNMENT)
    assert "公告2025年第3号" in national_2023.source
    assert factors.load_reference_factors(session, by=ADMIN) == []
    assert count(session, FactorVersion) == 24


def test_a_change_keeps_the_old_version(session):
    factor = factors.create_factor(session, factors.FactorInput(**DIESEL), by=ADMIN)
    factors.update_factor(
        session, factor, factors.FactorInput(**{**DIESEL, "value": "3.10"}), reason="新版缺省值", by=ADMIN
    )
    session.commit()
    assert [(v.version, v.snapshot["value"]) for v in factor.versions] == [(1, 3.0959), (2, 3.10)]
    event = session.scalar(select(AuditEvent).where(AuditEvent.record_type == "factor", AuditEvent.action == "updated"))
    assert event.changes["value"] == {"before": 3.0959, "after": 3.1} and event.reason == "新版缺省值"
    with pytest.raises(StaleVersion):
        factors.update_factor(session, factor, factors.FactorInput(**DIESEL), expected_version=1, by=ADMIN)
    factors.update_factor(session, factor, factors.FactorInput(**{**DIESEL, "value": "3.10"}), by=ADMIN)
    assert len(factor.versions) == 2  # saving the same values adds no version


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"unit": "kg/kWh"}, "unit", "质量+气体/活动单位"),
        ({"unit": "kgCO2e/frobs"}, "unit", "frobs"),
        ({"value": "-1"}, "value", "非负"),
        ({"value": "nan"}, "value", "非负"),
        ({"value": "三"}, "value", "不是数字"),
        ({"source": " "}, "source", "来源"),
        ({"data_year": "24"}, "data_year", "四位年份"),
        ({"data_year": "2⁰²³"}, "data_year", "四位年份"),  # digits to str.isdigit(), not to int()
        ({"tier": "rumour"}, "tier", "层级"),
        ({"kind": "guess"}, "kind", "类型"),
    ],
)
def test_bad_factors_are_refused_naming_the_field(session, change, field, fragment):
    with pytest.raises(InvalidInput) as refused:
        factors.create_factor(session, factors.FactorInput(**{**DIESEL, **change}), by=ADMIN)
    assert fragment in str(refused.value.details[field])


def test_codes_are_unique_whatever_their_case(session):
    factors.create_factor(session, factors.FactorInput(**DIESEL), by=ADMIN)
    with pytest.raises(InvalidInput, match="已被"):
        factors.create_factor(session, factors.FactorInput(**{**DIESEL, "code": "test-diesel"}), by=ADMIN)


def test_units_are_read_by_pint():
    unit = units.factor_unit("tCO2e/t·km")
    assert (str(unit.gas), units.registry.Quantity(1, unit.activity).to("kg*km").magnitude) == ("CO2e", 1000)
    assert units.conversion("MWh", units.activity_unit("kWh")) == 1000
    with pytest.raises(ValueError, match="不能换算"):
        units.conversion("kg", units.activity_unit("kWh"))


def test_the_engine_falls_back_on_the_newest_national_reference_factor():
    national = [
        row for row in reference.factor_rows() if row["kind"] == "cfp_life_cycle" and row["geography"] == "全国"
    ]
    newest = max(national, key=lambda row: int(row["data_year"]))
    grid = reference.national_grid_factor()
    assert (grid["value"], grid["unit"], grid["tier"]) == (float(newest["value"]), newest["unit"], "government")
    assert grid["source"].startswith(newest["source"])


def test_search_by_name_unit_geography_and_tier(session):
    factors.load_reference_factors(session, by=ADMIN)

    def found(**filters):
        return session.scalars(factors.search(factors.FactorFilters(**filters))).all()

    assert {f.name for f in found(text="柴油")} == {"柴油燃烧二氧化碳排放因子"}
    assert len(found(unit="kgco2e/kwh")) == 5
    assert {f.data_year for f in found(geography="华北")} == {2022}
    assert found(tier="literature") == []


def test_csv_import_is_all_or_nothing_and_export_round_trips(session):
    factors.load_reference_factors(session, by=ADMIN)
    session.commit()
    exported = files.export_csv(session.scalars(select(Factor).order_by(Factor.id)))
    created, updated = factors.import_file(session, exported.encode(), by=ADMIN)
    assert (created, updated) == ([], [])  # nothing changed, no new versions
    before = (count(session, Factor), count(session, FactorVersion))
    bad = exported + "NEW-1,新因子,1.0,kgCO2e/frobs,cfp_life_cycle,,,,government,来源,,,,\n"
    with pytest.raises(InvalidInput) as refused:
        factors.import_file(session, bad.encode(), by=ADMIN)
    session.rollback()
    assert "第 26 行" in str(refused.value.message) and "frobs" in str(refused.value.message)
    assert (count(session, Factor), count(session, FactorVersion)) == before


def test_the_library_pages(client, database, login):
    with database() as session:
        factors.load_reference_factors(session, by=ADMIN)
        session.commit()
        factor_id = session.scalar(select(Factor.id).where(Factor.geography == "华北"))
    page = client.get("/factors/", query_string={"q": "电力", "geography": "华北"})
    assert page.status_code == 200 and "0.6776" in page.text
    assert "生态环境部" in client.get(f"/factors/{factor_id}").text
    export = client.get("/factors/export.csv", query_string={"geography": "华北"})
    assert export.mimetype == "text/csv" and export.text.count("\n") == 2
    edited = login(Role.SECRETARIAT).post_form(
        f"/factors/{factor_id}/edit",
        {
            **DIESEL,
            "code": "HB-2022",
            "name": "华北电网",
            "unit": "kgCO2/kWh",
            "kind": "co2_location_based",
            "value": "0.68",
        },
    )
    assert edited.status_code == 302
    assert "0.6776" in client.get(f"/factors/{factor_id}").text  # the old version is still listed


@pytest.mark.parametrize(
    ("written", "base"),
    [("kt", ("t", 1000)), ("万t", ("t", 10000)), ("tkm", ("t*km", 1)), ("Nm3", ("m**3", 1)), ("万kWh", ("kWh", 10000))],
)
def test_units_of_chinese_statistics(written, base):
    unit, factor = base
    assert units.conversion(written, units.activity_unit(unit)) == pytest.approx(factor, rel=1e-12)


# --- XLSX, per-gas values and uncertainty --------------------------------------------------------------

GASES = {"CO2": 3.05, "CH4_fossil": 0.0001, "N2O": 0.00002}
UNCERTAINTY = {"distribution": "lognormal", "gsd": 1.05, "pedigree": [1, 2, 1, 1, 3]}


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _library_with_details(session) -> list[Factor]:
    factors.load_reference_factors(session, by=ADMIN)
    diesel = factors.create_factor(
        session,
        factors.FactorInput(
            **{**DIESEL, "value": 3.0959, "note": '=HYPERLINK("http://evil.example")', "geography": "-全国"},
            gases=GASES,
            uncertainty=UNCERTAINTY,
            published_on=date(2024, 5, 1),
            data_year=2023,
            standards="'quoted' GB/T 32150",
        ),
        by=ADMIN,
    )
    session.commit()
    assert diesel.gases == GASES
    return session.scalars(select(Factor).order_by(Factor.id)).all()


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_import_round_trip_keeps_gases_and_uncertainty(session, file_format):
    library = _library_with_details(session)
    exported = files.export_xlsx(library) if file_format == "xlsx" else files.export_csv(library).encode()
    # read back without a database: exactly the snapshots the library holds
    assert factors.snapshots(files.read_rows(exported)) == [factor.snapshot() for factor in library]
    before = (count(session, Factor), count(session, FactorVersion))
    assert factors.import_file(session, exported, by=ADMIN) == ([], [])  # nothing changed, no new versions
    assert (count(session, Factor), count(session, FactorVersion)) == before
    diesel = session.scalar(select(Factor).where(Factor.code == "TEST-DIESEL"))
    assert diesel.note == '=HYPERLINK("http://evil.example")' and diesel.standards == "'quoted' GB/T 32150"


def test_xlsx_export_neutralises_formulas_and_keeps_numbers_and_dates(session):
    library = _library_with_details(session)
    sheet = load_workbook(io.BytesIO(files.export_xlsx(library))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == list(files.FILE_COLUMNS)
    row = {column: cell for column, cell in zip(header, sheet[sheet.max_row], strict=True)}
    assert row["code"].value == "TEST-DIESEL"
    assert row["note"].data_type == "s" and row["note"].value == '\'=HYPERLINK("http://evil.example")'
    assert row["geography"].value == "'-全国"
    assert (row["value"].data_type, row["value"].value, row["data_year"].value) == ("n", 3.0959, 2023)
    assert row["published_on"].is_date and row["published_on"].value == datetime(2024, 5, 1)
    assert json.loads(row["gases"].value) == GASES and json.loads(row["uncertainty"].value) == UNCERTAINTY
    assert not any(cell.data_type == "f" for line in sheet.iter_rows() for cell in line)


def test_xlsx_import_is_all_or_nothing_with_row_numbers_and_columns(session):
    header = ("code", "name", "value", "unit", "kind", "tier", "source", "published_on", "data_year", "gases")
    good = ("NEW-1", "新因子", 1.5, "kgCO2e/kWh", "cfp_life_cycle", "government", "公告", datetime(2024, 5, 1), 2023.0)
    content = xlsx(
        header,
        good,
        (),  # an empty row still counts in the numbering
        ("NEW-2", "坏数值", "abc", "kgCO2e/kWh", "cfp_life_cycle", "government", "公告"),
        ("NEW-3", "坏气体", 1, "kgCO2/kg", "process_emission", "industry", "文献", None, None, '{"CO2": -1}'),
        ("new-1", "重复", 1, "kgCO2e/kWh", "cfp_life_cycle", "government", "公告"),
        ("NEW-4", "坏日期", 1, "kgCO2e/kWh", "cfp_life_cycle", "government", "公告", "2024年5月"),
    )
    with pytest.raises(InvalidInput) as refused:
        factors.import_file(session, content, by=ADMIN)
    session.rollback()
    message = str(refused.value.message)
    assert message.startswith("导入已取消，没有写入任何数据")
    assert "第 4 行 value 列：数值“abc”不是数字" in message
    assert "第 5 行 gases 列" in message and "非负" in message
    assert "第 6 行 code 列" in message and "第 2 行重复" in message
    assert "第 7 行 published_on 列" in message
    assert [(row["row"], row["column"]) for row in refused.value.details["rows"]] == [
        (4, "value"),
        (5, "gases"),
        (6, "code"),
        (7, "published_on"),
    ]
    assert count(session, Factor) == 0
    created, updated = factors.import_file(session, xlsx(header, good), by=ADMIN)
    assert (len(created), updated) == (1, [])
    factor = created[0]
    assert (factor.value, factor.data_year, factor.published_on.isoformat()) == (1.5, 2023, "2024-05-01")
    event = session.scalar(select(AuditEvent).where(AuditEvent.record_type == "factor"))
    assert event.reason == "XLSX 导入"


@pytest.mark.parametrize(
    ("column", "cell", "fragment"),
    [
        ("gases", "[0.8]", "JSON 对象"),
        ("gases", '{"CO2": NaN}', "不是有效的 JSON"),
        ("gases", '{"CO2": "0.8"}', "非负的有限数"),
        ("gases", '{"CO3": 0.8}', "CO3"),
        ("uncertainty", "lognormal", "不是有效的 JSON"),
        ("uncertainty", '{"distribution": "normal"}', "「标准差」（sd）"),
        ("uncertainty", '{"distribution": "lognormal", "gsd": 0.5}', "不应小于 1"),
        ("uncertainty", '{"distribution": "lognormal", "gsd": 1.2, "spread": 2}', "spread"),
    ],
)
def test_bad_json_cells_name_their_row_and_column(session, column, cell, fragment):
    content = xlsx(
        ("code", "name", "value", "unit", "kind", "tier", "source", column),
        ("X-1", "柴油", 3.1, "kgCO2/kg", "co2_combustion_only", "government", "默认值", cell),
    )
    with pytest.raises(InvalidInput) as refused:
        factors.import_file(session, content, by=ADMIN)
    assert f"第 2 行 {column} 列" in str(refused.value.message) and fragment in str(refused.value.message)


def test_files_that_are_not_xlsx_are_refused(session):
    with pytest.raises(InvalidInput, match="另存为“Excel 工作簿（.xlsx）”"):
        files.read_xlsx(b"code,name\n")
    with pytest.raises(InvalidInput, match="另存为“Excel 工作簿（.xlsx）”"):
        files.read_rows(b"PK\x03\x04 not really a zip")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InvalidInput, match="不是有效的 Excel 工作簿"):
        factors.import_file(session, archive.getvalue(), by=ADMIN)
    with pytest.raises(InvalidInput, match=r"旧版 Excel（\.xls）"):
        factors.import_file(session, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), by=ADMIN)
    with pytest.raises(InvalidInput, match="不是有效的 Excel 工作簿"):
        factors.import_file(session, b"code,name\n", "factors.xlsx", by=ADMIN)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as writer:
        writer.writestr("xl/worksheets/sheet1.xml", bytes(files.MAX_XLSX_BYTES + 1))
    with pytest.raises(InvalidInput, match="解压后超过 50 MB"):
        factors.import_file(session, bomb.getvalue(), by=ADMIN)
    with pytest.raises(InvalidInput, match="缺少列：value"):
        factors.import_file(session, xlsx(("code", "name", "unit", "kind", "tier", "source")), by=ADMIN)


def test_csv_rows_are_counted_as_a_spreadsheet_shows_them(session):
    content = (
        "code,name,value,unit,kind,tier,source,note\n"
        'A-1,甲,1,kgCO2e/kWh,cfp_life_cycle,government,公告,"第一行\n第二行"\n'
        "\n"
        "A-2,乙,-1,kgCO2e/kWh,cfp_life_cycle,government,公告,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        factors.import_file(session, content.encode(), by=ADMIN)
    assert refused.value.details["rows"] == [{"row": 4, "column": "value", "message": "因子数值须为非负的有限数。"}]


def test_only_twenty_bad_rows_are_listed(session):
    rows = [("code", "name", "value", "unit", "kind", "tier", "source")]
    rows += [(f"B-{n}", "坏", "x", "kgCO2e/kWh", "cfp_life_cycle", "government", "公告") for n in range(30)]
    with pytest.raises(InvalidInput) as refused:
        factors.import_file(session, xlsx(*rows), by=ADMIN)
    assert len(refused.value.details["rows"]) == factors.MAX_REPORTED_ROWS
    assert "只列出前 20 处错误" in str(refused.value.message)


def test_editing_a_factor_in_the_form_keeps_its_gases(client, database, login):
    with database() as session:
        factor = factors.create_factor(session, factors.FactorInput(**DIESEL, gases=GASES), by=ADMIN)
        session.commit()
        factor_id = factor.id
    edited = login(Role.SECRETARIAT).post_form(
        f"/factors/{factor_id}/edit", {**DIESEL, "value": "3.1", "version": "1", "reason": "新版"}
    )
    assert edited.status_code == 302
    with database() as session:
        assert session.get(Factor, factor_id).gases == GASES
    assert "CH4_fossil" in client.get(f"/factors/{factor_id}").text


def test_xlsx_pages(client, database, login):
    with database() as session:
        factors.load_reference_factors(session, by=ADMIN)
        session.commit()
    export = client.get("/factors/export.xlsx", query_string={"geography": "华北"})  # public, like the CSV
    assert export.status_code == 200 and export.mimetype == files.XLSX_MIMETYPE
    assert (
        "attachment" in export.headers["Content-Disposition"]
        and "factors.xlsx" in export.headers["Content-Disposition"]
    )
    rows = files.read_rows(export.data)
    assert [row["geography"] for _number, row in rows] == ["华北"] and rows[0][1]["value"] == 0.6776
    listing = client.get("/factors/", query_string={"geography": "华北"}).text
    assert "/factors/export.xlsx?geography=" in listing

    secretariat = login(Role.SECRETARIAT)
    page = secretariat.get("/factors/import")
    assert 'accept=".csv,.xlsx' in page.text and re.search(r"不超过 \d+ MB", page.text)
    header = ("code", "name", "value", "unit", "kind", "tier", "source", "gases")
    upload = xlsx(
        header, ("X-1", "柴油", 3.1, "kgCO2/kg", "co2_combustion_only", "government", "默认值", '{"CO2": 3.1}')
    )
    done = secretariat.post_form(
        "/factors/import", {"file": (io.BytesIO(upload), "因子.xlsx")}, content_type="multipart/form-data"
    )
    assert done.status_code == 302
    with database() as session:
        assert session.scalar(select(Factor).where(Factor.code == "X-1")).gases == {"CO2": 3.1}
    bad = xlsx(header, ("X-2", "柴油", "三", "kgCO2/kg", "co2_combustion_only", "government", "默认值"))
    refused = secretariat.post_form(
        "/factors/import", {"file": (io.BytesIO(bad), "bad.xlsx")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "第 2 行 value 列" in refused.text
    wrong = secretariat.post_form(
        "/factors/import", {"file": (io.BytesIO(b"hello"), "notes.txt")}, content_type="multipart/form-data"
    )
    assert wrong.status_code == 422 and ".xlsx" in wrong.text
    with database() as session:
        assert session.scalar(select(Factor).where(Factor.code == "X-2")) is None


# --- the command line ----------------------------------------------------------------------------------


def test_cli_export_and_import(cli_runner, database, tmp_path):
    with database() as session:
        _library_with_details(session)
    for name, arguments in (("library.xlsx", ()), ("library.csv", ()), ("library.data", ("--format", "xlsx"))):
        exported = cli_runner("factors", "export", str(tmp_path / name), *arguments)
        assert exported.exit_code == 0, exported.output
        assert "已导出 25 个因子" in exported.output
        again = cli_runner("factors", "import", str(tmp_path / name), "--format", "json")
        assert again.exit_code == 0, again.output
        assert json.loads(again.output) == {"created": [], "updated": []}
    assert load_workbook(io.BytesIO((tmp_path / "library.data").read_bytes())).worksheets[0]["A1"].value == "code"
    assert (tmp_path / "library.csv").read_bytes().startswith(b"\xef\xbb\xbfcode,name,")
    unknown = cli_runner("factors", "export", str(tmp_path / "library.txt"))
    assert unknown.exit_code == 2 and "--format" in unknown.output
    upload = tmp_path / "new.xlsx"
    upload.write_bytes(
        xlsx(
            ("code", "name", "value", "unit", "kind", "tier", "source"),
            ("X-1", "柴油", 3.1, "kgCO2/kg", "co2_combustion_only", "government", "默认值"),
        )
    )
    imported = cli_runner("factors", "import", str(upload))
    assert imported.exit_code == 0 and "新增 created 1，更新 updated 0" in imported.output


def test_cli_import_refuses_a_bad_file_and_writes_nothing(cli_env, app, tmp_path):  # noqa: F811
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx(
            ("code", "name", "value", "unit", "kind", "tier", "source"),
            ("X-1", "柴油", 3.1, "kgCO2/kg", "co2_combustion_only", "government", "默认值"),
            ("X-2", "柴油", 3.1, "kgCO2/frobs", "co2_combustion_only", "government", "默认值"),
        )
    )
    refused = run_workbench("factors", "import", str(bad), env=cli_env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("错误 error: 导入已取消") and "第 3 行 unit 列" in refused.stderr
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_text("code,name\n", encoding="utf-8")
    assert "另存为" in _one_line_error(run_workbench("factors", "import", str(not_xlsx), env=cli_env))
    with app.app_context():
        from workbench.db import db

        assert db.session.scalar(select(func.count()).select_from(Factor)) == 0
