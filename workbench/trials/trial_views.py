"""Trial pages (试算): the trials of a rule revision, entering data (table, Excel template or JSON),
one trial's result with charts, its calculations, and the feasibility report across trials."""

import functools
import io
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from workbench import json_input
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.dates import today
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.stages import MIN_TRIAL_ENTERPRISES, STAGES
from workbench.errors import Conflict, StaleVersion, WorkbenchError
from workbench.forms import ConfirmForm
from workbench.guideline.vocabulary import CATEGORY_STAGES, LIFE_CYCLE_STAGES
from workbench.i18n import label, say, translate
from workbench.trials import display, feasibility, feasibility_xlsx, sensitivity_rows, service, tasks, workbook
from workbench.trials.models import SOURCE_LABELS, Calculation, DatasetSource, Trial
from workbench.trials.trial_forms import (
    OPTION_LABELS,
    PRIMARY_SHARE_LABELS,
    CalculateForm,
    JsonForm,
    TableForm,
    UploadForm,
    choice_options,
    dataset_from_table,
    placed,
    posted_tables,
    problems_at_cells,
)
from workbench.web import REJECTED, archive_from_form, id_arg

bp = Blueprint("trials", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_ROWS = 10  # empty rows offered in the table form; "more rows" adds as many again
EXCHANGE_ROWS = 4  # empty rows offered in the process table (most trials have no processes)
MAX_TABLE_ROWS = 500  # per table; larger datasets come as a workbook or JSON


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        SOURCE_LABELS=SOURCE_LABELS,
        OPTION_LABELS=OPTION_LABELS,
        PRIMARY_SHARE_LABELS=PRIMARY_SHARE_LABELS,
        num=display.number,
        qty=display.quantity,
        percent=display.percent,
        pct=display.pct,
        share=display.share,
        ratio=display.ratio,
        interval=display.interval,
        co2e_total=display.co2e_total,
        stage_rows=lambda result: [(label("stage", k), v) for k, v in result["by_stage"].items()],
        enterprise=lambda label: say(feasibility.enterprise_label(label)),
        fit_label=display.fit_label,
        spread_rows=lambda report: [
            (say(feasibility.enterprise_label(row["label"])), row["cfp_per_unit"])
            for row in report["results"]
            if row.get("in_spread")
        ],
        contribution_rows=lambda result: [(c["item"], c["kg_co2e_per_unit"]) for c in result["contributions"]],
        sensitivity_rows=sensitivity_rows.rows,
        sensitivity_unlisted=sensitivity_rows.unlisted,
    )


def _rule(rule_id: int) -> Rule:
    return drafting.get_rule(db.session, rule_id)


def _trial(trial_id: int) -> Trial:
    require(Action.VIEW_RULES)  # visitors learn nothing, not even which trials exist
    trial = db.session.get(Trial, trial_id)
    if trial is None:
        abort(404)
    require(Action.VIEW_TRIALS, trial.rule)
    return trial


def _revision(rule: Rule) -> RuleRevision:
    """The revision named by ?revision=N, else the current one."""
    if not request.args.get("revision"):
        return drafting.revision(db.session, rule)
    number = id_arg("revision")
    if number is None:
        abort(404)
    found = db.session.scalar(
        select(RuleRevision).where(RuleRevision.rule_id == rule.id, RuleRevision.number == number)
    )
    if found is None:
        abort(404)
    return found


def _can_run(rule: Rule) -> bool:
    return can(current_principal(), Action.RUN_TRIALS, rule) and not rule.is_archived and STAGES[rule.stage].trials_open


# --- every rule's trials --------------------------------------------------------------------------


@bp.get("/trials")
def overview():
    """Where the trials of every rule the user may see stand, with the way to each rule's trials."""
    require(Action.VIEW_RULES)
    return render_template(
        "trials/overview.html", rows=service.overview(db.session, current_principal()), minimum=MIN_TRIAL_ENTERPRISES
    )


# --- a rule's trials ------------------------------------------------------------------------------


@bp.get("/drafting/<id:rule_id>/trials")
def trials(rule_id: int):
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    require(Action.VIEW_TRIALS, rule)
    revision = _revision(rule)
    listed = service.trials_of(db.session, revision, include_archived=True)
    latest = service.latest_calculations(db.session, [trial.id for trial in listed])
    current = drafting.revision(db.session, rule)
    # Offered while some enterprise of the earlier revision has no trial on the current one.
    pending = service.to_carry_forward(db.session, rule) if revision.number == current.number else None
    return render_template(
        "trials/trials.html",
        rule=rule,
        revision=revision,
        current=current,
        trials=listed,
        latest=latest,
        revisions=service.revisions_with_trials(db.session, rule),
        carry_from=(pending[0], len(pending[1])) if pending else None,
        enterprises=service.trial_enterprises(db.session, rule),
        can_run=_can_run(rule),
        confirm_form=ConfirmForm(formdata=None),
        minimum=MIN_TRIAL_ENTERPRISES,
    )


@bp.get("/drafting/<id:rule_id>/trials/classes")
def classes(rule_id: int):
    """Performance classes proposed from the revision's trial results; shown, never saved."""
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    require(Action.VIEW_TRIALS, rule)
    revision = _revision(rule)
    grades = request.args.get("grades", "3")
    if grades not in ("3", "5"):
        abort(404)
    outcome = service.proposed_classes(db.session, revision, int(grades))
    proposal = outcome["proposal"]
    return render_template(
        "trials/classes.html",
        rule=rule,
        revision=revision,
        outcome=outcome,
        proposal_json=json.dumps(proposal, ensure_ascii=False, indent=2) if proposal else "",
    )


@bp.get("/drafting/<id:rule_id>/trials/template.xlsx")
def template_xlsx(rule_id: int):
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    revision = _revision(rule)
    content = workbook.template_workbook(revision.document, rule_code=rule.code, revision=revision.number)
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{rule.code}-r{revision.number}-trial-template.xlsx",
    )


def _stages(rule_document: dict) -> list[str]:
    included = ((rule_document.get("parameters") or {}).get("system_boundary") or {}).get("stages_included") or []
    return [stage for stage in LIFE_CYCLE_STAGES if stage in included]


def _table_page(rule, revision, form, rows, exchange_rows, *, trial=None, problems=(), cells=None, status=200):
    return (
        render_template(
            "trials/table_form.html",
            rule=rule,
            revision=revision,
            form=form,
            rows=rows,
            exchange_rows=exchange_rows,
            stages=_stages(revision.document),
            columns=workbook.COLUMNS,
            exchange_columns=workbook.PROCESS_COLUMNS,
            choices=choice_options(),
            trial=trial,
            problems=problems,
            cells=cells or {},
        ),
        status,
    )


def _submit_table(rule: Rule, revision: RuleRevision, form: TableForm, trial: Trial | None):
    """Save the table form as a new trial or as new data of `trial`; or show it again."""
    rows, exchange_rows = posted_tables(form, TABLE_ROWS, EXCHANGE_ROWS, MAX_TABLE_ROWS)
    more = request.form.get("more")
    if more is not None:  # more empty rows in one table; nothing is saved
        if more == "exchanges":
            exchange_rows += [{} for _ in range(min(EXCHANGE_ROWS, MAX_TABLE_ROWS - len(exchange_rows)))]
        else:
            rows += [{} for _ in range(min(TABLE_ROWS, MAX_TABLE_ROWS - len(rows)))]
        return _table_page(rule, revision, form, rows, exchange_rows, trial=trial)
    if not form.validate_on_submit():
        return _table_page(rule, revision, form, rows, exchange_rows, trial=trial, status=REJECTED)
    data, problems, cells, layout = dataset_from_table(form, rows, exchange_rows, _stages(revision.document))
    if not problems:  # what dataset.validate says is shown at the cells too
        at_cells = functools.partial(problems_at_cells, layout=layout, cells=cells)
        saved = _store(rule, data, DatasetSource.FORM, form, trial, enterprise=form.enterprise.data, listed=at_cells)
        if not isinstance(saved, list):
            return saved
        problems = saved
    return _table_page(
        rule, revision, form, rows, exchange_rows, trial=trial, problems=problems, cells=cells, status=REJECTED
    )


def _by_path(problems: list[dict]) -> list[str]:
    return [placed(problem["path"] or "/", problem["message"]) for problem in problems]


def _store(rule: Rule, data: dict, source: DatasetSource, form, trial: Trial | None, enterprise=None, listed=_by_path):
    """Create the trial or give `trial` new data: a redirect to it, or the refusal's problems
    (the caller shows its form again with everything typed); `listed` words the dataset's
    problems ({path, message}), each once."""
    try:
        if trial is None:
            trial = service.create_trial(
                db.session, rule, data=data, source=source, by=current_principal(), enterprise=enterprise or None
            )
        else:
            version = getattr(form, "version", None)
            expected = int(version.data) if version is not None and str(version.data or "").isdecimal() else None
            service.update_trial(
                db.session,
                trial,
                data=data,
                source=source,
                by=current_principal(),
                enterprise=enterprise or None,
                expected_version=expected,
            )
    except StaleVersion as error:
        # Saving again is then a choice made knowing that someone else changed the data.
        form.version.data, form.version.raw_data = error.current_version, [str(error.current_version)]
        return [str(error.message)]
    except WorkbenchError as error:
        problems = error.details.get("problems") if isinstance(error.details, dict) else None
        return listed(problems) if problems else [str(error.message)]
    # Draws too many for the request were left for a job: its page shows how far it is, as after
    # a recalculation with Monte Carlo.
    try:
        job = tasks.request_deferred_draws(db.session, trial, by=current_principal())
    except Conflict as error:  # the account's job limit: the save stands, the draws wait
        flash(
            _(
                "试算已保存并完成计算（不含蒙特卡洛模拟：数据较多，需在后台计算），但后台计算未能排队：%(reason)s "
                "请待其他计算完成后，在试算页面“重新计算”中填写蒙特卡洛次数再计算。",
                reason=error.message,
            ),
            "warning",
        )
        return redirect(url_for(".trial", trial_id=trial.id))
    if job is not None:
        flash(_("试算已保存并完成计算；蒙特卡洛模拟因数据较多在后台计算，完成后显示在试算页面。"), "success")
        return redirect(url_for("jobs.job", job_id=job.id))
    flash(_("试算已保存并完成计算。"), "success")
    return redirect(url_for(".trial", trial_id=trial.id))


@bp.route("/drafting/<id:rule_id>/trials/new", methods=["GET", "POST"])
def new_trial(rule_id: int):
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    require(Action.RUN_TRIALS, rule)
    revision = drafting.revision(db.session, rule)
    form = TableForm()
    if request.method == "GET":
        form.unit.data = _reference_unit(revision.document)
        blank = [{} for _ in range(EXCHANGE_ROWS)]
        return _table_page(rule, revision, form, _template_rows(revision.document), blank)
    return _submit_table(rule, revision, form, None)


def _reference_unit(rule_document: dict) -> str:
    parameters = rule_document.get("parameters") or {}
    unit = parameters.get("declared_unit") or parameters.get("functional_unit") or {}
    return str(unit.get("unit") or "") if isinstance(unit, dict) else ""


def _template_rows(rule_document: dict) -> list[dict]:
    """One empty row per activity category the rule expects in each stage, then blank rows."""
    parameters = rule_document.get("parameters") or {}
    stages = _stages(rule_document)
    rows = [
        {"stage": stage, "category": category}
        for stage in stages
        for category in parameters.get("activity_data_categories") or []
        if stage in CATEGORY_STAGES.get(category, ())
    ]
    return rows + [{} for _ in range(TABLE_ROWS)]


@bp.route("/drafting/<id:rule_id>/trials/upload", methods=["GET", "POST"])
def upload_trial(rule_id: int):
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    require(Action.RUN_TRIALS, rule)
    revision = drafting.revision(db.session, rule)
    form = UploadForm()

    def page(problems=(), status=200):
        return render_template("trials/upload.html", rule=rule, revision=revision, form=form, problems=problems), status

    if not form.validate_on_submit():
        return page(status=REJECTED if form.is_submitted() else 200)
    data, source, problems = _read_upload(form.file.data.read())
    if problems:
        return page(problems, REJECTED)
    saved = _store(rule, data, source, form, None, enterprise=form.enterprise.data)
    return page(saved, REJECTED) if isinstance(saved, list) else saved


def _read_upload(content: bytes) -> tuple[dict, DatasetSource, list[str]]:
    """A JSON dataset (it starts with "{"), else a filled-in template: told apart by content, not
    by name, so a CSV or an old .xls gets the workbook's "save as .xlsx" message."""
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        try:
            return json_input.loads(content.decode("utf-8-sig")), DatasetSource.JSON, []
        except json_input.NestedTooDeeply as error:
            return {}, DatasetSource.JSON, [_too_deep(error)]
        except (UnicodeDecodeError, ValueError) as error:
            return {}, DatasetSource.JSON, [_("JSON 文件无法读取：%(reason)s", reason=str(error))]
    data, problems = workbook.read_workbook(content, translate)
    # Each message names its sheet, row and column itself: "where：" before it would say it twice.
    return data, DatasetSource.XLSX, [message for _where, message in problems]


def _too_deep(error: json_input.NestedTooDeeply) -> str:
    return _("JSON 嵌套超过 %(max)d 层，不是试算数据：请检查文件。", max=error.limit)


@bp.get("/trials/<id:trial_id>")
def trial(trial_id: int):
    record = _trial(trial_id)
    calculations = db.session.scalars(
        select(Calculation)
        .where(Calculation.trial_id == record.id)
        .order_by(Calculation.id)
        .options(defer(Calculation.dataset), defer(Calculation.result))
    ).all()
    number = id_arg("calculation")
    shown = next((c for c in calculations if c.id == number), None) if number else None
    shown = shown or (calculations[-1] if calculations else None)
    return render_template(
        "trials/trial.html",
        trial=record,
        rule=record.rule,
        calculation=shown,
        calculations=calculations,
        can_run=_can_run(record.rule) and not record.is_archived,
        can_archive=_can_run(record.rule),
        calculate_form=CalculateForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        representable=workbook.representable(record.dataset),
    )


@bp.route("/trials/<id:trial_id>/edit", methods=["GET", "POST"])
def edit_trial(trial_id: int):
    record = _trial(trial_id)
    require(Action.RUN_TRIALS, record.rule)
    revision = record.revision
    if not workbook.representable(record.dataset) or request.args.get("as") == "json":
        return redirect(url_for(".edit_json", trial_id=record.id))
    form = TableForm()
    if request.method == "GET":
        data = record.dataset
        flow = data.get("reference_flow") or {}
        form.enterprise.data, form.period.data = record.enterprise, data.get("period", "")
        form.quantity.data, form.unit.data = display.as_typed(flow.get("quantity")), flow.get("unit")
        form.product.data, form.version.data = flow.get("product", ""), record.version
        rows = workbook.rows_from_dataset(data) + [{} for _ in range(TABLE_ROWS)]
        exchange_rows = workbook.exchange_rows_from_dataset(data) + [{} for _ in range(EXCHANGE_ROWS)]
        return _table_page(record.rule, revision, form, rows, exchange_rows, trial=record)
    return _submit_table(record.rule, revision, form, record)


@bp.route("/trials/<id:trial_id>/json", methods=["GET", "POST"])
def edit_json(trial_id: int):
    record = _trial(trial_id)
    require(Action.RUN_TRIALS, record.rule)
    form = JsonForm()

    def page(problems=(), status=200):
        return render_template(
            "trials/json_form.html", trial=record, rule=record.rule, form=form, problems=problems
        ), status

    if request.method == "GET":
        form.dataset.data = json.dumps(record.dataset, ensure_ascii=False, indent=2)
        form.enterprise.data, form.version.data = record.enterprise, record.version
        return page()
    if not form.validate_on_submit():
        return page(status=REJECTED)
    try:
        data = json_input.loads(form.dataset.data)
    except json_input.NestedTooDeeply as error:
        return page([_too_deep(error)], REJECTED)
    except ValueError as error:
        return page([_("不是有效的 JSON：%(reason)s", reason=str(error))], REJECTED)
    saved = _store(record.rule, data, DatasetSource.JSON, form, record, enterprise=form.enterprise.data)
    return page(saved, REJECTED) if isinstance(saved, list) else saved


@bp.post("/trials/<id:trial_id>/calculate")
def calculate(trial_id: int):
    record = _trial(trial_id)
    require(Action.RUN_TRIALS, record.rule)
    form = CalculateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for(".trial", trial_id=record.id))
    options = {
        "electricity": form.electricity.data,
        "allocation": form.allocation.data,
        "iterations": form.iterations.data,
        "seed": form.seed.data,
    }
    try:
        if options["iterations"]:  # Monte Carlo: a background job, whose page follows it
            job, _created = tasks.request_calculation(db.session, record, by=current_principal(), **options)
            return redirect(url_for("jobs.job", job_id=job.id))
        calculation = service.calculate(db.session, record, by=current_principal(), **options)
    except WorkbenchError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".trial", trial_id=record.id))
    flash(_("已重新计算。"), "success")
    return redirect(url_for(".trial", trial_id=record.id, calculation=calculation.id))


def _set_archived(trial_id: int, archived: bool):
    record = _trial(trial_id)
    require(Action.RUN_TRIALS, record.rule)

    def operation(trial, archived, reason):
        service.set_archived(db.session, trial, archived, by=current_principal(), reason=reason)

    # Reports and pages name a trial by its label (企业A); the name stays with the drafting group.
    return archive_from_form(record, archived, operation, ".trial", name=record.label, trial_id=record.id)


@bp.post("/trials/<id:trial_id>/archive")
def archive_trial(trial_id: int):
    return _set_archived(trial_id, True)


@bp.post("/trials/<id:trial_id>/restore")
def restore_trial(trial_id: int):
    return _set_archived(trial_id, False)


@bp.get("/trials/<id:trial_id>/dataset.json")
def dataset_json(trial_id: int):
    record = _trial(trial_id)
    number = id_arg("calculation")
    data = record.dataset
    if number:
        calculation = db.session.get(Calculation, number)
        if calculation is None or calculation.trial_id != record.id:
            abort(404)
        data = calculation.dataset
    return send_file(
        io.BytesIO(json.dumps(data, ensure_ascii=False, indent=2).encode()),
        mimetype="application/json",
        as_attachment=True,
        download_name=f"{record.rule.code}-{record.label}-dataset.json",
    )


@bp.post("/drafting/<id:rule_id>/trials/carry-forward")
def carry_forward(rule_id: int):
    require(Action.VIEW_RULES)
    rule = _rule(rule_id)
    require(Action.RUN_TRIALS, rule)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        copied = service.carry_forward(db.session, rule, by=current_principal())
    except WorkbenchError as error:
        db.session.rollback()  # all or none: the trials copied before the refusal go too
        flash(str(error.message), "error")
    else:
        flash(_("已将 %(count)d 份试算转入当前版本并重新计算。", count=len(copied)), "success")
    return redirect(url_for(".trials", rule_id=rule.id))


# --- the feasibility report -------------------------------------------------------------------------


@bp.get("/drafting/<id:rule_id>/trials/report")
def report(rule_id: int):
    require(Action.VIEW_FEASIBILITY)
    rule = _rule(rule_id)
    revision = _revision(rule)
    return render_template(
        "trials/report.html",
        rule=rule,
        revision=revision,
        report=service.report(db.session, revision),
        revisions=service.revisions_with_trials(db.session, rule),
        can_view_trials=can(current_principal(), Action.VIEW_TRIALS, rule),
    )


@bp.get("/drafting/<id:rule_id>/trials/report.xlsx")
def report_xlsx(rule_id: int):
    require(Action.VIEW_FEASIBILITY)
    rule = _rule(rule_id)
    revision = _revision(rule)
    content = feasibility_xlsx.report_xlsx(
        service.report(db.session, revision),
        rule_code=rule.code,
        title=rule.title,
        revision=revision.number,
        translate=translate,
    )
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{rule.code}-r{revision.number}-feasibility-{today().isoformat()}.xlsx",
    )
