"""The trial-data workbook (试算数据填报表): an Excel file generated from a rule, filled in by an
enterprise and read back into a trial dataset (the shape of workbench/trials/dataset.py).

PURE: openpyxl and the standard library, plus the guideline's vocabulary; no
Flask, no database. Three modules: `columns` (the columns, reading one row with `line_from_row`
or `exchange_from_row`, which also serve the web form where lines and process exchanges are typed
into tables, and `rows_from_dataset` / `exchange_rows_from_dataset`, which turn a stored dataset
back into such rows), `writing` (the template) and `reading` (a filled-in file back into a
dataset). Callers use the names this package exports.

The workbook `template_workbook` writes:

    说明          how to fill it in (Chinese): the rule (title, code, revision), the steps, and one
                  row per column with its meaning and the values it takes
    基本信息      two columns 项目 / 填写 (and a hint): 企业名称, 数据期间, 产品产量, 产量单位
                  (pre-filled with the unit of the rule's declared/functional unit), 产品名称
    <stage>       one sheet per stage of parameters.system_boundary.stages_included, named by
                  STAGE_NAMES (原材料获取, 生产 …): a header row of COLUMNS ("数量 (amount)"),
                  frozen panes, drop-down lists, and one pre-filled row per activity category
                  the rule lists and the engine expects in that stage (CATEGORY_STAGES)
    过程          optional foreground processes (dataset processes[]): a header row of
                  PROCESS_COLUMNS, one row per output or input (类型 产出/输入) of a process,
                  rows of a process sharing its 过程编号, with the uncertainty columns of lines;
                  read by `exchange_from_row` and grouped by `processes_from_exchanges` (in the
                  order the ids first appear). Left empty (or absent), the dataset has no processes
    _workbench    hidden: template id, rule code and revision, naming what the file was made from

Decisions worth knowing:
- Headers are matched by the key in parentheses or by the Chinese part, so columns may be moved,
  and unknown columns (an enterprise's own notes) are ignored. Sheets are matched by the stage's
  Chinese name or code (过程 also as "processes"); hidden sheets other than these are ignored
  (helper lists).
- Choices (category, data type, tier, distribution, instrument, 类型) accept the code, the Chinese
  name, or "中文 (code)". The drop-down lists warn but do not block other values, since codes
  are accepted too.
- Numbers typed as text are accepted: thousands separators only in groups of three ("1,234.5",
  never "1,5", which is a decimal comma elsewhere), full-width digits and punctuation (NFKC),
  the minus sign U+2212, exponents. NaN, infinities, logical values and dates are refused, each
  with its own message. Integral text stays an int so the JSON looks as typed.
- A 过程 row must say its process (过程编号) and side (类型), or it could not be placed; a price on
  an input and one process named differently on two rows are reported too.
- A row reports only what it cannot express (a bad number, an unknown choice, a bad pedigree, a
  formula without a saved result). Missing fields and rules between fields (a factor is a library
  code or value + unit + tier + source, a distribution needs its parameters) are left to
  dataset.validate, so that the web form and the JSON editor say the same thing.
- Electricity: a row with an instrument, evidence or a contract factor is electricity; so is a row
  in kWh/MWh/GWh without a factor, for which the engine then uses the grid factor. A contract
  factor is the instrument's own (tier measured_verified, source = the evidence).
- A formula is read from the value Excel saved with it (data_only). openpyxl cannot tell a formula
  without a saved value from an empty cell, so the sheet XML is scanned for <f> without a value.
- Upload limits: MAX_BYTES for callers to check; here a zip whose members add up to more than
  MAX_UNCOMPRESSED is refused before openpyxl opens it (zipfile never inflates a member beyond its
  declared size), and more than MAX_ROWS data rows in all (stage sheets and 过程) are refused. Read-only mode loads no
  images or charts.
- The template is deterministic: fixed document dates and zip entry times, so the same rule
  revision gives the same bytes.
"""

from workbench.trials.workbook.columns import (
    CHOICES,
    COLUMNS,
    INFO_SHEET,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    PROCESS_COLUMNS,
    PROCESS_SHEET,
    STAGE_NAMES,
    STAGES,
    TEMPLATE_ID,
    exchange_from_row,
    exchange_rows_from_dataset,
    header_text,
    line_from_row,
    processes_from_exchanges,
    representable,
    rows_from_dataset,
)
from workbench.trials.workbook.reading import read_workbook, read_workbook_located
from workbench.trials.workbook.writing import template_workbook

__all__ = [
    "CHOICES",
    "COLUMNS",
    "INFO_SHEET",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED",
    "PROCESS_COLUMNS",
    "PROCESS_SHEET",
    "STAGES",
    "STAGE_NAMES",
    "TEMPLATE_ID",
    "exchange_from_row",
    "exchange_rows_from_dataset",
    "header_text",
    "line_from_row",
    "processes_from_exchanges",
    "read_workbook",
    "read_workbook_located",
    "representable",
    "rows_from_dataset",
    "template_workbook",
]
