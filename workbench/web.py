"""Small helpers shared by the HTML views."""

from urllib.parse import urlencode, urlsplit

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from workbench.dates import seconds_until
from workbench.db import write
from workbench.errors import (
    DatabaseUnavailable,
    StaleVersion,
    TooManyAttempts,
    WorkbenchError,
    WriteConflict,
    WriteFailed,
)
from workbench.forms import ConfirmForm

# Form pages answer a rejected submission with 422, so the request's transaction is rolled back
# (workbench.db) while the user sees the form again with what they typed and what to fix. A write
# the database refused answers with its own status (409 a lost race, 503 no database), form and all.
REJECTED = 422

# What a form page says when the database refused the write: the typed text is still on the page.
WRITE_FAILED_ON_FORM = {
    WriteConflict: _l(
        "您的内容没有保存：有人在同一时刻保存了同一条记录。您填写的内容仍保留在下方：请在新窗口查看最新内容，合并后再次保存。"
    ),
    DatabaseUnavailable: _l(
        "您的内容没有保存：数据库暂时无法写入（例如磁盘已满或数据库连接中断）。您填写的内容仍保留在下方，请稍后再次保存；"
        "如果问题持续，请联系管理员。"
    ),
}


LARGEST_ID = 2**31 - 1
LAST_PAGE = 100_000  # further than anyone pages; larger numbers would overflow OFFSET


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive database id that fits a 32-bit column.

    A larger number would overflow the database driver; refusing it at routing turns it into a 404.
    The pattern already leaves out 0 and numbers of more than ten digits, so that such an address
    matches no route at all (rather than one for another method, which werkzeug answers 405).
    """

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, map):
        super().__init__(map, min=1, max=LARGEST_ID)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, so a login link cannot send users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def refusal_status(error: WorkbenchError) -> int:
    """The status of a form page that shows `error`: 422, or the database's own 409/503."""
    return error.status if isinstance(error, WriteFailed | TooManyAttempts) else REJECTED


def refusal_at_form(form, error: WorkbenchError) -> str | None:
    """Put a refusal beside the fields it names; return the sentence a form shows above its fields
    when it names none (a rate limit, a draft sent out again, a write the database refused), for
    forms at the foot of a long page, where a message at the top would go unseen."""
    form.refused_with = refusal_status(error)
    form.retry_at = getattr(error, "retry_at", None)
    if isinstance(error, WriteFailed):
        return str(WRITE_FAILED_ON_FORM.get(type(error), error.message))
    placed = False
    for field_name, message in error.details.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(message)]
            placed = True
    return None if placed else str(error.message)


def show_error(form, error: WorkbenchError) -> None:
    """Put a service's refusal beside the fields it names; anything else becomes a flash message.
    The form remembers the status its page answers with (`form_page`)."""
    if form is not None:
        form.refused_with = refusal_status(error)
        form.retry_at = getattr(error, "retry_at", None)  # a rate limit says when to come back
    if isinstance(error, WriteFailed):
        flash(str(WRITE_FAILED_ON_FORM.get(type(error), error.message)), "error")
        return
    placed = False
    for field_name, message in error.details.items():
        field = getattr(form, field_name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(message)]
            placed = True
    if not placed:
        flash(str(error.message), "error")


def form_page(template: str, form, **context):
    """A form page: 200 when first shown, 422 when a submission was refused (409/503 when the
    database refused the write, see `show_error`)."""
    status = getattr(form, "refused_with", REJECTED) if form.is_submitted() else 200
    response = make_response(render_template(template, form=form, **context), status)
    if getattr(form, "retry_at", None) is not None:
        response.retry_after = seconds_until(form.retry_at)
    return response


def save(form, operation, *, message, redirect_to):
    """Run `operation()` for a valid submission and commit (workbench.db.write): flash
    `message(record)` and redirect to `redirect_to(record)`. A refusal is shown beside the fields
    and None is returned, so that the caller shows the form again with what was typed; so is a
    write the database refused (a race lost to another request, a full disk), with nothing of it
    saved. When the record changed since the form was loaded, or changed in the same instant, the
    form moves on to the current version: saving again is then a choice made knowing that someone
    else edited it."""
    if not form.validate_on_submit():
        return None
    try:
        record = write(operation)
    except StaleVersion as error:
        show_error(form, error)
        # The field renders what was submitted (raw_data) before its data: replace both.
        form.version.data, form.version.raw_data = error.current_version, [str(error.current_version)]
        return None
    except WorkbenchError as error:
        show_error(form, error)
        return None
    flash(message(record), "success")
    return redirect(redirect_to(record))


def page_number() -> int:
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= LAST_PAGE:
        abort(404)
    return page


def url_with(**changes) -> str:
    """This page's URL with some query parameters changed (None drops one): for paging links,
    built without url_for so that no query parameter can reach url_for's own arguments."""
    args = {**request.args.to_dict(), **changes}
    query = urlencode({key: value for key, value in args.items() if value is not None})
    return request.path + (f"?{query}" if query else "")


def text_arg(name: str, max_length: int = 200) -> str:
    """A query-string text, without NUL (PostgreSQL refuses it) and cut to a sane length."""
    return request.args.get(name, "").replace("\x00", "")[:max_length]


def id_arg(name: str) -> int | None:
    """A query-string id, or None when absent or not an id (as the `id` URL converter)."""
    value = request.args.get(name, "")
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 1 <= number <= LARGEST_ID else None


def year_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if len(value) == 4 and value.isascii() and value.isdigit() else None


def archive_from_form(record, archived: bool, operation, endpoint: str, *, name: str | None = None, **view_args):
    """Archive or restore `record` from a confirmation form (with an optional reason) through the
    domain's `operation(record, archived, reason)`, which checks who may; then back to
    `endpoint`. Shared by every page whose records are archived rather than deleted. `name` is
    how the message names the record (its audit label unless given)."""
    form = ConfirmForm()
    if not form.validate():
        flash(_("修改原因过长，请精简到 1000 字以内。"), "error")
        return redirect(url_for(endpoint, **view_args))
    try:
        operation(record, archived, form.reason.data)
    except WorkbenchError as error:
        flash(str(error.message), "error")
    else:
        message = _("“%(name)s”已归档。") if archived else _("“%(name)s”已恢复。")
        flash(message % {"name": name or record.audit_label()}, "success")
    return redirect(url_for(endpoint, **view_args))


def external_url(endpoint: str, query: dict | None = None, **values) -> str:
    """An absolute address that leaves the request (a QR code, a paging link a partner follows):
    on WORKBENCH_PUBLIC_URL when set, so a forged Host header cannot redirect it; else the
    request's own address. `query` is encoded as given: its keys never reach url_for, so a
    query parameter named like one of url_for's own (`_external`, `_anchor`) is only a parameter."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    address = base + path
    if query:
        address += "?" + urlencode(query, doseq=True)
    return address
