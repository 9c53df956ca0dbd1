"""Demo data of the evaluation domain, so every page has something real to show (`workbench demo`):

- two implementation feedback items on GB/T 44905—2024 (one answered by the secretariat, one open);
- CNIS's evaluation of GB/T 44905—2024, planned by the secretariat and concluded 提升 (no project,
  so the registry is not changed), every dimension scored;
- CNIA's evaluation of its own group standard T/CNIA 0295—2025, planned and in progress;
- an adoption application of 中关村材料试验技术联盟 for T/CSTM 01088—2023 (in force since
  2023-07-07), cited by demo factors of the library, with a placeholder good-practice proof,
  submitted (it passes eligibility at submission), a panel of two evaluators who scored it,
  not decided;
- a draft application of CNIA for T/CNIA 0295—2025, in force less than two full years: its page
  shows that finding.

Everything goes through the services (feedback, reviews, records, adoption), so the checks run
and the audit trail names the demo account that did each step. Invented text, figures and scores
say 演示. Loading is idempotent: a piece that exists (matched by its standard, text or code) is
left as it is and only what is missing is created. Needs the demo accounts, the registry and the
reference factors loaded first (workbench.demo).
"""

import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import set_actor
from workbench.auth.models import Organisation, User, actor_of
from workbench.db import utcnow
from workbench.drafting.service import source_of
from workbench.evaluation import adoption, feedback, records, reviews
from workbench.evaluation.models import (
    AdoptionApplication,
    AttachmentKind,
    Conclusion,
    Evaluation,
    EvaluationPlan,
    Feedback,
    FeedbackKind,
)
from workbench.factors import service as factors
from workbench.factors.models import Factor, FactorKind, Tier
from workbench.registry import service as registry
from workbench.registry.models import Standard

NATIONAL = "GB/T 44905-2024"  # 电解铝
GROUP_EVALUATED = "T/CNIA 0295-2025"  # 原生镁锭, CNIA's, implemented 2025-09-01
GROUP_ADOPTED = "T/CSTM 01088-2023"  # 粒化高炉矿渣粉, implemented 2023-07-07

CNIS = "中国标准化研究院"
CNIA = "中国有色金属工业协会"


@dataclass(frozen=True)
class Created:
    """What one load created now."""

    feedback: int = 0
    evaluations: int = 0
    factors: int = 0
    applications: int = 0


# --- feedback --------------------------------------------------------------------------------------

FEEDBACK = [
    {
        "clause": "电力消耗数据（演示）",
        "kind": FeedbackKind.UNCLEAR,
        "text": (
            "【演示反馈】企业既有自备电厂供电又从电网购电时，标准要求按供电来源分别核算，但没有说明自备电厂"
            "向电网反送的电量是否从自用电量中扣除、扣除后按哪个排放强度计算。不同核算机构做法不一，结果相差较大，"
            "请予明确。"
        ),
        "contact": "",
        "days_ago": 150,
        "answer": (
            "【演示答复】自备电厂反送电网的电量应从其发电量中扣除，只有企业自用部分按自备电厂的实测排放强度核算；"
            "电网购电部分采用生态环境部公布的最新电力平均二氧化碳排放因子，并注明因子年份。起草组将在下次修订时"
            "把这一做法写入条文，并在附录中给出算例。"
        ),
        "answered_days_ago": 140,
    },
    {
        "clause": "上游原料数据（演示）",
        "kind": FeedbackKind.DATA_UNAVAILABLE,
        "text": (
            "【演示反馈】氧化铝、预焙阳极的供应商大多不能提供经核验的产品碳足迹数据，中小电解铝企业只能使用"
            "缺省值，而标准没有给出缺省值及其来源。建议在附录中列出上游主要原料的缺省排放因子和数据年份。"
        ),
        "contact": "",
        "days_ago": 100,
    },
]


def _load_feedback(session: Session, standard: Standard, accounts: dict, secret: str) -> int:
    created = 0
    now = utcnow()
    for number, entry in enumerate(FEEDBACK, start=1):
        if session.scalar(
            select(Feedback.id).where(Feedback.standard_id == standard.id, Feedback.text == entry["text"])
        ):
            continue
        reporter = accounts.get("smelter") if number == 1 else None  # the second from a visitor
        with _acting_as(session, reporter, accounts["operator"]):
            item = feedback.submit(
                session,
                standard,
                feedback.FeedbackInput(
                    kind=entry["kind"].value, text=entry["text"], clause=entry["clause"], contact=entry["contact"]
                ),
                source=source_of(f"demo-feedback:{number}", secret),
                by=reporter,
                now=now - timedelta(days=entry["days_ago"]),
            )
        if entry.get("answer") and accounts.get("secretariat") is not None:
            with _acting_as(session, accounts["secretariat"], accounts["operator"]):
                feedback.answer(
                    session,
                    item,
                    entry["answer"],
                    by=accounts["secretariat"],
                    now=now - timedelta(days=entry["answered_days_ago"]),
                )
        created += 1
    return created


# --- evaluations -----------------------------------------------------------------------------------

NATIONAL_SCORES = [
    (
        "technical_level",
        "current",
        "【演示】量化方法与 GB/T 24067-2024、ISO 14067:2018 一致；阳极效应全氟化碳（PFCs）排放按国际铝协会"
        "（IAI）方法核算，与国际通行做法同步。",
        "",
    ),
    (
        "coordination",
        "minor",
        "【演示】协调性报告显示：电力排放因子的年份约定与电力相关标准不完全一致；行业标准 YS/T 9001—2023"
        "（演示数据）与本标准重复，已列入应废止清单。",
        "建议下次修订时写明电力因子的取值年份。",
    ),
    (
        "applicability",
        "partly",
        "【演示】实施信息反馈 2 条：自备电厂反送电量的扣除表述不清（已答复）；上游氧化铝、阳极数据难以获得（待答复）。",
        "",
    ),
    (
        "application",
        "moderate",
        "【演示】据评估调研（虚构数字），已有 12 家电解铝企业按本标准开展产品碳足迹核算，3 家认证机构据此出具报告。",
        "",
    ),
    (
        "benefits",
        "significant",
        "【演示】支撑铝产品出口应对欧盟碳边境调节机制（CBAM），并为下游汽车、建筑用铝的碳足迹披露提供上游数据。",
        "",
    ),
]
NATIONAL_SUMMARY = (
    "【演示评估意见】GB/T 44905—2024 技术内容与现行方法同步，实施效益显著，继续实施。建议提升："
    "1. 在条文中明确自备电厂反送电量的扣除方法和电网电力排放因子的年份；"
    "2. 在附录中给出氧化铝、预焙阳极等上游原料的缺省排放因子及其来源；"
    "3. 与电力产品碳足迹标准协调电力排放的核算方法。以上内容在下次复审或修订时落实。"
)
GROUP_SCORES = [
    (
        "technical_level",
        "current",
        "【演示】皮江法炼镁的还原、精炼和硅铁、白云石等上游过程均纳入系统边界，与 GB/T 24067-2024 一致。",
        "",
    ),
    (
        "coordination",
        "consistent",
        "【演示】与电解铝、工业硅等相关产品标准的取舍准则、电力因子口径一致，未发现矛盾。",
        "",
    ),
    (
        "applicability",
        "partly",
        "【演示】兰炭、半焦煤气等自产燃料的热值和含碳量多数企业没有实测，只能使用缺省值。",
        "评估进行中，待补充企业调研结果。",
    ),
]


@contextmanager
def _acting_as(session: Session, user, operator) -> Iterator[None]:
    """Name `user` (None: a visitor) in the audit events of the changes made inside the block."""
    session.flush()
    set_actor(session, actor_of(user))
    try:
        yield
        session.flush()
    finally:
        set_actor(session, actor_of(operator))


def _has_evaluation(session: Session, standard: Standard, organisation: Organisation) -> bool:
    for model in (Evaluation, EvaluationPlan):
        found = session.scalar(
            select(model.id).where(model.standard_id == standard.id, model.organisation_id == organisation.id)
        )
        if found is not None:
            return True
    return False


def _evaluate(
    session: Session,
    standard: Standard,
    organisation: Organisation,
    evaluator: User,
    accounts: dict,
    *,
    day: date,
    planned: int,
    due: int,
    started: int,
    scores: list,
    note: str,
) -> Evaluation:
    """Plan (the secretariat, `planned` days before `day`, due `due` days from `day`), start
    (`evaluator`, `started` days before `day`) and score."""
    secretariat = accounts["secretariat"]
    with _acting_as(session, secretariat, accounts["operator"]):
        (plan,) = reviews.schedule(
            session,
            reviews.PlanInput(
                standard_ids=[standard.id],
                organisation_id=organisation.id,
                due_on=day + timedelta(days=due),
                note=note,
            ),
            by=secretariat,
            today=day - timedelta(days=planned),
        )
    with _acting_as(session, evaluator, accounts["operator"]):
        evaluation = records.start(session, standard, by=evaluator, today=day - timedelta(days=started), plan=plan)
        for dimension, value, evidence, remarks in scores:
            records.score(session, evaluation, dimension, value, evidence=evidence, remarks=remarks, by=evaluator)
    return evaluation


def _load_evaluations(session: Session, accounts: dict, day: date) -> int:
    created = 0
    national = registry.find_standard(session, NATIONAL)
    institute = _organisation(session, CNIS)
    evaluator = accounts.get("evaluator")
    if None not in (national, institute, evaluator) and not _has_evaluation(session, national, institute):
        evaluation = _evaluate(
            session,
            national,
            institute,
            evaluator,
            accounts,
            day=day,
            planned=120,
            due=-7,
            started=90,
            scores=NATIONAL_SCORES,
            note="【演示】实施满一年后评估：结合实施信息反馈和协调性报告，评价技术水平、协调性和适用性。",
        )
        with _acting_as(session, evaluator, accounts["operator"]):
            records.conclude(
                session,
                evaluation,
                Conclusion.IMPROVE,
                NATIONAL_SUMMARY,
                by=evaluator,
                today=day - timedelta(days=14),
            )
        created += 1
    group = registry.find_standard(session, GROUP_EVALUATED)
    association = _organisation(session, CNIA)
    member = accounts.get("association")
    if None not in (group, association, member) and not _has_evaluation(session, group, association):
        _evaluate(
            session,
            group,
            association,
            member,
            accounts,
            day=day,
            planned=30,
            due=60,
            started=20,
            scores=GROUP_SCORES,
            note="【演示】团体标准实施后评估：由发布团体组织，评价技术水平、协调性和适用性。",
        )
        created += 1
    return created


# --- adoption --------------------------------------------------------------------------------------

FACTOR_NOTE = "演示因子（虚构数值，不是真实数据）：用于展示采信资格中“被因子库引用”一项。"
DEMO_FACTORS = [
    ("DEMO-GGBS-01", "粒化高炉矿渣粉产品碳足迹（演示，华北地区平均）", 38.6, "华北"),
    ("DEMO-GGBS-02", "粒化高炉矿渣粉产品碳足迹（演示，华东地区平均）", 45.2, "华东"),
    ("DEMO-GGBS-03", "粒化高炉矿渣粉产品碳足迹（演示，全国平均）", 41.9, "全国"),
]
ADOPTION_FIELDS = adoption.ApplicationInput(
    necessity=(
        "【演示】粒化高炉矿渣粉是水泥和混凝土的主要掺合料，年产量数亿吨；国家标准体系中尚无该产品的碳足迹"
        "量化标准，下游水泥、混凝土产品的碳足迹核算需要上游矿渣粉的可比数据。本团体标准自 2023 年 7 月实施"
        "以来已在多家企业应用，具备转化为推荐性国家标准的条件。"
    ),
    main_content=(
        "【演示】规定粒化高炉矿渣粉产品碳足迹的系统边界（从摇篮到大门）、声明单位（1 t 矿渣粉）、高炉矿渣"
        "作为钢铁生产副产品的分配方法、粉磨电耗和烘干燃料的数据收集要求、排放因子的选取和数据质量评价。"
    ),
    expected_uptake=(
        "【演示】预计覆盖全国主要矿渣粉生产企业，为水泥、混凝土和建筑产品的碳足迹核算提供上游数据，"
        "支撑建材产品碳足迹标识认证。"
    ),
    proposed_committee="全国碳排放管理标准化技术委员会（SAC/TC548）",
    drafting_units="中关村材料试验技术联盟\n示例矿渣粉有限公司（演示）\n示例钢铁集团有限公司（演示）",
)
DRAFT_FIELDS = adoption.ApplicationInput(
    necessity=("【演示】原生镁锭是镁合金和轻量化材料的基础原料，出口量大；国家标准体系中尚无该产品的碳足迹量化标准。"),
    main_content="【演示】规定原生镁锭（皮江法）产品碳足迹的系统边界、声明单位、取舍准则、数据收集和排放因子要求。",
    proposed_committee="全国碳排放管理标准化技术委员会（SAC/TC548）",
    drafting_units="中国有色金属工业协会\n中国有色金属学会\n示例镁业有限公司（演示）",
)
PANEL_SCORES = {
    "evaluator": {
        "urgency": (4, "演示评分：下游水泥、混凝土碳足迹核算急需上游矿渣粉数据，国家标准体系尚无。"),
        "soundness": (4, "演示评分：边界和声明单位合理；副产品分配方法应与钢铁产品标准协调。"),
        "data_reliability": (3, "演示评分：因子库已有引用，但粉磨电耗多为企业统计值，缺少实测。"),
        "testing": (3, "演示评分：试算企业集中在华北和华东，建议补充其他地区。"),
    },
    "evaluator2": {
        "urgency": (5, "演示评分：建材行业碳足迹标识工作急需。"),
        "soundness": (4, "演示评分：技术内容符合 GB/T 24067-2024；取舍准则表述清楚。"),
        "data_reliability": (4, "演示评分：数据来源可追溯，层级要求恰当。"),
        "testing": (2, "演示评分：实施证明只有少数企业，测试验证不够充分。"),
    },
}


def placeholder_pdf(lines: tuple[str, ...]) -> bytes:
    """A one-page PDF that says it is a demo placeholder (ASCII lines: no font embedded)."""
    text = " ".join(f"({line}) Tj 0 -20 Td" for line in lines)
    stream = zlib.compress(f"BT /F1 14 Tf 56 760 Td {text} ET".encode("ascii"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


GOOD_PRACTICE_PDF_LINES = (
    "DEMO PLACEHOLDER - not a real document.",
    "Stands for: proof of the GB/T 20004 good-practice evaluation",
    "of the applicant association (CFP Standards Workbench demo data).",
)
GOOD_PRACTICE_FILENAME = "团体标准化良好行为评价证明（演示占位文件）.pdf"


def _load_factors(session: Session, standard: Standard, by) -> int:
    created = 0
    wanted = max(len(DEMO_FACTORS), adoption.threshold())
    rows = list(DEMO_FACTORS)
    while len(rows) < wanted:  # a deployment that asks for more citations gets more demo factors
        rows.append(
            (f"DEMO-GGBS-{len(rows) + 1:02d}", f"粒化高炉矿渣粉产品碳足迹（演示，样本 {len(rows) + 1}）", 42.0, "全国")
        )
    for code, name, value, geography in rows:
        if session.scalar(select(Factor.id).where(Factor.code == code)) is not None:
            continue
        factors.create_factor(
            session,
            factors.FactorInput(
                code=code,
                name=name,
                value=value,
                unit="kgCO2e/t",
                kind=FactorKind.CFP_LIFE_CYCLE.value,
                tier=Tier.INDUSTRY.value,
                source=f"演示数据：按 {standard.designation} 核算的行业平均值（虚构）",
                geography=geography,
                data_year=2024,
                database="演示因子库",
                standards=standard.designation,
                note=FACTOR_NOTE,
            ),
            by=by,
        )
        created += 1
    return created


def _load_applications(session: Session, accounts: dict, day: date) -> tuple[int, int]:
    """The submitted application with its panel and scores, and CNIA's draft; (factors, applications)."""
    created_factors = applications = 0
    standard = registry.find_standard(session, GROUP_ADOPTED)
    applicant = accounts.get("cstm")
    if standard is not None and applicant is not None:
        created_factors = _load_factors(session, standard, accounts["operator"])
        if not _has_application(session, standard):
            _submitted_application(session, standard, applicant, accounts, day)
            applications += 1
    group = registry.find_standard(session, GROUP_EVALUATED)
    member = accounts.get("association")
    if None not in (group, member) and not _has_application(session, group):
        with _acting_as(session, member, accounts["operator"]):
            adoption.create(session, group, DRAFT_FIELDS, by=member)
        applications += 1
    return created_factors, applications


def _has_application(session: Session, standard: Standard) -> bool:
    return (
        session.scalar(select(AdoptionApplication.id).where(AdoptionApplication.standard_id == standard.id)) is not None
    )


def _submitted_application(session: Session, standard: Standard, applicant: User, accounts: dict, day: date) -> None:
    operator = accounts["operator"]
    with _acting_as(session, applicant, operator):
        application = adoption.create(session, standard, ADOPTION_FIELDS, by=applicant)
        adoption.add_attachment(
            session,
            application,
            AttachmentKind.GOOD_PRACTICE.value,
            io.BytesIO(placeholder_pdf(GOOD_PRACTICE_PDF_LINES)),
            GOOD_PRACTICE_FILENAME,
            by=applicant,
        )
        adoption.submit(session, application, by=applicant, today=day - timedelta(days=10))
    secretariat = accounts["secretariat"]
    panel = [accounts[name] for name in PANEL_SCORES if accounts.get(name) is not None]
    with _acting_as(session, secretariat, operator):
        for member in panel:
            adoption.add_panel_member(session, application, member, by=secretariat)
    for member in panel:
        entries = [
            adoption.ScoreInput(dimension, score, remarks)
            for dimension, (score, remarks) in PANEL_SCORES[member.username].items()
        ]
        with _acting_as(session, member, operator):
            adoption.score(session, application, entries, by=member)


# --- loading ---------------------------------------------------------------------------------------


def _organisation(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def _accounts(session: Session) -> dict:
    usernames = ("secretariat", "smelter", "association", "evaluator", "evaluator2", "cstm")
    return {user.username: user for user in session.scalars(select(User).where(User.username.in_(usernames)))}


def load(session: Session, by, *, today: date, secret: str) -> Created:
    """Create the demo's evaluation data that is missing (see the module docstring); `by` is the
    account loading the demo (it creates the demo factors); `secret` keys the feedback's source
    hash as the pages do. Needs the demo accounts and the registry."""
    accounts = _accounts(session)
    accounts["operator"] = by
    standard = registry.find_standard(session, NATIONAL)
    feedback_created = 0
    if standard is not None and feedback.accepts_feedback(standard):
        feedback_created = _load_feedback(session, standard, accounts, secret)
    evaluations = _load_evaluations(session, accounts, today) if "secretariat" in accounts else 0
    created_factors, applications = (
        _load_applications(session, accounts, today) if "secretariat" in accounts else (0, 0)
    )
    session.flush()
    return Created(feedback_created, evaluations, created_factors, applications)
