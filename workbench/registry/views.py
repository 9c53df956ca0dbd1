"""Pages of the standards registry: the list, a standard, products with their hierarchy ladder,
the level check, the withdrawal-due list and CSV import."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, Role, can
from workbench.dates import today
from workbench.db import db
from workbench.errors import WorkbenchError
from workbench.forms import ConfirmForm
from workbench.guideline import Severity
from workbench.i18n import article_text, finding_text, severity_text
from workbench.page_cache import cached_page
from workbench.registry import hierarchy, importing, service
from workbench.registry.forms import ImportForm, ProductForm, RelationForm, StandardForm
from workbench.registry.models import (
    DISPLAY_STATUS_LABELS,
    END_USE_LABELS,
    EQUIVALENCE_LABELS,
    IN_FORCE,
    INVERSE_RELATION_LABELS,
    LEVEL_LABELS,
    NATURE_LABELS,
    PRIORITY_LABELS,
    RELATION_LABELS,
    SIDE_LABELS,
    UPCOMING,
    Level,
    Product,
    Standard,
    StandardRelation,
    Status,
)
from workbench.registry.numbers import CHINESE_LEVELS
from workbench.web import (
    REJECTED,
    archive_from_form,
    form_page,
    id_arg,
    page_number,
    save,
    show_error,
    text_arg,
    year_arg,
)

bp = Blueprint("registry", __name__)

PAGE_SIZE = 50
# The list's status filter: stored statuses, with the two derived from the implementation date.
STATUS_FILTER = [*(status.value for status in Status)]
STATUS_FILTER[4:4] = [IN_FORCE, UPCOMING]


@bp.record_once
def _template_globals(state):
    """Labels and helpers as Jinja globals, so that imported macros see them too."""
    state.app.jinja_env.globals.update(_labels())


def _labels():
    return {
        "LEVEL_LABELS": LEVEL_LABELS,
        "NATURE_LABELS": NATURE_LABELS,
        "DISPLAY_STATUS_LABELS": DISPLAY_STATUS_LABELS,
        "SIDE_LABELS": SIDE_LABELS,
        "END_USE_LABELS": END_USE_LABELS,
        "PRIORITY_LABELS": PRIORITY_LABELS,
        "RELATION_LABELS": RELATION_LABELS,
        "INVERSE_RELATION_LABELS": INVERSE_RELATION_LABELS,
        "EQUIVALENCE_LABELS": EQUIVALENCE_LABELS,
        # An error of the level rules refuses the registration: that is what the reader needs to know.
        "level_severity_text": lambda severity: (
            _("不予登记") if severity == Severity.ERROR else severity_text(severity)
        ),
    }


def _products(include: Product | None = None) -> list[Product]:
    products = db.session.scalars(select(Product).where(Product.archived_at.is_(None)).order_by(Product.name)).all()
    if include is not None and include not in products:
        products.append(include)
    return products


# A product's name stays as it was registered (Chinese) on an English page, marked so.
NAMED = {"lang": "zh-CN"}


def _product_choices(blank: str, include: Product | None = None) -> list[SelectChoice]:
    return [SelectChoice(0, blank)] + [SelectChoice(product.id, product.name, NAMED) for product in _products(include)]


def _product_arg() -> Product | None:
    product_id = id_arg("product")
    return db.session.get(Product, product_id) if product_id else None


# --- the list -------------------------------------------------------------------------------------


def _filters() -> service.StandardFilters:
    level = request.args.get("level", "")
    status = request.args.get("status", "")
    return service.StandardFilters(
        text=text_arg("q"),
        product=_product_arg(),
        level=Level(level) if level in {member.value for member in Level} else None,
        status=status if status in STATUS_FILTER else None,
        committee=text_arg("committee"),
        year=year_arg("year"),
        include_archived=request.args.get("archived") == "1",
    )


@bp.get("/standards")
@cached_page(Action.READ_REGISTRY)
def standards():
    require(Action.READ_REGISTRY)
    filters = _filters()
    page = db.paginate(service.search(filters), page=page_number(), per_page=PAGE_SIZE)
    return render_template(
        "registry/standards.html",
        page=page,
        filters=filters,
        products=_products(include=filters.product),
        today=today(),
        statuses=STATUS_FILTER,
    )


# --- one standard ---------------------------------------------------------------------------------


def _standard(standard_id: int) -> Standard:
    return db.session.scalar(
        select(Standard)
        .options(
            selectinload(Standard.product),
            selectinload(Standard.relations).selectinload(StandardRelation.target),
            selectinload(Standard.inverse_relations).selectinload(StandardRelation.standard),
        )
        .where(Standard.id == standard_id)
    ) or abort(404)


@bp.get("/standards/<id:standard_id>")
def standard(standard_id: int):
    require(Action.READ_REGISTRY)
    record = _standard(standard_id)
    return render_template(
        "registry/standard.html",
        standard=record,
        findings=service.findings_for(db.session, record),
        today=today(),
        relation_form=RelationForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


def _standard_form_setup(form: StandardForm, standard: Standard | None = None) -> None:
    form.product.choices = _product_choices(_("（通用标准，不针对具体产品）"), standard.product if standard else None)
    if not can(current_principal(), Action.MANAGE_STANDARDS, Level.NATIONAL):
        # An association keeps group standards only.
        form.level.choices = [choice for choice in form.level.choices if choice.value == Level.GROUP.value]


def _standard_input(form: StandardForm) -> service.StandardInput:
    return service.StandardInput(
        level=form.level.data,
        numbers=form.numbers.data or "",
        title=form.title.data,
        title_en=form.title_en.data,
        product=db.session.get(Product, form.product.data) if form.product.data else None,
        status=form.status.data,
        nature=form.nature.data,
        issuer=form.issuer.data or "",
        committee=form.committee.data or "",
        association=form.association.data or "",
        region=form.region.data or "",
        published_on=form.published_on.data,
        implemented_on=form.implemented_on.data,
        withdrawn_on=form.withdrawn_on.data,
        note=form.note.data or "",
    )


def _then_findings(findings, url: str) -> str:
    """Flash the level warnings after the success message (save() flashes that first), then go to `url`."""
    for finding in findings:
        flash(f"{article_text(finding.article)}：{finding_text(finding)}", "warning")
    return url


def _require_level(level: str) -> None:
    if not can(current_principal(), Action.MANAGE_STANDARDS, level):
        raise WorkbenchError(_("协会代表只能登记和维护团体标准。"), details={"level": _("只能选择团体标准。")})


@bp.route("/standards/new", methods=["GET", "POST"])
def new_standard():
    require(Action.MANAGE_STANDARDS)
    form = StandardForm()
    del form.reason, form.version
    _standard_form_setup(form)
    if request.method == "GET":
        form.status.data = Status.PLANNED.value
        form.level.data = request.args.get("level") or form.level.choices[0].value
        product = _product_arg()
        form.product.data = product.id if product else 0
        user = current_principal()
        if getattr(user, "role", None) == Role.ASSOCIATION and user.organisation is not None:
            form.association.data = user.organisation.name  # an association registers its own standards

    findings = []

    def create():
        _require_level(form.level.data)
        standard, found = service.create_standard(db.session, _standard_input(form), by=current_principal())
        findings.extend(found)
        return standard

    return save(
        form,
        create,
        message=lambda created: _("“%(name)s”已登记。", name=created.designation),
        redirect_to=lambda created: _then_findings(findings, url_for(".standard", standard_id=created.id)),
    ) or form_page("registry/standard_form.html", form, standard=None)


@bp.route("/standards/<id:standard_id>/edit", methods=["GET", "POST"])
def edit_standard(standard_id: int):
    record = db.get_or_404(Standard, standard_id)
    require(Action.MANAGE_STANDARDS, record)
    if request.method == "GET":
        form = StandardForm(
            data={
                "level": record.level.value,
                "numbers": "；".join(record.number_list),
                "title": record.title,
                "title_en": record.title_en,
                "product": record.product_id or 0,
                "status": record.status.value,
                "nature": record.nature.value,
                "issuer": record.issuer,
                "committee": record.committee,
                "association": record.association,
                "region": record.region,
                "published_on": record.published_on,
                "implemented_on": record.implemented_on,
                "withdrawn_on": record.withdrawn_on,
                "note": record.note,
                "version": record.version,
            }
        )
    else:
        form = StandardForm()
    _standard_form_setup(form, record)

    findings = []

    def update():
        _require_level(form.level.data)
        standard, found = service.update_standard(
            db.session,
            record,
            _standard_input(form),
            by=current_principal(),
            reason=form.reason.data,
            expected_version=form.version.data,
        )
        findings.extend(found)
        return standard

    return save(
        form,
        update,
        message=lambda saved: _("“%(name)s”已保存。", name=saved.designation),
        redirect_to=lambda saved: _then_findings(findings, url_for(".standard", standard_id=saved.id)),
    ) or form_page("registry/standard_form.html", form, standard=record)


@bp.post("/standards/<id:standard_id>/relations")
def add_relation(standard_id: int):
    record = db.get_or_404(Standard, standard_id)
    require(Action.MANAGE_STANDARDS, record)
    form = RelationForm()
    if form.validate():
        target = service.find_standard(db.session, form.target.data)
        try:
            service.add_relation(
                db.session,
                record,
                form.kind.data,
                target=target,
                target_text=None if target else form.target.data,
                equivalence=form.equivalence.data or None,
                by=current_principal(),
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("关系已登记。"), "success")
            return redirect(url_for(".standard", standard_id=record.id))
    response = render_template(
        "registry/standard.html",
        standard=_standard(standard_id),
        findings=service.findings_for(db.session, record),
        today=today(),
        relation_form=form,
        confirm_form=ConfirmForm(formdata=None),
    )
    return response, REJECTED


@bp.post("/standards/<id:standard_id>/relations/<id:relation_id>/delete")
def remove_relation(standard_id: int, relation_id: int):
    record = db.get_or_404(Standard, standard_id)
    require(Action.MANAGE_STANDARDS, record)
    relation = db.get_or_404(StandardRelation, relation_id)
    if relation.standard_id != record.id or not ConfirmForm().validate():
        abort(404)
    service.remove_relation(db.session, relation, by=current_principal())
    flash(_("关系已删除。"), "success")
    return redirect(url_for(".standard", standard_id=record.id))


@bp.post("/standards/<id:standard_id>/archive")
def archive_standard(standard_id: int):
    record = db.get_or_404(Standard, standard_id)
    require(Action.MANAGE_STANDARDS, record)
    return archive_from_form(record, True, _archive, ".standard", standard_id=standard_id)


@bp.post("/standards/<id:standard_id>/restore")
def restore_standard(standard_id: int):
    record = db.get_or_404(Standard, standard_id)
    require(Action.MANAGE_STANDARDS, record)
    return archive_from_form(record, False, _archive, ".standard", standard_id=standard_id)


def _archive(record, archived: bool, reason: str | None) -> None:
    service.set_archived(db.session, record, archived, by=current_principal(), reason=reason)


# --- import, level check, withdrawal due ----------------------------------------------------------


@bp.route("/standards/import", methods=["GET", "POST"])
def import_standards():
    require(Action.IMPORT_STANDARDS)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            report = importing.import_csv(db.session, form.file.data.read(), by=current_principal())
        except WorkbenchError as error:
            return render_template("registry/import.html", form=form, refusal=error), REJECTED
        return render_template("registry/import.html", form=ImportForm(formdata=None), report=report)
    return form_page("registry/import.html", form)


@bp.get("/standards/check")
def check():
    require(Action.READ_REGISTRY)
    product = _product_arg()
    level = request.args.get("level", "")
    findings = None
    if product is not None and level in {member.value for member in CHINESE_LEVELS}:  # the rules' levels
        findings = service.check_level(db.session, product, level)
    return render_template("registry/check.html", products=_products(), product=product, level=level, findings=findings)


@bp.get("/standards/withdrawal-due")
def withdrawal_due():
    require(Action.READ_REGISTRY)
    return render_template("registry/withdrawal_due.html", items=service.withdrawal_due(db.session), today=today())


# --- products -------------------------------------------------------------------------------------


@bp.get("/products")
def products():
    require(Action.READ_REGISTRY)
    query = select(Product).options(selectinload(Product.parent)).order_by(Product.name)
    text = text_arg("q", 100).strip().lower()
    if text:
        query = query.where(
            func.lower(Product.name).contains(text, autoescape=True)
            | func.lower(Product.aliases).contains(text, autoescape=True)
        )
    if request.args.get("archived") != "1":
        query = query.where(Product.archived_at.is_(None))
    counts = dict(
        db.session.execute(
            select(Standard.product_id, func.count())
            .where(Standard.archived_at.is_(None), Standard.status.in_(list(hierarchy.ACTIVE)))
            .group_by(Standard.product_id)
        ).all()
    )
    return render_template(
        "registry/products.html", page=db.paginate(query, page=page_number(), per_page=100), counts=counts
    )


LADDER = [Level.NATIONAL, Level.INDUSTRY, Level.LOCAL, Level.GROUP, Level.ENTERPRISE]


@bp.get("/products/<id:product_id>")
def product(product_id: int):
    require(Action.READ_REGISTRY)
    record = db.get_or_404(Product, product_id)
    standards = db.session.scalars(
        select(Standard)
        .where(Standard.product_id == record.id, Standard.archived_at.is_(None))
        .order_by(Standard.year.desc().nulls_last(), Standard.id.desc())
    ).all()
    ladder = {level: [standard for standard in standards if standard.level == level] for level in LADDER}
    findings = service.check_levels(db.session, record, LADDER)
    return render_template(
        "registry/product.html",
        product=record,
        ladder=ladder,
        findings=findings,
        today=today(),
        confirm_form=ConfirmForm(formdata=None),
    )


def _product_form_setup(form: ProductForm, product: Product | None = None) -> None:
    candidates = [other for other in _products(product.parent if product else None) if other is not product]
    form.parent.choices = [SelectChoice(0, _("（无）"))] + [
        SelectChoice(other.id, other.name, NAMED) for other in candidates
    ]


def _product_input(form: ProductForm) -> service.ProductInput:
    return service.ProductInput(
        name=form.name.data,
        aliases=form.aliases.data,
        name_en=form.name_en.data,
        classification_code=form.classification_code.data,
        parent=db.session.get(Product, form.parent.data) if form.parent.data else None,
        side=form.side.data,
        end_use=form.end_use.data,
        source=form.source.data or "",
    )


def _product_saved():
    return {
        "message": lambda saved: _("产品“%(name)s”已保存。", name=saved.name),
        "redirect_to": lambda saved: url_for(".product", product_id=saved.id),
    }


@bp.route("/products/new", methods=["GET", "POST"])
def new_product():
    require(Action.MANAGE_PRODUCTS)
    form = ProductForm()
    del form.reason, form.version
    _product_form_setup(form)
    return save(
        form,
        lambda: service.create_product(db.session, _product_input(form), by=current_principal()),
        **_product_saved(),
    ) or (form_page("registry/product_form.html", form, product=None))


@bp.route("/products/<id:product_id>/edit", methods=["GET", "POST"])
def edit_product(product_id: int):
    require(Action.MANAGE_PRODUCTS)
    record = db.get_or_404(Product, product_id)
    if request.method == "GET":
        form = ProductForm(
            data={
                "name": record.name,
                "aliases": record.aliases,
                "name_en": record.name_en,
                "classification_code": record.classification_code,
                "parent": record.parent_id or 0,
                "side": record.side.value,
                "end_use": record.end_use.value,
                "source": record.source,
                "version": record.version,
            }
        )
    else:
        form = ProductForm()
    _product_form_setup(form, record)

    def update():
        return service.update_product(
            db.session,
            record,
            _product_input(form),
            by=current_principal(),
            reason=form.reason.data,
            expected_version=form.version.data,
        )

    return save(form, update, **_product_saved()) or form_page("registry/product_form.html", form, product=record)


@bp.post("/products/<id:product_id>/archive")
def archive_product(product_id: int):
    require(Action.MANAGE_PRODUCTS)
    return archive_from_form(db.get_or_404(Product, product_id), True, _archive, ".product", product_id=product_id)


@bp.post("/products/<id:product_id>/restore")
def restore_product(product_id: int):
    require(Action.MANAGE_PRODUCTS)
    return archive_from_form(db.get_or_404(Product, product_id), False, _archive, ".product", product_id=product_id)
