"""Demo data: organisations, drafting groups and one account per role, to try the workbench with.

Loading is idempotent: what exists (matched by name, code or username) is left as it is, even if
someone changed it since, and only what is missing is created.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth import service
from workbench.auth.models import Organisation, OrganisationKind, User, WorkingGroup
from workbench.auth.permissions import Role
from workbench.errors import WorkbenchError

DEMO_PASSWORD = "workbench-demo"

SAMR = "国家市场监督管理总局"
MEE = "生态环境部"
TC548 = "全国碳排放管理标准化技术委员会（SAC/TC548）秘书处"
CNIA = "中国有色金属工业协会"
CNIS = "中国标准化研究院"
SMELTER = "示例铝业有限公司（演示）"
ZHEJIANG = "浙江省市场监督管理局"
# The issuer of T/CSTM 01088—2023, whose demo adoption application is under review, and a second
# institute so the review panel has an evaluator from outside CNIS.
CSTM = "中关村材料试验技术联盟"
TESTING_INSTITUTE = "示例材料检测研究院（演示）"
# The first demo cement plant (its name is the trial's enterprise, so its member may share and
# declare that trial's footprint) and a certification body that verifies declarations.
CEMENT_PLANT = "演示水泥甲有限公司"
CERTIFICATION_BODY = "示例低碳认证中心（演示）"

ORGANISATIONS = [
    (SAMR, "State Administration for Market Regulation", OrganisationKind.MINISTRY),
    (MEE, "Ministry of Ecology and Environment", OrganisationKind.MINISTRY),
    (TC548, "Secretariat of SAC/TC548", OrganisationKind.TC_SECRETARIAT),
    (CNIA, "China Nonferrous Metals Industry Association", OrganisationKind.ASSOCIATION),
    (CNIS, "China National Institute of Standardization", OrganisationKind.RESEARCH_INSTITUTE),
    (SMELTER, "Demo Aluminium Co., Ltd. (demo)", OrganisationKind.ENTERPRISE),
    (ZHEJIANG, "Zhejiang Administration for Market Regulation", OrganisationKind.LOCAL_AUTHORITY),
    (CSTM, "Zhongguancun Materials Testing Technology Alliance (CSTM)", OrganisationKind.ASSOCIATION),
    (TESTING_INSTITUTE, "Demo Materials Testing Institute (demo)", OrganisationKind.RESEARCH_INSTITUTE),
    (CEMENT_PLANT, "Demo Cement A Co., Ltd. (demo)", OrganisationKind.ENTERPRISE),
    (CERTIFICATION_BODY, "Demo Low-Carbon Certification Centre (demo)", OrganisationKind.CERTIFICATION_BODY),
]

WORKING_GROUPS = [
    ("WG-AL", "电解铝产品碳足迹起草组", "电解铝产品碳足迹量化规则的起草、试算与修订（GB/T 44905-2024 的后续工作）。"),
    ("WG-LIB", "锂离子电池产品碳足迹起草组", "锂离子电池及其材料的产品碳足迹量化规则。"),
    ("WG-PV", "光伏组件产品碳足迹起草组", "光伏组件产品碳足迹量化规则。"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    organisation: str
    working_groups: tuple[str, ...] = ()


ACCOUNTS = [
    DemoAccount("admin", "市场监管总局演示管理员", Role.ADMINISTRATOR, SAMR),
    DemoAccount("mee", "生态环境部演示管理员", Role.ADMINISTRATOR, MEE),
    DemoAccount("secretariat", "TC548 秘书处演示账号", Role.SECRETARIAT, TC548),
    DemoAccount("drafter", "演示起草人（标准化研究院）", Role.DRAFTER, CNIS, ("WG-AL", "WG-LIB")),
    DemoAccount("smelter", "演示起草人（铝业企业）", Role.DRAFTER, SMELTER, ("WG-AL",)),
    DemoAccount("association", "有色金属工业协会演示代表", Role.ASSOCIATION, CNIA),
    DemoAccount("evaluator", "演示评估人", Role.EVALUATOR, CNIS),
    DemoAccount("province", "浙江省市场监管局演示账号", Role.DRAFTER, ZHEJIANG),
    DemoAccount("cstm", "材料试验技术联盟演示代表", Role.ASSOCIATION, CSTM),
    DemoAccount("evaluator2", "演示评审专家（材料检测研究院）", Role.EVALUATOR, TESTING_INSTITUTE),
    DemoAccount("cement", "演示企业用户（水泥甲）", Role.ENTERPRISE, CEMENT_PLANT),
    DemoAccount("certifier", "演示认证人员（低碳认证中心）", Role.CERTIFIER, CERTIFICATION_BODY),
]


class RealDataPresent(WorkbenchError):
    pass


def load(session: Session, by: User) -> list[tuple[DemoAccount, bool]]:
    """Create what is missing; returns each demo account with whether it was created now.

    Demo accounts have a published password, two of them administrators, so they only go into
    an empty database or one that already holds the demo, never into a real deployment's.
    """
    demo_usernames = [account.username for account in ACCOUNTS]
    # The command line's own account is not a person's: it does not make a database "real".
    has_accounts = session.scalar(select(User.id).where(User.username != service.OPERATOR).limit(1)) is not None
    has_demo = session.scalar(select(User.id).where(User.username.in_(demo_usernames)).limit(1)) is not None
    if has_accounts and not has_demo:
        raise RealDataPresent(
            "数据库中已有账号且不是演示数据库：不加载带公开密码的演示账号 "
            "(this database holds real accounts; demo accounts with a published password are not added)"
        )
    organisations = {}
    for name, name_en, kind in ORGANISATIONS:
        organisations[name] = session.scalar(
            select(Organisation).where(Organisation.name == name)
        ) or service.create_organisation(session, by=by, name=name, name_en=name_en, kind=kind)

    groups = {}
    for code, name, description in WORKING_GROUPS:
        groups[code] = session.scalar(
            select(WorkingGroup).where(WorkingGroup.code == code)
        ) or service.create_working_group(session, by=by, code=code, name=name, description=description)

    results = []
    for account in ACCOUNTS:
        exists = session.scalar(select(User.id).where(User.username == account.username)) is not None
        if not exists:
            service.create_user(
                session,
                by=by,
                username=account.username,
                display_name=account.display_name,
                password=DEMO_PASSWORD,
                role=account.role,
                organisation=organisations[account.organisation],
                working_groups=[groups[code] for code in account.working_groups],
            )
        results.append((account, not exists))
    return results


def load_registry(session: Session, by: User) -> tuple[int, int, int]:
    """The product catalogue, the real standards and a few demo projects; what was created now."""
    from workbench.registry import seed

    products = seed.load_products(session, by)
    report = seed.load_standards(session, by)
    seed.load_relations(session, by)
    projects = seed.load_projects(session, by)
    load_catalogue(session, by)
    return len(products), len(report.created), len(projects)


DEMO_CALL_TITLE = "2026年重点产品碳足迹核算国家标准立项建议征集（演示）"
DEMO_CALL_DESCRIPTION = (
    "演示征集（不是真实的通知）：针对重点产品碳足迹核算标准清单第一批中尚无标准的产品，征集国家标准、行业标准、"
    "地方标准和团体标准的立项建议。按指引（七），基础能源、原材料和急需的出口产品优先制定国家标准，"
    "立项后 12 个月内报批（绿色通道）。"
)


def load_catalogue(session: Session, by: User) -> tuple[int, int]:
    """The priority list and the recommended group-standard lists as published, and one open
    call for proposals (from a week ago to two months on, counted from the day of loading);
    what was created now (batches, calls). Needs the registry loaded first."""
    from datetime import timedelta

    from workbench.catalogue import lists
    from workbench.catalogue import seed as catalogue_seed
    from workbench.catalogue.models import Call, ListBatch, ListKind
    from workbench.dates import today

    batches = catalogue_seed.load(session, by)
    if session.scalar(select(Call.id).where(Call.title == DEMO_CALL_TITLE)) is not None:
        return batches, 0
    priority = session.scalar(select(ListBatch).where(ListBatch.kind == ListKind.PRIORITY, ListBatch.number == 1))
    mee = session.scalar(select(User).where(User.username == "mee")) or by
    day = today()
    lists.create_call(
        session,
        lists.CallInput(
            title=DEMO_CALL_TITLE,
            description=DEMO_CALL_DESCRIPTION,
            opens_on=day - timedelta(days=7),
            closes_on=day + timedelta(days=60),
            levels=["national", "industry", "local", "group"],
            batches=[priority] if priority is not None else [],
            months_to_approval=12,
        ),
        by=mee,
        today=day,
    )
    return batches, 1


def load_factors(session: Session, by: User) -> int:
    """The public reference factors: MEE electricity factors and fuel combustion factors."""
    from workbench.factors import service as factors

    return len(factors.load_reference_factors(session, by=by))


def load_rules(session: Session, by: User) -> int:
    """Two draft rules with revisions; the cement rule goes out for consultation (opened 30 days
    ago) and gets comments."""
    from datetime import timedelta

    from workbench.dates import today
    from workbench.drafting import seed
    from workbench.workflow import service as workflow

    created = seed.load(session, today(), by)
    for rule in seed.consultation_drafts(created):
        opened = today() - timedelta(days=30)
        secretariat = session.scalar(select(User).where(User.username == "secretariat")) or by
        workflow.move_stage(session, rule, "30", by=secretariat, today=opened, note="公开征求意见")
        seed.add_comments(session, rule, opened, by)
    return len(created)


def load_trials(session: Session, by: User) -> int:
    """Trials of three invented cement plants against the demo cement rule."""
    from workbench.trials import seed

    return seed.load(session, by)


def load_evaluation(session: Session, by: User):
    """Implementation feedback, evaluations and adoption applications (workbench.evaluation.seed);
    what was created now. Needs the accounts, the registry and the reference factors first."""
    from flask import current_app

    from workbench.dates import today
    from workbench.evaluation import seed

    return seed.load(session, by, today=today(), secret=current_app.config["SECRET_KEY"])


def load_exchange(session: Session, by: User):
    """The exchange's demo data (workbench.exchange.seed): a shared footprint, a verified
    declaration, a supplier's footprint in the library and an international reference value; what
    was created now. Needs the accounts, the trials and the cement rule published (publish_drafts)."""
    from workbench.dates import today
    from workbench.exchange import seed

    return seed.load(session, by, today=today())


def publish_drafts(session: Session, by: User, repository_path: str) -> int:
    """Every demo rule that may be published (the cement consultation draft), so the public
    portal has something to show. Publishing is idempotent: a second run adds no commit."""
    from workbench.drafting.models import Rule
    from workbench.publishing import service as publishing
    from workbench.publishing.repository import PublicationRepository

    repository = PublicationRepository(repository_path)
    secretariat = session.scalar(select(User).where(User.username == "secretariat")) or by
    created = 0
    rules = session.scalars(select(Rule).where(Rule.stage.in_(publishing.PUBLISHABLE_STAGES)).order_by(Rule.id))
    for rule in rules:
        _record, new = publishing.publish(session, rule, by=secretariat, repository=repository)
        created += new
    return created
