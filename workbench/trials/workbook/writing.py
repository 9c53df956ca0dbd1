"""Writing the workbook template for a rule revision (`template_workbook`, see the package's
docstring): deterministic bytes for the same revision. PURE."""

import io
import re
import unicodedata
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.guideline.vocabulary import (
    CATEGORY_STAGES,
    DATA_TYPES,
    INSTRUMENTS,
)
from workbench.trials.workbook.columns import (
    _COLUMN_HELP,
    _FIXED_TIME,
    _PROCESS_COLUMN_HELP,
    _WIDE,
    CATEGORY_NAMES,
    CHOICES,
    COLUMNS,
    INFO_FIELDS,
    INFO_SHEET,
    INSTRUCTIONS_SHEET,
    MAX_ROWS,
    META_SHEET,
    PROCESS_COLUMNS,
    PROCESS_SHEET,
    REQUIRED_COLUMNS,
    REQUIRED_PROCESS_COLUMNS,
    STAGE_NAMES,
    STAGES,
    TEMPLATE_ID,
    _dict,
    _list,
    header_text,
)

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_PREFILLED_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def template_workbook(document: dict, *, rule_code: str, revision: int) -> bytes:
    """The .xlsx an enterprise fills in for `document` (a rule document), revision `revision`."""
    params = _dict(_dict(document).get("parameters"))
    included = _list(_dict(params.get("system_boundary")).get("stages_included"))
    # A draft without a boundary still gets a usable workbook: every stage.
    stages = [stage for stage in STAGES if stage in included] or list(STAGES)
    prefilled = _prefilled_categories(params, stages)

    book = Workbook()
    book.properties.creator = "CFP Standards Workbench"
    book.properties.created = book.properties.modified = _FIXED_TIME
    book.properties.title = f"{document.get('title') or rule_code} 试算数据填报表"
    _instructions(book.active, document, params, stages, rule_code, revision)
    _info_sheet(book.create_sheet(INFO_SHEET), document, params)
    for stage in stages:
        _stage_sheet(book.create_sheet(_sheet_name(STAGE_NAMES[stage])), prefilled[stage])
    _process_sheet(book.create_sheet(PROCESS_SHEET))
    meta = book.create_sheet(META_SHEET)
    for row in (("template", TEMPLATE_ID), ("rule_code", rule_code), ("revision", revision)):
        meta.append(row)
    meta.sheet_state = "hidden"
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def _prefilled_categories(params: dict, stages: list[str]) -> dict[str, list[str]]:
    """The rule's activity categories per stage where the engine expects them; a category whose
    stages are all outside the boundary is expected somewhere, so it goes to the first stage."""
    result: dict[str, list[str]] = {stage: [] for stage in stages}
    for category in _list(params.get("activity_data_categories")):
        if category not in CATEGORY_NAMES:
            continue
        places = [stage for stage in CATEGORY_STAGES.get(category, ()) if stage in result] or stages[:1]
        for stage in places:
            result[stage].append(category)
    return result


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", text).strip("'")[:31]


def _reference_unit(params: dict) -> tuple[str, dict]:
    if isinstance(params.get("functional_unit"), dict):
        return "功能单位", params["functional_unit"]
    if isinstance(params.get("declared_unit"), dict):
        return "声明单位", params["declared_unit"]
    return "", {}


def _names(codes, names: dict) -> str:
    return "、".join(names.get(code, str(code)) for code in codes)


def _instructions(sheet, document, params, stages, rule_code, revision) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    title = str(document.get("title") or "")
    kind, unit = _reference_unit(params)
    primary = [stage for stage in _list(params.get("primary_data_stages")) if stage in STAGE_NAMES]
    secondary = _list(params.get("secondary_data_priority"))
    supply = _dict(params.get("electricity"))
    cut_off = _dict(params.get("cut_off"))
    steps = [
        f"规则：{title}（编号 {rule_code}，第 {revision} 版）",
        "1. 在“基本信息”中填写企业名称、数据期间、产品产量和产量单位"
        + (f"（产量单位应能换算为规则的{kind}“{unit.get('description') or unit.get('unit')}”）" if unit else "")
        + "。",
        f"2. 每个生命周期阶段一张工作表（{_names(stages, STAGE_NAMES)}），每行填写一项活动数据。"
        "已按规则预填各阶段应有的排放类别，请在该行补全；同一类别有多项时可插入新行；用不到的预填行留空即可。",
        "3. 数量是数据期间内的总量（整个期间的量，不是单位产品的量），与“基本信息”中的产品产量属同一期间。",
        "4. 每行应给出碳足迹因子：填写因子库编号，或填写因子数值、因子单位、因子层级和因子来源（四项都要填），二者选其一。",
        (
            f"5. {_names(primary, STAGE_NAMES)}阶段的活动数据应采用初级数据（企业实测或记录的数据）。"
            if primary
            else "5. 尽可能采用初级数据（企业实测或记录的数据）。"
        )
        + (
            f"使用次级数据时按 {_names(secondary, DATA_TYPES.labels)} 的优先顺序，"
            "不是首选类型时请在“使用次级数据的理由”中说明；次级数据应填写数据来源。"
            if secondary
            else ""
        ),
        "6. 外购电力：不填碳足迹因子时按规则采用电网平均因子。"
        + (
            f"规则允许以{_names(_list(supply.get('instruments')), INSTRUMENTS.labels) or '合同凭证'}核算电力，"
            "持有凭证的电量请单独一行，填写电力凭证类型、凭证（编号、电量、核销状态）和合同电力因子数值与单位"
            "（如 0 kgCO2e/kWh）。"
            if supply.get("contractual_instruments_allowed")
            else "规则不允许以绿色电力证书等合同凭证核算电力。"
        ),
        "7. 按取舍准则忽略的项目仍应填写估算数量，并在“取舍忽略”中选“是”"
        + (
            f"（单项不超过 {cut_off['per_item_percent']} %，合计不超过 {cut_off['total_percent']} %）"
            if "per_item_percent" in cut_off and "total_percent" in cut_off
            else ""
        )
        + "。",
        "8. 不确定性（可选）：填写谱系评分，或填写分布及其参数（对数正态：几何标准差；正态：标准差；三角、均匀：最小值和最大值）。",
        "9. 多过程数据（可选，一般不填）：产品由几个前后衔接的过程生产时，在“过程”工作表中每行填写一个过程的一项产出"
        "或输入（来自其他过程的中间产品），同一过程的各行填写相同的过程编号；各阶段活动数据的“过程编号”填写其所属过程，"
        "“基本信息”中的产品名称应为某一过程的产出。产出和输入的数量同样可填写谱系评分或分布及其参数。不使用时留空即可。",
        "10. 请不要修改表头文字和工作表名称；可以调整列的顺序、插入行或增加自己的备注列（不会读取）。"
        "填好后保存为 Excel 工作簿（.xlsx）上传；使用公式时请在 Excel 中保存后再上传。",
    ]
    sheet.append([f"{title} 试算数据填报表"])
    sheet["A1"].font = Font(bold=True, size=14)
    for step in steps:
        sheet.append([step])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=3)
        sheet.cell(sheet.max_row, 1).alignment = _WRAP
        # Excel does not grow merged rows to fit wrapped text: about 130 half-width characters a line.
        sheet.row_dimensions[sheet.max_row].height = 16 * (1 + _display_width(step) // 130)
    sheet.append([])
    sheet.append(["列", "含义", "可填写的值"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    _column_rows(sheet, COLUMNS, _COLUMN_HELP)
    sheet.append([])
    sheet.append([f"“{PROCESS_SHEET}”工作表的列", "含义", "可填写的值"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    _column_rows(sheet, PROCESS_COLUMNS, _PROCESS_COLUMN_HELP)
    for letter, width in (("A", 30), ("B", 70), ("C", 45)):
        sheet.column_dimensions[letter].width = width


def _column_rows(sheet, columns, help_texts: dict[str, str]) -> None:
    """One row per column of a sheet: its header, meaning and the values it takes."""
    for column in columns:
        names = CHOICES.get(column.key)
        allowed = {
            "number": "数值",
            "text": "文本",
            "pedigree": "5 个 1–5 的整数，如 2,3,1,2,1",
        }.get(column.kind, "、".join(names.values()) if names else "")
        sheet.append([header_text(column), help_texts[column.key], allowed])
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP


def _info_sheet(sheet, document, params) -> None:
    _, unit = _reference_unit(params)
    product = str(_dict(document.get("product")).get("name") or "")
    defaults = {"unit": str(unit.get("unit") or "")}
    hints = {
        "period": f"规则要求：{params['data_period']}" if params.get("data_period") else None,
        "unit": f"规则的基准：{unit['description']}" if unit.get("description") else None,
        "product": f"规则适用的产品：{product}" if product else None,
    }
    sheet.append(["项目", "填写", "说明"])
    for cell in sheet[1]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    for key, label, hint in INFO_FIELDS:
        sheet.append([f"{label} ({key})", defaults.get(key), hints.get(key) or hint])
        sheet.cell(sheet.max_row, 3).alignment = _WRAP
    for letter, width in (("A", 24), ("B", 36), ("C", 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _stage_sheet(sheet, categories: list[str]) -> None:
    _header(sheet, COLUMNS, REQUIRED_COLUMNS)
    sheet.freeze_panes = "C2"  # the header row and the category and item columns stay in view
    category_column = 1 + [column.key for column in COLUMNS].index("category")
    for row, category in enumerate(categories, start=2):
        cell = sheet.cell(row, category_column, CATEGORY_NAMES[category])
        cell.fill = _PREFILLED_FILL


def _process_sheet(sheet) -> None:
    _header(sheet, PROCESS_COLUMNS, REQUIRED_PROCESS_COLUMNS)
    sheet.freeze_panes = "C2"  # the header row and the process's id and name stay in view


def _header(sheet, columns, required: tuple[str, ...]) -> None:
    """The header row of a data sheet: required columns marked, widths, text format and drop-down lists."""
    sheet.append([header_text(column) for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        cell.font, cell.alignment = _BOLD, Alignment(wrap_text=True, vertical="center")
        cell.fill = _REQUIRED_FILL if column.key in required else _HEADER_FILL
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(_WIDE.get(column.key, 0), min(_display_width(header_text(column)) + 2, 22), 10)
        if column.kind in ("text", "pedigree"):
            # Text format keeps codes such as 0012 and scores such as 2,3,1,2,1 as typed.
            dimension.number_format = "@"
        names = CHOICES.get(column.key)
        if names:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(names.values()) + '"',
                allow_blank=True,
                showErrorMessage=True,
                # A warning, not a stop: the English codes are accepted as well.
                errorStyle="warning",
                errorTitle=column.header,
                error=f"请从列表中选择：{'、'.join(names.values())}",
            )
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 32


def _fixed_zip(content: bytes) -> bytes:
    """The same bytes for the same workbook: openpyxl stamps the save time into docProps/core.xml
    and every zip entry."""
    out = io.BytesIO()
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()
