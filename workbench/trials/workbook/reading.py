"""Reading a filled-in workbook back into a trial dataset, with every problem located by sheet,
row and column (see the package's docstring for the limits). PURE.

Problems are built as `Message`s and rendered at the end in the language of the caller's
`translate` (the web layer's gettext; Chinese by default, as the command line shows them). Sheet
names and the headers of the workbook are shown as written: the workbook is a Chinese form."""

import io
import zipfile
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple

from workbench.messages import N_, Joined, Message, Translate, identity
from workbench.trials.workbook.columns import (
    _PARENTHESISED,
    COLUMN,
    HEADER_SEARCH_ROWS,
    INFO_FIELDS,
    INFO_SHEET,
    INSTRUCTIONS_SHEET,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    META_SHEET,
    PROCESS_COLUMN,
    PROCESS_SHEET,
    REQUIRED_COLUMNS,
    REQUIRED_PROCESS_COLUMNS,
    STAGE_NAMES,
    STAGES,
    Column,
    _at,
    _blank_to_none,
    _normal,
    _number,
    _Refused,
    _text,
    exchange_from_row,
    header_text,
    line_from_row,
    processes_from_exchanges,
)

# A problem: (where, what), each a Message, or already text in the reader's language (the
# problems of a row, which `line_from_row` renders).
Problem = tuple[Message | str, Message | str]


class _Refusal(Exception):
    """The file as a whole cannot be read: one problem, no dataset."""

    def __init__(self, location: Message, template: str, **params):
        message = Message(template, params)
        super().__init__(message.render())
        self.problem = (location, message)


def read_workbook(content: bytes, translate: Translate = identity) -> tuple[dict, list[tuple[str, str]]]:
    """(dataset, problems) from an uploaded workbook; problems as (location, message) in the
    language of `translate`, the location naming the sheet, row and column, and the message naming
    them too (it reads on its own). A file that cannot be read at all gives ({}, [one problem])."""
    dataset, problems, _ = read_workbook_located(content, translate)
    return dataset, problems


def read_workbook_located(
    content: bytes, translate: Translate = identity
) -> tuple[dict, list[tuple[str, str]], list[str]]:
    """As `read_workbook`, plus where each line came from ("工作表“生产”第 7 行" for lines[i]), so a
    caller can name the row in dataset.validate's messages about /lines/i."""
    try:
        dataset, problems, locations = _read(content, translate)
    except _Refusal as refusal:
        dataset, problems, locations = {}, [refusal.problem], []
    shown = [(_say(where, translate), _say(message, translate)) for where, message in problems]
    return dataset, shown, [_say(where, translate) for where in locations]


def _say(text: Message | str, translate: Translate) -> str:
    return text.render(translate) if isinstance(text, Message) else text


def _sheet(title: str) -> Message:
    return Message(N_("工作表“%(sheet)s”"), {"sheet": title})


def _row(title: str, number: int) -> Message:
    return Message(N_("工作表“%(sheet)s”第 %(row)d 行"), {"sheet": title, "row": number})


def _cell(where: Message, header: str) -> Message:
    return Message(N_("%(where)s「%(column)s」"), {"where": where, "column": Message(header)})


_FILE = Message(N_("上传的文件"))
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .xls, and of encrypted .xlsx
_SAVE_AS = Message(N_("请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再上传。"))
_SAVE_AGAIN = Message(N_("是公式，但文件中没有保存计算结果：请在 Excel 中打开该文件并保存后再上传。"))


def _archive(content: bytes) -> zipfile.ZipFile:
    """The zip of an .xlsx, refused before any XML is parsed when it is not one or too big inside."""
    if not content:
        raise _Refusal(_FILE, N_("文件是空的：请选择填好的工作簿后再上传。"))
    if content.startswith(_OLE):
        raise _Refusal(
            _FILE,
            N_("这是旧版 Excel（.xls）文件或设置了密码的工作簿，无法读取：%(save_as)s如有密码请先取消。"),
            save_as=_SAVE_AS,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _Refusal(
            _FILE,
            N_("这不是 Excel 工作簿（.xlsx）文件（CSV、.xls、.et 等格式不能读取）：%(save_as)s"),
            save_as=_SAVE_AS,
        ) from None
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        archive.close()
        raise _Refusal(
            _FILE,
            N_("工作簿解压后超过 %(limit)d MB：请删除图片和无关的工作表后再上传。"),
            limit=MAX_UNCOMPRESSED // (1024 * 1024),
        )
    if "xl/workbook.xml" not in archive.namelist():
        archive.close()
        raise _Refusal(_FILE, N_("这不是 Excel 工作簿（.xlsx）文件：%(save_as)s"), save_as=_SAVE_AS)
    return archive


def _read(content: bytes, translate: Translate) -> tuple[dict, list[Problem], list[Message]]:
    archive = _archive(content)
    with archive:
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        except Exception:  # openpyxl raises many kinds of error for a damaged file
            raise _Refusal(
                _FILE,
                N_("无法读取该工作簿，文件可能已损坏：请在 Excel 中打开，“另存为” Excel 工作簿（.xlsx）后再上传。"),
            ) from None
        try:
            return _read_book(book, archive, translate)
        finally:
            book.close()


def _stage_of(title: str) -> str | None:
    text = _normal(title)
    match = _PARENTHESISED.match(text)
    candidates = [match[1], match[2]] if match else [text]
    for candidate in candidates:
        for stage in STAGES:
            if candidate == STAGE_NAMES[stage] or candidate.casefold() == stage:
                return stage
    return None


def _read_book(book, archive: zipfile.ZipFile, translate: Translate) -> tuple[dict, list[Problem], list[Message]]:
    problems: list[Problem] = []
    info: dict = {}
    stage_sheets = []
    process_sheet = None
    seen: dict[str, str] = {}
    allowed = Joined(N_("、"), (INSTRUCTIONS_SHEET, INFO_SHEET, *STAGE_NAMES.values(), PROCESS_SHEET))
    for sheet in book.worksheets:
        title = sheet.title
        if title in (META_SHEET, INSTRUCTIONS_SHEET):
            continue
        if _normal(title) == INFO_SHEET:
            info = _read_info(sheet, archive, problems)
            continue
        if _normal(title) == PROCESS_SHEET or _normal(title).casefold() == "processes":
            if process_sheet is not None:
                message = N_("工作表“%(sheet)s”与“%(other)s”都是过程表，未读取：请把数据合并到一张工作表中。")
                problems.append((_sheet(title), Message(message, {"sheet": title, "other": process_sheet.title})))
            else:
                process_sheet = sheet
            continue
        stage = _stage_of(title)
        if stage is None:
            if sheet.sheet_state == "visible":
                message = N_("不认识工作表“%(sheet)s”：工作表应为 %(allowed)s 之一，请改名或删除该工作表。")
                problems.append((_sheet(title), Message(message, {"sheet": title, "allowed": allowed})))
            continue
        if stage in seen:
            message = N_("工作表“%(sheet)s”与“%(other)s”都是%(stage)s阶段，未读取：请把数据合并到一张工作表中。")
            params = {"sheet": title, "other": seen[stage], "stage": Message(STAGE_NAMES[stage])}
            problems.append((_sheet(title), Message(message, params)))
            continue
        seen[stage] = title
        stage_sheets.append((sheet, stage))

    lines: list[dict] = []
    locations: list[Message] = []
    for sheet, stage in stage_sheets:
        _read_stage(sheet, stage, archive, lines, locations, problems, translate)
    processes = _read_processes(process_sheet, archive, len(lines), problems, translate) if process_sheet else []

    dataset: dict = {key: info[key] for key in ("enterprise", "period") if key in info}
    dataset["reference_flow"] = {key: info[key] for key in ("quantity", "unit", "product") if key in info}
    dataset["lines"] = lines
    if processes:
        dataset["processes"] = processes
    return dataset, problems, locations


def _column_of(text, columns: dict[str, Column] = COLUMN) -> Column | None:
    if not isinstance(text, str):
        return None
    text = _normal(text).rstrip("*＊").strip()
    match = _PARENTHESISED.match(text)
    if match and match[2] in columns:
        return columns[match[2]]
    label = match[1] if match else text
    for column in columns.values():
        if label in (column.header, column.key):
            return column
    return None


def _rows(sheet):
    """(row number, values) of every row, whatever the sheet claims its size is."""
    sheet.reset_dimensions()  # some writers state a wrong size; read what is there
    return enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1)


def _table_rows(sheet, archive, columns: dict[str, Column], required: tuple[str, ...], problems):
    """(where, {column key: value}) of each data row below the header row (where as a Message), or nothing
    for an empty sheet. The header is the first row naming a known column; an enterprise may add a
    title row above it. A sheet with values but no header, or a header without a required column,
    is refused."""
    title = sheet.title
    pending = _formulas_without_values(sheet, archive)
    rows = _rows(sheet)
    header: dict[str, int] | None = None
    header_row = 0
    for number, values in rows:
        found = {}
        for index, text in enumerate(values):
            column = _column_of(text, columns)
            if column is not None and column.key not in found:
                found[column.key] = index
        if found:
            header, header_row = found, number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if not _sheet_has_values(sheet):
            return  # an empty sheet: nothing in it
        raise _Refusal(
            _sheet(title),
            N_("工作表“%(sheet)s”找不到表头行：第一行应为各列的名称，如“%(example)s”。请从模板中复制表头。"),
            sheet=title,
            example=header_text(columns["amount"]),
        )
    missing = [key for key in required if key not in header]
    if missing:
        raise _Refusal(
            _row(title, header_row),
            N_("工作表“%(sheet)s”的表头缺少 %(columns)s 列：请从模板中复制表头。"),
            sheet=title,
            columns=Joined(N_("、"), tuple(header_text(columns[key]) for key in missing)),
        )
    for number, values in rows:
        where = _row(title, number)
        row = {}
        for key, index in header.items():
            value = values[index] if index < len(values) else None
            if value is None and (number, index + 1) in pending:
                header_name = columns[key].header
                problems.append((_cell(where, header_name), _at(where, header_name, _SAVE_AGAIN)))
            row[key] = value
        yield where, row


def _read_stage(sheet, stage, archive, lines, locations, problems, translate: Translate) -> None:
    for where, row in _table_rows(sheet, archive, COLUMN, REQUIRED_COLUMNS, problems):
        line, row_problems = line_from_row(row, stage, where.render(translate), translate)
        if line is None:
            continue
        if len(lines) >= MAX_ROWS:
            raise _Refusal(_FILE, N_("活动数据超过 %(max)d 行：请合并同类项目后再上传。"), max=MAX_ROWS)
        lines.append(line)
        locations.append(where)
        problems.extend((_cell(where, COLUMN[key].header), message) for key, message in row_problems)


def _read_processes(sheet, archive, line_count: int, problems, translate: Translate) -> list[dict]:
    """processes[] from the 过程 sheet: one row per output or input, grouped by process id."""
    located = []
    rows_at = {}  # the rendered place of a row (what processes_from_exchanges reports) -> its Message
    for where, row in _table_rows(sheet, archive, PROCESS_COLUMN, REQUIRED_PROCESS_COLUMNS, problems):
        place = where.render(translate)
        entry, row_problems = exchange_from_row(row, place, translate)
        problems.extend((_cell(where, PROCESS_COLUMN[key].header), message) for key, message in row_problems)
        if entry is None:
            continue
        if line_count + len(located) >= MAX_ROWS:
            raise _Refusal(
                _FILE, N_("活动数据与过程的数据行合计超过 %(max)d 行：请合并同类项目后再上传。"), max=MAX_ROWS
            )
        located.append((entry, place))
        rows_at[place] = where
    processes, grouping = processes_from_exchanges(located, translate)
    problems.extend((_cell(rows_at[place], PROCESS_COLUMN[key].header), message) for place, key, message in grouping)
    return processes


def _sheet_has_values(sheet) -> bool:
    return any(_blank_to_none(value) is not None for _, values in _rows(sheet) for value in values)


def _read_info(sheet, archive, problems) -> dict:
    pending = _formulas_without_values(sheet, archive)
    names = {key: label for key, label, _ in INFO_FIELDS}
    keys = {label: key for key, label in names.items()} | {key: key for key in names}
    info: dict = {}
    for number, values in _rows(sheet):
        if not values or not isinstance(values[0], str):
            continue
        text = _normal(values[0])  # "企业名称 (enterprise)", "企业名称" or "enterprise"
        match = _PARENTHESISED.match(text)
        key = (keys.get(match[2]) or keys.get(match[1])) if match else keys.get(text)
        if key is None or key in info:
            continue
        label, row = names[key], _row(INFO_SHEET, number)
        value = _blank_to_none(values[1] if len(values) > 1 else None)
        if value is None:
            if (number, 2) in pending:
                problems.append((_cell(row, label), _at(row, label, _SAVE_AGAIN)))
            continue
        try:
            info[key] = _number(value) if key == "quantity" else _text(value)
        except _Refused as refused:
            problems.append((_cell(row, label), _at(row, label, refused.message)))
    return info


def _formulas_without_values(sheet, archive: zipfile.ZipFile) -> set[tuple[int, int]]:
    """(row, column) of the cells holding a formula whose result was never saved (files written by
    scripts; Excel and WPS save results). openpyxl's data_only reading gives None for them, as for an
    empty cell; a formula whose saved result is empty text (t="str") is not one of them."""
    path = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheets know their part
    if not path or path not in archive.namelist():
        return set()
    found = set()
    row_number, column_number = 0, 0
    with archive.open(path) as source:
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row":
                if event == "start":  # r may be left out: then it is the next row
                    row_number, column_number = int(element.get("r") or row_number + 1), 0
                else:
                    element.clear()  # keep memory flat on long sheets
                continue
            if tag != "c" or event != "end":
                continue
            reference = element.get("r")
            if reference:
                row_number, column_number = coordinate_to_tuple(reference)
            else:
                column_number += 1
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            if "f" in children:
                value = children.get("v")
                saved = value is not None and (value.text or element.get("t") in ("str", "s", "inlineStr"))
                if not saved:
                    found.add((row_number, column_number))
    return found
