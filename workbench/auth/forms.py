"""Form shapes for accounts, organisations and working groups. Domain rules live in service.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from workbench.auth.models import ORGANISATION_KIND_LABELS, ROLE_LABELS
from workbench.auth.service import MIN_PASSWORD_LENGTH
from workbench.forms import CheckboxListField, reason_field, version_field
from workbench.i18n import LOCALES

# Password managers must not fill another person's password into an account form.
NEW_PASSWORD = {"autocomplete": "new-password"}


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(), Length(max=64)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("密码"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("在此设备上保持登录"))
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = HiddenField(validators=[DataRequired()])
    next = HiddenField()

    def validate_locale(self, field):
        if field.data not in LOCALES:
            raise ValidationError(_l("不支持的界面语言。"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新密码"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)], render_kw=NEW_PASSWORD
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        render_kw=NEW_PASSWORD,
        validators=[EqualTo("new_password", message=_l("两次输入的密码不一致。"))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称"), validators=[DataRequired(), Length(max=100)], description=_l("说明用途，例如“因子库同步脚本”。")
    )


class UserForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(), Length(min=2, max=64)],
        description=_l("登录用，小写字母、数字、点、下划线或连字符。"),
    )
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    email = StringField(
        _l("电子邮箱"), validators=[Optional(), Email(message=_l("请输入有效的电子邮箱地址。")), Length(max=254)]
    )
    role = SelectField(_l("角色"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    organisation = SelectField(_l("所属组织"), coerce=int)
    working_groups = CheckboxListField(_l("工作组"), coerce=int)
    active = BooleanField(_l("启用账号"), default=True)
    password = PasswordField(
        _l("密码"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)], render_kw=NEW_PASSWORD
    )
    reason = reason_field()
    version = version_field()


class OrganisationForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("英文名称"), validators=[Optional(), Length(max=200)])
    kind = SelectField(
        _l("类型"), choices=[SelectChoice(kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()]
    )
    reason = reason_field()
    version = version_field()


class WorkingGroupForm(FlaskForm):
    code = StringField(_l("代号"), validators=[DataRequired(), Length(max=32)], description=_l("例如 WG-AL"))
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("工作范围"), validators=[Optional(), Length(max=4000)])
    members = CheckboxListField(_l("成员"), coerce=int)
    reason = reason_field()
    version = version_field()
