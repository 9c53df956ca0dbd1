"""The drafting workspace: the list of rules, a new rule, its parameters, clauses and JSON, its
findings, revisions and consultation. The rule's overview with its stage moves and publications
is workbench.workflow's page (it needs trials and publishing as well)."""

import io
import json

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from wtforms import SelectChoice

from workbench.auth.access import current_principal, require
from workbench.auth.models import WorkingGroup
from workbench.auth.permissions import NO_WORKING_GROUP, Action, can
from workbench.dates import today
from workbench.db import db, utcnow, write
from workbench.drafting import live_check, schema_forms, service, stages
from workbench.drafting.forms import (
    COMMENT_RECEIVED,
    ClauseForm,
    CommentForm,
    DispositionForm,
    DocumentForm,
    NewRuleForm,
    RevisionForm,
    SuppressForm,
)
from workbench.drafting.models import (
    COMMENT_KIND_LABELS,
    DISPOSITION_LABELS,
    ConsultationComment,
    FindingSuppression,
    Rule,
    RuleRevision,
)
from workbench.drafting.workspace import workspace
from workbench.error_pages import answer_in_json
from workbench.errors import WorkbenchError
from workbench.forms import ConfirmForm
from workbench.markdown import render as markdown
from workbench.registry.models import Product
from workbench.web import (
    REJECTED,
    form_page,
    id_arg,
    page_number,
    refusal_at_form,
    refusal_status,
    safe_next,
    show_error,
)

bp = Blueprint("drafting", __name__, url_prefix="/drafting")


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        STAGES=stages.STAGES,
        COMMENT_KIND_LABELS=COMMENT_KIND_LABELS,
        DISPOSITION_LABELS=DISPOSITION_LABELS,
        markdown=markdown,
        finding_url=finding_url,
        field_path=field_path,
    )


def field_path(path: str) -> str:
    """The form field a finding belongs to: an item of a list belongs to the list's field."""
    parts = path.split("/")
    while len(parts) > 2 and parts[-1].isdigit():
        parts.pop()
    return "/".join(parts)


def finding_url(rule: Rule, document: dict, path: str) -> str:
    """Where the user fixes what a finding points at: the field, the clause, or the JSON."""
    parts = path.strip("/").split("/")
    if parts[0] in schema_forms.EDITABLE:
        return url_for("drafting.parameters", rule_id=rule.id, _anchor="field" + field_path(path).replace("/", "-"))
    if parts[0] == "clauses" and len(parts) > 1 and parts[1].isdigit():
        clauses = document.get("clauses", [])
        index = int(parts[1])
        if index < len(clauses) and clauses[index].get("id"):
            return url_for("drafting.clause", rule_id=rule.id, clause_id=clauses[index]["id"])
    return url_for("drafting.document", rule_id=rule.id)


def _rule(rule_id: int) -> Rule:
    return service.get_rule(db.session, rule_id)


# --- list and creation ----------------------------------------------------------------------------


@bp.get("/")
def rules():
    require(Action.VIEW_RULES)
    query = (
        select(Rule)
        .options(selectinload(Rule.product), selectinload(Rule.working_group))
        .where(Rule.archived_at.is_(None))
        .order_by(Rule.code)
    )
    stage = request.args.get("stage", "")
    if stage in stages.STAGES:
        query = query.where(Rule.stage == stage)
    page = db.paginate(query, page=page_number(), per_page=50)
    latest = service.latest_counts(db.session, [rule.id for rule in page.items])
    return render_template("drafting/rules.html", page=page, latest=latest, stage=stage)


@bp.route("/new", methods=["GET", "POST"])
def new_rule():
    require(Action.CREATE_RULE)
    form = NewRuleForm()
    user = current_principal()
    products = db.session.scalars(select(Product).where(Product.archived_at.is_(None)).order_by(Product.name)).all()
    groups = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.archived_at.is_(None)).order_by(WorkingGroup.code)
    ).all()
    groups = [group for group in groups if can(user, Action.CREATE_RULE, group)]  # drafters: their own
    # Names people gave stay in Chinese on an English page, marked so (for screen readers).
    named = {"lang": "zh-CN"}
    form.product.choices = [SelectChoice(0, _("请选择"))] + [SelectChoice(p.id, p.name, named) for p in products]
    form.working_group.choices = [SelectChoice(group.id, f"{group.code} {group.name}", named) for group in groups]
    if can(user, Action.CREATE_RULE, NO_WORKING_GROUP):
        form.working_group.choices.insert(0, SelectChoice(0, _("（暂不指定）")))
    if request.method == "GET" and id_arg("product"):
        form.product.data = id_arg("product")
    national = None  # the product's national standards and projects, when creating one more needs a decision
    if form.validate_on_submit():
        group = db.session.get(WorkingGroup, form.working_group.data) if form.working_group.data else None
        try:
            rule = service.create_rule(
                db.session,
                product=db.session.get(Product, form.product.data),
                working_group=group,
                by=user,
                today=today(),
                # The confirmation names its product: choosing another product asks again.
                new_project=request.form.get("new_project") == str(form.product.data),
            )
        except service.NationalExists as error:
            national = {"message": error.message, "entries": error.details["national"]}
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "规则 %(code)s 已创建：标准名称、边界和条款已按模板和产品的最终用途填好，请逐项修改。",
                    code=rule.code,
                ),
                "success",
            )
            return redirect(url_for("workflow.rule", rule_id=rule.id))
    status = REJECTED if form.is_submitted() else 200
    return render_template("drafting/new.html", form=form, national=national), status


# --- one rule -------------------------------------------------------------------------------------


def _require_editor(rule: Rule) -> None:
    require(Action.EDIT_RULE, rule)


def _revision_number(value) -> int:
    """The revision a form was based on; -1 (no revision: the save is refused as stale) for
    anything else, "²" included, which str.isdigit() takes for a digit and int() refuses."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else -1


def _save(rule: Rule, form: RevisionForm, document: dict, template: str, **context):
    """Save `document` as the next revision and commit (a document identical to the current
    revision writes nothing, and the flash says so), or show the form again with what was typed. Two editors saving the same revision at once: the database lets one win, and the other
    gets the stale answer below, as if they had saved second (workbench.db.write)."""
    based_on = _revision_number(form.based_on.data)
    try:
        saved = write(
            lambda: service.save_revision(
                db.session, rule, document, message=form.message.data or "", based_on=based_on, by=current_principal()
            )
        )
    except service.StaleRevision as error:
        flash(str(error.message), "error")
        # The form moves on to the newest revision: saving again, after merging, is a deliberate
        # choice (the hidden field renders what was submitted, so replace both).
        current = str(error.details["current_revision"])
        form.based_on.data, form.based_on.raw_data = current, [current]
        return render_template(template, form=form, stale=True, **workspace(rule), **context), REJECTED
    except WorkbenchError as error:
        show_error(form, error)
        problems = error.details.get("problems", [])
        page = render_template(template, form=form, problems=problems, **workspace(rule), **context)
        return page, refusal_status(error)
    if saved.number == based_on:  # the same document as the current revision: nothing was written
        flash(_("内容与第 %(number)d 版相同，未保存新版本。", number=saved.number), "info")
        return None
    flash(
        _(
            "已保存为第 %(number)d 版：%(errors)d 项错误，%(warnings)d 项警告。",
            number=saved.number,
            errors=saved.errors,
            warnings=saved.warnings,
        ),
        "success",
    )
    return None


@bp.route("/<id:rule_id>/parameters", methods=["GET", "POST"])
def parameters(rule_id: int):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    _require_editor(record)
    current = service.revision(db.session, record)
    template = service.template_of(record)  # a 1.0 rule is edited as 1.1
    form = RevisionForm()
    if request.method == "GET":
        form.based_on.data = current.number
        fields = schema_forms.fields_for(template.schema, current.document)
        return render_template("drafting/parameters.html", form=form, fields=fields, **workspace(record))
    document = schema_forms.apply(template.schema, current.document, request.form)
    fields = schema_forms.fields_for(template.schema, document)
    if not form.validate_on_submit():
        return render_template("drafting/parameters.html", form=form, fields=fields, **workspace(record)), REJECTED
    refused = _save(record, form, document, "drafting/parameters.html", fields=fields)
    return refused or redirect(url_for(".parameters", rule_id=record.id))


@bp.route("/<id:rule_id>/clauses/<clause_id>", methods=["GET", "POST"])
def clause(rule_id: int, clause_id: str):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    _require_editor(record)
    current = service.revision(db.session, record)
    clauses = current.document.get("clauses", [])
    index = next((i for i, item in enumerate(clauses) if item.get("id") == clause_id), None)
    if index is None:
        abort(404)
    form = ClauseForm()
    if request.method == "GET":
        form.based_on.data = current.number
        form.title.data = clauses[index].get("title", "")
        form.text.data = clauses[index].get("text", "")
    context = {"clause": clauses[index], "clause_index": index, "preview": None}
    if request.method == "POST" and "preview" in request.form:
        # The length is checked before rendering: a text over the limit is never rendered.
        if not form.text.validate(form):
            return render_template("drafting/clause.html", form=form, **context, **workspace(record)), REJECTED
        context["preview"] = markdown(form.text.data or "")
        return render_template("drafting/clause.html", form=form, **context, **workspace(record))
    if form.validate_on_submit():
        document = json.loads(json.dumps(current.document))
        document["clauses"][index]["title"] = form.title.data.strip()
        document["clauses"][index]["text"] = (form.text.data or "").replace("\r\n", "\n")
        refused = _save(record, form, document, "drafting/clause.html", **context)
        return refused or redirect(url_for("workflow.rule", rule_id=record.id, _anchor=clause_id))
    return render_template("drafting/clause.html", form=form, **context, **workspace(record)), (
        REJECTED if form.is_submitted() else 200
    )


@bp.route("/<id:rule_id>/document", methods=["GET", "POST"])
def document(rule_id: int):
    """The whole rule as JSON, for what the forms do not cover (references, terms, extensions)."""
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    _require_editor(record)
    current = service.revision(db.session, record)
    form = DocumentForm()
    if request.method == "GET":
        form.based_on.data = current.number
        form.document.data = json.dumps(current.document, ensure_ascii=False, indent=2)
        return render_template("drafting/document.html", form=form, **workspace(record))
    if not form.validate_on_submit():
        return render_template("drafting/document.html", form=form, **workspace(record)), REJECTED
    try:
        submitted = service.parse_json(form.document.data)
    except ValueError as error:
        form.document.errors = [str(error)]
        return render_template("drafting/document.html", form=form, **workspace(record)), REJECTED
    refused = _save(record, form, submitted, "drafting/document.html")
    return refused or redirect(url_for("workflow.rule", rule_id=record.id))


# --- live checking (workbench.drafting.live_check) --------------------------------------------------


@bp.url_value_preprocessor
def _prepare_the_check(endpoint, values):
    # URL value preprocessors run before every before-request hook, the CSRF check included,
    # which is the first to read the form: a larger body is refused (413) before anyone reads it;
    # and every refusal (CSRF, sign-in, size) is answered in JSON, for the page's script.
    if endpoint == "drafting.check":
        request.max_content_length = live_check.MAX_CHECK_BYTES
        answer_in_json()


@bp.post("/<id:rule_id>/check")
def check(rule_id: int):
    """The findings of the unsaved form, as the parameters page or the clause editor has it while
    the user types (livecheck.js), in JSON. Nothing is saved and nothing is audited."""
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    _require_editor(record)
    data = live_check.submitted()
    current = service.revision(db.session, record)
    template = service.template_of(record)  # a 1.0 rule is edited as 1.1
    if "clause_id" in data:
        document, field_of = live_check.clause_draft(current.document, data)
    else:
        document = schema_forms.apply(template.schema, current.document, data)
        field_of = live_check.parameter_fields(schema_forms.fields_for(template.schema, document), field_path)
    checked = service.check_draft(db.session, record, document, by=current_principal(), current=current)
    return jsonify(live_check.answer(record, current, checked, field_of, finding_url))


# --- revisions ------------------------------------------------------------------------------------


@bp.get("/<id:rule_id>/revisions")
def revisions(rule_id: int):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    revisions = db.session.scalars(
        select(RuleRevision)
        .options(defer(RuleRevision.document))
        .where(RuleRevision.rule_id == record.id)
        .order_by(RuleRevision.number.desc())
    ).all()
    return render_template("drafting/revisions.html", rule=record, revisions=revisions)


@bp.get("/<id:rule_id>/compare")
def compare(rule_id: int):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    # As the `id` converter: a number too large for the column is a 404, not a database error.
    old_number, new_number = id_arg("a"), id_arg("b")
    if old_number is None or new_number is None:
        abort(404)
    try:
        old, new = service.revision(db.session, record, old_number), service.revision(db.session, record, new_number)
    except WorkbenchError:
        abort(404)
    rows, clauses = service.compare(old.document, new.document)
    return render_template("drafting/compare.html", rule=record, old=old, new=new, rows=rows, clauses=clauses)


# --- findings and stages --------------------------------------------------------------------------


@bp.post("/<id:rule_id>/suppressions")
def suppress(rule_id: int):
    record = _rule(rule_id)
    _require_editor(record)
    form = SuppressForm()
    if not form.validate():
        flash(_("请写明忽略的理由。"), "error")
    else:
        try:
            service.suppress(
                db.session,
                record,
                code=form.code.data,
                path=form.path.data or "",
                reason=form.reason.data,
                by=current_principal(),
            )
        except WorkbenchError as error:
            flash(str(error.message), "error")
        else:
            flash(_("检查结果已忽略，理由已记录。"), "success")
    return redirect(url_for("workflow.rule", rule_id=record.id, _anchor="findings"))


@bp.post("/<id:rule_id>/suppressions/<id:suppression_id>/delete")
def unsuppress(rule_id: int, suppression_id: int):
    record = _rule(rule_id)
    _require_editor(record)
    suppression = db.get_or_404(FindingSuppression, suppression_id)
    if suppression.rule_id != record.id or not ConfirmForm().validate():
        abort(404)
    service.unsuppress(db.session, suppression, by=current_principal())
    flash(_("已恢复这项检查结果。"), "success")
    return redirect(url_for("workflow.rule", rule_id=record.id, _anchor="findings"))


# --- consultation ---------------------------------------------------------------------------------


def _comments(rule: Rule) -> list[ConsultationComment]:
    return service.comments_of(db.session, rule.id)


@bp.get("/<id:rule_id>/consultation")
def consultation(rule_id: int):
    """The consultation draft (征求意见稿): public while the rule is at stage 30."""
    record = _rule(rule_id)
    if not stages.STAGES[record.stage].public_draft and not can(current_principal(), Action.VIEW_RULES):
        abort(404)
    current = (
        service.consultation_revision(db.session, record)
        if stages.STAGES[record.stage].public_draft
        else service.revision(db.session, record)
    )
    form = CommentForm(formdata=None)
    form.revision.data = str(current.number)
    user = current_principal()
    if user.is_authenticated:
        form.name.data = user.display_name
        form.organisation.data = user.organisation.name if user.organisation else ""
    return render_template(
        "drafting/consultation.html", rule=record, document=current.document, form=form, shown=current
    )


@bp.post("/<id:rule_id>/comments")
def add_comment(rule_id: int):
    require(Action.COMMENT_ON_RULE)
    record = _rule(rule_id)
    user = current_principal()
    if not stages.STAGES[record.stage].public_draft and not can(user, Action.VIEW_RULES):
        abort(404)  # a draft is public only while it is out for consultation
    form = CommentForm()
    refusal = None
    if form.validate():
        # Signed-in reviewers are counted by account, visitors by (hashed) address.
        key = f"user:{user.id}" if user.is_authenticated else request.remote_addr or ""
        source = service.source_of(key, current_app.config["SECRET_KEY"])
        try:  # committed here, so that a refused write still shows the comment as typed
            write(
                lambda: service.add_comment(
                    db.session,
                    record,
                    service.CommentInput(
                        name=form.name.data,
                        organisation=form.organisation.data or "",
                        clause=form.clause.data or "",
                        kind=form.kind.data,
                        comment=form.comment.data,
                        proposed_change=form.proposed_change.data or "",
                    ),
                    source=source,
                    by=user,
                    now=utcnow(),
                    revision=form.read_revision(),
                )
            )
        except service.DuplicateComment as duplicate:  # sent twice: the first copy was received
            return _comment_received(record, duplicate.message)
        except WorkbenchError as error:
            refusal = refusal_at_form(form, error)
        else:
            return _comment_received(record, _("意见已提交，感谢！起草组会逐条处理并在汇总处理表中说明。"))
    current = (
        service.consultation_revision(db.session, record)
        if stages.STAGES[record.stage].public_draft
        else service.revision(db.session, record)
    )
    # The page shows the consultation draft as it is now; a comment sent again from it is on that text.
    form.revision.data = str(current.number)
    return form_page(
        "drafting/consultation.html", form, rule=record, document=current.document, shown=current, refusal=refusal
    )


def _comment_received(rule: Rule, message: str):
    """Back to the draft's form, which says the comment was received. A page that sent its own
    address (`next`, as the portal's pages once did) gets the reader back there instead."""
    back = safe_next(request.form.get("next"))
    if back:
        flash(message, "success")
        return redirect(back)
    flash(message, COMMENT_RECEIVED)
    return redirect(url_for(".consultation", rule_id=rule.id, _anchor="comment-form"))


@bp.get("/<id:rule_id>/comments")
def comments(rule_id: int):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    return render_template(
        "drafting/comments.html",
        rule=record,
        comments=_comments(record),
        can_dispose=can(current_principal(), Action.EDIT_RULE, record),
        disposition_form=DispositionForm,
    )


@bp.post("/<id:rule_id>/comments/<id:comment_id>/disposition")
def dispose(rule_id: int, comment_id: int):
    record = _rule(rule_id)
    _require_editor(record)
    comment = db.get_or_404(ConsultationComment, comment_id)
    if comment.rule_id != record.id:
        abort(404)
    form = DispositionForm()
    if not form.validate():
        flash(_("请选择处理意见。"), "error")
    else:
        try:
            service.dispose(db.session, comment, form.disposition.data, form.reason.data or "", by=current_principal())
        except WorkbenchError as error:
            flash(str(error.message), "error")
            return redirect(url_for(".comments", rule_id=record.id, _anchor=f"comment-{comment.id}"))
        flash(_("处理意见已保存。"), "success")
    return redirect(url_for(".comments", rule_id=record.id, _anchor=f"comment-{comment.id}"))


@bp.get("/<id:rule_id>/comments.xlsx")
def comments_xlsx(rule_id: int):
    require(Action.VIEW_RULES)
    record = _rule(rule_id)
    content = service.comments_table_xlsx(record, _comments(record))
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{record.code}-comments-{today().isoformat()}.xlsx",
    )
