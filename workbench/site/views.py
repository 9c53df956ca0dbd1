"""Pages every visitor sees: the home page, the language switch, and the domain landing pages."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workbench.auth import service as auth_service
from workbench.auth.forms import LanguageForm
from workbench.i18n import remember_locale
from workbench.web import safe_next

bp = Blueprint("site", __name__)

# The six domains of the workbench, in the order of the navigation. Each is opened by its own
# issue; until then its page says what it will hold and which articles of the guideline it serves.
SECTIONS = {
    "standards": {
        "title": _l("标准体系"),
        "summary": _l(
            "国家、行业、地方、团体、企业各级碳足迹标准的登记与查询，按指引执行各级标准的制定规则，列出应废止的行业和地方标准。"
        ),
        "articles": _l("指引（七）至（十五）"),
    },
    "drafting": {
        "title": _l("规则起草"),
        "summary": _l(
            "起草组按统一模板编写《温室气体 产品碳足迹量化方法与要求 XX产品》，边写边检查是否符合指引和 GB/T 24067-2024，并管理修订、阶段和征求意见。"
        ),
        "articles": _l("指引（二）至（六）"),
    },
    "trials": {
        "title": _l("试算"),
        "summary": _l("用多家企业的真实数据按规则试算，证明规则可行、结果可比，并给出数据质量和不确定性。"),
        "articles": _l("指引（四）至（六）"),
    },
    "factors": {
        "title": _l("因子库"),
        "summary": _l("碳足迹因子及其来源、层级、不确定性和历史版本，试算时按优先级选用。"),
        "articles": _l("指引（五）"),
    },
    "published": {
        "title": _l("发布"),
        "summary": _l("已发布的规则免费向社会公开，提供 HTML、PDF、Word 和 JSON 格式及版本历史。"),
        "articles": _l("指引（十七）"),
    },
    "evaluation": {
        "title": _l("评估"),
        "summary": _l("标准实施后评估、团体标准采信申请及其评价结论。"),
        "articles": _l("指引（十二）、（十五）"),
    },
}


@bp.get("/")
def home():
    return render_template("site/home.html", sections=SECTIONS)


@bp.get("/<any(trials, evaluation):section>")
def section(section: str):
    return render_template("site/section.html", key=section, section=SECTIONS[section])


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate():
        abort(400)
    remember_locale(form.locale.data)
    if current_user.is_authenticated:
        auth_service.set_locale(current_user, form.locale.data)
    return redirect(safe_next(form.next.data) or url_for("site.home"))
