"""The exchange's pages under /exchange: what the exchange offers, a calculation's PACT download,
the enterprise's shared footprints, and a supplier's PACT file into the factor library.

Decisions worth knowing:
- The download is the same document the API and `workbench pact export` give
  (footprints.calculation_document, which checks EXPORT_FOOTPRINT on the trial): its file name is
  ASCII (rule code, trial label, calculation id) with the readable UTF-8 name in filename*.
- A supplier's file is measured before it is parsed (pact_reading.read_bytes: at most
  pact_reading.MAX_BYTES, the one limit of a PACT file, then its nesting depth); a refused file lists every problem with its JSON path and
  changes nothing.
- Deprecating asks for a ticked confirmation (partners see it as Deprecated at once).
"""

import json
import re
from urllib.parse import quote

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import InputRequired

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db, write
from workbench.errors import NotFound, WorkbenchError
from workbench.exchange import footprints, pact_reading
from workbench.exchange.models import FOOTPRINT_STATUS_LABELS, FootprintStatus, SharedFootprint
from workbench.forms import ConfirmForm
from workbench.i18n import say
from workbench.trials.models import Calculation
from workbench.web import REJECTED, page_number

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

PAGE_SIZE = 50
_ASCII_PART = re.compile(r"[^A-Za-z0-9]+")


class PactFileForm(FlaskForm):
    file = FileField(
        _l("PACT 碳足迹文件（JSON）"),
        validators=[FileRequired(_l("请选择供应商提供的 PACT 碳足迹文件（.json）。"))],
        description=_l("供应商按 PACT 技术规范 v3 提供的一个 ProductFootprint（JSON）。"),
        render_kw={"accept": ".json,application/json"},
    )


class DeprecateForm(FlaskForm):
    confirm = BooleanField(
        _l("确认停用：合作方将看到这一碳足迹已停用，不应再使用。"),
        validators=[InputRequired(_l("请勾选确认后再停用。"))],
    )


@bp.get("/")
def index():
    return render_template("exchange/index.html")


# --- a calculation's PACT download -------------------------------------------------------------------


def _ascii(text: str, fallback: str) -> str:
    cleaned = _ASCII_PART.sub("-", text or "").strip("-")
    return cleaned[:60] or fallback


def download_name(calculation: Calculation) -> tuple[str, str]:
    """(ASCII file name, readable UTF-8 file name) of a calculation's ProductFootprint."""
    trial = calculation.trial
    code = _ascii(trial.rule.code, "rule")
    plain = f"pact-{code}-{_ascii(trial.label, f'trial{trial.id}')}-{calculation.id}.json"
    readable = f"pact-{trial.rule.code}-{trial.label or trial.id}-{calculation.id}.json"
    return plain, readable.replace("/", "-").replace("\\", "-")


def json_download(document: dict, plain: str, readable: str):
    response = make_response(json.dumps(document, ensure_ascii=False, indent=2))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(readable)}"
    return response


@bp.get("/calculations/<id:calculation_id>/pact.json")
def calculation_pact(calculation_id: int):
    calculation = db.get_or_404(Calculation, calculation_id)
    document = footprints.calculation_document(db.session, calculation, by=current_principal())
    return json_download(document, *download_name(calculation))


# --- the enterprise's shared footprints --------------------------------------------------------------


def _footprints_page(status: int = 200, *, deprecate_form=None, deprecate_for=None):
    by = current_principal()
    calculations = footprints.shareable_calculations(db.session, by=by)
    shared_ids = set(
        db.session.scalars(
            select(SharedFootprint.calculation_id).where(
                SharedFootprint.calculation_id.in_([calculation.id for calculation in calculations]),
                SharedFootprint.status == FootprintStatus.ACTIVE,
            )
        )
    )
    page = db.paginate(
        footprints.shared_footprints(db.session, by.organisation_id), page=page_number(), per_page=PAGE_SIZE
    )
    return (
        render_template(
            "exchange/footprints.html",
            page=page,
            calculations=calculations,
            shared_ids=shared_ids,
            share_form=ConfirmForm(),
            deprecate_form=deprecate_form or DeprecateForm(),
            deprecate_for=deprecate_for,
            STATUS_LABELS=FOOTPRINT_STATUS_LABELS,
            Status=FootprintStatus,
        ),
        status,
    )


@bp.get("/footprints")
def shared():
    require(Action.SHARE_FOOTPRINT)
    return _footprints_page()


@bp.post("/calculations/<id:calculation_id>/share")
def share(calculation_id: int):
    require(Action.SHARE_FOOTPRINT)
    calculation = db.get_or_404(Calculation, calculation_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("页面已过期，请重新打开后再试。"), "error")
        return redirect(url_for(".shared"))
    try:
        row = write(lambda: footprints.share_calculation(db.session, calculation, by=current_principal()))
    except WorkbenchError as error:
        flash(say(error.message), "error")
    else:
        flash(_("已共享：合作方现在可以通过 PACT 接口获取碳足迹 %(id)s。", id=row.pf_id), "success")
    return redirect(url_for(".shared"))


@bp.post("/footprints/<id:footprint_id>/deprecate")
def deprecate(footprint_id: int):
    require(Action.SHARE_FOOTPRINT)
    footprint = db.session.get(SharedFootprint, footprint_id)
    if footprint is None or footprint.organisation_id != current_principal().organisation_id:
        raise NotFound(_("没有这一共享碳足迹。"))
    form = DeprecateForm()
    if not form.validate_on_submit():
        return _footprints_page(REJECTED, deprecate_form=form, deprecate_for=footprint.id)
    try:
        write(lambda: footprints.deprecate(db.session, footprint, by=current_principal()))
    except WorkbenchError as error:
        flash(say(error.message), "error")
    else:
        flash(_("碳足迹 %(id)s 已停用。", id=footprint.pf_id), "success")
    return redirect(url_for(".shared"))


# --- a supplier's footprint into the library ---------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_footprint():
    require(Action.IMPORT_FOOTPRINT)
    form = PactFileForm()
    if form.validate_on_submit():
        content = form.file.data.stream.read(pact_reading.MAX_BYTES + 1)  # no further than the limit
        try:
            document = pact_reading.read_bytes(content)
            factor = write(lambda: footprints.import_as_factor(db.session, document, by=current_principal()))
        except WorkbenchError as error:
            problems = (error.details or {}).get("problems") or []
            return render_template("exchange/import.html", form=form, refusal=error, problems=problems), REJECTED
        flash(_("已导入为因子 %(code)s（第 %(version)d 版）。", code=factor.code, version=factor.version), "success")
        return redirect(url_for("factors.factor", factor_id=factor.id))
    status = REJECTED if form.is_submitted() else 200
    return render_template("exchange/import.html", form=form, refusal=None, problems=[]), status
