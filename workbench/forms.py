"""Form pieces every domain's pages share: the audit reason, the version a form was filled from,
and the bare confirmation (sign out, archive, restore, revoke)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget


def reason_field() -> TextAreaField:
    """Why a record changes, recorded in the audit trail (optional)."""
    return TextAreaField(_l("修改原因（记入审计日志，可选）"), validators=[Optional(), Length(max=1000)])


def version_field() -> IntegerField:
    """The version of the record the form was filled from (see workbench.db.Versioned)."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def enum_choices(labels: dict, keys=None, blank=None) -> list[SelectChoice]:
    """The choices of a select field from an enum's labels ({member: label}): those of `keys` only
    when given, after a blank choice (value "") labelled `blank` when given."""
    choices = [SelectChoice(key.value, label) for key, label in labels.items() if keys is None or key in keys]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(FlaskForm):
    """A bare state change (sign out, archive, restore, revoke) with an optional reason."""

    reason = reason_field()
