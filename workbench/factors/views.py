"""Pages of the factor library (因子库)."""

import io

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.errors import WorkbenchError
from workbench.factors import files, service
from workbench.factors.models import KIND_LABELS, TIER_LABELS, Factor
from workbench.forms import reason_field, version_field
from workbench.web import REJECTED, form_page, page_number, save, text_arg

bp = Blueprint("factors", __name__, url_prefix="/factors")


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(TIER_LABELS=TIER_LABELS, KIND_LABELS=KIND_LABELS)


class FactorForm(FlaskForm):
    code = StringField(_l("因子编号"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    value = StringField(_l("数值"), validators=[DataRequired(), Length(max=40)])
    unit = StringField(
        _l("单位"), validators=[DataRequired(), Length(max=60)], description=_l("如 kgCO2e/kWh、kgCO2/kg、kgCO2e/t·km")
    )
    kind = SelectField(_l("类型"), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()])
    tier = SelectField(
        _l("数据来源层级"),
        choices=[SelectChoice(tier.value, label) for tier, label in TIER_LABELS.items()],
        description=_l("指引（五）：经溯源性核验的实测数据优先，其次政府官方数据、行业经验值、文献值。"),
    )
    geography = StringField(_l("地理范围"), validators=[Optional(), Length(max=100)])
    data_year = StringField(_l("数据年份"), validators=[Optional(), Length(max=4)])
    published_on = DateField(_l("发布日期"), validators=[Optional()])
    source = StringField(
        _l("来源"), validators=[DataRequired(), Length(max=500)], description=_l("文件名称、文号、页码")
    )
    source_url = StringField(_l("来源网址"), validators=[Optional(), Length(max=500)])
    database = StringField(_l("数据库及版本"), validators=[Optional(), Length(max=200)])
    standards = StringField(_l("依据的标准"), validators=[Optional(), Length(max=300)])
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=4000)])
    reason = reason_field()
    version = version_field()


class FactorImportForm(FlaskForm):
    # No size validator of its own: the app's upload limit (WORKBENCH_MAX_UPLOAD_MB) applies.
    file = FileField(
        _l("CSV 或 XLSX 文件"),
        validators=[
            FileRequired(_l("请选择要导入的 CSV 或 XLSX 文件。")),
            FileAllowed(["csv", "xlsx"], _l("只能导入 .csv 或 .xlsx 文件。")),
        ],
        render_kw={"accept": f".csv,.xlsx,text/csv,{files.XLSX_MIMETYPE}"},
    )


def _filters() -> service.FactorFilters:
    return service.FactorFilters(
        text=text_arg("q"),
        unit=text_arg("unit", 60),
        geography=text_arg("geography", 100),
        tier=request.args.get("tier", ""),
        kind=request.args.get("kind", ""),
    )


@bp.get("/")
def factors():
    require(Action.VIEW_FACTORS)
    filters = _filters()
    page = db.paginate(service.search(filters), page=page_number(), per_page=50)
    return render_template("factors/factors.html", page=page, filters=filters)


@bp.get("/export.csv")
def export():
    require(Action.VIEW_FACTORS)
    content = files.export_csv(db.session.scalars(service.search(_filters())))
    return Response(
        "\ufeff" + content,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=factors.csv"},
    )


@bp.get("/export.xlsx")
def export_xlsx():
    require(Action.VIEW_FACTORS)
    content = files.export_xlsx(db.session.scalars(service.search(_filters())))
    return send_file(
        io.BytesIO(content), mimetype=files.XLSX_MIMETYPE, as_attachment=True, download_name="factors.xlsx"
    )


@bp.get("/<id:factor_id>")
def factor(factor_id: int):
    require(Action.VIEW_FACTORS)
    return render_template("factors/factor.html", factor=db.get_or_404(Factor, factor_id))


def _input(form: FactorForm, record: Factor | None = None) -> service.FactorInput:
    """The form's values; per-gas values and uncertainty (set by import, not in the form) are kept."""
    return service.FactorInput(
        code=form.code.data,
        name=form.name.data,
        value=form.value.data,
        unit=form.unit.data,
        kind=form.kind.data,
        tier=form.tier.data,
        source=form.source.data,
        geography=form.geography.data or "",
        data_year=form.data_year.data or None,
        published_on=form.published_on.data,
        source_url=form.source_url.data or "",
        database=form.database.data or "",
        standards=form.standards.data or "",
        note=form.note.data or "",
        gases=record.gases if record else None,
        uncertainty=record.uncertainty if record else None,
    )


def _saved():
    return {
        "message": lambda saved: _("因子“%(name)s”已保存。", name=saved.name),
        "redirect_to": lambda saved: url_for(".factor", factor_id=saved.id),
    }


@bp.route("/new", methods=["GET", "POST"])
def new_factor():
    require(Action.MANAGE_FACTORS)
    form = FactorForm()
    del form.reason, form.version
    return save(
        form, lambda: service.create_factor(db.session, _input(form), by=current_principal()), **_saved()
    ) or form_page("factors/factor_form.html", form, factor=None)


@bp.route("/<id:factor_id>/edit", methods=["GET", "POST"])
def edit_factor(factor_id: int):
    require(Action.MANAGE_FACTORS)
    record = db.get_or_404(Factor, factor_id)
    if request.method == "GET":
        data = {column: getattr(record, column) for column in files.CSV_COLUMNS}
        data.update(kind=record.kind.value, tier=record.tier.value, value=repr(record.value), version=record.version)
        form = FactorForm(data=data)
    else:
        form = FactorForm()

    def update():
        return service.update_factor(
            db.session,
            record,
            _input(form, record),
            by=current_principal(),
            reason=form.reason.data,
            expected_version=form.version.data,
        )

    return save(form, update, **_saved()) or form_page("factors/factor_form.html", form, factor=record)


@bp.route("/import", methods=["GET", "POST"])
def import_factors():
    require(Action.MANAGE_FACTORS)
    form = FactorImportForm()
    form.file.description = _(
        "CSV（UTF-8 编码）或 Excel 工作簿（.xlsx，读取第一个工作表），不超过 %(size)d MB；列与导出的文件相同，gases（分气体数值）和 uncertainty（不确定性）两列可选，填 JSON 对象。编号已存在的因子按文件更新（保留历史版本）。",
        size=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created, updated = service.import_file(
                db.session, upload.read(), upload.filename or "", by=current_principal()
            )
        except WorkbenchError as error:
            return render_template("factors/import.html", form=form, refusal=error), REJECTED
        flash(
            _("导入完成：新增 %(created)d 个因子，更新 %(updated)d 个。", created=len(created), updated=len(updated)),
            "success",
        )
        return redirect(url_for(".factors"))
    return form_page("factors/import.html", form)
