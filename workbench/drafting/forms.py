"""Form shapes of the drafting pages (Flask-WTF). The parameters form is generated from the
template's schema instead (schema_forms.py); domain rules live in service.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from workbench.drafting.models import COMMENT_KIND_LABELS, DISPOSITION_LABELS
from workbench.drafting.service import MAX_COMMENT_LENGTH, TOO_EXPANDED
from workbench.markdown import expands_too_far


class NewRuleForm(FlaskForm):
    product = SelectField(_l("产品"), coerce=int, validators=[DataRequired(_l("请选择产品。"))])
    working_group = SelectField(_l("起草组"), coerce=int)


class RevisionForm(FlaskForm):
    """The fields every save carries: the revision it was edited from and what changed."""

    based_on = HiddenField()
    message = StringField(_l("修改说明（记入修订记录）"), validators=[Optional(), Length(max=500)])


MAX_CLAUSE_LENGTH = 200_000  # characters of one clause's text; checked before it is rendered


def rendered_size_fits(form, field) -> None:
    """The text's HTML stays within its budget (workbench.markdown.MAX_EXPANSION); a text over
    the length limit is refused by Length and not rendered at all."""
    if field.data and len(field.data) <= MAX_CLAUSE_LENGTH and expands_too_far(field.data):
        raise ValidationError(_l(TOO_EXPANDED))


class ClauseForm(RevisionForm):
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("正文（Markdown）"),
        validators=[
            Optional(),
            Length(
                max=MAX_CLAUSE_LENGTH,
                message=_l("一个条款的正文最多 %(max)d 个字符，现有 %(length)d 个：请删减或拆分为几个条款。"),
            ),
            rendered_size_fits,
        ],
    )


class DocumentForm(RevisionForm):
    document = TextAreaField(
        _l("规则文件（JSON）"),
        validators=[DataRequired(), Length(max=2_000_000)],
        render_kw={"lang": "zh-CN"},  # the rule's own text, in Chinese whatever the page's language
    )


class SuppressForm(FlaskForm):
    code = HiddenField(validators=[DataRequired()])
    path = HiddenField()
    reason = StringField(_l("忽略理由"), validators=[DataRequired(), Length(max=1000)])


# The flash category of a received comment: the pages with a comment form (the workspace's
# consultation draft, the portal's rule page) show it at the form, where the reader is (at the foot
# of a long draft), not at the top of the page.
COMMENT_RECEIVED = "comment"


class CommentForm(FlaskForm):
    # The revision the page shows: the comment binds to the text its author was reading.
    revision = HiddenField()
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=100)])
    organisation = StringField(_l("所在单位"), validators=[Optional(), Length(max=200)])
    clause = StringField(_l("章条编号"), validators=[Optional(), Length(max=100)])
    kind = SelectField(
        _l("意见类型"), choices=[SelectChoice(kind.value, label) for kind, label in COMMENT_KIND_LABELS.items()]
    )
    comment = TextAreaField(_l("意见"), validators=[DataRequired(_l("请填写意见。")), Length(max=MAX_COMMENT_LENGTH)])
    proposed_change = TextAreaField(_l("修改建议"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])

    def read_revision(self) -> int | None:
        """The revision the commenter was reading; None when the post does not say, 0 when it is
        not a revision number (the service then refuses it as not the consultation draft)."""
        text = (self.revision.data or "").strip()
        if not text:
            return None
        # isascii: "²" and "١" are digits to str.isdigit but not to int().
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


class DispositionForm(FlaskForm):
    disposition = SelectField(
        _l("处理意见"),
        choices=[
            SelectChoice("", _l("请选择")),
            *(SelectChoice(kind.value, label) for kind, label in DISPOSITION_LABELS.items()),
        ],
        validators=[DataRequired(_l("请选择处理意见。"))],
    )
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
