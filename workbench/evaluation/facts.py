"""The facts an evaluation starts from (指引（十二）), filled in from what the workbench already
knows, each with where it was found: the standard's age and review history, the implementation
feedback received, the trial calculations of its rule and their spread, the factors of the
library that cite it, its duplicates and conflicts with other standards (the registry's level
rules and TC548's coordination report), and declarations made under it.

`gather` reads them as they stand today; `as_json` is the snapshot kept with a concluded
evaluation (Evaluation.facts), and `from_json` reads it back, so that a conclusion is always shown
with the facts it was reached on. Values and sources are messages (workbench.messages): stored in
Chinese, shown in the reader's language.

Decisions:
- Declarations (声明): the extent of application is the number of valid declarations (verified,
  not expired) under the standard's rule today (exchange.declaration_reading.application_counts).
- Trials: the feasibility report of the newest revision of the standard's rule that has trials
  (workbench.trials.service.report); enterprises appear only as counts, never by name.
- Review history: the last review and the review due date from reviews.last_review and
  reviews.review_due; the earlier concluded evaluations are listed here with their conclusions.
- Years in force: eligibility.full_years, the one count of full years (29 February included).
- Words stored in a snapshot (conclusions, feedback kinds): the models' label tables are lazy
  strings (_l), rendered in the language of the request that reads them; a snapshot must keep the
  Chinese source (a Message template, translated when shown), hence the N_ copies below. A test
  holds them equal to the models' labels.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.drafting import stages
from workbench.drafting.service import rule_of_standard
from workbench.evaluation import coordination_report, feedback, reviews
from workbench.evaluation.eligibility import full_years
from workbench.evaluation.models import Conclusion, Evaluation, EvaluationStatus, FeedbackKind
from workbench.exchange import declaration_reading
from workbench.factors.models import Factor
from workbench.factors.service import factors_citing
from workbench.guideline import Finding, Severity
from workbench.messages import LIST_SEPARATOR, N_, Joined, Message, params_from_json, params_to_json
from workbench.registry import numbers
from workbench.registry import service as registry
from workbench.registry.models import Standard
from workbench.trials import service as trials

MAX_LISTED = 20  # factor codes, earlier evaluations: the first ones are listed, the rest counted
# The words stored in a snapshot: the sources of the models' lazy labels (see the module docstring).
CONCLUSION_WORDS = {
    Conclusion.CONTINUE: N_("继续有效"),
    Conclusion.IMPROVE: N_("提升"),
    Conclusion.REVISE: N_("修订"),
    Conclusion.INTEGRATE: N_("整合"),
    Conclusion.WITHDRAW: N_("废止"),
}
FEEDBACK_KIND_WORDS = {
    FeedbackKind.UNCLEAR.value: N_("表述不清"),
    FeedbackKind.INFEASIBLE.value: N_("难以实施"),
    FeedbackKind.CONFLICT.value: N_("与其他标准矛盾"),
    FeedbackKind.DATA_UNAVAILABLE.value: N_("数据无法获得"),
    FeedbackKind.OTHER.value: N_("其他"),
}


@dataclass(frozen=True)
class Fact:
    key: str
    label: str  # N_
    value: Message  # what the workbench knows
    source: Message  # where it was found
    link: tuple[str, dict] | None = None  # (endpoint, arguments) of the page that shows it
    findings: tuple[Finding, ...] = ()  # the level or coordination findings a fact is made of


LABELS = {
    "age": N_("标龄"),
    "review": N_("复审和评估记录"),
    "feedback": N_("实施信息反馈"),
    "trials": N_("试算及其离散程度"),
    "factors": N_("因子库引用"),
    "levels": N_("与其他级别标准的重复和交叉"),
    "coordination": N_("与相关规则的协调性"),
    "declarations": N_("依据该标准作出的声明"),
}


def _fact(key: str, value: Message, source: Message, link=None, findings=()) -> Fact:
    return Fact(key, LABELS[key], value, source, link, tuple(findings))


def _age(standard: Standard, today: date) -> Fact:
    registry_source = Message(N_("标准体系登记信息"))
    link = ("registry.standard", {"standard_id": standard.id})
    if standard.published_on is None:
        return _fact("age", Message(N_("尚未登记发布日期。")), registry_source, link)
    if standard.implemented_on is None:
        value = Message(N_("%(published)s 发布；实施日期未登记。"), {"published": standard.published_on.isoformat()})
    elif standard.implemented_on > today:
        value = Message(
            N_("%(published)s 发布，%(implemented)s 起实施（尚未实施）。"),
            {"published": standard.published_on.isoformat(), "implemented": standard.implemented_on.isoformat()},
        )
    else:
        value = Message(
            N_("%(published)s 发布，%(implemented)s 起实施，已实施满 %(years)d 年。"),
            {
                "published": standard.published_on.isoformat(),
                "implemented": standard.implemented_on.isoformat(),
                "years": full_years(standard.implemented_on, today),
            },
        )
    return _fact("age", value, registry_source, link)


def concluded_evaluations(session: Session, standard: Standard) -> list[Evaluation]:
    """The standard's concluded evaluations, newest first."""
    return list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.standard_id == standard.id, Evaluation.status == EvaluationStatus.CONCLUDED)
            .order_by(Evaluation.concluded_on.desc(), Evaluation.id.desc())
        )
    )


def _review(session: Session, standard: Standard, today: date) -> Fact:
    last = reviews.last_review(session, standard)
    due = reviews.review_due(standard, last)
    earlier = concluded_evaluations(session, standard)
    if due is None:
        due_text = Message(N_("复审日期无法确定（未登记发布日期）"))
    elif due < today:
        due_text = Message(
            N_("应于 %(due)s 前复审，已逾期 %(days)d 天"), {"due": due.isoformat(), "days": (today - due).days}
        )
    else:
        due_text = Message(N_("应于 %(due)s 前复审"), {"due": due.isoformat()})
    if not earlier:
        value = Message(
            N_("此前没有评估或复审记录；%(due)s（每 %(years)d 年至少复审一次）。"),
            {"due": due_text, "years": stages.REVIEW_INTERVAL_YEARS},
        )
    else:
        listed = tuple(
            Message(
                N_("%(date)s %(organisation)s：%(conclusion)s"),
                {
                    "date": evaluation.concluded_on.isoformat() if evaluation.concluded_on else "",
                    "organisation": evaluation.organisation.name,
                    "conclusion": Message(CONCLUSION_WORDS[evaluation.conclusion]),
                },
            )
            for evaluation in earlier[:MAX_LISTED]
        )
        value = Message(
            N_("最近一次复审 %(last)s；%(due)s。此前的评估：%(earlier)s。"),
            {
                "last": last.isoformat() if last else "—",
                "due": due_text,
                "earlier": Joined(N_("；"), listed),
            },
        )
    return _fact("review", value, Message(N_("本系统的评估记录（《标准化法》第二十九条：复审周期一般不超过五年）")))


def _feedback(session: Session, standard: Standard) -> Fact:
    counts = feedback.counts(session, [standard.id]).get(standard.id)
    total = counts.total if counts is not None else 0
    source = Message(N_("本系统收到的标准实施信息反馈"))
    if not total:
        return _fact("feedback", Message(N_("尚未收到实施信息反馈。")), source)
    kinds = tuple(
        Message(N_("%(kind)s %(count)d 条"), {"kind": Message(FEEDBACK_KIND_WORDS.get(kind, kind)), "count": n})
        for kind, n in counts.by_kind.items()  # in the enum's order (FeedbackCounts)
        if n
    )
    value = Message(
        N_("共 %(total)d 条，其中待答复 %(open)d 条（%(kinds)s）。"),
        {"total": total, "open": counts.open, "kinds": Joined(LIST_SEPARATOR, kinds)},
    )
    return _fact("feedback", value, source)


def _figure(value) -> str:
    return "—" if value is None else f"{value:.4g}"


def _trials(session: Session, standard: Standard) -> Fact:
    rule = rule_of_standard(session, standard)
    if rule is None:
        return _fact(
            "trials",
            Message(N_("该标准没有在本系统中起草的规则，因而没有试算记录。")),
            Message(N_("规则起草和试算记录")),
        )
    with_trials = trials.revisions_with_trials(session, rule)
    if not with_trials:
        return _fact(
            "trials",
            Message(N_("规则 %(code)s 尚无试算。"), {"code": rule.code}),
            Message(N_("规则 %(code)s 的试算记录"), {"code": rule.code}),
        )
    revision, _count = with_trials[0]
    data = trials.report(session, revision)
    spread = data["spread"]
    source = Message(
        N_("规则 %(code)s 第 %(revision)d 版的试算可行性分析报告（指引（六））"),
        {"code": rule.code, "revision": revision.number},
    )
    link = ("trials.report", {"rule_id": rule.id})
    if not spread["n"]:
        value = Message(
            N_("%(enterprises)d 家企业的 %(trials)d 项试算，没有可用的计算结果。"),
            {"enterprises": data["enterprises"], "trials": data["trials"]},
        )
        return _fact("trials", value, source, link)
    value = Message(
        N_(
            "%(enterprises)d 家企业的 %(trials)d 项试算，%(n)d 项结果可比（%(unit)s）：最小 %(min)s，最大 %(max)s，"
            "中位数 %(median)s，变异系数 %(cv)s %%。"
        ),
        {
            "enterprises": data["enterprises"],
            "trials": data["trials"],
            "n": spread["n"],
            "unit": spread["unit"] or "—",
            "min": _figure(spread["min"]),
            "max": _figure(spread["max"]),
            "median": _figure(spread["median"]),
            "cv": _figure(spread["cv_percent"]),
        },
    )
    return _fact("trials", value, source, link)


def citing_factors(session: Session, standard: Standard) -> list[Factor]:
    """The library's factors derived under `standard` (any of its numbers)."""
    sequences = []
    for number in standard.number_list:
        try:
            sequences.append(numbers.parse(number).sequence)
        except numbers.InvalidNumber:
            continue
    return factors_citing(session, [row.key for row in standard.number_rows], sequences)


def _factors(session: Session, standard: Standard) -> Fact:
    citing = citing_factors(session, standard)
    source = Message(N_("因子库中各因子登记的“依据的标准”（指引（五）、（十五））"))
    link = ("factors.factors", {})
    if not citing:
        return _fact("factors", Message(N_("因子库中没有依据该标准的因子。")), source, link)
    codes = Joined(LIST_SEPARATOR, tuple(factor.code for factor in citing[:MAX_LISTED]))
    if len(citing) > MAX_LISTED:
        codes += " …"
    value = Message(N_("因子库中有 %(count)d 项因子依据该标准：%(codes)s。"), {"count": len(citing), "codes": codes})
    return _fact("factors", value, source, link)


def _finding_summary(found: list[Finding], none: str) -> Message:
    if not found:
        return Message(none)
    errors = sum(1 for item in found if item.severity == Severity.ERROR)
    warnings = sum(1 for item in found if item.severity == Severity.WARNING)
    return Message(
        N_("%(count)d 项发现（错误 %(errors)d 项，警告 %(warnings)d 项），见下。"),
        {"count": len(found), "errors": errors, "warnings": warnings},
    )


def _levels(session: Session, standard: Standard, today: date) -> Fact:
    found = registry.findings_for(session, standard, on=today)
    return _fact(
        "levels",
        _finding_summary(found, N_("未发现与其他级别标准的冲突、重复或交叉。")),
        Message(N_("标准体系的级别规则（指引（八）至（十四））")),
        ("registry.standard", {"standard_id": standard.id}),
        found,
    )


def _coordination(session: Session, standard: Standard) -> Fact:
    found = list(coordination_report.findings_for_standard(session, standard))
    return _fact(
        "coordination",
        _finding_summary(found, N_("协调性报告未发现与相关规则的不一致。")),
        Message(N_("TC548 协调性报告（指引（十三））")),
        ("coordination.index", {}),
        found,
    )


def _declarations(session: Session, standard: Standard, today: date) -> Fact:
    """The extent of application: the valid (verified, unexpired) declarations under the
    standard's rule today (workbench.exchange.declaration_reading.application_counts)."""
    source = Message(N_("本系统的碳足迹声明登记（经认证机构核查、在有效期内的声明）"))
    rule = rule_of_standard(session, standard)
    if rule is None:
        return _fact("declarations", Message(N_("该标准没有在本系统中起草的规则，因而没有依据它登记的声明。")), source)
    count = declaration_reading.application_counts(session, [rule.id], today).get(rule.id, 0)
    link = ("declarations.rule", {"rule_id": rule.id})
    if not count:
        return _fact(
            "declarations", Message(N_("依据规则 %(code)s 尚无有效的声明。"), {"code": rule.code}), source, link
        )
    return _fact(
        "declarations",
        Message(N_("依据规则 %(code)s 有 %(count)d 项有效的声明。"), {"code": rule.code, "count": count}),
        source,
        link,
    )


def gather(session: Session, standard: Standard, today: date) -> list[Fact]:
    """The facts of `standard` as the workbench knows them today, in the order the evaluators read them."""
    return [
        _age(standard, today),
        _review(session, standard, today),
        _feedback(session, standard),
        _trials(session, standard),
        _factors(session, standard),
        _levels(session, standard, today),
        _coordination(session, standard),
        _declarations(session, standard, today),
    ]


# --- the snapshot -------------------------------------------------------------------------------


def _message_json(message: Message) -> dict:
    return {"template": message.template, "params": params_to_json(message.params)}


def _message_from(data) -> Message:
    if isinstance(data, dict):
        return Message(str(data.get("template", "")), params_from_json(data.get("params") or {}))
    return Message(str(data or ""))


def as_json(facts: list[Fact], today: date | None = None) -> dict:
    """The facts as stored with a concluded evaluation (Evaluation.facts)."""
    return {
        "gathered_on": today.isoformat() if today else None,
        "facts": [
            {
                "key": fact.key,
                "label": fact.label,
                "value": _message_json(fact.value),
                "source": _message_json(fact.source),
                "link": {"endpoint": fact.link[0], "args": fact.link[1]} if fact.link else None,
                "findings": [found.to_dict() for found in fact.findings],
            }
            for fact in facts
        ],
    }


def from_json(data: dict | None) -> list[Fact]:
    """The facts stored with an evaluation."""
    facts = []
    for item in (data or {}).get("facts", []):
        link = item.get("link")
        facts.append(
            Fact(
                key=str(item.get("key", "")),
                label=str(item.get("label", "")),
                value=_message_from(item.get("value")),
                source=_message_from(item.get("source")),
                link=(link["endpoint"], dict(link.get("args") or {})) if link else None,
                findings=tuple(Finding.from_dict(found) for found in item.get("findings", [])),
            )
        )
    return facts
