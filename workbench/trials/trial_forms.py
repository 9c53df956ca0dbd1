"""The forms of the trial pages (trial_views) and the labels of the calculation options."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

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
