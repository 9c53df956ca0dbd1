"""The forms of the trial pages (trial_views), the labels of the calculation options, and reading the
table form: its posted rows into a dataset, with each problem placed at the cell it is about."""

from collections import Counter
from typing import NamedTuple

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from workbench.i18n import translate
from workbench.trials import service, workbook

OPTION_LABELS = {
    "rule": _l("按规则"),
    "grid": _l("电网平均因子"),
    "contractual": _l("合同电力凭证"),
    "physical": _l("物理分配"),
    "economic": _l("经济分配"),
}
PRIMARY_SHARE_LABELS = {
    "activity_and_factor": _l("活动数据和因子均为初级数据"),
    "site_activity": _l("现场活动数据"),
}


class TableForm(FlaskForm):
    """The header of the table form; the lines are read from `line-<n>-<column>` fields and the
    processes' outputs and inputs from `exchange-<n>-<column>` fields (`rows` and `exchange_rows`
    say how many of each were offered)."""

    enterprise = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称。")), Length(max=200)])
    period = StringField(_l("数据期间"), validators=[Optional(), Length(max=100)])
    quantity = StringField(_l("产品产量"), validators=[DataRequired(_l("请填写核算期内的产品产量。")), Length(max=40)])
    unit = StringField(_l("产量单位"), validators=[DataRequired(_l("请填写产量单位。")), Length(max=40)])
    product = StringField(_l("产品名称"), validators=[Optional(), Length(max=200)])
    rows = HiddenField()
    exchange_rows = HiddenField()
    version = HiddenField()


class UploadForm(FlaskForm):
    file = FileField(
        _l("Excel 模板或 JSON 文件"),
        validators=[
            FileRequired(_l("请选择填好的 Excel 模板（.xlsx）或 JSON 文件。")),
            FileSize(workbook.MAX_BYTES, message=_l("文件不能超过 5 MB。")),
        ],
    )
    enterprise = StringField(
        _l("企业名称"),
        validators=[Optional(), Length(max=200)],
        description=_l("不填则使用文件中的企业名称。"),
    )


class JsonForm(FlaskForm):
    dataset = TextAreaField(_l("试算数据（JSON）"), validators=[DataRequired(), Length(max=5_000_000)])
    enterprise = StringField(_l("企业名称"), validators=[Optional(), Length(max=200)])
    version = HiddenField()


class CalculateForm(FlaskForm):
    electricity = SelectField(
        _l("电力"),
        choices=[SelectChoice(key, OPTION_LABELS[key]) for key in service.ELECTRICITY_OPTIONS],
    )
    allocation = SelectField(
        _l("分配"),
        choices=[SelectChoice(key, OPTION_LABELS[key]) for key in service.ALLOCATION_OPTIONS],
    )
    iterations = IntegerField(
        _l("蒙特卡洛次数"),
        default=service.MONTE_CARLO_ITERATIONS,
        validators=[NumberRange(0, 100_000, _l("次数应在 0 到 100000 之间。"))],
    )
    seed = IntegerField(_l("随机种子（可不填）"), validators=[Optional(), NumberRange(0, 2**63 - 1)])


# --- reading the table form --------------------------------------------------------------------------


def choice_options() -> dict[str, list[tuple[str, str]]]:
    """The table form's lists: each code (the value posted) with its label in the reader's language
    (the workbook's Chinese names: the guideline vocabulary's labels, or its own marked N_)."""
    return {key: [(code, translate(name)) for code, name in names.items()] for key, names in workbook.CHOICES.items()}


def posted_tables(form: TableForm, lines: int, exchanges: int, limit: int) -> tuple[list[dict], list[dict]]:
    """The submitted rows of both tables as typed: as many as the form offered (its hidden counts
    `rows` and `exchange_rows`, else `lines` and `exchanges`), at most `limit` each."""

    def posted(prefix: str, offered, default: int, keys: list[str]) -> list[dict]:
        count = min(int(offered) if str(offered or "").isdecimal() else default, limit)
        return [{key: request.form.get(f"{prefix}-{index}-{key}", "") for key in keys} for index in range(count)]

    line_rows = posted("line", form.rows.data, lines, ["stage", *(column.key for column in workbook.COLUMNS)])
    exchange_keys = [column.key for column in workbook.PROCESS_COLUMNS]
    return line_rows, posted("exchange", form.exchange_rows.data, exchanges, exchange_keys)


class TableLayout(NamedTuple):
    """Which table row each part of a dataset read from the tables came from (0-based), so that the
    problems `dataset.validate` finds are shown at their cells: `lines[n]` from row line_rows[n],
    `processes[k][side][j]` from exchange_rows[(k, side, j)], `processes[k]` first named on
    process_rows[k]."""

    line_rows: list[int]
    exchange_rows: dict[tuple[int, str, int], int]
    process_rows: list[int]


def dataset_from_table(
    form: TableForm, rows: list[dict], exchange_rows: list[dict], stages: list[str]
) -> tuple[dict, list[str], dict[str, str], TableLayout]:
    """The dataset the tables describe; what cannot be read (by row and column); the same messages by
    field name ("line-3-amount", "exchange-0-gsd"), without the row they name, for the page to show
    each at its cell; and the rows the dataset's parts came from."""
    problems: list[str] = []
    cells: dict[str, str] = {}

    def report(name: str, message: str, where: str) -> None:
        problems.append(message)
        cells.setdefault(name, message.removeprefix(where).lstrip(" ,:："))  # the cell names its row

    lines, line_rows = [], []
    for number, row in enumerate(rows, start=1):
        stage = row.get("stage") or ""
        values = {column.key: row.get(column.key) or None for column in workbook.COLUMNS}
        if not any(values.values()):
            continue
        if stage not in stages:
            problems.append(_("第 %(row)d 行：请选择规则边界内的生命周期阶段。", row=number))
            cells.setdefault(f"line-{number - 1}-stage", _("请选择规则边界内的生命周期阶段。"))
            continue
        where = _("第 %(row)d 行", row=number)
        line, found = workbook.line_from_row(values, stage, where, translate)
        for key, message in found:
            report(f"line-{number - 1}-{key}", message, where)
        if line is not None:
            lines.append(line)
            line_rows.append(number - 1)
    located, rows_at = [], {}
    for index, row in enumerate(exchange_rows):
        where = _("过程表第 %(row)d 行", row=index + 1)
        entry, found = workbook.exchange_from_row(row, where, translate)
        for key, message in found:
            report(f"exchange-{index}-{key}", message, where)
        if entry is not None:
            located.append((entry, where))
            rows_at[where] = index
    processes, found = workbook.processes_from_exchanges(located, translate)
    for where, key, message in found:
        report(f"exchange-{rows_at[where]}-{key}", message, where)
    try:
        quantity = float(str(form.quantity.data).replace(",", ""))
    except ValueError:
        quantity = form.quantity.data
        problems.append(_("产品产量“%(value)s”不是数字。", value=form.quantity.data))
    data = {
        "enterprise": form.enterprise.data.strip(),
        "period": (form.period.data or "").strip(),
        "reference_flow": {"quantity": quantity, "unit": form.unit.data.strip()},
        "lines": lines,
    }
    if form.product.data and form.product.data.strip():
        data["reference_flow"]["product"] = form.product.data.strip()
    if not data["period"]:
        del data["period"]
    if processes:
        data["processes"] = processes
    return data, problems, cells, _layout(line_rows, [(entry, rows_at[where]) for entry, where in located])


def _layout(line_rows: list[int], located: list[tuple[dict, int]]) -> TableLayout:
    """The rows of processes[] as `workbook.processes_from_exchanges` orders them: processes in the
    order their ids first appear, each side's exchanges in row order (rows it could not place skipped)."""
    order: dict[str, int] = {}  # process id -> k
    process_rows, exchange_rows, counts = [], {}, Counter()
    for entry, row in located:
        identifier, side = entry.get("process"), entry.get("side")
        if identifier is None or side is None:
            continue  # processes_from_exchanges skips it too (it was reported)
        if identifier not in order:
            order[identifier] = len(order)
            process_rows.append(row)
        k = order[identifier]
        exchange_rows[(k, side, counts[(k, side)])] = row
        counts[(k, side)] += 1
    return TableLayout(line_rows, exchange_rows, process_rows)


# A problem's path below /lines/N or /processes/K/<side>/J → the column it is typed in, where the path
# does not name the column itself (uncertainty/gsd is 几何标准差, amount is 数量).
_COLUMN_AT = {
    "factor": "factor_id",
    "factor/id": "factor_id",
    "factor/value": "factor_value",
    "factor/unit": "factor_unit",
    "factor/tier": "factor_tier",
    "factor/source": "factor_source",
    "uncertainty": "distribution",
    "electricity": "instrument",
    "electricity/contract_factor": "contract_factor_value",
    "electricity/contract_factor/value": "contract_factor_value",
    "electricity/contract_factor/unit": "contract_factor_unit",
}
_LINE_KEYS = {"stage", *(column.key for column in workbook.COLUMNS)}
_EXCHANGE_KEYS = {column.key for column in workbook.PROCESS_COLUMNS}


def _column_at(tail: list[str], keys: set[str]) -> str | None:
    """The column of the nearest part of `tail` that has one."""
    while tail:
        joined = "/".join(tail)
        key = _COLUMN_AT.get(joined, joined.removeprefix("uncertainty/").removeprefix("electricity/"))
        if key in keys:
            return key
        tail = tail[:-1]
    return None


def _cell_of(path: str, layout: TableLayout) -> tuple[str, str | None, str] | None:
    """(field name prefix, column, row label) of the table cell a dataset path was typed in."""
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdecimal() and int(parts[1]) < len(layout.line_rows):
        row = layout.line_rows[int(parts[1])]
        return f"line-{row}", _column_at(parts[2:], _LINE_KEYS), _("第 %(row)d 行", row=row + 1)
    if len(parts) < 2 or parts[0] != "processes" or not parts[1].isdecimal():
        return None
    k = int(parts[1])
    if len(parts) >= 4 and parts[3].isdecimal() and (k, parts[2], int(parts[3])) in layout.exchange_rows:
        row, column = layout.exchange_rows[(k, parts[2], int(parts[3]))], _column_at(parts[4:], _EXCHANGE_KEYS)
    elif k < len(layout.process_rows):
        row, column = layout.process_rows[k], "process_name" if parts[2:3] == ["name"] else "process"
    else:
        return None
    return f"exchange-{row}", column, _("过程表第 %(row)d 行", row=row + 1)


def placed(where: str, problem: str) -> str:
    """A problem named by its place, for a list of problems: "第 4 行：…" / "Row 4: …"."""
    return _("%(where)s：%(problem)s", where=where, problem=problem)


def problems_at_cells(problems: list[dict], layout: TableLayout, cells: dict[str, str]) -> list[str]:
    """The problems `dataset.validate` found in a dataset read from the tables ({path, message}), named
    by their table row for the list at the top; each is also added to `cells` (by field name) at the
    cell it is about."""
    listed = []
    for problem in problems:
        cell = _cell_of(problem["path"] or "/", layout)
        if cell is None:
            listed.append(placed(problem["path"] or "/", problem["message"]))
            continue
        prefix, column, where = cell
        listed.append(placed(where, problem["message"]))
        if column is not None:
            cells.setdefault(f"{prefix}-{column}", problem["message"])
    return listed
