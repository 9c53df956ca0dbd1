"""Trials' background job: a recalculation with Monte Carlo draws (up to 100,000 of them over
every line of the data), run by a job runner rather than in the request, so a page never waits
on it and an app server's threads stay free. A recalculation without draws is milliseconds and
stays in the request (trial_views.calculate)."""

from flask import current_app
from flask_babel import gettext as _

from workbench.auth.permissions import Action, require
from workbench.errors import Conflict, NotFound
from workbench.jobs import service as jobs
from workbench.jobs.registry import CALCULATIONS, Outcome, kind
from workbench.messages import N_
from workbench.trials import service
from workbench.trials.models import Trial

CALCULATE = "calculate"


def request_calculation(session, trial: Trial, *, by, electricity: str, allocation: str, iterations: int, seed):
    """A job that calculates `trial` with these options; refused at once when it could not run,
    or when the account already has WORKBENCH_CALCULATION_LIMIT of them queued or running."""
    require(by, Action.RUN_TRIALS, trial.rule)
    service._check_open(trial.rule)
    if trial.is_archived:
        raise Conflict(_("试算“%(label)s”已归档，恢复后才能计算。", label=trial.label))
    options = {"electricity": electricity, "allocation": allocation, "iterations": iterations, "seed": seed}
    return jobs.enqueue(
        session,
        CALCULATE,
        {"trial_id": trial.id, **options},
        by=by,
        subject=trial.label,
        limit=current_app.config["CALCULATION_LIMIT"],
    )


def request_deferred_draws(session, trial: Trial, *, by):
    """After a save that left its Monte Carlo draws for a job (`service.deferred_iterations`): that
    job, asked for with the rule's methods; None when there was nothing left to draw. Raises
    Conflict when the account's limit refuses the job: the save itself stands."""
    iterations = service.deferred_iterations(session, trial)
    if not iterations:
        return None
    job, _created = request_calculation(
        session, trial, by=by, electricity="rule", allocation="rule", iterations=iterations, seed=None
    )
    return job


@kind(
    CALCULATE,
    label=N_("试算计算"),
    queue=CALCULATIONS,
    too_many=N_("您已有 %(count)d 项蒙特卡洛计算正在排队或进行，最多同时 %(limit)d 项。请等其中一项完成后再试。"),
)
def calculate_trial(context: jobs.JobContext, *, trial_id: int, **options) -> Outcome:
    trial = context.session.get(Trial, trial_id)
    if trial is None:
        raise NotFound(_("没有这项试算。"))
    context.progress(10, N_("正在计算（含蒙特卡洛模拟）…"))
    calculation = service.calculate(context.session, trial, by=context.by, **options)
    return Outcome(url=f"/trials/{trial_id}?calculation={calculation.id}", message=N_("已重新计算。"))
