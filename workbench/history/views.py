"""The audit trail as pages: one record's history, and the global log for administrators."""

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import false, select
from sqlalchemy.orm import ColumnProperty

from workbench.audit import service
from workbench.audit.models import AuditEvent
from workbench.audit.tracking import AUDITED_TYPES, REDACTED
from workbench.auth.access import require, require_signed_in
from workbench.auth.models import User
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.web import LARGEST_ID, page_number

bp = Blueprint("history", __name__, url_prefix="/audit")

PAGE_SIZE = 50

ACTION_LABELS = {
    "created": _l("创建"),
    "updated": _l("修改"),
    "archived": _l("归档"),
    "restored": _l("恢复"),
    "deleted": lazy_pgettext("history", "删除"),  # the event; the plain word is the button "Delete"
    "deactivated": lazy_pgettext("history", "停用"),
    "reactivated": _l("重新启用"),
    "revoked": _l("撤销"),
    "login_failed": _l("登录失败"),  # workbench.auth.service.sign_in
    "login_locked": _l("登录受限"),
}


def _info(record_type: str, field: str) -> dict:
    """The `info` of the column or relationship behind a recorded field (labels live there)."""
    model = AUDITED_TYPES.get(record_type)
    if model is None:
        return {}
    attrs = db.inspect(model).attrs
    if field not in attrs:
        return {}
    prop = attrs[field]
    return prop.columns[0].info if isinstance(prop, ColumnProperty) else prop.info


def field_label(record_type: str, field: str) -> str:
    return str(_info(record_type, field).get("label", field))


def value_text(record_type: str, field: str, value) -> str:
    """A recorded value as users read it: labels for coded values, a mark for hidden ones."""
    if value is None or value == []:
        return "—"
    if value == REDACTED:
        return str(_l("（已隐藏）"))
    if isinstance(value, bool):
        return str(_l("是") if value else _l("否"))
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    label = _info(record_type, field).get("value_labels", {}).get(value)
    return str(label if label is not None else value)


def record_url(record_type: str, record_id: str) -> str | None:
    endpoint = getattr(AUDITED_TYPES.get(record_type), "__audit_endpoint__", None)
    if endpoint is None or not record_id.isdecimal():
        return None
    (argument,) = next(current_app.url_map.iter_rules(endpoint)).arguments
    return url_for(endpoint, **{argument: int(record_id)})


@bp.app_context_processor
def audit_helpers():
    return {
        "audit_action_label": lambda action: ACTION_LABELS.get(action, action),
        "audit_field_label": field_label,
        "audit_value_text": value_text,
        "audit_record_url": record_url,
        "audit_type_label": lambda record_type: getattr(
            AUDITED_TYPES.get(record_type), "__audit_type_label__", record_type
        ),
    }


@bp.get("/")
def log():
    """The global log, newest first. It grows without bound, so it pages by keyset (`before`, the
    oldest id shown) instead of OFFSET and COUNT: every page costs the same at any depth."""
    require(Action.VIEW_AUDIT_LOG)
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    record_type = request.args.get("type", "")
    if record_type in AUDITED_TYPES:
        query = query.where(AuditEvent.record_type == record_type)
    actor = request.args.get("actor", "").strip().lower()
    if actor:
        actor_id = db.session.scalar(select(User.id).where(User.username == actor))
        if actor_id is None:
            flash(_("没有用户名为“%(username)s”的账号。", username=actor), "warning")
        query = query.where(AuditEvent.actor_id == actor_id if actor_id is not None else false())
    before = request.args.get("before", type=int)
    if before is not None:
        query = query.where(AuditEvent.id < min(before, LARGEST_ID))  # PostgreSQL binds an INTEGER
    events = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    older = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    return render_template(
        "history/log.html",
        events=events[:PAGE_SIZE],
        older=older,
        newest=before is None,
        types=AUDITED_TYPES,
        record_type=record_type,
        actor=actor,
    )


@bp.get("/<record_type>/<id:record_id>")
def record_history(record_type: str, record_id: int):
    require_signed_in()  # visitors learn nothing, not even whether the record exists
    record, query = service.record_history(db.session, record_type, record_id)
    require(Action.VIEW_RECORD_HISTORY, record)
    page = db.paginate(query, page=page_number(), per_page=PAGE_SIZE)
    return render_template("history/record.html", page=page, record=record, record_type=record_type)
