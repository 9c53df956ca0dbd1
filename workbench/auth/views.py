"""Signing in and out, and each user's own account: password, language, personal API tokens."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from workbench.auth import service
from workbench.auth.access import client_address, current_sign_in, require
from workbench.auth.forms import LoginForm, PasswordChangeForm, TokenForm
from workbench.auth.models import ApiToken, SignIn
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.errors import WorkbenchError
from workbench.forms import ConfirmForm
from workbench.i18n import remember_locale
from workbench.web import REJECTED, form_page, safe_next, show_error

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = service.sign_in(
                db.session,
                form.username.data,
                form.password.data,
                address=client_address(),
                user_agent=request.user_agent.string,
                remember=form.remember.data,
            )
        except WorkbenchError as error:
            # The refused attempt's audit record stays, though the page answers 422 or 429.
            db.session.commit()
            form.password.errors = [str(error.message)]
            form.refused_with, form.retry_at = error.status, getattr(error, "retry_at", None)
        else:
            previous = current_sign_in()  # this browser was signed in already (perhaps as someone else)
            if previous is not None:
                service.end_sign_in(db.session, previous, by=previous.user)
            login_user(user, remember=form.remember.data)
            if user.locale:
                remember_locale(user.locale)
            return redirect(safe_next(form.next.data) or url_for("site.home"))
    return form_page("auth/login.html", form)


@bp.post("/logout")
def logout():
    record = current_sign_in()
    if record is not None:
        service.end_sign_in(db.session, record, by=current_user)
    logout_user()
    return redirect(url_for("site.home"))


def _account_page(status=200, **forms):
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "auth/account.html",
        tokens=tokens,
        sign_ins=service.live_sign_ins(db.session, current_user),
        this_sign_in=current_sign_in(),
        revoke_form=ConfirmForm(formdata=None),
        **forms,
    ), status


@bp.get("/account")
def account():
    require(Action.EDIT_OWN_ACCOUNT)
    return _account_page()


@bp.post("/account/password")
def change_password():
    require(Action.EDIT_OWN_ACCOUNT)
    form = PasswordChangeForm()
    if form.validate():
        try:
            service.change_own_password(
                db.session,
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                keep=current_sign_in(),
            )
        except WorkbenchError as error:
            show_error(form, error)
        else:
            flash(_("密码已修改：其他设备上的登录和您的 API 令牌均已失效。"), "success")
            return redirect(url_for("auth.account"))
    return _account_page(REJECTED, password_form=form)


@bp.post("/account/tokens")
def create_token():
    require(Action.EDIT_OWN_ACCOUNT)
    form = TokenForm()
    if form.validate():
        try:
            token, plain = service.create_api_token(db.session, current_user, name=form.name.data)
        except WorkbenchError as error:
            show_error(form, error)
        else:
            # Shown in this response only: neither stored, nor put in the session cookie, nor cached.
            response = make_response(_account_page(201, new_token=plain, new_token_name=token.name))
            response.headers["Cache-Control"] = "no-store"
            return response
    return _account_page(REJECTED, token_form=form)


@bp.post("/account/tokens/<id:token_id>/revoke")
def revoke_token(token_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    try:
        service.revoke_api_token(db.session, token, by=current_user)
    except WorkbenchError as error:
        flash(str(error.message), "error")
    else:
        flash(_("令牌“%(name)s”已撤销。", name=token.name), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-ins/<id:sign_in_id>/end")
def end_sign_in(sign_in_id: int):
    require(Action.EDIT_OWN_ACCOUNT)
    record = db.session.get(SignIn, sign_in_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    service.end_sign_in(db.session, record, by=current_user)
    if record is current_sign_in():
        logout_user()
        flash(_("您已在此设备上退出登录。"), "success")
        return redirect(url_for("site.home"))
    flash(_("已让该设备退出登录。"), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-ins/end-others")
def sign_out_everywhere():
    require(Action.EDIT_OWN_ACCOUNT)
    ended = service.sign_out_everywhere(db.session, current_user, by=current_user, keep=current_sign_in())
    flash(_("已让其他 %(count)d 处登录全部退出；此设备保持登录。", count=ended), "success")
    return redirect(url_for("auth.account"))
