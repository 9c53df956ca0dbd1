"""The workbench's domains in the order of the main navigation: the one table the navigation bar
and the home page's cards are drawn from. A domain still to be built points at its landing page,
which says what it will hold and which articles of the guideline it serves."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# Pages that belong to everyone rather than to a section, although a section's blueprint serves
# them: the inbox (待办) is each person's to-do list across all sections, with its own link in
# the header, so no section is highlighted on it.
OUTSIDE_SECTIONS = frozenset({"proposals.inbox"})


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    summary: str
    articles: str
    endpoint: str
    blueprints: tuple[str, ...] = ()  # pages of these blueprints are "in" the section
    arguments: dict = field(default_factory=dict)
    # The word in the navigation bar, where every section must fit on one line beside the account's
    # links; the home page's cards and the section's own page use the full title.
    menu_title: str | None = None

    @property
    def nav_title(self) -> str:
        return self.menu_title or self.title

    @property
    def built(self) -> bool:
        return self.endpoint != "site.section"

    def is_current(self, request) -> bool:
        if request.endpoint in OUTSIDE_SECTIONS:
            return False
        if request.blueprint in self.blueprints:
            return True
        return request.endpoint == "site.section" and (request.view_args or {}).get("section") == self.key


SECTIONS = (
    Section(
        "standards",
        _l("标准体系"),
        _l(
            "国家、行业、地方、团体、企业各级碳足迹标准的登记与查询，按指引执行各级标准的制定规则，列出应废止的行业和地方标准。"
        ),
        _l("指引（七）至（十五）"),
        "registry.standards",
        ("registry",),
        menu_title=lazy_pgettext("导航", "标准体系"),
    ),
    Section(
        "drafting",
        _l("规则起草"),
        _l(
            "起草组按统一模板编写《温室气体 产品碳足迹量化方法与要求 XX产品》，边写边检查是否符合指引和 GB/T 24067-2024，并管理修订、阶段和征求意见。"
        ),
        _l("指引（二）至（六）"),
        "drafting.rules",
        ("drafting", "workflow"),
        menu_title=lazy_pgettext("导航", "规则起草"),
    ),
    Section(
        "trials",
        _l("试算"),
        _l("用多家企业的真实数据按规则试算，证明规则可行、结果可比，并给出数据质量和不确定性。"),
        _l("指引（四）至（六）"),
        "trials.overview",
        ("trials",),
        menu_title=lazy_pgettext("导航", "试算"),
    ),
    Section(
        "factors",
        _l("因子库"),
        _l("碳足迹因子及其来源、层级、不确定性和历史版本，试算时按优先级选用。"),
        _l("指引（五）"),
        "factors.factors",
        ("factors",),
        menu_title=lazy_pgettext("导航", "因子库"),
    ),
    Section(
        "catalogue",
        _l("清单与立项"),
        _l(
            "市场监管总局、生态环境部发布重点产品清单和团体标准推荐清单，征集并审批立项建议，跟踪 2027 年 100 项、2030 年 200 项目标的进度。"
        ),
        _l("指引 一、（七）至（十一）"),
        "catalogue.index",
        ("catalogue", "proposals", "coverage"),
        menu_title=lazy_pgettext("导航", "清单与立项"),
    ),
    Section(
        "published",
        _l("发布"),
        _l("已发布的规则免费向社会公开，提供 HTML、PDF、Word 和 JSON 格式及版本历史。"),
        _l("指引（十七）"),
        "portal.index",
        ("portal",),
        menu_title=lazy_pgettext("导航", "发布"),
    ),
    Section(
        "evaluation",
        _l("评估"),
        _l("标准实施后评估、团体标准采信申请及其评价结论。"),
        _l("指引（十二）、（十三）、（十五）"),
        "evaluation.index",
        ("evaluation", "feedback", "reviews", "coordination", "adoption"),
        menu_title=lazy_pgettext("导航", "评估"),
    ),
    Section(
        "exchange",
        _l("对外交换"),
        _l(
            "企业依据已发布规则声明产品碳足迹并经认证机构核查（碳标识、分级），以 PACT 格式与交易伙伴交换碳足迹，对比国内外方法和因子，因子以国际通行格式导出和报送。"
        ),
        _l("指引（五）、（十六）、（十八）至（二十）"),
        "exchange.index",
        ("exchange", "partners", "factor_exchange", "declarations", "international"),
        menu_title=lazy_pgettext("导航", "对外交换"),
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}
TO_BUILD = tuple(section.key for section in SECTIONS if not section.built)
