"""The rule's figures (template 1.1 `figures`): uploading an SVG or PNG as a new revision, and the
preview of each figure in the document page's figures panel. workbench.figures checks the image
and cleans an SVG before anything is saved. The routes are the drafting blueprint's."""

import json
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workbench import figures
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db, write
from workbench.drafting import service
from workbench.drafting.forms import DocumentForm, RevisionForm
from workbench.drafting.models import Rule
from workbench.drafting.views import _require_editor, _revision_number, _rule, bp
from workbench.drafting.workspace import workspace
from workbench.errors import WorkbenchError
from workbench.i18n import say
from workbench.web import REJECTED

FIGURE_ID = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
FIGURE_FORM_ALLOWANCE = 64 * 1024  # the form's other fields and the multipart boundaries


@bp.record_once
def _figure_globals(state):
    state.app.jinja_env.globals["figure_preview"] = figure_preview


def figure_preview(entry: dict) -> dict:
    """The cleaned image of a document's figure entry for the figures panel, or why it has none."""
    try:
        return {"image": figures.decode(entry), "problem": ""}
    except figures.FigureError as error:
        return {"image": None, "problem": say(error.message)}


@bp.url_value_preprocessor
def _limit_figure_uploads(endpoint, values):
    # Before the CSRF check reads the form: a larger body is refused (413) before it is read.
    if endpoint == "drafting.upload_figure":
        request.max_content_length = figures.MAX_BYTES + FIGURE_FORM_ALLOWANCE


@bp.post("/<id:rule_id>/figures")
def upload_figure(rule_id: int):
    """Add a figure to the rule, or replace the one with the same id, as a new revision. The
    image is checked and an SVG cleaned (workbench.figures) before anything is saved."""
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    _require_editor(record)
    form = RevisionForm()
    if not form.validate_on_submit():
        return _figure_refused(record, _("表单已失效，请刷新页面后重新上传。"))
    figure_id = (request.form.get("figure_id") or "").strip()
    caption = (request.form.get("caption") or "").strip()
    upload = request.files.get("image")
    if not FIGURE_ID.match(figure_id) or len(figure_id) > 100:
        return _figure_refused(record, _("图的标识只能由英文字母、数字和连字符组成，如 system-boundary。"))
    if len(caption) > 200:
        return _figure_refused(record, _("图题不能超过 200 个字符。"))
    if upload is None or not upload.filename:
        return _figure_refused(record, _("请选择要上传的 SVG 或 PNG 文件。"))
    data = upload.read(figures.MAX_BYTES + 1)
    try:
        image = figures.clean(data)
    except figures.FigureError as error:
        return _figure_refused(record, _("图 %(id)s 未保存：%(reason)s", id=figure_id, reason=say(error.message)))
    current = service.revision(db.session, record)
    document = json.loads(json.dumps(current.document))
    entries = [entry for entry in document.get("figures") or [] if isinstance(entry, dict)]
    previous = next((entry for entry in entries if entry.get("id") == figure_id), {})
    entry = {"id": figure_id, "caption": caption or previous.get("caption") or "", "media_type": image.media_type}
    entry["data"] = figures.encode(image)
    if not entry["caption"]:
        del entry["caption"]
    document["figures"] = [entry if item is previous else item for item in entries] if previous else [*entries, entry]
    based_on = _revision_number(form.based_on.data)
    message = form.message.data or _("上传图 %(id)s", id=figure_id)
    try:
        saved = write(
            lambda: service.save_revision(
                db.session, record, document, message=message, based_on=based_on, by=current_principal()
            )
        )
    except WorkbenchError as error:  # a newer revision, a document the template refuses, a busy database
        return _figure_refused(record, _("图 %(id)s 未保存：%(reason)s", id=figure_id, reason=str(error.message)))
    if saved.number == based_on:
        flash(_("图 %(id)s 与已保存的相同，未保存新版本。", id=figure_id), "info")
    else:
        flash(
            _(
                "图 %(id)s 已保存为第 %(number)d 版；在条文中写 ![图题](figure:%(id)s) 引用它。",
                id=figure_id,
                number=saved.number,
            ),
            "success",
        )
    return redirect(url_for(".document", rule_id=record.id, _anchor="figures"))


def _figure_refused(record: Rule, message: str | None):
    """The rule's document page again, with why the figure was not saved (422)."""
    if message:
        flash(message, "error")
    current = service.revision(db.session, record)
    form = DocumentForm(formdata=None)
    form.based_on.data = current.number
    form.document.data = json.dumps(current.document, ensure_ascii=False, indent=2)
    return render_template("drafting/document.html", form=form, **workspace(record)), REJECTED
