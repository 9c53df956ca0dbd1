"""Reading plain fields of a service's input: a line of text, a longer text, one of an enum's values.

The services of every domain (registry, catalogue, ...) read their shaped input through these, so
that a field is refused with the same sentence everywhere: it names the field's label and says what
to fix (`workbench.errors.refuse`, shown beside the field on a form, in `details` on the API). The
sentences are translated when they are built (Flask-Babel's gettext), like the services' own.
"""

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from flask_babel import gettext as _

from workbench.errors import refuse

E = TypeVar("E", bound=Enum)


def _without_nul(value) -> str:
    return ("" if value is None else str(value)).replace("\x00", "")  # PostgreSQL keeps no NUL in text


def text_field(value, field_name: str, label: str, max_length: int, *, required: bool = False) -> str:
    """A one-line text: runs of white space (line breaks included) become one space."""
    value = " ".join(_without_nul(value).split())
    if required and not value:
        refuse(field_name, _("请填写%(label)s。", label=label))
    if len(value) > max_length:
        refuse(field_name, _("%(label)s不能超过 %(max)d 个字符。", label=label, max=max_length))
    return value


def long_text_field(value, field_name: str, label: str, max_length: int, *, required: bool = False) -> str:
    """A text of several lines or paragraphs: kept as written, without the white space around it."""
    value = _without_nul(value).strip()
    if required and not value:
        refuse(field_name, _("请填写%(label)s。", label=label))
    if len(value) > max_length:
        refuse(field_name, _("%(label)s不能超过 %(max)d 个字符。", label=label, max=max_length))
    return value


def choice_field(enum_class: type[E], value, field_name: str, label: str, *, allowed: Iterable[E] | None = None) -> E:
    """The member of `enum_class` whose value is `value`, among `allowed` (every member unless given);
    refused with the values one may choose from."""
    members = list(enum_class if allowed is None else allowed)
    try:
        member = enum_class(value)
    except ValueError:
        member = None
    if member is None or member not in members:
        choices = "、".join(str(option.value) for option in members)
        refuse(
            field_name, _("%(label)s“%(value)s”无效，可选：%(allowed)s。", label=label, value=value, allowed=choices)
        )
    return member
