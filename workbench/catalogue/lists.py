"""The lists SAMR and MEE keep (指引（七）、（十）) and their calls for proposals.

Two lists in numbered batches: the priority product list (重点产品碳足迹核算标准清单), whose items
are products of the catalogue, and the recommended group-standard list (团体标准推荐清单), whose
items are registered group standards. A batch is drafted, then published; from then on nothing of
it changes. A correction is a new batch of the same list that names the batch it corrects and,
item by item, adds, changes or removes a product or standard; the list in force is every
published batch read in the order of publication (`effective_priority_items`).

A call for proposals (征集立项建议) has a period, the published batches it covers, the levels it
accepts and the green channel's target time from plan to 报批 (指引（七）).

Plain functions as everywhere: each asks `require()` itself, refuses bad input with a sentence
naming the field, and never commits. The registry's level rules read `Product.priority_category`
to know whether a product is listed (the registry sits below the catalogue), so publishing a
priority batch sets it for the products the batch names.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from workbench.audit import change_reason
from workbench.auth.permissions import Action, can, require
from workbench.catalogue.models import (
    BatchStatus,
    Call,
    ItemChange,
    ListBatch,
    ListItem,
    ListKind,
)
from workbench.db import expect_version, utcnow
from workbench.errors import Conflict, InvalidInput, NotFound, refuse
from workbench.inputs import choice_field, long_text_field, text_field
from workbench.registry.models import LEVEL_LABELS, PriorityCategory, Product, Side, Standard
from workbench.registry.numbers import CHINESE_LEVELS, Level  # what a list item or a call may name

FIRST_TARGET_YEAR, LAST_TARGET_YEAR = 2024, 2060
MAX_MONTHS_TO_APPROVAL = 60


def published_refusal() -> str:
    return _("已发布的批次不能修改，请发布更正批次。")


# --- batches --------------------------------------------------------------------------------------


@dataclass
class BatchInput:
    kind: ListKind | str
    title: str
    number: int | None = None  # the next number of its list when not given
    issued_on: date | None = None
    issuers: str = ""
    document_number: str = ""
    source: str = ""
    note: str = ""
    corrects: ListBatch | None = None


def _refuse_if_published(batch: ListBatch) -> None:
    if batch.is_published:
        raise Conflict(published_refusal())


def _item_changes_batch(batch: ListBatch) -> None:
    """A change to an item is a change to its batch: the batch's version moves on (Versioned), so
    that of an item change and a publication committed meanwhile only the first is written (the
    other loses the race and is refused) instead of a published batch's item changing."""
    batch.version += 1  # the UPDATE checks the version read (and db._advance_versions adds one)


def next_number(session: Session, kind: ListKind) -> int:
    return (session.scalar(select(func.max(ListBatch.number)).where(ListBatch.kind == kind)) or 0) + 1


def _batch_values(session: Session, data: BatchInput, batch: ListBatch | None) -> dict:
    kind = choice_field(ListKind, data.kind, "kind", _("清单"))
    if batch is not None and kind != batch.kind and batch.items:
        refuse("kind", _("批次已有条目，不能改为另一种清单；请新建批次。"))
    number = data.number
    if number is None:
        number = batch.number if batch is not None and kind == batch.kind else next_number(session, kind)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
        refuse("number", _("批次应为 1 至 999 之间的整数。"))
    clash = session.scalar(select(ListBatch).where(ListBatch.kind == kind, ListBatch.number == number))
    if clash is not None and clash is not batch:
        refuse("number", _("该清单已有第%(number)d批，请换一个批次号（留空则自动取下一批）。", number=number))
    corrects = data.corrects
    if corrects is not None:
        if corrects is batch:
            refuse("corrects", _("批次不能更正它自身。"))
        if corrects.kind != kind:
            refuse("corrects", _("只能更正同一清单的批次。"))
        if not corrects.is_published:
            refuse("corrects", _("只能更正已发布的批次。"))
    if batch is not None and batch.items and (corrects is None) != (batch.corrects is None):
        refuse("corrects", _("批次已有条目，不能再改变它是否为更正批次；请删除条目后再改。"))
    return {
        "kind": kind,
        "number": number,
        "title": text_field(data.title, "title", _("标题"), 300, required=True),
        "issued_on": data.issued_on,
        "issuers": text_field(data.issuers, "issuers", _("发布部门"), 500),
        "document_number": text_field(data.document_number, "document_number", _("文号"), 100),
        "source": text_field(data.source, "source", _("来源"), 300),
        "note": long_text_field(data.note, "note", _("说明"), 4000),
        "corrects": corrects,
    }


def create_batch(session: Session, data: BatchInput, *, by) -> ListBatch:
    """A draft batch of one of the two lists."""
    require(by, Action.MANAGE_LISTS)
    batch = ListBatch(**_batch_values(session, data, None), status=BatchStatus.DRAFT)
    session.add(batch)
    session.flush()
    return batch


def update_batch(
    session: Session, batch: ListBatch, data: BatchInput, *, by, reason: str | None = None, expected_version=None
) -> ListBatch:
    require(by, Action.MANAGE_LISTS, batch)
    _refuse_if_published(batch)
    expect_version(batch, expected_version)
    values = _batch_values(session, data, batch)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(batch, key, value)
    return batch


def get_batch(session: Session, batch_id: int, *, by=None) -> ListBatch:
    """A batch with its items; a draft only for whoever keeps the lists (404 for anyone else)."""
    batch = session.scalar(
        select(ListBatch)
        .options(selectinload(ListBatch.items).options(joinedload(ListItem.product), joinedload(ListItem.standard)))
        .where(ListBatch.id == batch_id)
    )
    if batch is None or (not batch.is_published and not can(by, Action.MANAGE_LISTS, batch)):
        raise NotFound(_("清单批次 %(id)s 不存在。", id=batch_id))  # a draft is nobody else's business
    return batch


def batches(session: Session, *, kind: ListKind | None = None, drafts: bool = False) -> list[ListBatch]:
    """The batches of both lists (or one), the priority list first, by number; drafts only when asked for."""
    priority_first = case((ListBatch.kind == ListKind.PRIORITY, 0), else_=1)
    query = (
        select(ListBatch)
        .options(
            selectinload(ListBatch.items).selectinload(ListItem.product),
            selectinload(ListBatch.items).selectinload(ListItem.standard),
        )
        .order_by(priority_first, ListBatch.number)
    )
    if kind is not None:
        query = query.where(ListBatch.kind == kind)
    if not drafts:
        query = query.where(ListBatch.status == BatchStatus.PUBLISHED)
    return list(session.scalars(query))


# --- items ----------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    product: Product | None = None
    standard: Standard | None = None
    change: ItemChange | str = ItemChange.ADD
    category: PriorityCategory | str | None = None
    side: Side | str | None = None
    level: Level | str | None = None
    lead_ministry: str = ""
    target_year: int | None = None
    note: str = ""


def _subject(item: ListItem) -> int | None:
    return item.product_id if item.batch.kind == ListKind.PRIORITY else item.standard_id


def _subject_name(item_or_data) -> str:
    if item_or_data.product is not None:
        return item_or_data.product.name
    return item_or_data.standard.designation if item_or_data.standard is not None else ""


def _check_against_list(
    in_force: dict[int, ListItem], batch: ListBatch, change: ItemChange, subject_id: int, name: str
) -> None:
    """An item makes sense against the list as it stands (`in_force`, from `_effective`): an
    ordinary batch and a correction's "add" list something not yet listed; a correction's
    "change" and "remove" something listed."""
    listed = in_force.get(subject_id)
    if listed is not None and listed.batch_id == batch.id:
        raise Conflict(published_refusal())  # published by another request since this one read it
    field_name = "product" if batch.kind == ListKind.PRIORITY else "standard"
    if change == ItemChange.ADD and listed is not None:
        message = _(
            "“%(name)s”已在清单第%(number)d批中；要修改或移出，请在更正批次中选择“修改”或“移出”。",
            name=name,
            number=listed.batch.number,
        )
        refuse(field_name, message)
    if change != ItemChange.ADD and listed is None:
        refuse(field_name, _("“%(name)s”不在现行清单上，不能修改或移出；要列入请选择“列入”。", name=name))


def _item_values(session: Session, batch: ListBatch, data: ItemInput, item: ListItem | None) -> dict:
    change = choice_field(ItemChange, data.change or ItemChange.ADD, "change", _("变更"))
    if batch.corrects_id is None and change != ItemChange.ADD:
        refuse("change", _("只有更正批次的条目才能“修改”或“移出”；普通批次的条目都是“列入”。"))
    values: dict = {
        "change": change,
        "note": long_text_field(data.note, "note", _("说明"), 2000),
        "product": None,
        "standard": None,
        "category": None,
        "side": None,
        "level": None,
        "lead_ministry": "",
        "target_year": None,
    }
    if batch.kind == ListKind.PRIORITY:
        product = data.product
        if product is None:
            refuse("product", _("请从产品目录中选择产品。"))
        if product.is_archived and (item is None or item.product is not product):
            refuse("product", _("“%(name)s”已归档，不能列入清单。", name=product.name))
        subject_id = product.id
        values["product"] = product
        if change != ItemChange.REMOVE:
            if not data.category:
                refuse("category", _("请选择类别。"))
            values["category"] = choice_field(PriorityCategory, data.category, "category", _("类别"))
            values["side"] = choice_field(Side, data.side or product.side, "side", _("生产侧/消费侧"))
            level = data.level or Level.NATIONAL
            values["level"] = choice_field(Level, level, "level", _("拟制定级别"), allowed=CHINESE_LEVELS)
            values["lead_ministry"] = text_field(data.lead_ministry, "lead_ministry", _("牵头部门"), 100)
            year = data.target_year
            if year is not None and (
                not isinstance(year, int) or isinstance(year, bool) or not FIRST_TARGET_YEAR <= year <= LAST_TARGET_YEAR
            ):
                refuse(
                    "target_year",
                    _("目标年份应在 %(first)d 至 %(last)d 之间。", first=FIRST_TARGET_YEAR, last=LAST_TARGET_YEAR),
                )
            values["target_year"] = year
    else:
        standard = data.standard
        if standard is None:
            refuse("standard", _("请给出已登记的团体标准（标准编号）。"))
        if standard.level != Level.GROUP:
            refuse(
                "standard",
                _(
                    "团体标准推荐清单只列团体标准（指引（十））：“%(name)s”是%(level)s。",
                    name=standard.designation,
                    level=LEVEL_LABELS.get(standard.level, standard.level),
                ),
            )
        if standard.is_archived and (item is None or item.standard is not standard):
            refuse("standard", _("“%(name)s”已归档，不能列入清单。", name=standard.designation))
        subject_id = standard.id
        values["standard"] = standard
    for other in batch.items:
        if other is not item and _subject(other) == subject_id:
            refuse(
                "product" if batch.kind == ListKind.PRIORITY else "standard",
                _("“%(name)s”在本批次中已有条目。", name=_subject_name(other)),
            )
    _check_against_list(
        _effective(session, batch.kind),
        batch,
        change,
        subject_id,
        values["product"].name if values["product"] else values["standard"].designation,
    )
    return values


def add_item(session: Session, batch: ListBatch, data: ItemInput, *, by) -> ListItem:
    require(by, Action.MANAGE_LISTS, batch)
    _refuse_if_published(batch)
    values = _item_values(session, batch, data, None)
    position = max((other.position for other in batch.items), default=0) + 1
    item = ListItem(batch=batch, position=position, **values)
    session.add(item)
    session.flush()
    return item


def update_item(session: Session, item: ListItem, data: ItemInput, *, by, reason: str | None = None) -> ListItem:
    require(by, Action.MANAGE_LISTS, item.batch)
    _refuse_if_published(item.batch)
    values = _item_values(session, item.batch, data, item)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(item, key, value)
    _item_changes_batch(item.batch)
    return item


def remove_item(session: Session, item: ListItem, *, by, reason: str | None = None) -> None:
    batch = item.batch
    require(by, Action.MANAGE_LISTS, batch)
    _refuse_if_published(batch)
    with change_reason(session, reason):
        session.delete(item)  # still in its batch while audited: the event names the batch
    session.expire(batch, ["items"])
    _item_changes_batch(batch)


def publish_batch(session: Session, batch: ListBatch, *, by, reason: str | None = None) -> ListBatch:
    """Publish a draft batch: from now on it is part of the list and never changes. A priority
    batch sets `Product.priority_category` of the products it names (None for those it removes)."""
    require(by, Action.MANAGE_LISTS, batch)
    _refuse_if_published(batch)
    if not batch.items:
        raise InvalidInput(_("批次还没有条目，不能发布；请先添加条目。"), details={"items": _("至少一个条目")})
    if batch.corrects is not None and not batch.corrects.is_published:
        refuse("corrects", _("更正的批次尚未发布。"))
    # The list may have changed since the items were added (another batch was published): read
    # it once and check every item against it.
    in_force = _effective(session, batch.kind)
    for item in batch.items:
        _check_against_list(in_force, batch, item.change, _subject(item), _subject_name(item))
    with change_reason(session, reason):
        batch.status = BatchStatus.PUBLISHED
        batch.published_at = utcnow()
    if batch.kind == ListKind.PRIORITY:
        effective = effective_priority_items(session)
        for item in batch.items:
            now_in_force = effective.get(item.product_id)
            category = now_in_force.category if now_in_force is not None else None
            if item.product.priority_category != category:
                item.product.priority_category = category
        session.flush()
    return batch


# --- the lists in force ---------------------------------------------------------------------------


# The order in which the published batches of a list are read: publication, then number (a batch
# without a publication time, loaded directly, comes first on both databases), then the item's position.
_IN_ORDER = (ListBatch.published_at.asc().nulls_first(), ListBatch.number, ListItem.position)


def _published(kind: ListKind, batch_ids: Iterable[int] | None):
    conditions = [ListBatch.kind == kind, ListBatch.status == BatchStatus.PUBLISHED]
    if batch_ids is not None:
        conditions.append(ListBatch.id.in_(list(batch_ids)))
    return conditions


def _effective(session: Session, kind: ListKind, batch_ids: Iterable[int] | None = None) -> dict[int, ListItem]:
    """Subject id → the item in force: every published batch of the list (or those of `batch_ids`)
    in the order of publication, each add or change replacing what stood, each remove taking it
    off. One query."""
    subject = ListItem.product_id if kind == ListKind.PRIORITY else ListItem.standard_id
    query = (
        select(ListItem)
        .join(ListItem.batch)
        .options(contains_eager(ListItem.batch))
        .where(*_published(kind, batch_ids), subject.is_not(None))
        .order_by(*_IN_ORDER)
    )
    if kind == ListKind.PRIORITY:
        query = query.options(joinedload(ListItem.product))
    else:
        query = query.options(joinedload(ListItem.standard))
    effective: dict[int, ListItem] = {}
    for item in session.scalars(query).unique():
        key = item.product_id if kind == ListKind.PRIORITY else item.standard_id
        if item.change == ItemChange.REMOVE:
            effective.pop(key, None)
        else:
            effective[key] = item
    return effective


def effective_priority_items(session: Session, *, batch_ids: Iterable[int] | None = None) -> dict[int, ListItem]:
    """Product id → the priority-list item in force for it (with its batch and product loaded).
    With `batch_ids`, the list as those published batches alone leave it (a call's batches), read
    in the same order."""
    return _effective(session, ListKind.PRIORITY, batch_ids)


@dataclass(frozen=True)
class PriorityRow:
    """A product's item in the priority list in force, as plain values (`priority_in_force`)."""

    product_id: int
    batch_id: int
    batch_number: int
    category: PriorityCategory | None
    side: Side | None
    level: Level | None
    lead_ministry: str
    target_year: int | None
    change: ItemChange


def priority_in_force(session: Session) -> dict[int, PriorityRow]:
    """Product id → its item in the priority list in force, like `effective_priority_items` but
    from one query of plain columns (no objects loaded): for pages and reports over many products."""
    rows = session.execute(
        select(
            ListItem.product_id,
            ListItem.batch_id,
            ListBatch.number,
            ListItem.category,
            ListItem.side,
            ListItem.level,
            ListItem.lead_ministry,
            ListItem.target_year,
            ListItem.change,
        )
        .join(ListItem.batch)
        .where(*_published(ListKind.PRIORITY, None), ListItem.product_id.is_not(None))
        .order_by(*_IN_ORDER)
    )
    in_force: dict[int, PriorityRow] = {}
    for row in rows:
        if row.change == ItemChange.REMOVE:
            in_force.pop(row.product_id, None)
        else:
            in_force[row.product_id] = PriorityRow(*row[:6], row.lead_ministry or "", *row[7:])
    return in_force


def lists_of_standard(session: Session, standard_id: int) -> list[ListItem]:
    """The published recommended-list items that keep this standard on the list, oldest batch
    first: the one that listed it and the corrections that changed it since. None once a
    correction has taken it off (a later batch listing it again starts afresh)."""
    items = session.scalars(
        select(ListItem)
        .join(ListItem.batch)
        .options(contains_eager(ListItem.batch))
        .where(ListItem.standard_id == standard_id, *_published(ListKind.GROUP_RECOMMENDED, None))
        .order_by(*_IN_ORDER)
    )
    on_list: list[ListItem] = []
    for item in items:
        if item.change == ItemChange.REMOVE:
            on_list = []
        else:
            on_list.append(item)
    return on_list


# --- calls for proposals --------------------------------------------------------------------------


@dataclass
class CallInput:
    title: str
    opens_on: date | None
    closes_on: date | None
    months_to_approval: int | None
    levels: list = field(default_factory=list)
    batches: list[ListBatch] = field(default_factory=list)
    description: str = ""


def _call_values(data: CallInput) -> dict:
    title = text_field(data.title, "title", _("标题"), 300, required=True)
    if data.opens_on is None:
        refuse("opens_on", _("请填写开始日期。"))
    if data.closes_on is None:
        refuse("closes_on", _("请填写截止日期。"))
    if data.closes_on < data.opens_on:
        refuse("closes_on", _("截止日期不能早于开始日期。"))
    levels = []
    for value in data.levels or []:
        level = choice_field(Level, value, "levels", _("接受的级别"), allowed=CHINESE_LEVELS)
        if level.value not in levels:
            levels.append(level.value)
    if not levels:
        refuse("levels", _("请至少选择一个接受的级别。"))
    levels.sort(key=lambda value: [level.value for level in CHINESE_LEVELS].index(value))
    months = data.months_to_approval
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS_TO_APPROVAL:
        refuse(
            "months_to_approval",
            _("立项至报批的目标时间应为 1 至 %(max)d 个月（指引（七）绿色通道）。", max=MAX_MONTHS_TO_APPROVAL),
        )
    chosen = []
    for batch in data.batches or []:
        if not batch.is_published:
            refuse("batches", _("征集只能针对已发布的清单批次：“%(name)s”尚未发布。", name=batch.audit_label()))
        if batch not in chosen:
            chosen.append(batch)
    return {
        "title": title,
        "description": long_text_field(data.description, "description", _("说明"), 10000),
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
        "levels": levels,
        "months_to_approval": months,
        "batches": chosen,
    }


def create_call(session: Session, data: CallInput, *, by, today: date) -> Call:
    """Open a call (征集立项建议). It may start today or later; it is open from `opens_on` to
    `closes_on` inclusive."""
    require(by, Action.MANAGE_CALLS)
    values = _call_values(data)
    if values["closes_on"] < today:
        refuse("closes_on", _("截止日期已过，请选择今天或以后的日期。"))
    call = Call(**values, opened_by_id=getattr(by, "id", None))
    session.add(call)
    session.flush()
    return call


def update_call(
    session: Session, call: Call, data: CallInput, *, by, today: date, reason: str | None = None, expected_version=None
) -> Call:
    """Before a call opens everything may change; once it has opened only its description, so
    that what proposers answered stays what they were asked."""
    require(by, Action.MANAGE_CALLS, call)
    expect_version(call, expected_version)
    values = _call_values(data)
    if call.closed_at is not None or call.opens_on <= today:
        # Compared as _call_values reads them (white space collapsed, levels in order, each batch
        # once): the form sent back unchanged is no change.
        if (
            values["title"] != call.title
            or values["opens_on"] != call.opens_on
            or values["closes_on"] != call.closes_on
            or values["months_to_approval"] != call.months_to_approval
            or sorted(values["levels"]) != sorted(call.levels)
            or {batch.id for batch in values["batches"]} != {batch.id for batch in call.batches}
        ):
            raise Conflict(_("征集已经开始，只能修改说明；要改期限或范围，请提前截止后另发征集。"))
        values = {"description": values["description"]}
    elif values["closes_on"] < today:
        refuse("closes_on", _("截止日期已过，请选择今天或以后的日期。"))
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(call, key, value)
    return call


def close_call(session: Session, call: Call, *, by, today: date, reason: str | None = None) -> Call:
    """Close a call before its end date (提前截止)."""
    require(by, Action.MANAGE_CALLS, call)
    if call.closed_at is not None:
        raise Conflict(_("该征集已提前截止。"))
    if call.closes_on < today:
        raise Conflict(_("该征集已于 %(date)s 截止。", date=call.closes_on.isoformat()))
    with change_reason(session, reason):
        call.closed_at = utcnow()
    return call


def open_calls(session: Session, today: date) -> list[Call]:
    """The calls open on `today`, the soonest to close first."""
    return list(
        session.scalars(
            select(Call)
            .options(selectinload(Call.batches))
            .where(Call.closed_at.is_(None), Call.opens_on <= today, Call.closes_on >= today)
            .order_by(Call.closes_on, Call.id)
        )
    )


def all_calls(session: Session) -> list[Call]:
    return list(
        session.scalars(select(Call).options(selectinload(Call.batches)).order_by(Call.opens_on.desc(), Call.id.desc()))
    )


def get_call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(_("征集 %(id)s 不存在。", id=call_id))
    return call
