"""How every error reaches the user: a page or a JSON body, in their language.

Services raise the errors of workbench.errors with a sentence that says what to fix. Views may
catch them to show the message beside a form; whatever escapes is rendered here. A refusal of
access (workbench.auth.access) sends a visitor to sign in (401 on the API) and answers a
signed-in user 403. No stack trace ever reaches a user: unexpected exceptions are logged and
answered with a plain 500.
"""

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workbench.dates import seconds_until
from workbench.errors import TooManyAttempts, WorkbenchError

STATUS_TEXT = {
    400: ("bad_request", _l("请求无效"), _l("请求的格式不正确，请检查后重试。")),
    401: ("unauthenticated", _l("需要登录"), _l("请先登录后再执行此操作。")),
    403: ("forbidden", _l("没有权限"), _l("您的角色无权执行此操作。如需权限，请联系管理员。")),
    404: ("not_found", _l("找不到页面或记录"), _l("您要找的页面或记录不存在，可能已被更名或地址有误。")),
    405: ("method_not_allowed", _l("不支持的请求方式"), _l("此地址不支持该请求方式。")),
    409: ("conflict", _l("与现有数据冲突"), _l("提交的内容与已保存的数据冲突，请刷新后重试。")),
    413: ("too_large", _l("上传内容过大"), _l("上传的文件或表单超过大小上限，请缩小后重试。")),
    415: ("unsupported_media_type", _l("不支持的内容类型"), _l("请求体的格式不受支持。")),
    422: ("invalid_input", _l("提交的数据有误"), _l("请根据提示修改后重新提交。")),
    429: ("too_many_requests", _l("请求过于频繁"), _l("短时间内的请求过多，请稍后再试。")),
    503: (
        "database_unavailable",
        _l("暂时无法访问数据库"),
        _l(
            "数据库暂时无法读写（例如磁盘已满或连接中断），这次请求没有保存任何内容。请稍后重试；如果问题持续，请联系管理员。"
        ),
    ),
    500: (
        "internal_error",
        _l("服务器内部错误"),
        _l("处理请求时发生意外错误，已记录日志。您的已保存数据未受影响，请稍后重试。"),
    ),
}

CSRF_MESSAGE = _l("表单安全令牌（CSRF）缺失或已失效：请返回上一页，刷新后重新提交。")


def answer_in_json() -> None:
    """Answer this request's errors in JSON too: a page made for scripts outside the API."""
    g.answer_in_json = True


def wants_json() -> bool:
    if request.blueprint == "api" or request.path.startswith("/api/") or g.get("answer_in_json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message=None, *, code=None, details=None):
    default_code, title, default_message = STATUS_TEXT.get(status, STATUS_TEXT[500 if status >= 500 else 400])
    body = {"code": code or default_code, "message": str(message or default_message), "details": details or {}}
    if wants_json():
        return jsonify(error=body), status
    try:
        return render_template("error.html", status=status, title=title, error=body), status
    except Exception:  # the layout itself failed (database down, say): a bare page still explains
        current_app.logger.exception("Error page could not be rendered")
        return (
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(body['message'])}</p>",
            status,
        )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WorkbenchError)
    def handle_workbench_error(error: WorkbenchError):
        body, status = error_response(error.status, error.message, code=error.code, details=error.details)
        if isinstance(error, TooManyAttempts):  # when to come back, for scripts and browsers alike
            return body, status, {"Retry-After": str(seconds_until(error.retry_at))}
        return body, status

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def handle_write_conflict(error):
        # Services check uniqueness and versions first and say precisely what clashes; these
        # only fire when two requests race past those checks in the same instant.
        current_app.logger.warning("Write conflict on %s %s: %s", request.method, request.path, error)
        return error_response(409)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unavailable(error):
        # Disk full, connection lost: nothing was written (the request's transaction is rolled
        # back), and trying again later may work. Form pages catch this earlier and keep the form.
        current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, error)
        return error_response(503)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return error_response(400, CSRF_MESSAGE, code="csrf_failed")

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        # werkzeug's English descriptions are replaced by translated ones; a message of our own
        # travels as a WorkbenchError instead. Its headers stay: a 405 lists the methods the
        # address does allow (Allow, RFC 9110).
        body, status = error_response(error.code or 500)
        allowed = getattr(error, "valid_methods", None)
        return body, status, {"Allow": ", ".join(allowed)} if allowed else {}

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)
