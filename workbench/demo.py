"""Demo data: organisations, drafting groups and one account per role, to try the workbench with.

Loading is idempotent: what exists (matched by name, code or username) is left as it is, even if
someone changed it since, and only what is missing is created.

The demo holds a rule at every stage from 10 to 60, so every page and gate can be seen:

  10 立项      新能源汽车: a demo proposal to the demo call, approved (立项) two days ago; its text is
               still the template's (its English title missing: one error, which the move into
               consultation will ask to fix)
  20 起草      锂离子电池 (drafting group WG-LIB), filed under the product 锂离子电池, a kind of the
               2024 plan's 锂电池 (which also takes in primary lithium cells)
  30 征求意见  水泥 (WG-BM): out for comment since 70 days ago, so the 60 days are over; three demo
               plants have tried it, and one comment is still open: the secretariat disposes of it
               and may then move the rule to review. It stays at 30 so that the portal has a draft
               open for comment (the exchange's and evaluation's demo data build on it).
  40 审查      乙烯 (WG-CHEM)
  50 批准      电石 (WG-CHEM)
  60 出版      石灰 (WG-BM), published about four months ago as GB/T 99001—<year>, in force
               since a month (the registry's 实施日期, which no stage move sets)

The rules at 40, 50 and 60 went through the real workflow (workbench.workflow.move_stage), each
gate passed by real records: a consultation of more than 60 days, a disposed comment, trials by
three demo enterprises, a number. Their story is dated back (创建 about 14 months ago for lime); the
dates the pages show are those the demo chose, the audit trail keeps when it was really loaded.
The portal gets the cement draft and the lime standard (publish_drafts); the drafts at 40 and 50
are left for the secretariat to publish from their pages, as each publication renders a PDF and a
Word file, the slowest part of loading.

How the demo is marked as demo, with fields that exist: every backdated stage move's note says
“演示数据，日期为回溯设定 / demo data, dated back”; the registry entries of the demo rules say 演示数据 in their note; the
published number is in the GB/T 99xxx range, far beyond any issued national standard; the drafting
units, commenters, enterprises and the call for proposals are all marked 演示; the portal shows each
demo publication's note (DEMO_PUBLICATION_NOTE, in Chinese and English) in its version history,
dated, like the publication record, the day the rule entered its stage.
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
    ("WG-BM", "建材产品碳足迹起草组", "水泥、石灰等建筑材料产品碳足迹量化规则（演示）。"),
    ("WG-CHEM", "化工产品碳足迹起草组", "乙烯、电石等基础化工原料产品碳足迹量化规则（演示）。"),
    ("WG-NEV", "新能源汽车产品碳足迹起草组", "新能源汽车产品碳足迹量化规则（演示）。"),
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
    DemoAccount("drafter", "演示起草人（标准化研究院）", Role.DRAFTER, CNIS, ("WG-AL", "WG-LIB", "WG-BM", "WG-CHEM")),
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
        group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == code))
        if group is None:
            # A group added to the demo later takes in the demo accounts already there.
            members = session.scalars(
                select(User).where(
                    User.username.in_([account.username for account in ACCOUNTS if code in account.working_groups])
                )
            ).all()
            group = service.create_working_group(
                session, by=by, code=code, name=name, description=description, members=members
            )
        groups[code] = group

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


# The cement rule's consultation opened this many days before loading: the 60 days are over.
CEMENT_CONSULTATION_DAYS = 70
# The note of every stage move the demo dates back, in both languages: stored text, not interface.
BACKDATED = "演示数据，日期为回溯设定 / demo data, dated back"


def _account(session: Session, username: str, fallback: User) -> User:
    return session.scalar(select(User).where(User.username == username, User.active.is_(True))) or fallback


def _move(session: Session, rule, target: str, *, by: User, day, note: str, number: str = ""):
    """The real stage move, gates and all, as of `day`; its event is dated that day too, and its
    note says the date is the demo's."""
    from workbench.drafting import seed
    from workbench.workflow import service as workflow

    event = workflow.move_stage(session, rule, target, by=by, today=day, note=f"{note}（{BACKDATED}）", number=number)
    event.occurred_at = seed.morning(day)
    return event


def load_rules(session: Session, by: User) -> int:
    """Two draft rules with revisions; the cement rule goes out for consultation (opened 70 days
    ago, so the comment period is over) and gets comments, one of them still open."""
    from datetime import timedelta

    from workbench.dates import today
    from workbench.drafting import seed

    created = seed.load(session, today(), by)
    for rule in seed.consultation_drafts(created):
        opened = today() - timedelta(days=CEMENT_CONSULTATION_DAYS)
        seed.date_revisions(session, rule, opened - timedelta(days=28))  # drafted in the weeks before
        _move(session, rule, "30", by=_account(session, "secretariat", by), day=opened, note="公开征求意见")
        seed.add_comments(session, rule, opened, by)
    seed.give_cement_its_group(session)  # an earlier demo's cement rule had no drafting group
    return len(created)


def load_stages(session: Session, by: User) -> int:
    """The rules at 10, 40, 50 and 60 that are missing (see the module's docstring); how many
    were created now. Needs the accounts, the registry, the catalogue and the reference factors."""
    from datetime import timedelta

    from workbench.audit import change_reason
    from workbench.dates import today
    from workbench.drafting import seed

    day = today()
    secretariat = _account(session, "secretariat", by)
    admin = _account(session, "admin", by)
    created = 0
    for staged in seed.STAGED_RULES:
        rule = seed.create_staged(session, staged, day, by)
        if rule is None:
            continue
        created += 1
        entered = {stage: day - timedelta(days=days) for stage, days in staged.days_ago.items()}
        _move(session, rule, "30", by=secretariat, day=entered["30"], note="公开征求意见")
        seed.add_staged_comment(session, rule, staged, entered["30"], by)
        _load_staged_trials(session, rule, staged.product, secretariat, entered["30"] + timedelta(days=30))
        _move(session, rule, "40", by=secretariat, day=entered["40"], note="送审")
        if staged.stage >= "50":
            _move(session, rule, "50", by=secretariat, day=entered["50"], note="审查通过，报批")
        if staged.stage >= "60":
            published = entered["60"]
            number = f"{DEMO_NUMBER_PREFIX}—{published.year}"
            _move(session, rule, "60", by=admin, day=published, note="批准发布", number=number)
            # The move records the publication date; the date it comes into force is the registry's.
            with change_reason(session, "演示数据：实施日期"):
                rule.standard.implemented_on = published + timedelta(days=IN_FORCE_AFTER_DAYS)
        _mark_registry_entry(session, rule)
    return created + _load_approved_proposal(session, by, day)


# The demo standard comes into force three months after publication, so it is in force today.
IN_FORCE_AFTER_DAYS = 92
# National standard numbers in this range have never been issued (GB/T numbers reach the 40000s).
DEMO_NUMBER_PREFIX = "GB/T 99001"
DEMO_REGISTRY_NOTE = "演示数据（不是真实的标准或项目）：由演示规则在工作台中起草"


def _mark_registry_entry(session: Session, rule) -> None:
    """The registry entry of a demo rule says it is demo data."""
    from workbench.audit import change_reason

    if rule.standard is not None and rule.standard.note != DEMO_REGISTRY_NOTE:
        with change_reason(session, "演示数据"):
            rule.standard.note = DEMO_REGISTRY_NOTE


# The demo's trials of the staged rules: three invented enterprises per product, with how much
# more or less energy and material each uses than the typical plant, whose figures per t of product
# are the lines (stage, category, item, amount per t, unit, factor). Production data are the
# plant's own (primary), raw materials' statistical. The factor is the reference library's
# national grid factor (GRID), or (value, unit, tier, source).
RAW, PRODUCTION, GRID = "raw_material_acquisition", "production", "grid"
FACTOR_SET_2022 = "《中国产品全生命周期温室气体排放系数集（2022）》"
STAGED_TRIALS = {
    "石灰": (
        "生石灰",
        [("演示石灰甲有限公司", 1.00), ("演示石灰乙有限公司", 0.93), ("演示石灰丙有限公司", 1.08)],
        [
            (RAW, "raw_materials", "石灰石", 1.78, "t", (2.9, "kgCO2e/t", "government", FACTOR_SET_2022)),
            (RAW, "transport", "石灰石公路运输", 36, "t*km", (0.078, "kgCO2e/(t*km)", "government", FACTOR_SET_2022)),
            (PRODUCTION, "energy", "烟煤", 0.13, "t", (2460, "kgCO2e/t", "government", "GB/T 32150—2015（演示估算）")),
            (PRODUCTION, "energy", "外购电力", 32, "kWh", GRID),
            (PRODUCTION, "process_emissions", "碳酸盐分解", 1, "t", (768, "kgCO2/t", "measured_verified", "成分化验")),
        ],
    ),
    "电石": (
        "电石",
        [("演示电石甲有限公司", 1.00), ("演示电石乙有限公司", 1.06), ("演示电石丙有限公司", 0.95)],
        [
            (RAW, "raw_materials", "外购生石灰", 0.88, "t", (1150, "kgCO2e/t", "industry", "行业平均值（演示估算）")),
            (RAW, "raw_materials", "兰炭", 0.57, "t", (520, "kgCO2e/t", "industry", "行业平均值（演示估算）")),
            (RAW, "raw_materials", "电极糊", 0.025, "t", (1100, "kgCO2e/t", "literature", "文献值（演示估算）")),
            (PRODUCTION, "energy", "电石炉用电", 3250, "kWh", GRID),
            (
                PRODUCTION,
                "process_emissions",
                "电石炉碳平衡排放",
                1,
                "t",
                (690, "kgCO2/t", "measured_verified", "含碳量化验"),
            ),
        ],
    ),
    "乙烯": (
        "聚合级乙烯",
        [("演示石化甲有限公司", 1.00), ("演示石化乙有限公司", 0.92), ("演示石化丙有限公司", 1.10)],
        [  # the plant's figures after allocation by mass among ethylene and its co-products (7.3)
            (RAW, "raw_materials", "石脑油", 1.05, "t", (420, "kgCO2e/t", "literature", "文献值（演示估算）")),
            (PRODUCTION, "energy", "裂解炉自产燃料气", 0.32, "t", (2750, "kgCO2/t", "measured_verified", "组分分析")),
            (PRODUCTION, "energy", "外购电力", 120, "kWh", GRID),
            (PRODUCTION, "process_emissions", "清焦和火炬", 1, "t", (25, "kgCO2e/t", "measured_verified", "计量记录")),
        ],
    ),
}


def _staged_dataset(enterprise: str, product: str, scale: float, lines: list, grid: str | None) -> dict:
    """A year of `enterprise` making 100,000 t of `product`; `scale` varies its energy and
    materials from the typical plant's (the process emission per t stays as measured)."""
    output = 100_000
    rows = []
    for stage, category, item, per_t, unit, factor in lines:
        primary = stage == PRODUCTION
        row = {
            "stage": stage,
            "category": category,
            "item": item,
            "amount": round((per_t if category == "process_emissions" else per_t * scale) * output, 3),
            "unit": unit,
            "data_type": "primary" if primary else "statistical",
            "source": "企业台账（演示）" if primary else "统计资料（演示）",
        }
        if factor == GRID:
            row.update({"factor": {"id": grid}} if grid else {"electricity": {}})
        else:
            value, factor_unit, tier, source = factor
            source = source if "演示" in source else f"企业{source}（演示）"
            row["factor"] = {"value": value, "unit": factor_unit, "tier": tier, "source": source}
        rows.append(row)
    return {
        "enterprise": enterprise,
        "period": "2025 年 1 月—12 月",
        "reference_flow": {"quantity": output, "unit": "t", "product": product},
        "lines": rows,
    }


def _load_staged_trials(session: Session, rule, product: str, by: User, day) -> None:
    """Trials of `rule` by the three demo enterprises of its product (the gate to review), entered
    and calculated on `day`."""
    from workbench.drafting import seed
    from workbench.factors.models import Factor, FactorKind
    from workbench.trials import seed as trials_seed
    from workbench.trials import service as trials

    grid = session.scalar(  # the latest national life-cycle electricity factor, as the cement trials use
        select(Factor.code)
        .where(Factor.kind == FactorKind.CFP_LIFE_CYCLE, Factor.geography == "全国", Factor.archived_at.is_(None))
        .order_by(Factor.data_year.desc().nulls_last())
    )
    reference_product, enterprises, lines = STAGED_TRIALS[product]
    for enterprise, scale in enterprises:
        data = _staged_dataset(enterprise, reference_product, scale, lines, grid)
        trial = trials.create_trial(session, rule, data=data, source="json", by=by)
        trials_seed.date_back(session, trial, seed.morning(day))


DEMO_PROPOSAL_PRODUCT = "新能源汽车"
DEMO_PLAN_SERIAL = "9901"  # plan numbers of a year count up from 0001: this one is plainly the demo's
DEMO_PROJECT_NOTE = "演示数据（不是真实的立项）"


def _load_approved_proposal(session: Session, by: User, day) -> int:
    """The rule at 10: a demo proposal to the demo call by the standardisation institute,
    approved (立项) by SAMR two days ago with WG-NEV to draft it; 1 if created now."""
    from datetime import timedelta

    from workbench.audit import change_reason
    from workbench.auth.models import WorkingGroup
    from workbench.catalogue import proposals
    from workbench.catalogue.models import Call, Proposal
    from workbench.drafting import seed
    from workbench.registry.service import find_product

    product = find_product(session, DEMO_PROPOSAL_PRODUCT)
    call = session.scalar(select(Call).where(Call.title == DEMO_CALL_TITLE))
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.code == "WG-NEV"))
    if product is None or call is None or group is None:
        return 0
    if session.scalar(select(Proposal.id).where(Proposal.call_id == call.id, Proposal.product_id == product.id)):
        return 0
    proposal = proposals.submit(
        session,
        call,
        proposals.ProposalInput(
            product_id=product.id,
            level="national",
            scope="纯电动、插电式混合动力和燃料电池乘用车从原材料获取到报废回收（摇篮到坟墓）的碳足迹量化与报告（演示）。",
            urgency="新能源汽车是出口重点产品，国际贸易中对产品碳足迹的要求日益增加，急需统一的国家核算方法（演示）。",
            technical_content="功能单位（按行驶里程计）、系统边界、动力电池和车身材料的数据要求、使用阶段电耗、"
            "回收利用的处理（演示）。",
            drafting_units="中国标准化研究院、示例汽车技术研究中心（演示）",
            working_group_id=group.id,
            timetable="立项后 12 个月内报批。",
            trial_enterprises=3,
            trial_plan="三家整车企业按征求意见稿试算（演示）。",
        ),
        by=_account(session, "drafter", by),
        today=day - timedelta(days=5),
    )
    approved = day - timedelta(days=2)
    proposals.approve(
        session,
        proposal,
        by=_account(session, "admin", by),
        today=approved,
        plan_number=f"{approved.year}{DEMO_PLAN_SERIAL}-T-469",
        working_group_id=group.id,
        reason="立项（演示数据）",
    )
    # Submitted and decided on the days the demo tells (the audit trail keeps the loading time).
    proposal.submitted_at = seed.morning(day - timedelta(days=5))
    proposal.decided_at = seed.morning(approved)
    seed.date_revisions(session, proposals.rule_of(session, proposal), approved)
    standard = proposals.standard_of(session, proposal)
    if standard is not None:
        with change_reason(session, "演示数据"):
            standard.note = f"{standard.note}；{DEMO_PROJECT_NOTE}"
    return 1


def trial_count(session: Session) -> int:
    """How many trials the database holds: the demo command counts the ones it made (the cement
    plants' and the staged rules' three each) as the difference."""
    from sqlalchemy import func

    from workbench.trials.models import Trial

    return session.scalar(select(func.count()).select_from(Trial))


# The cement plants entered their trials this many days into the consultation.
CEMENT_TRIALS_AFTER_DAYS = 20


def load_trials(session: Session, by: User) -> int:
    """Trials of three invented cement plants against the demo cement rule, entered and calculated
    during its consultation (CEMENT_TRIALS_AFTER_DAYS after it opened)."""
    from datetime import timedelta

    from workbench.dates import today
    from workbench.drafting.seed import morning
    from workbench.trials import seed

    entered = today() - timedelta(days=CEMENT_CONSULTATION_DAYS) + timedelta(days=CEMENT_TRIALS_AFTER_DAYS)
    return seed.load(session, by, at=morning(entered))


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


# The portal's version note, in both languages: stored in the publication and its commit.
DEMO_PUBLICATION_NOTE = (
    "演示数据：由演示程序发布，不是真实的标准或征求意见稿。"
    "Demo data: published by the demo, not a real standard or draft for comment."
)


def publish_drafts(session: Session, by: User, repository_path: str) -> int:
    """The demo rules the public reads: the drafts out for comment (the cement draft) and the
    published standards (lime), so the portal has both to show. The rules at review and approval
    are left for the secretariat to publish if it wants to (each publication renders a PDF and a
    Word file, the slowest part of loading). Publishing is idempotent: a second run adds no commit."""
    from workbench.db import utcnow
    from workbench.drafting import stages
    from workbench.drafting.models import Rule
    from workbench.publishing import service as publishing
    from workbench.publishing.repository import PublicationRepository

    repository = PublicationRepository(repository_path)
    secretariat = session.scalar(select(User).where(User.username == "secretariat")) or by
    created = 0
    public = set(stages.codes(public_draft=True)) | set(stages.codes(published=True))
    shown = [code for code in publishing.PUBLISHABLE_STAGES if code in public]
    rules = session.scalars(select(Rule).where(Rule.stage.in_(shown)).order_by(Rule.id))
    # In the order of their (backdated) days, so that the repository's commits follow one another in time.
    dated = sorted(((_entered_stage(session, rule), rule) for rule in rules), key=lambda pair: pair[0] or utcnow())
    for day, rule in dated:
        _record, new = publishing.publish(
            session, rule, by=secretariat, repository=repository, note=DEMO_PUBLICATION_NOTE, now=day
        )
        created += new
    return created


def _entered_stage(session: Session, rule):
    """When `rule` moved into its present stage (the demo's backdated day): published then, so
    that the portal's version history agrees with the stages; None if it never moved (now)."""
    from workbench.drafting.models import StageEvent

    return session.scalar(
        select(StageEvent.occurred_at)
        .where(StageEvent.rule_id == rule.id, StageEvent.to_stage == rule.stage)
        .order_by(StageEvent.occurred_at.desc())
        .limit(1)
    )
