"""The stated quality assessment of factors for the national carbon-footprint factor database
(指引（五）: good factors are fed into it). A factor is submitted only when it meets every criterion:

1. tier (数据来源层级): measured and traceability-verified, government or industry data;
   literature values are left out.
2. source (数据来源): a named source (a document, notice number or database), not blank and not a
   placeholder such as "未知".
3. uncertainty (不确定性): a distribution with its parameters, or pedigree scores.
4. data quality rating (数据质量评级): where pedigree scores are given, their mean rated with the
   EU PEF DQR bands the trial engine uses (workbench.trials.engine.quality), at least "good"
   (DQR ≤ 3.0); a factor without pedigree scores is not rated and this criterion does not apply.
5. age (时效性): the data year at most MAX_AGE_YEARS years before today's year.

PURE: the standard library and the engine's bands. `assess(factor, today)` takes the dict of
`Factor.snapshot()` and returns every criterion's result, so the report can say why a factor
was left out.
"""

from dataclasses import dataclass
from datetime import date

from workbench.guideline.vocabulary import QUALITY_RATINGS
from workbench.messages import N_, Message
from workbench.trials.engine.quality import BELOW_BANDS, QUALITY_BANDS

MAX_AGE_YEARS = 5
ACCEPTED_TIERS = ("measured_verified", "government", "industry")
WORST_ACCEPTED_RATING = "good"
MAX_DQR = next(bound for bound, rating in QUALITY_BANDS if rating == WORST_ACCEPTED_RATING)
PLACEHOLDER_SOURCES = {"", "-", "—", "无", "未知", "不详", "n/a", "na", "none", "unknown", "tbd"}

CRITERIA = {
    "tier": N_("数据来源层级：经溯源性核验的实测数据、政府官方数据或行业经验值（文献值不纳入）"),
    "source": N_("数据来源：注明具体来源（文件名称、文号或数据库）"),
    "uncertainty": N_("不确定性：给出分布及其参数，或谱系矩阵评分"),
    "quality": N_("数据质量评级：有谱系矩阵评分的，按 EU PEF 数据质量评级（DQR）不低于“良好”（DQR ≤ 3.0）"),
    "age": N_("时效性：数据年份距今不超过 %(years)d 年"),
}


@dataclass(frozen=True)
class Check:
    criterion: str  # a key of CRITERIA
    passed: bool | None  # None: does not apply (no pedigree scores to rate)
    message: Message


@dataclass(frozen=True)
class Assessment:
    code: str
    name: str
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed is not False for check in self.checks)

    @property
    def reasons(self) -> list[Message]:
        return [check.message for check in self.checks if check.passed is False]


def criterion_text(key: str) -> Message:
    return Message(CRITERIA[key], {"years": MAX_AGE_YEARS} if key == "age" else {})


def rating(scores) -> tuple[float, str]:
    """(mean pedigree score, its PEF DQR band)."""
    score = sum(scores) / len(scores)
    return score, next((band for bound, band in QUALITY_BANDS if score <= bound), BELOW_BANDS)


def assess(factor: dict, today: date) -> Assessment:
    checks = []
    tier = factor.get("tier")
    checks.append(
        Check("tier", True, Message(N_("层级 %(tier)s 符合要求"), {"tier": tier}))
        if tier in ACCEPTED_TIERS
        else Check("tier", False, Message(N_("数据来源层级为 %(tier)s：文献值等不纳入提交"), {"tier": tier}))
    )
    source = " ".join(str(factor.get("source") or "").split())
    checks.append(
        Check("source", False, Message(N_("未注明具体的数据来源")))
        if source.lower() in PLACEHOLDER_SOURCES
        else Check("source", True, Message(N_("来源：%(source)s"), {"source": source}))
    )
    uncertainty = factor.get("uncertainty") or {}
    given = bool(uncertainty.get("distribution") or uncertainty.get("pedigree"))
    checks.append(
        Check("uncertainty", True, Message(N_("已给出不确定性")))
        if given
        else Check("uncertainty", False, Message(N_("未给出不确定性（分布或谱系矩阵评分）")))
    )
    pedigree = uncertainty.get("pedigree")
    if pedigree:
        score, band = rating(pedigree)
        passed = score <= MAX_DQR
        template = (
            N_("数据质量评级 DQR %(score).2f（%(band)s）")
            if passed
            else N_("数据质量评级 DQR %(score).2f（%(band)s），低于“良好”（DQR ≤ %(limit).1f）")
        )
        checks.append(
            Check(
                "quality",
                passed,
                Message(template, {"score": score, "band": QUALITY_RATINGS.term(band), "limit": MAX_DQR}),
            )
        )
    else:
        checks.append(Check("quality", None, Message(N_("无谱系矩阵评分，未评级"))))
    year = factor.get("data_year")
    if year is None:
        checks.append(Check("age", False, Message(N_("未注明数据年份"))))
    elif today.year - int(year) > MAX_AGE_YEARS:
        checks.append(
            Check(
                "age",
                False,
                Message(N_("数据年份 %(year)d 距今超过 %(years)d 年"), {"year": int(year), "years": MAX_AGE_YEARS}),
            )
        )
    else:
        checks.append(Check("age", True, Message(N_("数据年份 %(year)d"), {"year": int(year)})))
    return Assessment(factor.get("code") or "", factor.get("name") or "", tuple(checks))


def assess_all(factors: list[dict], today: date) -> list[Assessment]:
    return [assess(factor, today) for factor in factors]
