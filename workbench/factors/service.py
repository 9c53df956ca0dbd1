"""Operations on the factor library: create and change factors (each change a new version),
search, and import (all rows or none) and export as CSV or XLSX. Used by the pages, the CLI and
the tests; never commits.

Reading a file is pure (no database): `read_rows` turns a CSV or XLSX file into numbered rows and
`validate_rows` checks them as the import does, so `workbench calc --factors` can use an exported
library offline (`snapshots`: the rows in the shape of `Factor.snapshot()`)."""

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.db import expect_version, utcnow
from workbench.errors import InvalidInput
from workbench.factors import reference
from workbench.factors.models import Factor, FactorKind, FactorVersion, Tier
from workbench.i18n import N_
from workbench.spreadsheet import safe_text
from workbench.trials import dataset as datasets
from workbench.trials import engine

CSV_COLUMNS = (
    "code",
    "name",
    "value",
    "unit",
    "kind",
    "geography",
    "data_year",
    "published_on",
    "tier",
    "source",
    "source_url",
    "database",
    "standards",
    "note",
)
JSON_COLUMNS = ("gases", "uncertainty")  # optional; JSON text in the cell
FILE_COLUMNS = (*CSV_COLUMNS, *JSON_COLUMNS)  # the import and export format, CSV and XLSX alike
REQUIRED_COLUMNS = ("code", "name", "value", "unit", "kind", "tier", "source")
MAX_IMPORT_ROWS = 20_000
MAX_REPORTED_ROWS = 20
MAX_XLSX_BYTES = 50 * 1024 * 1024  # uncompressed, as the archive declares it
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refuse(field_name: str, message: str):
    raise InvalidInput(message, details={field_name: message})


@dataclass
class FactorInput:
    code: str
    name: str
    value: float | str
    unit: str
    kind: FactorKind | str
    tier: Tier | str
    source: str
    geography: str = ""
    data_year: int | str | None = None
    published_on: date | None = None
    source_url: str = ""
    database: str = ""
    standards: str = ""
    note: str = ""
    gases: dict | None = None
    uncertainty: dict | None = None


def check_unit(unit: str) -> str:
    """`unit` if the calculation engine can read it (a per-activity factor unit such as
    kgCO2e/kWh), else a refusal naming it."""
    from workbench.trials import units

    unit = " ".join((unit or "").split())
    if not unit:
        _refuse("unit", _("请填写单位，如 kgCO2e/kWh。"))
    try:
        units.factor_unit(unit)
    except ValueError as error:
        _refuse("unit", _("单位“%(unit)s”无法识别：%(reason)s", unit=unit, reason=str(error)))
    return unit


def _clean(data: FactorInput) -> dict:
    """The factor's column values, checked and normalised, or a refusal naming the field. Pure:
    whether the code is free is the database's question (`_values`)."""
    code = " ".join((data.code or "").split())
    if not code or len(code) > 80:
        _refuse("code", _("请填写因子编号（不超过 80 个字符）。"))
    name = " ".join((data.name or "").split())
    if not name or len(name) > 200:
        _refuse("name", _("请填写名称（不超过 200 个字符）。"))
    try:
        value = float(data.value)
    except (TypeError, ValueError):
        _refuse("value", _("数值“%(value)s”不是数字。", value=data.value))
    if not math.isfinite(value) or value < 0:
        _refuse("value", _("因子数值须为非负的有限数。"))
    if data.kind not in {kind.value for kind in FactorKind}:
        _refuse("kind", _("类型“%(value)s”无效，可选：%(allowed)s。", value=data.kind, allowed="、".join(FactorKind)))
    if data.tier not in {tier.value for tier in Tier}:
        _refuse("tier", _("数据来源层级“%(value)s”无效，可选：%(allowed)s。", value=data.tier, allowed="、".join(Tier)))
    kind, tier = FactorKind(data.kind), Tier(data.tier)
    year = data.data_year
    if year not in (None, ""):
        if not str(year).isdigit() or not 1950 <= int(year) <= date.today().year + 1:
            _refuse("data_year", _("数据年份“%(year)s”无效，请写四位年份。", year=year))
        year = int(year)
    else:
        year = None
    source = " ".join((data.source or "").split())
    if not source:
        _refuse("source", _("请注明来源（文件名称、文号、页码或网址）：指引（五）要求注明数据来源。"))
    return {
        "code": code,
        "name": name,
        "value": value,
        "unit": check_unit(data.unit),
        "kind": kind,
        "tier": tier,
        "source": source[:500],
        "geography": " ".join((data.geography or "").split())[:100],
        "data_year": year,
        "published_on": data.published_on,
        "source_url": (data.source_url or "").strip()[:500],
        "database": (data.database or "").strip()[:200],
        "standards": (data.standards or "").strip()[:300],
        "note": (data.note or "").strip(),
        "gases": check_gases(data.gases),
        "uncertainty": check_uncertainty(data.uncertainty),
    }


def _values(session: Session, data: FactorInput, factor: Factor | None) -> dict:
    values = _clean(data)
    owner = session.scalar(select(Factor).where(func.lower(Factor.code) == values["code"].lower()))
    if owner is not None and owner is not factor:
        _refuse("code", _("因子编号“%(code)s”已被“%(name)s”使用。", code=values["code"], name=owner.name))
    return values


def check_gases(gases) -> dict | None:
    """Per-gas values ({"CO2": 0.8, "CH4_fossil": 0.001}, in the mass unit of the factor per
    activity unit) keyed by the formulas of the GWP table, or a refusal naming the gas."""
    if gases is None or gases == {}:
        return None
    example = '{"CO2": 0.8, "CH4_fossil": 0.001}'
    if not isinstance(gases, dict):
        _refuse("gases", _("分气体数值应为 JSON 对象，如 %(example)s。", example=example))
    known = engine.gwp_table(engine.DEFAULT_GWP_SET) or {}
    for gas, amount in gases.items():
        if gas not in known:
            _refuse(
                "gases",
                _(
                    "气体“%(gas)s”无法识别：请使用 %(table)s 中的化学式，如 CO2、CH4_fossil、CH4_non_fossil、N2O。",
                    gas=gas,
                    table=engine.DEFAULT_GWP_SET,
                ),
            )
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount < 0:
            _refuse(
                "gases",
                _("气体 %(gas)s 的数值应为非负的有限数，现为 %(value)s。", gas=gas, value=json.dumps(amount)),
            )
    return dict(gases)


def check_uncertainty(uncertainty) -> dict | None:
    """An uncertainty in the shape the trial dataset uses for factors (distribution and its
    parameters, and/or pedigree scores), or a refusal with the dataset's message."""
    if uncertainty is None or uncertainty == {}:
        return None
    if not isinstance(uncertainty, dict):
        _refuse(
            "uncertainty",
            _("不确定性应为 JSON 对象，如 %(example)s。", example='{"distribution": "lognormal", "gsd": 1.2}'),
        )
    problems = datasets.uncertainty_problems(uncertainty)
    if problems:
        more = _("（另有 %(count)d 处问题）", count=len(problems) - 1) if len(problems) > 1 else ""
        _refuse("uncertainty", problems[0] + more)
    return dict(uncertainty)


def snapshot(values: dict) -> dict:
    """Checked values (`_clean`) in the shape of `Factor.snapshot()`: what a calculation uses."""
    published = values["published_on"]
    return {
        "code": values["code"],
        "name": values["name"],
        "value": values["value"],
        "unit": values["unit"],
        "gases": values["gases"],
        "kind": FactorKind(values["kind"]).value,
        "geography": values["geography"],
        "data_year": values["data_year"],
        "published_on": published.isoformat() if published else None,
        "tier": Tier(values["tier"]).value,
        "source": values["source"],
        "source_url": values["source_url"],
        "uncertainty": values["uncertainty"],
        "database": values["database"],
        "standards": values["standards"],
    }


def _record_version(session: Session, factor: Factor) -> None:
    session.flush()
    session.add(
        FactorVersion(factor_id=factor.id, version=factor.version, snapshot=factor.snapshot(), recorded_at=utcnow())
    )


def create_factor(session: Session, data: FactorInput) -> Factor:
    factor = Factor(**_values(session, data, None))
    session.add(factor)
    _record_version(session, factor)
    return factor


def update_factor(
    session: Session, factor: Factor, data: FactorInput, *, reason: str | None = None, expected_version=None
) -> Factor:
    """Change a factor; the old version stays readable, and calculations name the one they used."""
    expect_version(factor, expected_version)
    values = _values(session, data, factor)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(factor, key, value)
    if session.is_modified(factor) or factor.version != max((v.version for v in factor.versions), default=0):
        _record_version(session, factor)
    return factor


@dataclass
class FactorFilters:
    text: str = ""
    unit: str = ""
    geography: str = ""
    tier: str = ""
    kind: str = ""


def search(filters: FactorFilters):
    query = select(Factor).where(Factor.archived_at.is_(None)).order_by(Factor.name, Factor.data_year.desc())
    text = filters.text.strip().lower()
    if text:
        query = query.where(
            or_(
                func.lower(Factor.name).contains(text, autoescape=True),
                func.lower(Factor.code).contains(text, autoescape=True),
                func.lower(Factor.source).contains(text, autoescape=True),
            )
        )
    if filters.unit.strip():
        query = query.where(func.lower(Factor.unit) == filters.unit.strip().lower())
    if filters.geography.strip():
        query = query.where(Factor.geography.contains(filters.geography.strip(), autoescape=True))
    if filters.tier in {tier.value for tier in Tier}:
        query = query.where(Factor.tier == Tier(filters.tier))
    if filters.kind in {kind.value for kind in FactorKind}:
        query = query.where(Factor.kind == FactorKind(filters.kind))
    return query


# --- files: export ----------------------------------------------------------------------------------
#
# One format for CSV and XLSX: the columns of FILE_COLUMNS, the header as row 1, one factor a row,
# per-gas values and uncertainty as JSON text. Text is guarded against formula injection as in the
# drafting workbooks (a leading = + - @ gets an apostrophe; so does a leading apostrophe, so that
# the import can take exactly one off again and a file round-trips without loss).

_GUARDED = ("=", "+", "-", "@", "'")


def _guard(text: str) -> str:
    return "'" + safe_text(text) if text[:1] == "'" else safe_text(text)


def _unguard(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in _GUARDED else text


def _export_values(factor) -> list:
    """The row of a factor: numbers, dates and text (guarded), None for an empty cell."""
    row = []
    for column in FILE_COLUMNS:
        value = getattr(factor, column)
        if column in JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False) if value else None
        elif isinstance(value, FactorKind | Tier):
            value = value.value
        if isinstance(value, str):
            value = _guard(value)
        row.append(value)
    return row


def export_csv(factors) -> str:
    """The factors in the import format, so a file exported and edited imports back."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(FILE_COLUMNS)
    for factor in factors:
        writer.writerow(
            [
                "" if value is None else value.isoformat() if isinstance(value, date) else value
                for value in _export_values(factor)
            ]
        )
    return output.getvalue()


def _xlsx_number(value):
    # openpyxl writes numbers with 16 significant digits: the rare float that needs 17 goes in as
    # text (which the import reads exactly) rather than change in the last digit.
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return repr(value)
    return value


def export_xlsx(factors) -> bytes:
    """The factors as an Excel workbook in the import format (one sheet, the header in row 1)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("因子库")[:31])
    sheet.freeze_panes = "A2"
    widths = {"code": 24, "name": 40, "unit": 14, "kind": 24, "source": 50, "note": 40}
    for index, column in enumerate(FILE_COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths.get(column, 14)
    sheet.append(list(FILE_COLUMNS))
    for factor in factors:
        sheet.append([_xlsx_number(value) for value in _export_values(factor)])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- files: reading ----------------------------------------------------------------------------------


def read_rows(content: bytes, name: str = "") -> list[tuple[int, dict]]:
    """The rows of a factor file, CSV or XLSX told apart by content (an XLSX file is a zip
    archive): [(row number, {column: cell})], the header being row 1, empty rows left out."""
    if content[:2] == b"PK":
        return read_xlsx(content)
    if content[:4] == b"\xd0\xcf\x11\xe0":  # the compound file of .xls and of encrypted workbooks
        raise InvalidInput(
            _(
                "文件是旧版 Excel（.xls）或加密的工作簿：请在表格软件中另存为不加密的“Excel 工作簿（.xlsx）”或“CSV UTF-8”。"
            )
        )
    if name.lower().endswith(".xlsx"):
        raise InvalidInput(_not_xlsx())
    return read_csv(content)


def _not_xlsx() -> str:
    return _("文件不是有效的 Excel 工作簿（.xlsx）：请在表格软件中另存为“Excel 工作簿（.xlsx）”或“CSV UTF-8”。")


def _too_many() -> InvalidInput:
    return InvalidInput(_("一次最多导入 %(max)d 行，请拆分文件。", max=MAX_IMPORT_ROWS))


def _header(cells) -> list[str]:
    header = ["" if cell is None else str(cell).strip().lstrip("\ufeff") for cell in cells]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            _(
                "文件缺少列：%(columns)s。第一行须为列名：%(header)s",
                columns="、".join(missing),
                header=",".join(FILE_COLUMNS),
            )
        )
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        raise InvalidInput(_("第一行的列名重复：%(columns)s。", columns="、".join(repeated)))
    return header


def _is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _row(header: list[str], cells, number: int, rows: list) -> None:
    """Add the row (unless it is empty) as {column: cell}; cells beyond the header under None."""
    if all(_is_empty(cell) for cell in cells):
        return
    if len(rows) >= MAX_IMPORT_ROWS:
        raise _too_many()
    row = {column: cell for column, cell in zip(header, cells, strict=False) if column}
    extra = [cell for cell in cells[len(header) :] if not _is_empty(cell)]
    if extra:
        row[None] = extra
    rows.append((number, row))


def read_csv(content: bytes | str) -> list[tuple[int, dict]]:
    """The rows of a CSV file (UTF-8, with or without BOM). Row numbers count records, as a
    spreadsheet shows them, so a note over several lines is still one row."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("文件不是 UTF-8 编码的 CSV：请在表格软件中另存为“CSV UTF-8”。")) from None
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff").replace("\x00", "")))
    header, rows, number = None, [], 0
    try:
        for number, cells in enumerate(reader, start=1):  # on an error, `number` is the row before
            if header is None:
                header = _header(cells)
            else:
                _row(header, cells, number, rows)
    except csv.Error as error:
        raise InvalidInput(_("第 %(row)d 行不是有效的 CSV：%(reason)s", row=number + 1, reason=str(error))) from None
    if header is None:
        _header([])
    return rows


def read_xlsx(content: bytes) -> list[tuple[int, dict]]:
    """The rows of the first worksheet of an Excel workbook (values, not formulas)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            size = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput(_not_xlsx()) from None
    if size > MAX_XLSX_BYTES:
        raise InvalidInput(
            _("工作簿解压后超过 %(size)d MB：请拆分文件，或另存为“CSV UTF-8”。", size=MAX_XLSX_BYTES // 1024 // 1024)
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl fails on a foreign archive in many ways (KeyError, ValueError, …)
        raise InvalidInput(_not_xlsx()) from None
    rows: list[tuple[int, dict]] = []
    try:
        if not book.worksheets:
            raise InvalidInput(_not_xlsx())
        cells = book.worksheets[0].iter_rows(values_only=True)
        header = _header(next(cells, ()))
        for number, values in enumerate(cells, start=2):
            _row(header, values, number, rows)
    except InvalidInput:
        raise
    except Exception as error:  # a damaged sheet: unreadable XML, a bad number…
        raise InvalidInput(_("工作簿无法读取：%(reason)s", reason=str(error) or type(error).__name__)) from None
    finally:
        book.close()
    return rows


# --- files: checking and importing ---------------------------------------------------------------------


def _text(cell) -> str:
    """A cell as text: numbers as written, dates as YYYY-MM-DD, the export's guard taken off."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != datetime.min.time() else cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, int | float):
        return repr(cell)
    return _unguard(str(cell).strip())


def _published(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _refuse("published_on", _("发布日期“%(value)s”无效，请写成 2024-05-01 的形式。", value=text))


def _no_constant(name: str):
    raise ValueError(name)


def _json_cell(column: str, cell):
    text = _text(cell)
    if not text:
        return None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        _refuse(column, _("不是有效的 JSON：%(text)s", text=text if len(text) <= 60 else text[:57] + "…"))
    if not isinstance(value, dict):
        _refuse(column, _("应为 JSON 对象（{…}），现为 %(text)s。", text=text if len(text) <= 60 else text[:57] + "…"))
    return value


def _input(row: Mapping) -> FactorInput:
    """A file row as the input of a factor; refusals name the column."""
    if row.get(None):
        raise InvalidInput(_("列数多于表头：多出 %(values)s。", values="、".join(_text(cell) for cell in row[None])))
    value = row.get("value")
    return FactorInput(
        code=_text(row.get("code")),
        name=_text(row.get("name")),
        value=value if isinstance(value, int | float) and not isinstance(value, bool) else _text(value),
        unit=_text(row.get("unit")),
        kind=_text(row.get("kind")),
        tier=_text(row.get("tier")),
        source=_text(row.get("source")),
        geography=_text(row.get("geography")),
        data_year=_text(row.get("data_year")) or None,
        published_on=_published(row.get("published_on")),
        source_url=_text(row.get("source_url")),
        database=_text(row.get("database")),
        standards=_text(row.get("standards")),
        note=_text(row.get("note")),
        gases=_json_cell("gases", row.get("gases")),
        uncertainty=_json_cell("uncertainty", row.get("uncertainty")),
    )


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def line(self) -> str:
        if self.column:
            return _("第 %(row)d 行 %(column)s 列：%(reason)s", row=self.row, column=self.column, reason=self.message)
        return _("第 %(row)d 行：%(reason)s", row=self.row, reason=self.message)


def _row_error(number: int, error: InvalidInput) -> RowError:
    column, message = next(iter(error.details.items()), (None, error.message))
    return RowError(number, column if isinstance(column, str) else None, str(message))


def _check_rows(rows: Iterable[tuple[int, Mapping]]) -> tuple[list[tuple[int, dict]], list[RowError], bool]:
    """(checked rows, errors, whether checking stopped at MAX_REPORTED_ROWS errors)."""
    checked, errors, seen = [], [], {}
    for number, row in rows:
        if len(errors) >= MAX_REPORTED_ROWS:
            return checked, errors, True
        try:
            values = _clean(_input(row))
        except InvalidInput as error:
            errors.append(_row_error(number, error))
            continue
        key = values["code"].lower()
        if key in seen:
            message = _("因子编号“%(code)s”与第 %(other)d 行重复。", code=values["code"], other=seen[key])
            errors.append(RowError(number, "code", message))
            continue
        seen[key] = number
        checked.append((number, values))
    return checked, errors, False


def _refused(heading: str, errors: list[RowError], stopped: bool) -> InvalidInput:
    lines = [error.line() for error in errors]
    if stopped:
        lines.append(_("（只列出前 %(count)d 处错误，其后的行未检查。）", count=len(errors)))
    return InvalidInput(
        heading + "\n" + "\n".join(lines),
        details={"rows": [{"row": e.row, "column": e.column, "message": e.message} for e in errors]},
    )


def validate_rows(rows: Iterable[tuple[int, Mapping]]) -> list[tuple[int, dict]]:
    """Pure: each row checked as the import checks it ([(row number, values)], the values those
    `create_factor` stores), or InvalidInput listing the bad rows (at most MAX_REPORTED_ROWS),
    each with its row number and column, in `details["rows"]`. Codes must be unique in the file;
    whether they are free in the library is the import's question."""
    checked, errors, stopped = _check_rows(rows)
    if errors:
        raise _refused(_("因子文件有误，请修改以下各行："), errors, stopped)
    return checked


def snapshots(rows: Iterable[tuple[int, Mapping]]) -> list[dict]:
    """Pure: the rows of an exported library as the calculation reads library factors (the shape
    of `Factor.snapshot()`), after `validate_rows`."""
    return [snapshot(values) for _number, values in validate_rows(rows)]


def import_rows(
    session: Session, rows: Iterable[tuple[int, Mapping]], *, reason: str = N_("CSV 导入")
) -> tuple[list[Factor], list[Factor]]:
    """(created, updated). All rows or none: every row is checked first, and each bad row is
    reported with its row number and column; a factor whose code exists is updated (a new
    version only when something changed)."""
    checked, errors, stopped = _check_rows(rows)
    created, updated = [], []
    if not errors:
        for number, values in checked:
            try:
                data = FactorInput(**values)
                existing = session.scalar(select(Factor).where(func.lower(Factor.code) == values["code"].lower()))
                with change_reason(session, reason):
                    if existing is None:
                        created.append(create_factor(session, data))
                    else:
                        before = existing.version
                        update_factor(session, existing, data)
                        if existing.version != before:
                            updated.append(existing)
            except InvalidInput as error:
                errors.append(_row_error(number, error))
                if len(errors) >= MAX_REPORTED_ROWS:
                    stopped = True
                    break
    if errors:
        raise _refused(_("导入已取消，没有写入任何数据。请修改以下各行后重新导入："), errors, stopped)
    return created, updated


def import_file(session: Session, content: bytes, name: str = "") -> tuple[list[Factor], list[Factor]]:
    """(created, updated) from a CSV or XLSX file, told apart by content."""
    rows = read_rows(content, name)
    return import_rows(session, rows, reason=N_("XLSX 导入") if content[:2] == b"PK" else N_("CSV 导入"))


# --- reference data ---------------------------------------------------------------------------------


def load_reference_factors(session: Session) -> list[Factor]:
    """Create the reference factors (`reference.factor_rows`) that are missing (by code); returns
    those created now."""
    created = []
    for row in reference.factor_rows():
        if session.scalar(select(Factor.id).where(Factor.code == row["code"])) is None:
            created.append(create_factor(session, FactorInput(**row)))
    return created
