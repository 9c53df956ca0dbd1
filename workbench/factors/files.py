"""The factor file, CSV and XLSX alike: the columns of FILE_COLUMNS with the header as row 1,
one factor a row, per-gas values and uncertainty as JSON text in their cells. Writing factors as a
file (`export_csv`, `export_xlsx`), reading a file into numbered rows (`read_rows`), and reading a
row's cells into the fields of a factor's input (`row_fields`). Checking those fields, and the
import, are `service`'s.

No database, no session and no request: a file that cannot be read is refused with an
`InvalidInput` whose sentence says what to do (translated when there is a locale), so
`workbench calc --factors` reads an exported library offline.

Decisions worth knowing:
- Text is guarded against formula injection as in the drafting workbooks (a leading = + - @ gets
  an apostrophe; so does a leading apostrophe, so that the import can take exactly one off again
  and a file round-trips without loss).
- CSV and XLSX are told apart by content (an XLSX file is a zip archive), not by the file's name.
- Row numbers are those a spreadsheet shows: the header is row 1, empty rows still count, and a
  CSV note over several lines is one row.
"""

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum

from flask_babel import gettext as _

from workbench import json_input
from workbench.errors import InvalidInput, refuse
from workbench.spreadsheet import safe_text

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
MAX_XLSX_BYTES = 50 * 1024 * 1024  # uncompressed, as the archive declares it
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the cell guard ---------------------------------------------------------------------------------

_GUARDED = ("=", "+", "-", "@", "'")


def _guard(text: str) -> str:
    return "'" + safe_text(text) if text[:1] == "'" else safe_text(text)


def _unguard(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in _GUARDED else text


# --- writing ----------------------------------------------------------------------------------------


def _export_values(factor) -> list:
    """The row of a factor: numbers, dates and text (guarded), None for an empty cell."""
    row = []
    for column in FILE_COLUMNS:
        value = getattr(factor, column)
        if column in JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False) if value else None
        elif isinstance(value, Enum):  # the kind and the tier, as their codes
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


# --- reading ----------------------------------------------------------------------------------------


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


# --- cells ------------------------------------------------------------------------------------------


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
        refuse("published_on", _("发布日期“%(value)s”无效，请写成 2024-05-01 的形式。", value=text))


def _no_constant(name: str):
    raise ValueError(name)


def _json_cell(column: str, cell):
    text = _text(cell)
    if not text:
        return None
    try:
        value = json_input.loads(text, parse_constant=_no_constant)
    except ValueError:  # not JSON, or nested too deeply to read (json_input)
        refuse(column, _("不是有效的 JSON：%(text)s", text=text if len(text) <= 60 else text[:57] + "…"))
    if not isinstance(value, dict):
        refuse(column, _("应为 JSON 对象（{…}），现为 %(text)s。", text=text if len(text) <= 60 else text[:57] + "…"))
    return value


def row_fields(row: Mapping) -> dict:
    """A file row as the fields of a factor's input (`service.FactorInput`): cells as text, the
    value as the number it was when it was one, the date and the JSON cells read; refusals name
    the column. Whether the fields make a factor is `service`'s question."""
    if row.get(None):
        raise InvalidInput(_("列数多于表头：多出 %(values)s。", values="、".join(_text(cell) for cell in row[None])))
    value = row.get("value")
    return {
        "code": _text(row.get("code")),
        "name": _text(row.get("name")),
        "value": value if isinstance(value, int | float) and not isinstance(value, bool) else _text(value),
        "unit": _text(row.get("unit")),
        "kind": _text(row.get("kind")),
        "tier": _text(row.get("tier")),
        "source": _text(row.get("source")),
        "geography": _text(row.get("geography")),
        "data_year": _text(row.get("data_year")) or None,
        "published_on": _published(row.get("published_on")),
        "source_url": _text(row.get("source_url")),
        "database": _text(row.get("database")),
        "standards": _text(row.get("standards")),
        "note": _text(row.get("note")),
        "gases": _json_cell("gases", row.get("gases")),
        "uncertainty": _json_cell("uncertainty", row.get("uncertainty")),
    }
