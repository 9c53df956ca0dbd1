"""Factors in openLCA JSON-LD and the national submission package: pages under /exchange/factors.

Anyone downloads the library as JSON-LD (the library is public); importing and the submission
package are the factor managers' (MANAGE_FACTORS). An import is all or nothing: a refused file
changes nothing and its problems are listed on the page.
"""

import io
import math
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import today
from workbench.db import db, write
from workbench.errors import WorkbenchError
from workbench.exchange import factor_exchange, quality
from workbench.web import REJECTED, form_page, page_number

bp = Blueprint("factor_exchange", __name__, url_prefix="/exchange/factors")

PAGE_SIZE = 50
ZIP_MIMETYPE = "application/zip"


class JsonldImportForm(FlaskForm):
    # The app's upload limit (WORKBENCH_MAX_UPLOAD_MB) bounds the upload; the service bounds the inflated size.
    file = FileField(
        _l("JSON-LD 压缩包"),
        validators=[
            FileRequired(_l("请选择要导入的 JSON-LD 压缩包（.zip）。")),
            FileAllowed(["zip"], _l("只能导入 .zip 文件。")),
        ],
        render_kw={"accept": ".zip,application/zip"},
    )


@dataclass
class ListPage:
    """One page of a list held in memory, with the attributes the `pagination` macro reads."""

    items: list
    page: int
    total: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


@bp.get("/")
def index():
    require(Action.VIEW_FACTORS)
    return render_template("exchange/factors_index.html", form=JsonldImportForm(), quality=quality)


@bp.get("/factors.zip")
def export():
    require(Action.VIEW_FACTORS)
    content = factor_exchange.export_jsonld(db.session, by=current_principal())
    return send_file(io.BytesIO(content), mimetype=ZIP_MIMETYPE, as_attachment=True, download_name="factors-jsonld.zip")


@bp.route("/import", methods=["GET", "POST"])
def import_jsonld():
    require(Action.MANAGE_FACTORS)
    form = JsonldImportForm()
    if form.validate_on_submit():
        content = form.file.data.read()
        try:
            created, updated = write(lambda: factor_exchange.import_jsonld(db.session, content, by=current_principal()))
        except WorkbenchError as error:
            return render_template("exchange/factors_import.html", form=form, refusal=error), REJECTED
        flash(
            _("导入完成：新增 %(created)d 个因子，更新 %(updated)d 个。", created=len(created), updated=len(updated)),
            "success",
        )
        return redirect(url_for("factors.factors"))
    return form_page("exchange/factors_import.html", form)


@bp.get("/submission")
def submission():
    require(Action.MANAGE_FACTORS)
    assessed = factor_exchange.assessments(db.session, today(), by=current_principal())
    left_out = [item for item in assessed if not item.assessment.passed]
    number = page_number()
    page = ListPage(left_out[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, len(left_out))
    return render_template(
        "exchange/factors_submission.html",
        page=page,
        passed=len(assessed) - len(left_out),
        total=len(assessed),
        quality=quality,
    )


@bp.get("/submission.zip")
def submission_package():
    require(Action.MANAGE_FACTORS)
    day = today()
    content = factor_exchange.submission_package(db.session, day, by=current_principal())
    return send_file(
        io.BytesIO(content),
        mimetype=ZIP_MIMETYPE,
        as_attachment=True,
        download_name=f"factor-submission-{day.isoformat()}.zip",
    )
