"""Form shapes for the registry. Domain rules (numbers, dates, level rules) live in service.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.forms import enum_choices, reason_field, version_field
from workbench.registry.models import (
    END_USE_LABELS,
    EQUIVALENCE_LABELS,
    LEVEL_LABELS,
    NATURE_LABELS,
    RELATION_LABELS,
    SIDE_LABELS,
    STATUS_LABELS,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class StandardForm(FlaskForm):
    level = SelectField(_l("级别"), choices=enum_choices(LEVEL_LABELS))
    numbers = StringField(
        _l("标准编号"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "如 GB/T 24067—2024、DB34/T 4916—2024、T/CISA 469—2024；联合发布的多个编号用分号隔开；计划和起草中的项目可不填。"
        ),
    )
    title = StringField(
        _l("标准名称"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("统一命名为《温室气体 产品碳足迹量化方法与要求 XX产品》（指引（二））。"),
    )
    title_en = StringField(_l("英文名称"), validators=[Optional(), Length(max=500)])
    product = SelectField(_l("产品"), coerce=int, description=_l("标准按产品目录关联，不按名称文字匹配。"))
    status = SelectField(_l("状态"), choices=enum_choices(STATUS_LABELS))
    nature = SelectField(
        _l("性质"),
        choices=enum_choices(NATURE_LABELS),
        description=_l("有编号时按编号确定（GB 强制性、/T 推荐性、/Z 指导性）。"),
    )
    issuer = StringField(_l("发布机构"), validators=[Optional(), Length(max=300)])
    committee = StringField(
        _l("技术委员会/归口单位"), validators=[Optional(), Length(max=200)], description=_l("如 SAC/TC548")
    )
    association = StringField(_l("社会团体（团体标准）"), validators=[Optional(), Length(max=200)])
    region = StringField(
        _l("地区（地方标准）"),
        validators=[Optional(), Length(max=100)],
        description=_l("留空则按编号中的行政区代码填写。"),
    )
    published_on = DateField(_l("发布日期"), validators=[Optional()])
    implemented_on = DateField(_l("实施日期"), validators=[Optional()])
    withdrawn_on = DateField(_l("废止日期"), validators=[Optional()])
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=4000)])
    reason = reason_field()
    version = version_field()


class ProductForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=100)])
    aliases = StringField(
        _l("别名"), validators=[Optional(), Length(max=500)], description=_l("用顿号分隔，如：锂离子电池、锂电")
    )
    name_en = StringField(_l("英文名称"), validators=[Optional(), Length(max=200)])
    classification_code = StringField(_l("分类代码"), validators=[Optional(), Length(max=32)])
    parent = SelectField(_l("上级产品"), coerce=int)
    side = SelectField(_l("生产侧/消费侧"), choices=enum_choices(SIDE_LABELS), description=_l("指引（一）"))
    end_use = SelectField(
        _l("最终用途"),
        choices=enum_choices(END_USE_LABELS),
        description=_l("终端产品一般采用“摇篮到坟墓”，中间产品一般采用“摇篮到大门”（指引（三））。"),
    )
    source = StringField(_l("来源"), validators=[Optional(), Length(max=300)])
    reason = reason_field()
    version = version_field()


class RelationForm(FlaskForm):
    kind = SelectField(_l("关系"), choices=enum_choices(RELATION_LABELS))
    target = StringField(
        _l("对象标准"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("已登记标准的编号（任意写法），或国际标准编号，如 ISO 14067:2018。"),
    )
    equivalence = SelectField(
        _l("一致性程度（采用国际标准）"), choices=enum_choices(EQUIVALENCE_LABELS, blank="—"), validators=[Optional()]
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV 文件"),
        validators=[
            FileRequired(_l("请选择要导入的 CSV 文件。")),
            FileAllowed(["csv"], _l("只能导入 .csv 文件。")),
            FileSize(MAX_IMPORT_BYTES, message=_l("文件不能超过 5 MB。")),
        ],
        description=_l(
            "UTF-8 编码，第一行为：level,number,title,issuer,committee,published,implemented,status,replaces,note（可另加 product、title_en 列）。"
        ),
    )
