"""The lists (重点产品清单, 团体标准推荐清单) and the calls for proposals: pages under /catalogue.

Anyone reads published batches and open calls; SAMR/MEE (MANAGE_LISTS, MANAGE_CALLS) draft and
publish batches and open and close calls. The services ask who may; the pages ask `can()` only
to decide what to show.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import lists
from workbench.catalogue.models import (
    BATCH_STATUS_LABELS,
    ITEM_CHANGE_LABELS,
    LIST_KIND_LABELS,
    Call,
    ItemChange,
    ListBatch,
    ListItem,
    ListKind,
)
from workbench.dates import today
from workbench.db import db
from workbench.errors import NotFound, WorkbenchError
from workbench.forms import CheckboxListField, ConfirmForm, enum_choices, reason_field, version_field
from workbench.registry.models import LEVEL_LABELS, PRIORITY_LABELS, SIDE_LABELS, Product, Standard
from workbench.registry.numbers import CHINESE_LEVELS, Level
from workbench.web import REJECTED, form_page, save, show_error

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(
        LIST_KIND_LABELS=LIST_KIND_LABELS,
        BATCH_STATUS_LABELS=BATCH_STATUS_LABELS,
        ITEM_CHANGE_LABELS=ITEM_CHANGE_LABELS,
    )


@bp.app_template_global()
def standard_lists(standard) -> list[ListItem]:
    """The published recommended-list items naming `standard` (for the registry's standard page)."""
    return lists.lists_of_standard(db.session, standard.id)


# --- forms ----------------------------------------------------------------------------------------


class BatchForm(FlaskForm):
    kind = SelectField(_l("清单"), choices=enum_choices(LIST_KIND_LABELS))
    number = IntegerField(
        _l("批次"), validators=[Optional(), NumberRange(1, 999)], description=_l("留空则自动取该清单的下一批。")
    )
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=300)])
    issued_on = DateField(_l("发布日期"), validators=[Optional()])
    issuers = StringField(
        _l("发布部门"), validators=[Optional(), Length(max=500)], description=_l("如：市场监管总局、生态环境部")
    )
    document_number = StringField(_l("文号"), validators=[Optional(), Length(max=100)])
    source = StringField(_l("来源"), validators=[Optional(), Length(max=300)], description=_l("发布清单的文件或公告。"))
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=4000)])
    corrects = SelectField(
        _l("更正的批次"), coerce=int, description=_l("更正批次逐条说明列入、修改或移出的产品（标准）。")
    )
    reason = reason_field()
    version = version_field()


class ItemForm(FlaskForm):
    change = SelectField(_l("变更"), choices=enum_choices(ITEM_CHANGE_LABELS))
    product = SelectField(
        _l("产品"), coerce=int, description=_l("从产品目录中选择；目录中没有的产品请先在标准体系中新建。")
    )
    standard = SelectField(
        _l("团体标准"), coerce=int, description=_l("只能选择标准体系中已登记的团体标准（指引（十））。")
    )
    category = SelectField(_l("类别"), choices=enum_choices(PRIORITY_LABELS, blank=_l("（请选择）")))
    side = SelectField(_l("生产侧/消费侧"), choices=enum_choices(SIDE_LABELS, blank=_l("（按产品目录）")))
    level = SelectField(_l("拟制定级别"), choices=enum_choices(LEVEL_LABELS, CHINESE_LEVELS))
    lead_ministry = StringField(_l("牵头部门"), validators=[Optional(), Length(max=100)])
    target_year = IntegerField(
        _l("目标年份"), validators=[Optional(), NumberRange(lists.FIRST_TARGET_YEAR, lists.LAST_TARGET_YEAR)]
    )
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("我已核对全部条目：发布后本批次不能再修改，只能以更正批次更正。"),
        validators=[InputRequired(message=_l("请勾选确认后再发布。"))],
    )
    reason = reason_field()


class CallForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=10000)])
    opens_on = DateField(_l("开始日期"), validators=[InputRequired(message=_l("请填写开始日期。"))])
    closes_on = DateField(_l("截止日期"), validators=[InputRequired(message=_l("请填写截止日期。"))])
    batches = CheckboxListField(_l("针对的清单批次"), coerce=int)
    levels = CheckboxListField(_l("接受的级别"), choices=enum_choices(LEVEL_LABELS, CHINESE_LEVELS))
    months_to_approval = IntegerField(
        _l("立项至报批目标（月）"),
        validators=[InputRequired(message=_l("请填写立项至报批的目标时间。"))],
        description=_l("指引（七）绿色通道：本征集立项的项目从立项到报批的目标时间，1 至 60 个月。"),
    )
    reason = reason_field()
    version = version_field()


# --- the index ------------------------------------------------------------------------------------


@bp.get("/")
def index():
    require(Action.READ_PUBLISHED)
    manager = can(current_principal(), Action.MANAGE_LISTS)
    effective = lists.effective_priority_items(db.session)
    rows = sorted(effective.values(), key=lambda item: (item.batch.number, item.position))
    return render_template(
        "catalogue/index.html",
        batches=lists.batches(db.session, drafts=manager),
        priority_items=rows,
        calls=lists.open_calls(db.session, today()),
    )


# --- batches --------------------------------------------------------------------------------------


def _batch(batch_id: int) -> ListBatch:
    try:
        return lists.get_batch(db.session, batch_id, by=current_principal())
    except NotFound:
        abort(404)


def _product_choices(include: Product | None = None) -> list[SelectChoice]:
    products = db.session.scalars(select(Product).where(Product.archived_at.is_(None)).order_by(Product.name)).all()
    if include is not None and include not in products:
        products.append(include)
    return [SelectChoice(0, _("（请选择）"))] + [SelectChoice(product.id, product.name) for product in products]


def _standard_choices(include: Standard | None = None) -> list[SelectChoice]:
    standards = db.session.scalars(
        select(Standard).where(Standard.level == Level.GROUP, Standard.archived_at.is_(None)).order_by(Standard.numbers)
    ).all()
    if include is not None and include not in standards:
        standards.append(include)
    return [SelectChoice(0, _("（请选择）"))] + [
        SelectChoice(standard.id, f"{standard.designation} {standard.title}") for standard in standards
    ]


def _item_form(batch: ListBatch, item: ListItem | None = None, *, formdata=True) -> ItemForm:
    if item is not None and request.method == "GET":
        form = ItemForm(
            data={
                "change": item.change.value,
                "product": item.product_id or 0,
                "standard": item.standard_id or 0,
                "category": item.category.value if item.category else "",
                "side": item.side.value if item.side else "",
                "level": item.level.value if item.level else Level.NATIONAL.value,
                "lead_ministry": item.lead_ministry,
                "target_year": item.target_year,
                "note": item.note,
            }
        )
    elif formdata:
        form = ItemForm()
    else:
        form = ItemForm(formdata=None, data={"level": Level.NATIONAL.value})
    if batch.kind == ListKind.PRIORITY:
        del form.standard
        form.product.choices = _product_choices(item.product if item else None)
    else:
        for name in ("product", "category", "side", "level", "lead_ministry", "target_year"):
            delattr(form, name)
        form.standard.choices = _standard_choices(item.standard if item else None)
    if batch.corrects_id is None:
        del form.change
    return form


def _item_input(batch: ListBatch, form: ItemForm) -> lists.ItemInput:
    if batch.kind == ListKind.PRIORITY:
        return lists.ItemInput(
            product=db.session.get(Product, form.product.data) if form.product.data else None,
            change=form.change.data if form.change is not None else ItemChange.ADD,
            category=form.category.data or None,
            side=form.side.data or None,
            level=form.level.data or None,
            lead_ministry=form.lead_ministry.data or "",
            target_year=form.target_year.data,
            note=form.note.data or "",
        )
    return lists.ItemInput(
        standard=db.session.get(Standard, form.standard.data) if form.standard.data else None,
        change=form.change.data if form.change is not None else ItemChange.ADD,
        note=form.note.data or "",
    )


def _batch_page(batch: ListBatch, *, item_form=None, publish_form=None, status=200):
    return (
        render_template(
            "catalogue/batch.html",
            batch=batch,
            item_form=item_form or _item_form(batch, formdata=False),
            publish_form=publish_form or PublishForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
            corrections=db.session.scalars(select(ListBatch).where(ListBatch.corrects_id == batch.id)).all(),
        ),
        status,
    )


@bp.get("/batches/<id:batch_id>")
def batch(batch_id: int):
    return _batch_page(_batch(batch_id))


def _batch_form_setup(form: BatchForm, kind: ListKind | None) -> None:
    published = lists.batches(db.session, kind=kind)
    form.corrects.choices = [SelectChoice(0, _("（不是更正批次）"))] + [
        SelectChoice(batch.id, batch.audit_label()) for batch in published
    ]


def _batch_input(form: BatchForm) -> lists.BatchInput:
    return lists.BatchInput(
        kind=form.kind.data,
        number=form.number.data,
        title=form.title.data,
        issued_on=form.issued_on.data,
        issuers=form.issuers.data or "",
        document_number=form.document_number.data or "",
        source=form.source.data or "",
        note=form.note.data or "",
        corrects=db.session.get(ListBatch, form.corrects.data) if form.corrects.data else None,
    )


@bp.route("/batches/new", methods=["GET", "POST"])
def new_batch():
    require(Action.MANAGE_LISTS)
    form = BatchForm()
    del form.reason, form.version
    _batch_form_setup(form, None)
    if request.method == "GET":
        kind = request.args.get("kind", ListKind.PRIORITY.value)
        form.kind.data = kind if kind in {member.value for member in ListKind} else ListKind.PRIORITY.value
        corrects_id = request.args.get("corrects", type=int)
        corrected = db.session.get(ListBatch, corrects_id) if corrects_id and corrects_id < 2**31 else None
        if corrected is not None and corrected.is_published:
            form.kind.data = corrected.kind.value
            form.corrects.data = corrected.id
            form.title.data = _("%(name)s（更正）", name=corrected.title)
        else:
            form.corrects.data = 0
    return save(
        form,
        lambda: lists.create_batch(db.session, _batch_input(form), by=current_principal()),
        message=lambda created: _("“%(name)s”已建立（草稿），请添加条目后发布。", name=created.audit_label()),
        redirect_to=lambda created: url_for(".batch", batch_id=created.id),
    ) or form_page("catalogue/batch_form.html", form, batch=None)


@bp.route("/batches/<id:batch_id>/edit", methods=["GET", "POST"])
def edit_batch(batch_id: int):
    require(Action.MANAGE_LISTS)  # before the batch is looked up: a refused user learns nothing
    record = _batch(batch_id)
    require(Action.MANAGE_LISTS, record)
    if record.is_published:
        flash(lists.published_refusal(), "error")
        return redirect(url_for(".batch", batch_id=record.id))
    if request.method == "GET":
        form = BatchForm(
            data={
                "kind": record.kind.value,
                "number": record.number,
                "title": record.title,
                "issued_on": record.issued_on,
                "issuers": record.issuers,
                "document_number": record.document_number,
                "source": record.source,
                "note": record.note,
                "corrects": record.corrects_id or 0,
                "version": record.version,
            }
        )
    else:
        form = BatchForm()
    _batch_form_setup(form, record.kind)
    return save(
        form,
        lambda: lists.update_batch(
            db.session,
            record,
            _batch_input(form),
            by=current_principal(),
            reason=form.reason.data,
            expected_version=form.version.data,
        ),
        message=lambda saved: _("“%(name)s”已保存。", name=saved.audit_label()),
        redirect_to=lambda saved: url_for(".batch", batch_id=saved.id),
    ) or form_page("catalogue/batch_form.html", form, batch=record)


@bp.post("/batches/<id:batch_id>/items")
def add_item(batch_id: int):
    require(Action.MANAGE_LISTS)  # before the batch is looked up: a refused user learns nothing
    record = _batch(batch_id)
    require(Action.MANAGE_LISTS, record)
    if record.is_published:
        flash(lists.published_refusal(), "error")
        return _batch_page(record, status=409)
    form = _item_form(record)
    if form.validate():
        try:
            lists.add_item(db.session, record, _item_input(record, form), by=current_principal())
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("条目已添加。"), "success")
            return redirect(url_for(".batch", batch_id=record.id) + "#items")
    return _batch_page(record, item_form=form, status=REJECTED)


def _item(record: ListBatch, item_id: int) -> ListItem:
    item = db.session.get(ListItem, item_id)
    if item is None or item.batch_id != record.id:
        abort(404)
    return item


@bp.route("/batches/<id:batch_id>/items/<id:item_id>/edit", methods=["GET", "POST"])
def edit_item(batch_id: int, item_id: int):
    require(Action.MANAGE_LISTS)  # before the batch is looked up: a refused user learns nothing
    record = _batch(batch_id)
    require(Action.MANAGE_LISTS, record)
    item = _item(record, item_id)
    if record.is_published:
        flash(lists.published_refusal(), "error")
        return redirect(url_for(".batch", batch_id=record.id))
    form = _item_form(record, item)
    if request.method == "POST" and form.validate():
        try:
            lists.update_item(db.session, item, _item_input(record, form), by=current_principal())
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("条目已保存。"), "success")
            return redirect(url_for(".batch", batch_id=record.id) + "#items")
    status = REJECTED if request.method == "POST" else 200
    return render_template("catalogue/item_form.html", form=form, batch=record, item=item), status


@bp.post("/batches/<id:batch_id>/items/<id:item_id>/delete")
def remove_item(batch_id: int, item_id: int):
    require(Action.MANAGE_LISTS)  # before the batch is looked up: a refused user learns nothing
    record = _batch(batch_id)
    require(Action.MANAGE_LISTS, record)
    item = _item(record, item_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        lists.remove_item(db.session, item, by=current_principal())
    except WorkbenchError as error:
        flash(str(error.message), "error")
    else:
        flash(_("条目已删除。"), "success")
    return redirect(url_for(".batch", batch_id=record.id) + "#items")


@bp.post("/batches/<id:batch_id>/publish")
def publish(batch_id: int):
    require(Action.MANAGE_LISTS)  # before the batch is looked up: a refused user learns nothing
    record = _batch(batch_id)
    require(Action.MANAGE_LISTS, record)
    form = PublishForm()
    if form.validate():
        try:
            lists.publish_batch(db.session, record, by=current_principal(), reason=form.reason.data)
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("“%(name)s”已发布。", name=record.audit_label()), "success")
            return redirect(url_for(".batch", batch_id=record.id))
    return _batch_page(record, publish_form=form, status=getattr(form, "refused_with", REJECTED))


# --- calls ----------------------------------------------------------------------------------------


@bp.get("/calls")
def calls():
    require(Action.READ_PUBLISHED)
    manager = can(current_principal(), Action.MANAGE_CALLS)
    day = today()
    return render_template(
        "catalogue/calls.html",
        open_calls=lists.open_calls(db.session, day),
        all_calls=lists.all_calls(db.session) if manager else [],
        today=day,
    )


def _call(call_id: int) -> Call:
    return db.get_or_404(Call, call_id)


@bp.get("/calls/<id:call_id>")
def call(call_id: int):
    require(Action.READ_PUBLISHED)
    return render_template(
        "catalogue/call.html", call=_call(call_id), today=today(), confirm_form=ConfirmForm(formdata=None)
    )


def _call_form_setup(form: CallForm, record: Call | None = None) -> None:
    published = lists.batches(db.session)
    form.batches.choices = [SelectChoice(batch.id, f"{batch.audit_label()}：{batch.title}") for batch in published]
    if record is not None and (record.closed_at is not None or record.opens_on <= today()):
        # Once a call has opened only its description changes.
        for name in ("title", "opens_on", "closes_on", "batches", "levels", "months_to_approval"):
            delattr(form, name)


def _call_input(form: CallForm, record: Call | None = None) -> lists.CallInput:
    if form.title is None:  # a call that has opened: only its description
        return lists.CallInput(
            title=record.title,
            opens_on=record.opens_on,
            closes_on=record.closes_on,
            months_to_approval=record.months_to_approval,
            levels=list(record.levels),
            batches=list(record.batches),
            description=form.description.data or "",
        )
    chosen = [db.session.get(ListBatch, batch_id) for batch_id in form.batches.data or []]
    return lists.CallInput(
        title=form.title.data,
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        months_to_approval=form.months_to_approval.data,
        levels=form.levels.data or [],
        batches=[batch for batch in chosen if batch is not None],
        description=form.description.data or "",
    )


@bp.route("/calls/new", methods=["GET", "POST"])
def new_call():
    require(Action.MANAGE_CALLS)
    form = CallForm()
    del form.reason, form.version
    _call_form_setup(form)
    if request.method == "GET":
        form.opens_on.data = today()
        form.months_to_approval.data = 12
        form.levels.data = [Level.NATIONAL.value]
    return save(
        form,
        lambda: lists.create_call(db.session, _call_input(form), by=current_principal(), today=today()),
        message=lambda created: _("征集“%(name)s”已发出。", name=created.title),
        redirect_to=lambda created: url_for(".call", call_id=created.id),
    ) or form_page("catalogue/call_form.html", form, call=None)


@bp.route("/calls/<id:call_id>/edit", methods=["GET", "POST"])
def edit_call(call_id: int):
    record = _call(call_id)
    require(Action.MANAGE_CALLS, record)
    if request.method == "GET":
        form = CallForm(
            data={
                "title": record.title,
                "description": record.description,
                "opens_on": record.opens_on,
                "closes_on": record.closes_on,
                "batches": [batch.id for batch in record.batches],
                "levels": list(record.levels),
                "months_to_approval": record.months_to_approval,
                "version": record.version,
            }
        )
    else:
        form = CallForm()
    _call_form_setup(form, record)
    return save(
        form,
        lambda: lists.update_call(
            db.session,
            record,
            _call_input(form, record),
            by=current_principal(),
            today=today(),
            reason=form.reason.data,
            expected_version=form.version.data,
        ),
        message=lambda saved: _("征集“%(name)s”已保存。", name=saved.title),
        redirect_to=lambda saved: url_for(".call", call_id=saved.id),
    ) or form_page("catalogue/call_form.html", form, call=record)


@bp.post("/calls/<id:call_id>/close")
def close_call(call_id: int):
    record = _call(call_id)
    require(Action.MANAGE_CALLS, record)
    form = ConfirmForm()
    if not form.validate():
        flash(_("修改原因过长，请精简到 1000 字以内。"), "error")
        return redirect(url_for(".call", call_id=record.id))
    try:
        lists.close_call(db.session, record, by=current_principal(), today=today(), reason=form.reason.data)
    except WorkbenchError as error:
        flash(str(error.message), "error")
    else:
        flash(_("征集“%(name)s”已提前截止。", name=record.title), "success")
    return redirect(url_for(".call", call_id=record.id))
