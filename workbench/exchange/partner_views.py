"""An enterprise's PACT partners: the clients that pull its shared footprints, and the requests
and notifications they send (pages under /exchange/partners).

A new client's secret is shown in the response that creates it and never again (the page is not
cached and the secret is stored as its SHA-256 only). Revoking asks for a ticked confirmation:
the partner's system loses access at once. Answering a request records which shared footprints
answer it, or why it is declined; the partner pulls the footprints itself, nothing is pushed to
its system. Permissions are checked by the services in workbench.exchange.oauth.
"""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db, write
from workbench.errors import WorkbenchError
from workbench.exchange import oauth
from workbench.exchange.models import (
    FOOTPRINT_STATUS_LABELS,
    PACT_EVENT_STATUS_LABELS,
    FootprintStatus,
    PactClient,
    PactEvent,
    PactEventStatus,
    SharedFootprint,
)
from workbench.forms import CheckboxListField
from workbench.web import REJECTED, show_error

bp = Blueprint("partners", __name__, url_prefix="/exchange/partners")


class ClientForm(FlaskForm):
    name = StringField(
        _l("合作方名称"),
        validators=[DataRequired(_l("请填写合作方名称。")), Length(max=oauth.MAX_NAME)],
        description=_l("例如对方企业的名称：用来认出是谁在获取碳足迹。"),
    )


class RevokeForm(FlaskForm):
    confirm = BooleanField(
        _l("确认撤销此客户端：对方系统将立即无法再获取本企业的碳足迹，已发放的访问令牌同时作废。"),
        validators=[InputRequired(_l("请勾选确认后再撤销。"))],
    )


class FulfilForm(FlaskForm):
    footprints = CheckboxListField(_l("用于答复的共享碳足迹"), coerce=int)


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("拒绝理由"),
        validators=[DataRequired(_l("请说明拒绝的理由。")), Length(max=oauth.MAX_REASON)],
        description=_l("合作方将看到这一理由。"),
    )


def _organisation_id() -> int:
    require(Action.MANAGE_PACT_CLIENTS)  # visitors sign in first; only an enterprise's members
    return current_principal().organisation_id


def _shared(organisation_id: int) -> list[SharedFootprint]:
    statement = (
        db.select(SharedFootprint)
        .where(SharedFootprint.organisation_id == organisation_id, SharedFootprint.status == FootprintStatus.ACTIVE)
        .order_by(SharedFootprint.product_name, SharedFootprint.id)
    )
    return list(db.session.scalars(statement))


def _with_choices(form: FulfilForm, footprints: list[SharedFootprint]) -> FulfilForm:
    form.footprints.choices = [SelectChoice(row.id, f"{row.product_name}（{row.pf_id}）") for row in footprints]
    return form


def _answer_forms(event: PactEvent, footprints: list[SharedFootprint], refused: dict) -> dict:
    prefix = answer_prefix(event)
    forms = {
        "fulfil": _with_choices(FulfilForm(formdata=None, prefix=prefix), footprints),
        "decline": DeclineForm(formdata=None, prefix=prefix),
    }
    return forms | refused.get(event.id, {})


def _page(status: int = 200, *, forms: dict | None = None, **context):
    organisation_id = _organisation_id()
    forms = forms or {}
    footprints = _shared(organisation_id)
    events = oauth.events_of(db.session, organisation_id)
    html = render_template(
        "exchange/partners_index.html",
        clients=oauth.clients_of(db.session, organisation_id),
        events=events,
        footprints=footprints,
        client_form=forms.get("client") or ClientForm(formdata=None),
        revoke_form=forms.get("revoke") or RevokeForm(formdata=None),
        revoke_for=forms.get("revoke_for"),
        answers={
            event.id: _answer_forms(event, footprints, forms.get("answer", {}))
            for event in events
            if event.status == PactEventStatus.RECEIVED
        },
        RECEIVED=PactEventStatus.RECEIVED,
        EVENT_STATUS_LABELS=PACT_EVENT_STATUS_LABELS,
        FOOTPRINT_STATUS_LABELS=FOOTPRINT_STATUS_LABELS,
        token_url=url_for("pact.token", _external=True),
        api_url=url_for("pact.list_footprints", _external=True),
        openapi_url=url_for("pact.openapi", _external=True),
        **context,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    return _page()


@bp.post("/clients")
def create_client():
    _organisation_id()
    user = current_principal()
    form = ClientForm()
    if form.validate_on_submit():
        try:
            client, secret = write(
                lambda: oauth.create_client(db.session, organisation=user.organisation, name=form.name.data, by=user)
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            # Shown in this response only: neither stored, nor put in the session cookie, nor cached.
            return _page(201, new_client=client, new_secret=secret)
    return _page(getattr(form, "refused_with", REJECTED), forms={"client": form})


def answer_prefix(event: PactEvent) -> str:
    """Each request on the page has its own answer forms: their fields are named apart."""
    return f"event{event.id}"


def _own(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or record.organisation_id != _organisation_id():
        abort(404)  # another enterprise's record is as unknown as a missing one
    return record


@bp.post("/clients/<id:client_id>/revoke")
def revoke_client(client_id: int):
    client = _own(PactClient, client_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            write(lambda: oauth.revoke_client(db.session, client, by=current_principal()))
        except WorkbenchError as error:
            flash(str(error.message), "error")
        else:
            flash(_("客户端“%(name)s”已撤销。", name=client.name), "success")
        return redirect(url_for(".index"))
    return _page(REJECTED, forms={"revoke": form, "revoke_for": client.id})


@bp.post("/events/<id:event_id>/fulfil")
def fulfil(event_id: int):
    event = _own(PactEvent, event_id)
    organisation_id = event.organisation_id
    form = _with_choices(FulfilForm(prefix=answer_prefix(event)), _shared(organisation_id))
    if form.validate_on_submit():
        chosen = [db.session.get(SharedFootprint, footprint_id) for footprint_id in form.footprints.data or []]
        try:
            write(
                lambda: oauth.fulfil_request(db.session, event, [row for row in chosen if row], by=current_principal())
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("已记录答复：合作方可通过 PACT 接口获取所选的碳足迹。"), "success")
            return redirect(url_for(".index"))
    return _page(getattr(form, "refused_with", REJECTED), forms={"answer": {event.id: {"fulfil": form}}})


@bp.post("/events/<id:event_id>/decline")
def decline(event_id: int):
    event = _own(PactEvent, event_id)
    form = DeclineForm(prefix=answer_prefix(event))
    if form.validate_on_submit():
        try:
            write(lambda: oauth.decline_request(db.session, event, reason=form.reason.data, by=current_principal()))
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("已拒绝该请求，并记录了理由。"), "success")
            return redirect(url_for(".index"))
    return _page(getattr(form, "refused_with", REJECTED), forms={"answer": {event.id: {"decline": form}}})
