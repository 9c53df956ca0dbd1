"""Operations on trials (试算): store one enterprise's data for a rule revision, calculate it with
the factor library (recording the factor versions used), carry trials over to a newer revision,
count the enterprises for the 送审 gate, and gather the feasibility report.

Plain functions taking a session, used by the pages, the API, the CLI and the tests; they never
commit. Each operation that changes something takes the acting user (`by`) and asks `require`
itself: enterprises' data belong to the rule's drafting group, the secretariat and the
administrators. The calculation itself is the pure `engine`; this module feeds it from the
database, reading factors through the factor library's `Library` (`workbench.factors.service`).
"""

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from workbench.audit import archiving, change_reason
from workbench.auth.models import actor_of
from workbench.auth.permissions import Action, can, require
from workbench.db import expect_version, utcnow
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.drafting.stages import MIN_TRIAL_ENTERPRISES, STAGES
from workbench.errors import Conflict, InvalidInput, refuse
from workbench.factors.service import Library
from workbench.guideline import finding
from workbench.i18n import say
from workbench.messages import N_
from workbench.trials import classes, engine, feasibility
from workbench.trials import dataset as datasets
from workbench.trials.models import Calculation, DatasetSource, Trial

MONTE_CARLO_ITERATIONS = 10_000  # the acceptance's convergence figure; under a second for 1,000 lines
# Saving a trial draws its Monte Carlo in the request only while the numbers drawn and solved stay
# within this budget (`draws_cost`); beyond it the save keeps the static result and the page or the
# API asks a job for the draws (tasks.request_calculation). With 10,000 iterations: a 1,000-line
# flat trial (about 1,500 uncertain amounts and factors: 15 million) takes 0.15–0.3 s with its
# sensitivity on a 2-CPU machine; a network of 300 processes with every exchange uncertain is 27
# million, 500 processes 45 million (about 0.7 s), 5,000 processes about ten times that, and 5,000
# flat lines 73 million. 25 million keeps ordinary flat trials and the demo's cement plants whole in
# the request and sends every network of 300 processes or more with uncertain exchanges to a job:
# the request's time then grows no more with the network's size.
DRAWS_IN_REQUEST = 25_000_000
MAX_LINES = 5_000
ELECTRICITY_OPTIONS = engine.ELECTRICITY_MODES
ALLOCATION_OPTIONS = engine.ALLOCATION_MODES


def enterprise_key(name: str) -> str:
    """The same enterprise however it was typed (full-width, spaces, case)."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def _label(index: int) -> str:
    """企业A … 企业Z, 企业AA …: spreadsheet-style letters."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return feasibility.ENTERPRISE % {"letter": letters}


def label_for(session: Session, rule: Rule, enterprise: str) -> str:
    """The enterprise's anonymised label in this rule: the one it already has (on any revision),
    else the next free letter."""
    taken = session.execute(select(Trial.enterprise, Trial.label).where(Trial.rule_id == rule.id)).all()
    key = enterprise_key(enterprise)
    for name, label in taken:
        if enterprise_key(name) == key:
            return label
    used = {label for _name, label in taken}
    index = 0
    while _label(index) in used:
        index += 1
    return _label(index)


# --- trials -----------------------------------------------------------------------------------------


def _check_open(rule: Rule) -> None:
    if rule.is_archived:
        raise Conflict(_("规则“%(code)s”已归档，不能再试算。", code=rule.code))
    if not STAGES[rule.stage].trials_open:
        raise Conflict(_("已出版或已废止的规则不再试算：复审后转入修订（起草）阶段再试算。"))


def check_dataset(data) -> dict:
    """`data` if it fits the trial dataset's shape, else a refusal naming every problem's place."""
    if not isinstance(data, dict):
        refuse("dataset", _("试算数据应为 JSON 对象。"))
    problems = datasets.validate(data)
    if problems:
        path, message = problems[0].path, say(problems[0].sentence)
        raise InvalidInput(
            _(
                "试算数据有 %(count)d 处问题，首个：%(path)s %(message)s",
                count=len(problems),
                path=path or "/",
                message=message,
            ),
            details={"problems": [{"path": item.path, "message": say(item.sentence)} for item in problems[:200]]},
        )
    if len(data.get("lines") or []) > MAX_LINES:
        refuse("dataset", _("一份试算数据最多 %(max)d 行活动数据。", max=MAX_LINES))
    return data


def _enterprise(name: str | None, data: dict) -> str:
    name = " ".join(str(name or data.get("enterprise") or "").split())
    if not name:
        refuse("enterprise", _("请填写企业名称（报告中只显示匿名代号，如“企业A”）。"))
    if len(name) > 200:
        refuse("enterprise", _("企业名称不超过 200 个字符。"))
    return name


def _refuse_duplicate(session: Session, revision: RuleRevision, name: str, trial: Trial | None) -> None:
    key = enterprise_key(name)
    others = session.execute(
        select(Trial.id, Trial.enterprise, Trial.label).where(
            Trial.revision_id == revision.id, Trial.archived_at.is_(None)
        )
    )
    for other in others:
        if (trial is None or other.id != trial.id) and enterprise_key(other.enterprise) == key:
            refuse(
                "enterprise",
                _(
                    "“%(name)s”在第 %(revision)d 版已有试算（%(label)s）：请修改那份试算的数据，或先将其归档。",
                    name=name,
                    revision=revision.number,
                    label=other.label,
                ),
            )


def create_trial(
    session: Session,
    rule: Rule,
    *,
    data: dict,
    source: DatasetSource | str,
    by,
    enterprise: str | None = None,
    revision: RuleRevision | None = None,
) -> Trial:
    """A trial of `rule` (its current revision unless another is given), calculated at once: with
    its Monte Carlo draws when they are cheap, else statically (`deferred_iterations` says so and
    the caller asks a job for the draws)."""
    require(by, Action.RUN_TRIALS, rule)
    _check_open(rule)
    data = check_dataset(data)
    name = _enterprise(enterprise, data)
    revision = revision or drafting.revision(session, rule)
    # Two saves at once must not both pass the duplicate check or take the same letter: the rule
    # row is locked until the transaction ends (PostgreSQL; SQLite has one writer anyway).
    session.execute(select(Rule.id).where(Rule.id == rule.id).with_for_update())
    _refuse_duplicate(session, revision, name, None)
    trial = Trial(
        rule_id=rule.id,
        revision_id=revision.id,
        enterprise=name,
        label=label_for(session, rule, name),
        period=" ".join(str(data.get("period") or "").split())[:100],
        dataset=data,
        source=DatasetSource(source),
        created_by_id=by.id,
        created_at=utcnow(),
    )
    session.add(trial)
    session.flush()
    calculate(session, trial, by=by, costly_draws_later=True)
    return trial


def update_trial(
    session: Session,
    trial: Trial,
    *,
    data: dict,
    source: DatasetSource | str,
    by,
    enterprise: str | None = None,
    expected_version: int | None = None,
) -> Trial:
    """New data for a trial (its earlier calculations keep the data they used), recalculated as
    `create_trial` calculates."""
    require(by, Action.RUN_TRIALS, trial.rule)
    _check_open(trial.rule)
    if trial.is_archived:
        raise Conflict(_("试算“%(label)s”已归档，恢复后才能修改。", label=trial.label))
    expect_version(trial, expected_version)
    data = check_dataset(data)
    name = _enterprise(enterprise or trial.enterprise, data)
    _refuse_duplicate(session, trial.revision, name, trial)
    with change_reason(session, N_("更新试算数据")):
        if enterprise_key(name) != enterprise_key(trial.enterprise):
            trial.label = label_for(session, trial.rule, name)
        trial.enterprise = name
        trial.period = " ".join(str(data.get("period") or "").split())[:100]
        trial.dataset = data
        trial.source = DatasetSource(source)
        session.flush()
    calculate(session, trial, by=by, costly_draws_later=True)
    return trial


def calculate(
    session: Session,
    trial: Trial,
    *,
    by,
    electricity: str = "rule",
    allocation: str = "rule",
    iterations: int = MONTE_CARLO_ITERATIONS,
    seed: int | None = None,
    costly_draws_later: bool = False,
) -> Calculation:
    """Calculate the trial's data under its rule revision and keep the outcome, even when the data
    cannot be calculated (the problems are the outcome then). `costly_draws_later`: when the draws
    would exceed DRAWS_IN_REQUEST, calculate without them and record the iterations left for a job
    in the options (`deferred_iterations`)."""
    require(by, Action.RUN_TRIALS, trial.rule)
    _check_open(trial.rule)
    if trial.is_archived:
        raise Conflict(_("试算“%(label)s”已归档，恢复后才能计算。", label=trial.label))
    if electricity not in ELECTRICITY_OPTIONS:
        refuse("electricity", _("电力核算方式“%(value)s”无效。", value=electricity))
    if allocation not in ALLOCATION_OPTIONS:
        refuse("allocation", _("分配方法“%(value)s”无效。", value=allocation))
    if not 0 <= iterations <= 100_000:
        refuse("iterations", _("蒙特卡洛次数应在 0 到 100000 之间。"))
    rule_document = trial.revision.document
    library = Library(session)
    library.prefetch_best(trial.dataset)
    options = {"electricity": electricity, "allocation": allocation, "iterations": iterations, "seed": seed}
    try:
        result = engine.calculate(
            rule_document,
            trial.dataset,
            factor_lookup=library.lookup,
            better_factor=library.better_factor,
            electricity=electricity,
            allocation=allocation,
        )
    except engine.DatasetError as error:
        findings = [found.to_dict() for found in error.findings]
        stored = {"problems": [problem.to_dict() for problem in error.problems], "findings": findings}
        usable, cfp, unit = False, None, ""
        counted = findings + stored["problems"]
    else:
        stored = result.as_dict()
        # Without any uncertainty every draw is the static value: a "95 % interval" of one number
        # would read as a finding, so there is no Monte Carlo result to show.
        model = result.model
        uncertain = (
            any(line.uncertainty for line in model.lines if line.counted)
            or any(factor.uncertainty for factor in model.factors)
            or (model.technosphere is not None and model.technosphere.uncertain)
        )
        if iterations and uncertain and costly_draws_later and not draws_in_request(model, iterations):
            options["iterations"], options["deferred_iterations"] = 0, iterations
            iterations = 0
        stored["monte_carlo"] = engine.monte_carlo(result.model, iterations, seed) if iterations and uncertain else None
        if stored["monte_carlo"]:
            options["seed"] = stored["monte_carlo"]["seed"]
        stored["scenarios"] = engine.compare(rule_document, trial.dataset, factor_lookup=library.lookup)
        usable, cfp, unit = True, result.cfp_per_unit, result.unit
        counted = stored["findings"]
        if not _finite(stored):  # amounts near the float limit overflow; nothing could store or read them
            problem = finding("result_out_of_range", "/lines").to_dict()
            stored = {"problems": [problem], "findings": stored["findings"]}
            usable, cfp, unit = False, None, ""
            counted = stored["findings"] + stored["problems"]
    calculation = Calculation(
        trial_id=trial.id,
        revision_id=trial.revision_id,
        trial_version=trial.version,
        dataset=trial.dataset,
        options=options,
        calculated_at=utcnow(),
        calculated_by_id=by.id,
        calculated_by_label=actor_of(by).label,
        of_record=electricity == "rule" and allocation == "rule",
        usable=usable,
        cfp_per_unit=cfp,
        unit=unit,
        errors=sum(1 for finding in counted if finding["severity"] == "error"),
        warnings=sum(1 for finding in counted if finding["severity"] == "warning"),
        result=stored,
        factor_versions=sorted(library.used.values(), key=lambda version: version.id),
    )
    session.add(calculation)
    session.flush()
    return calculation


def draws_cost(model: engine.Model, iterations: int = MONTE_CARLO_ITERATIONS) -> int:
    """What Monte Carlo on `model` costs, judged from its size before drawing: iterations × (the
    uncertain counted lines, the uncertain factors they use and the uncertain exchanges, each drawn
    per iteration, plus the technosphere's entries when an exchange is uncertain, as the network is
    then solved again for every draw)."""
    counted = [line for line in model.lines if line.counted]
    factors = {line.factor for line in counted}
    per_iteration = sum(1 for line in counted if line.uncertainty) + sum(
        1 for k in factors if model.factors[k].uncertainty
    )
    network = model.technosphere
    exchanges = sum(1 for spec in network.uncertainty if spec is not None) if network is not None else 0
    if exchanges:
        per_iteration += exchanges + network.rows.size
    return iterations * per_iteration


def draws_in_request(model: engine.Model, iterations: int = MONTE_CARLO_ITERATIONS) -> bool:
    """Whether saving a trial may draw its Monte Carlo at once (DRAWS_IN_REQUEST)."""
    return draws_cost(model, iterations) <= DRAWS_IN_REQUEST


def deferred_iterations(session: Session, trial: Trial) -> int:
    """The Monte Carlo iterations the trial's latest calculation left for a job because they were
    too many for the request (0 when it drew them, or had none to draw)."""
    latest = latest_calculations(session, [trial.id]).get(trial.id)
    return int(latest.options.get("deferred_iterations") or 0) if latest is not None else 0


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True


def set_archived(session: Session, trial: Trial, archived: bool, *, by, reason: str | None = None) -> None:
    """Archive a trial (it leaves the report and the gate) or restore it: not on a published or
    withdrawn rule, whose report is a record, and never beside another active trial of the same
    enterprise and revision."""
    require(by, Action.RUN_TRIALS, trial.rule)
    _check_open(trial.rule)
    if not archived:
        _refuse_duplicate(session, trial.revision, trial.enterprise, trial)
    archiving.set_archived(session, trial, archived, reason=reason)


def latest_calculations(session: Session, trial_ids: list[int], *, of_record: bool = False) -> dict[int, Calculation]:
    """The newest calculation of each trial (of record: calculated as the rule says), in one query."""
    if not trial_ids:
        return {}
    newest = select(func.max(Calculation.id)).where(Calculation.trial_id.in_(trial_ids))
    if of_record:
        newest = newest.where(Calculation.of_record.is_(True))
    newest = newest.group_by(Calculation.trial_id).scalar_subquery()
    # The data a calculation used are only read when someone downloads them.
    query = select(Calculation).where(Calculation.id.in_(newest)).options(defer(Calculation.dataset))
    return {calc.trial_id: calc for calc in session.scalars(query)}


def trials_of(session: Session, revision: RuleRevision, *, include_archived: bool = False) -> list[Trial]:
    query = select(Trial).where(Trial.revision_id == revision.id).order_by(Trial.label).options(defer(Trial.dataset))
    if not include_archived:
        query = query.where(Trial.archived_at.is_(None))
    return list(session.scalars(query))


def revisions_with_trials(session: Session, rule: Rule) -> list[tuple[RuleRevision, int]]:
    """The rule's revisions that have active trials, newest first, with how many."""
    rows = session.execute(
        select(RuleRevision, func.count(Trial.id))
        .join(Trial, Trial.revision_id == RuleRevision.id)
        .where(RuleRevision.rule_id == rule.id, Trial.archived_at.is_(None))
        .group_by(RuleRevision.id)
        .order_by(RuleRevision.number.desc())
    ).all()
    return [(revision, count) for revision, count in rows]


def trial_enterprises(session: Session, rule: Rule) -> int:
    """Enterprises with a calculated trial of the rule's current revision (the 送审 gate): the
    latest calculation of record of each active trial must be usable. One query."""
    newest = (
        select(func.max(Calculation.id))
        .join(Trial, Calculation.trial_id == Trial.id)
        .join(RuleRevision, Trial.revision_id == RuleRevision.id)
        .where(
            Trial.rule_id == rule.id,
            RuleRevision.number == rule.current_revision,
            Trial.archived_at.is_(None),
            Calculation.of_record.is_(True),
        )
        .group_by(Calculation.trial_id)
        .scalar_subquery()
    )
    return session.scalar(
        select(func.count(func.distinct(Trial.label)))
        .join(Calculation, Calculation.trial_id == Trial.id)
        .where(Calculation.id.in_(newest), Calculation.usable.is_(True))
    )


@dataclass(frozen=True)
class RuleTrials:
    """Where one rule's trials stand, on its current revision: how many enterprises' data, how many
    of them calculate (the 送审 gate counts these), the spread of their results and when the last
    one was calculated. Figures only: who the enterprises are stays on the rule's own trial page."""

    rule: Rule
    trials: int
    calculated: int
    lowest: float | None  # None when nothing calculates, or the results are in different units
    highest: float | None
    unit: str
    units: int  # how many units the results are in (the feasibility report explains more than one)
    last_calculated: datetime | None

    @property
    def gate_met(self) -> bool:
        return self.calculated >= MIN_TRIAL_ENTERPRISES


def overview(session: Session, user) -> list[RuleTrials]:
    """The /trials page: the rules whose trials `user` may see (the secretariat and administrators
    all, drafters their working groups'), with trials on their current revision or open to them,
    and, for anyone signed in, the other rules whose current revision has trials (their figures
    are in the feasibility report everyone signed in may read). The same four statements whatever
    the number of rules or trials."""
    require(user, Action.VIEW_RULES)
    rules = list(session.scalars(select(Rule).where(Rule.archived_at.is_(None)).order_by(Rule.code)))
    current = (
        select(Trial.id, Trial.rule_id)
        .join(RuleRevision, Trial.revision_id == RuleRevision.id)
        .join(Rule, Trial.rule_id == Rule.id)
        .where(RuleRevision.number == Rule.current_revision, Trial.archived_at.is_(None), Rule.archived_at.is_(None))
        .subquery()
    )
    counted = dict(session.execute(select(current.c.rule_id, func.count()).group_by(current.c.rule_id)).all())
    newest = (
        select(func.max(Calculation.id))
        .join(current, Calculation.trial_id == current.c.id)
        .where(Calculation.of_record.is_(True))
        .group_by(Calculation.trial_id)
        .scalar_subquery()
    )
    usable = Calculation.usable.is_(True)
    figures = {
        rule_id: row
        for rule_id, *row in session.execute(
            select(
                Trial.rule_id,
                func.count(Calculation.id).filter(usable),
                func.min(Calculation.cfp_per_unit).filter(usable),
                func.max(Calculation.cfp_per_unit).filter(usable),
                func.max(Calculation.unit).filter(usable),
                func.count(func.distinct(Calculation.unit)).filter(usable),
                func.max(Calculation.calculated_at),
            )
            .join(Trial, Calculation.trial_id == Trial.id)
            .where(Calculation.id.in_(newest))
            .group_by(Trial.rule_id)
        )
    }
    shown = []
    for rule in rules:
        trials = counted.get(rule.id, 0)
        if trials:
            visible = can(user, Action.VIEW_TRIALS, rule) or can(user, Action.VIEW_FEASIBILITY, rule)
        else:  # nothing to show but the way to start, to those who may
            visible = STAGES[rule.stage].trials_open and can(user, Action.RUN_TRIALS, rule)
        if visible:
            calculated, lowest, highest, unit, units, last = figures.get(rule.id, (0, None, None, "", 0, None))
            if units > 1:  # a range across units would mean nothing
                lowest = highest = None
            shown.append(RuleTrials(rule, trials, calculated, lowest, highest, unit or "", units, last))
    return shown


def to_carry_forward(session: Session, rule: Rule) -> tuple[RuleRevision, list[Trial]] | None:
    """The newest earlier revision with trials and those of its trials whose enterprise has none
    on the current revision yet (what `carry_forward` would copy); None when nothing is left."""
    current = drafting.revision(session, rule)
    earlier = next(
        (revision for revision, _count in revisions_with_trials(session, rule) if revision.number < current.number),
        None,
    )
    if earlier is None:
        return None
    present = {enterprise_key(trial.enterprise) for trial in trials_of(session, current)}
    left = [trial for trial in trials_of(session, earlier) if enterprise_key(trial.enterprise) not in present]
    return (earlier, left) if left else None


def carry_forward(session: Session, rule: Rule, *, by) -> list[Trial]:
    """Copy the trials of the newest earlier revision that has any onto the current revision and
    calculate them there: a changed rule must be proven again, and re-entering the data would
    add nothing. Enterprises already tried on the current revision are left as they are."""
    require(by, Action.RUN_TRIALS, rule)
    _check_open(rule)
    current = drafting.revision(session, rule)
    earlier = next(
        (revision for revision, _count in revisions_with_trials(session, rule) if revision.number < current.number),
        None,
    )
    if earlier is None:
        raise InvalidInput(_("此前的修订没有试算，无需转入。"))
    present = {enterprise_key(trial.enterprise) for trial in trials_of(session, current)}
    copied = []
    for trial in trials_of(session, earlier):
        if enterprise_key(trial.enterprise) in present:
            continue
        try:
            copied.append(
                create_trial(
                    session,
                    rule,
                    data=trial.dataset,
                    source=trial.source,
                    by=by,
                    enterprise=trial.enterprise,
                    revision=current,
                )
            )
        except InvalidInput as error:
            raise InvalidInput(
                _("%(label)s 的数据无法转入：%(reason)s", label=trial.label, reason=error.message),
                details=error.details,
            ) from None
    return copied


def report(session: Session, revision: RuleRevision) -> dict:
    """The feasibility report (试算可行性分析) over the active trials of `revision`."""
    trials = trials_of(session, revision)
    latest = latest_calculations(session, [trial.id for trial in trials], of_record=True)
    outcomes = []
    for trial in trials:
        calculation = latest.get(trial.id)
        if calculation is None:
            continue
        outcomes.append(
            feasibility.TrialOutcome(
                label=trial.label,
                period=feasibility.anonymous_period(trial.period),  # dates only: the rest may name the plant
                usable=calculation.usable,
                result=_anonymous(calculation.result) if calculation.usable else None,
                problems=[] if calculation.usable else _anonymous(calculation.result).get("problems", []),
            )
        )
    return feasibility.report(outcomes)


def _anonymous(result: dict) -> dict:
    """A stored result without the enterprise's own words: findings and excluded lines keep their
    code and place (/lines/3), not the messages, which quote item names."""
    result = dict(result)
    for key in ("findings", "problems"):
        if key in result:
            result[key] = [
                {**found, "message": found["path"] or "/", "template": found["path"] or "/", "params": {}}
                for found in result[key]
            ]
    if isinstance(result.get("cut_off"), dict):
        cut = dict(result["cut_off"])
        cut["excluded"] = [{**line, "item": line.get("path", "")} for line in cut.get("excluded") or []]
        result["cut_off"] = cut
    result.pop("contributions", None)
    return result


def proposed_classes(session: Session, revision: RuleRevision, grades: int = 3) -> dict:
    """Performance classes proposed from the revision's trial results (`classes.propose`), for the
    drafting group to copy into parameters.performance_classes; nothing is saved. The results are
    those the feasibility report puts in its spread. `proposal` is None, with `reason`, when there
    are fewer results than grades."""
    if grades not in classes.GRADE_COUNTS:
        refuse("grades", _("分级数应为 %(counts)s 之一。", counts="、".join(map(str, classes.GRADE_COUNTS))))
    figures = report(session, revision)
    values = [row["cfp_per_unit"] for row in figures["results"] if row.get("in_spread")]
    outcome = {"grades": grades, "trials": len(values), "unit": figures["unit"], "proposal": None, "reason": None}
    if len(values) < grades:
        outcome["reason"] = _(
            "分为 %(grades)d 级至少需要 %(grades)d 份可计算的试算结果，这一版本有 %(count)d 份。",
            grades=grades,
            count=len(values),
        )
        return outcome
    outcome["proposal"] = {
        "basis": classes.basis(revision.number, len(values), figures["unit"], grades),
        "classes": classes.propose(values, grades),
    }
    return outcome
