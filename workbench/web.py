"""Small helpers shared by the HTML views."""

from urllib.parse import urlsplit

from flask import flash, render_template
from werkzeug.routing import IntegerConverter

from workbench.errors import WorkbenchError

# Form pages answer a rejected submission with 422, so the request's transaction is rolled back
# (workbench.db) while the user sees the form again with what they typed and what to fix.
REJECTED = 422


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive database id that fits a 32-bit column.

    A larger number would overflow the database driver; refusing it at routing turns it into a 404.
    """

    def __init__(self, map):
        super().__init__(map, min=1, max=2**31 - 1)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, so a login link cannot send users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def show_error(form, error: WorkbenchError) -> None:
    """Put a service's refusal beside the fields it names; anything else becomes a flash message."""
    placed = False
    for field_name, message in error.details.items():
        field = getattr(form, field_name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(message)]
            placed = True
    if not placed:
        flash(str(error.message), "error")


def render_rejected(template: str, **context):
    return render_template(template, **context), REJECTED
