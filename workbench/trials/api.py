"""The trials under /api/v1: the same services as the pages, documented in the OpenAPI file (the
factor library's operations are `workbench.factors.api`).

Trials hold enterprises' data and are read and run by the rule's drafting group (and the
secretariat); the anonymised feasibility report is read by anyone signed in. A trial's dataset is
checked by the service, not by the request schema, so that a refusal names every problem by its
place in the dataset (`details.problems[].path`, e.g. `/lines/2/amount`).
"""

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from workbench.api.spec import created, ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.dates import iso
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import Conflict, InvalidInput, NotFound
from workbench.guideline import Severity
from workbench.i18n import finding_text, translate
from workbench.jobs.models import Job
from workbench.jobs.service import status_of
from workbench.trials import dataset as datasets
from workbench.trials import engine, feasibility, service, tasks
from workbench.trials.models import Calculation, DatasetSource, Trial

# --- schemas ----------------------------------------------------------------------------------------

_timestamp = {"type": "string", "format": "date-time"}
_optional_timestamp = {"type": ["string", "null"], "format": "date-time"}
_numbers = {"type": "object", "additionalProperties": {"type": "number"}}
_rule_ref = {
    "type": "object",
    "required": ["id", "code", "title"],
    "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "title": {"type": "string"}},
}
_finding = {
    "type": "object",
    "required": ["code", "severity", "path", "message"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"enum": [severity.value for severity in Severity]},
        "article": {"type": "string"},
        "path": {"type": "string", "description": "JSON pointer into the dataset or the rule"},
        "message": {"type": "string", "description": "In the language the request asks for (Accept-Language)"},
        "template": {"type": "string", "description": "The catalogue's message template (Chinese) it was made from"},
        "params": {"type": "object"},
        "suppressed": {"type": "boolean"},
        "suppression_reason": {"type": ["string", "null"]},
    },
}
_options = {
    "type": "object",
    "required": ["electricity", "allocation", "iterations", "seed"],
    "properties": {
        "electricity": {"enum": list(service.ELECTRICITY_OPTIONS)},
        "allocation": {"enum": list(service.ALLOCATION_OPTIONS)},
        "iterations": {"type": "integer", "minimum": 0, "maximum": 100_000},
        "seed": {"type": ["integer", "null"], "description": "The Monte Carlo seed used (chosen when not given)"},
        "deferred_iterations": {
            "type": "integer",
            "description": (
                "Only on a save whose Monte Carlo draws were too many for the request: the iterations "
                "left to a background job (this calculation has none; the job makes a new one)"
            ),
        },
    },
}
_summary_fields = {
    "id": {"type": "integer"},
    "trial_id": {"type": "integer"},
    "revision": {"type": "integer", "description": "The rule revision calculated under"},
    "trial_version": {"type": "integer", "description": "The trial's version (its data) calculated"},
    "calculated_at": _timestamp,
    "calculated_by": {"type": "string"},
    "usable": {"type": "boolean", "description": "False: the data could not be calculated; `result.problems` say why"},
    "cfp_per_unit": {"type": ["number", "null"]},
    "unit": {"type": "string", "description": "e.g. kgCO2e/t"},
    "errors": {"type": "integer"},
    "warnings": {"type": "integer"},
    "options": _options,
}
_monte_carlo = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["iterations", "seed", "mean", "median", "sd", "p2_5", "p97_5", "histogram"],
            "properties": {
                "iterations": {"type": "integer"},
                "seed": {"type": "integer"},
                "static": {"type": "number"},
                "mean": {"type": "number"},
                "median": {"type": "number"},
                "sd": {"type": "number"},
                "p2_5": {"type": "number"},
                "p97_5": {"type": "number"},
                "histogram": {
                    "type": "object",
                    "required": ["edges", "counts"],
                    "properties": {
                        "edges": {"type": "array", "items": {"type": "number"}},
                        "counts": {"type": "array", "items": {"type": "integer"}},
                    },
                },
                "excluded_draws": {
                    "type": "integer",
                    "description": "Draws left out of the statistics: no solution of the network, or an overflow",
                },
                "network": {
                    "type": ["object", "null"],
                    "description": (
                        "Null when no process exchange is uncertain (the network is solved once); else how "
                        "many exchanges were drawn, how many draws were solved one by one (loops that did "
                        "not converge) and how many had no solution and were left out of the statistics"
                    ),
                    "required": ["uncertain_exchanges", "fallback_draws", "excluded_draws"],
                    "properties": {
                        "uncertain_exchanges": {"type": "integer"},
                        "fallback_draws": {"type": "integer"},
                        "excluded_draws": {"type": "integer"},
                    },
                },
                "sensitivity": {
                    "type": ["object", "null"],
                    "description": (
                        "Which uncertain inputs drive the spread: each input's squared Spearman rank "
                        "correlation with the result over the first `draws` draws, normalised to 100 %; "
                        "the largest first, the rest summed in `others`"
                    ),
                    "required": ["method", "draws", "count", "inputs", "others"],
                    "properties": {
                        "method": {"type": "string", "description": "spearman_squared"},
                        "draws": {"type": "integer"},
                        "count": {"type": "integer", "description": "How many inputs are uncertain"},
                        "below_noise": {
                            "type": "integer",
                            "description": "Inputs whose correlation is within chance, counted 0",
                        },
                        "inputs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["kind", "path", "label", "rho", "share"],
                                "properties": {
                                    "kind": {"enum": ["amount", "factor", "amount_and_factor", "exchange"]},
                                    "path": {
                                        "type": "string",
                                        "description": "/lines/3, /lines/3/factor, /processes/2/inputs/0",
                                    },
                                    "label": {"type": "string"},
                                    "stage": {"type": ["string", "null"]},
                                    "category": {"type": ["string", "null"]},
                                    "rho": {"type": "number", "description": "Signed rank correlation with the result"},
                                    "share": {"type": "number", "description": "Percent of the summed ρ²"},
                                },
                            },
                        },
                        "others": {"type": "number", "description": "Percent of the inputs not listed"},
                    },
                },
            },
        },
    ]
}
_usable_result = {
    "type": "object",
    "description": "The engine's result per declared or functional unit",
    "required": [
        "cfp_per_unit",
        "unit",
        "by_stage",
        "by_category",
        "by_gas",
        "fossil",
        "biogenic",
        "primary_data_share",
        "data_quality",
        "monte_carlo",
        "scenarios",
        "findings",
    ],
    "properties": {
        "cfp_per_unit": {"type": "number"},
        "unit": {"type": "string"},
        "reference_units": {"type": "number"},
        "total": {"type": "number", "description": "kg CO2e for the whole reference flow"},
        "by_stage": _numbers,
        "by_category": _numbers,
        "by_gas": _numbers,
        "fossil": {"type": "number"},
        "biogenic": {"type": "number"},
        "primary_data_share": {"type": "number", "description": "Percent of the absolute contributions"},
        "primary_data_share_basis": {
            "enum": list(engine.PRIMARY_SHARE_BASES),
            "description": "The rule's definition: activity and factor both primary (PACT), or site activity data",
        },
        "additional_units": {
            "type": "array",
            "description": "The rule's other declared/functional units; cfp_per_unit is null where the dataset "
            "gives no reference flow for the unit",
            "items": {"type": "object"},
        },
        "data_quality": {"type": "object"},
        "electricity": {"type": "array", "items": {"type": "object"}},
        "allocation": {"type": "object"},
        "network": {"type": ["array", "null"]},
        "cut_off": {"type": "object"},
        "contributions": {"type": "array", "items": {"type": "object"}},
        "gwp": {"type": "object", "description": "The GWP set, where its values come from, and the values used"},
        "monte_carlo": _monte_carlo,
        "scenarios": {
            "type": "object",
            "description": "Grid vs contractual electricity, physical vs economic allocation",
        },
        "findings": {"type": "array", "items": ref("CalculationFinding")},
    },
}
_unusable_result = {
    "type": "object",
    "description": "The problems that stopped the calculation, and the other findings",
    "required": ["problems", "findings"],
    "properties": {
        "problems": {"type": "array", "items": ref("CalculationFinding")},
        "findings": {"type": "array", "items": ref("CalculationFinding")},
    },
}
_trial_fields = {
    "id": {"type": "integer"},
    "rule": _rule_ref,
    "revision": {"type": "integer", "description": "The rule revision the trial belongs to"},
    "label": {"type": "string", "description": "The anonymised label shown in reports (企业A)"},
    "enterprise": {"type": "string", "description": "Confidential to the drafting group"},
    "period": {"type": "string"},
    "source": {"enum": [source.value for source in DatasetSource]},
    "created_at": _timestamp,
    "archived_at": _optional_timestamp,
    "version": {"type": "integer", "description": "Send it back with new data to refuse overwriting newer data"},
}
_dataset_body = {
    "type": "object",
    "description": (
        "The trial dataset (GET /trial-dataset-schema). Only its being an object is checked by the "
        "request schema: the service checks the rest and answers 422 with every problem in "
        "details.problems [{path, message}], the path a JSON pointer into the dataset (/lines/2/amount)."
    ),
}
_enterprise = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "description": "The enterprise's name; the dataset's `enterprise` when left out",
}
_version = {
    "type": "integer",
    "description": "The version the change was made against; 409 stale_version if changed since",
}
_reason = {"type": "string", "maxLength": 1000, "description": "Recorded in the audit trail"}

spec.add_components(
    {
        "CalculationFinding": _finding,
        "CalculationSummary": {
            "type": "object",
            "required": list(_summary_fields),
            "properties": _summary_fields,
        },
        "Calculation": {
            "type": "object",
            "required": [*_summary_fields, "result", "factor_versions", "dataset"],
            "properties": {
                **_summary_fields,
                "result": {"oneOf": [_usable_result, _unusable_result]},
                "factor_versions": {
                    "type": "array",
                    "description": "The library factor versions the calculation used",
                    "items": {
                        "type": "object",
                        "required": ["id", "factor_id", "code", "version"],
                        "properties": {
                            "id": {"type": "integer", "description": "The factor version's id"},
                            "factor_id": {"type": "integer"},
                            "code": {"type": "string", "description": "The factor's code at that version"},
                            "version": {"type": "integer"},
                        },
                    },
                },
                "dataset": {"type": "object", "description": "The data calculated"},
            },
        },
        "Trial": {
            "type": "object",
            "required": [*_trial_fields, "latest_calculation"],
            "properties": {
                **_trial_fields,
                "latest_calculation": {"oneOf": [{"type": "null"}, ref("CalculationSummary")]},
            },
        },
        "TrialDetail": {
            "type": "object",
            "required": [*_trial_fields, "dataset", "calculations", "latest_calculation"],
            "properties": {
                **_trial_fields,
                "dataset": {"type": "object"},
                "calculations": {"type": "array", "items": ref("CalculationSummary"), "description": "Oldest first"},
                "latest_calculation": {"oneOf": [{"type": "null"}, ref("Calculation")]},
            },
        },
        "TrialCreate": {
            "type": "object",
            "required": ["dataset"],
            "additionalProperties": False,
            "properties": {"dataset": _dataset_body, "enterprise": _enterprise},
        },
        "TrialDataset": {
            "type": "object",
            "required": ["dataset"],
            "additionalProperties": False,
            "properties": {"dataset": _dataset_body, "enterprise": _enterprise, "version": _version},
        },
        "CalculationRequest": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "electricity": {
                    "enum": list(service.ELECTRICITY_OPTIONS),
                    "default": "rule",
                    "description": "The rule's electricity method, or grid average / contractual instruments",
                },
                "allocation": {"enum": list(service.ALLOCATION_OPTIONS), "default": "rule"},
                "iterations": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100_000,
                    "default": service.MONTE_CARLO_ITERATIONS,
                    "description": "Monte Carlo iterations; 0 for none",
                },
                "seed": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 2**63 - 1,
                    "description": "The same seed reproduces the same Monte Carlo statistics",
                },
            },
        },
        "TrialSaved": {
            "allOf": [
                ref("TrialDetail"),
                {
                    "type": "object",
                    "properties": {
                        "monte_carlo_job": {
                            "type": "object",
                            "description": (
                                "Only when the Monte Carlo draws were too many to make while saving: the latest "
                                "calculation is static (options.deferred_iterations) and a background job draws "
                                "them (also in a Link header, rel=monitor); `job` is null when the account's "
                                "WORKBENCH_CALCULATION_LIMIT refused it, and `message` says how to start it "
                                "(POST /trials/{id}/calculations)"
                            ),
                            "required": ["iterations", "job", "message"],
                            "properties": {
                                "iterations": {"type": "integer"},
                                "job": {"oneOf": [{"type": "null"}, ref("Job")]},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            ]
        },
        "TrialArchive": {"type": "object", "additionalProperties": False, "properties": {"reason": _reason}},
        "Job": {
            "type": "object",
            "description": "A background job; GET its status_url (also in Location) until status is done or failed",
            "required": ["id", "kind", "status", "progress", "message", "result_url", "status_url"],
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string"},
                "status": {"enum": ["queued", "running", "done", "failed"]},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Percent"},
                "message": {"type": "string"},
                "result_url": {
                    "type": ["string", "null"],
                    "description": "Once done: the trial's page with the new calculation",
                },
                "status_url": {"type": "string", "description": "/jobs/{id}.json: this shape, as it is now"},
            },
        },
        "FeasibilityReport": {
            "type": "object",
            "required": ["rule", "revision", "report"],
            "properties": {
                "rule": _rule_ref,
                "revision": {"type": "integer"},
                "report": {
                    "type": "object",
                    "description": "Over the active trials of the revision; enterprises appear by label only",
                    "required": [
                        "trials",
                        "enterprises",
                        "calculated",
                        "unit",
                        "units",
                        "results",
                        "spread",
                        "stages",
                        "categories",
                        "gaps",
                        "quality",
                        "notes",
                    ],
                    "properties": {
                        "trials": {"type": "integer"},
                        "enterprises": {"type": "integer"},
                        "calculated": {"type": "integer"},
                        "unit": {"type": ["string", "null"]},
                        "units": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "results": {"type": "array", "items": {"type": "object"}},
                        "spread": {"type": "object"},
                        "stages": {"type": "array", "items": {"type": "object"}},
                        "categories": {"type": "array", "items": {"type": "object"}},
                        "gaps": {"type": "array", "items": {"type": "object"}},
                        "quality": {"type": "object"},
                        "notes": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    }
)

_REVISION = {
    "name": "revision",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1},
    "description": "The rule revision's number; the current revision when left out",
}
# --- shapes -----------------------------------------------------------------------------------------


def _revision_number(revision_id: int) -> int:
    return db.session.get(RuleRevision, revision_id).number


def calculation_json(calculation: Calculation, *, full: bool = False) -> dict:
    shape = {
        "id": calculation.id,
        "trial_id": calculation.trial_id,
        "revision": _revision_number(calculation.revision_id),
        "trial_version": calculation.trial_version,
        "calculated_at": calculation.calculated_at.isoformat(),
        "calculated_by": calculation.calculated_by_label,
        "usable": calculation.usable,
        "cfp_per_unit": calculation.cfp_per_unit,
        "unit": calculation.unit,
        "errors": calculation.errors,
        "warnings": calculation.warnings,
        "options": calculation.options,
    }
    if full:
        shape["result"] = _result_in_language(calculation.result)
        shape["factor_versions"] = [
            {
                "id": version.id,
                "factor_id": version.factor_id,
                "code": version.snapshot.get("code"),
                "version": version.version,
            }
            for version in sorted(calculation.factor_versions, key=lambda version: version.id)
        ]
        shape["dataset"] = calculation.dataset
    return shape


def _result_in_language(result: dict) -> dict:
    """A stored result with each finding's message in the reader's language (Accept-Language)."""
    shown = dict(result)
    for key in ("findings", "problems"):
        if isinstance(shown.get(key), list):
            shown[key] = [{**found, "message": finding_text(found)} for found in shown[key]]
    return shown


def trial_json(trial: Trial, latest: Calculation | None = None, *, full: bool = False) -> dict:
    """A trial with its latest calculation's summary; `full`: with its data, every calculation's
    summary and the latest calculation in full."""
    shape = {
        "id": trial.id,
        "rule": {"id": trial.rule.id, "code": trial.rule.code, "title": trial.rule.title},
        "revision": trial.revision.number,
        "label": trial.label,
        "enterprise": trial.enterprise,
        "period": trial.period,
        "source": trial.source.value,
        "created_at": trial.created_at.isoformat(),
        "archived_at": iso(trial.archived_at),
        "version": trial.version,
    }
    if full:
        calculations = trial.calculations
        latest = calculations[-1] if calculations else None
        shape["dataset"] = trial.dataset
        shape["calculations"] = [calculation_json(calculation) for calculation in calculations]
    shape["latest_calculation"] = calculation_json(latest, full=full) if latest is not None else None
    return shape


# --- helpers ----------------------------------------------------------------------------------------


def _rule_or_404(rule_id: int) -> Rule:
    require(Action.VIEW_RULES)  # visitors learn nothing of drafts, not even which exist
    return drafting.get_rule(db.session, rule_id)


def _revision(rule: Rule) -> RuleRevision:
    """The revision named by ?revision=N, else the current one."""
    text = request.args.get("revision", "")
    if not text:
        return drafting.revision(db.session, rule)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) < 2**31:
        raise InvalidInput(_("参数 %(name)s 的值“%(value)s”无效。", name="revision", value=text[:20]))
    found = db.session.scalar(
        select(RuleRevision).where(RuleRevision.rule_id == rule.id, RuleRevision.number == int(text))
    )
    if found is None:
        raise NotFound(_("规则 %(code)s 没有第 %(number)d 版修订。", code=rule.code, number=int(text)))
    return found


def _trial_or_404(trial_id: int) -> Trial:
    require(Action.VIEW_RULES)
    trial = db.session.get(Trial, trial_id)
    if trial is None:
        raise NotFound(_("试算 %(id)s 不存在。", id=trial_id))
    require(Action.VIEW_TRIALS, trial.rule)
    return trial


def _may_run(trial_id: int) -> None:
    """Who may change the trial's data: asked before its body is read (`spec.operation`)."""
    require(Action.RUN_TRIALS, _trial_or_404(trial_id).rule)


# --- trials -----------------------------------------------------------------------------------------


@spec.operation(
    "/trial-dataset-schema",
    "GET",
    summary="The JSON Schema (2020-12) of a trial dataset, for enterprises' systems to produce",
    tag="trials",
    public=True,
    responses={
        200: (
            "The schema; the service adds rules between fields (see its description)",
            {"type": "object", "required": ["$schema", "type", "properties"]},
        )
    },
)
def trial_dataset_schema():
    return jsonify(datasets.SCHEMA)


@spec.operation(
    "/rules/<id:rule_id>/trials",
    "GET",
    summary="The trials of a rule revision with their latest calculation",
    tag="trials",
    parameters=[_REVISION, {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}}],
    responses={
        200: (
            "The trials, by label",
            {
                "type": "object",
                "required": ["rule", "revision", "current_revision", "enterprises", "items"],
                "properties": {
                    "rule": _rule_ref,
                    "revision": {"type": "integer"},
                    "current_revision": {"type": "integer"},
                    "enterprises": {
                        "type": "integer",
                        "description": "Enterprises with a usable calculation on the current revision (the 送审 gate)",
                    },
                    "items": {"type": "array", "items": ref("Trial")},
                },
            },
        )
    },
)
def list_trials(rule_id: int):
    rule = _rule_or_404(rule_id)
    require(Action.VIEW_TRIALS, rule)
    revision = _revision(rule)
    listed = service.trials_of(db.session, revision, include_archived=request.args.get("include_archived") == "true")
    latest = service.latest_calculations(db.session, [trial.id for trial in listed])
    return jsonify(
        rule={"id": rule.id, "code": rule.code, "title": rule.title},
        revision=revision.number,
        current_revision=rule.current_revision,
        enterprises=service.trial_enterprises(db.session, rule),
        items=[trial_json(trial, latest.get(trial.id)) for trial in listed],
    )


@spec.operation(
    "/rules/<id:rule_id>/trials",
    "POST",
    summary="Enter an enterprise's data for the rule's current revision and calculate it",
    tag="trials",
    body=ref("TrialCreate"),
    authorise=lambda rule_id: require(Action.RUN_TRIALS, _rule_or_404(rule_id)),
    responses={
        201: (
            "The trial and its calculation (stored even when the data cannot be calculated); Location is the "
            "trial, and a Link (rel=monitor) names the Monte Carlo job when the draws run in the background",
            ref("TrialSaved"),
        )
    },
)
def create_trial(rule_id: int, body: dict):
    rule = _rule_or_404(rule_id)
    require(Action.RUN_TRIALS, rule)
    trial = service.create_trial(
        db.session,
        rule,
        data=body["dataset"],
        source=DatasetSource.JSON,
        by=current_principal(),
        enterprise=body.get("enterprise"),
    )
    shape, job = _saved(trial)
    return _monitored(created(shape, url_for(".get_trial", trial_id=trial.id)), job)


def _saved(trial: Trial) -> tuple[dict, Job | None]:
    """The saved trial's answer (as GET gives it), with `monte_carlo_job` when the draws were too many
    for the request, and that job."""
    iterations = service.deferred_iterations(db.session, trial)
    job, shape = None, {}
    if iterations:
        try:
            job = tasks.request_deferred_draws(db.session, trial, by=current_principal())
        except Conflict as error:  # the account's job limit: the save stands, the draws wait
            message = _(
                "蒙特卡洛模拟因数据较多需在后台计算，但未能排队：%(reason)s 请待其他计算完成后，"
                "以 POST /api/v1/trials/%(id)d/calculations 启动。",
                reason=error.message,
                id=trial.id,
            )
        else:
            message = _("蒙特卡洛模拟因数据较多在后台计算：请查询 job.status_url，完成后有新的计算结果。")
        shape["monte_carlo_job"] = {
            "iterations": iterations,
            "job": status_of(job) if job else None,
            "message": message,
        }
    db.session.expire(trial, ["calculations"])
    return {**trial_json(trial, full=True), **shape}, job


def _monitored(response, job):
    """`response` with a Link to the job's status (RFC 5989 "monitor") when there is one."""
    if job is not None:
        response.headers["Link"] = f'<{url_for("jobs.job_json", job_id=job.id)}>; rel="monitor"'
    return response


@spec.operation(
    "/trials/<id:trial_id>",
    "GET",
    summary="One trial: its data, its calculations and the latest one in full",
    tag="trials",
    responses={200: ("The trial", ref("TrialDetail"))},
)
def get_trial(trial_id: int):
    return jsonify(trial_json(_trial_or_404(trial_id), full=True))


@spec.operation(
    "/trials/<id:trial_id>/dataset",
    "PUT",
    summary="New data for a trial, recalculated (earlier calculations keep the data they used)",
    tag="trials",
    body=ref("TrialDataset"),
    authorise=lambda trial_id: _may_run(trial_id),
    responses={
        200: (
            "The trial with its new calculation; a Link (rel=monitor) names the Monte Carlo job when the "
            "draws run in the background",
            ref("TrialSaved"),
        )
    },
)
def replace_dataset(trial_id: int, body: dict):
    trial = _trial_or_404(trial_id)
    require(Action.RUN_TRIALS, trial.rule)
    service.update_trial(
        db.session,
        trial,
        data=body["dataset"],
        source=DatasetSource.JSON,
        by=current_principal(),
        enterprise=body.get("enterprise"),
        expected_version=body.get("version"),
    )
    shape, job = _saved(trial)
    return _monitored(jsonify(shape), job)


@spec.operation(
    "/trials/<id:trial_id>/calculations",
    "POST",
    summary="Calculate a trial again, with other method choices or another Monte Carlo seed",
    tag="trials",
    body=ref("CalculationRequest"),
    authorise=lambda trial_id: _may_run(trial_id),
    responses={
        201: ("Without Monte Carlo draws (iterations 0): the new calculation", ref("Calculation")),
        202: (
            "With draws: a background job that calculates (each account may have "
            "WORKBENCH_CALCULATION_LIMIT of them open, 409 beyond); Location is its status URL",
            ref("Job"),
        ),
    },
)
def calculate_trial(trial_id: int, body: dict):
    trial = _trial_or_404(trial_id)
    require(Action.RUN_TRIALS, trial.rule)
    options = {
        "electricity": body.get("electricity", "rule"),
        "allocation": body.get("allocation", "rule"),
        "iterations": body.get("iterations", service.MONTE_CARLO_ITERATIONS),
        "seed": body.get("seed"),
    }
    if options["iterations"]:  # Monte Carlo takes seconds: a job, as on the trial's page
        job, _created = tasks.request_calculation(db.session, trial, by=current_principal(), **options)
        response = jsonify(status_of(job))
        response.status_code = 202
        response.headers["Location"] = url_for("jobs.job_json", job_id=job.id)
        return response
    calculation = service.calculate(db.session, trial, by=current_principal(), **options)
    return created(calculation_json(calculation, full=True), url_for(".get_calculation", calculation_id=calculation.id))


@spec.operation(
    "/calculations/<id:calculation_id>",
    "GET",
    summary="One calculation in full: result, options and the factor versions used",
    tag="trials",
    responses={200: ("The calculation", ref("Calculation"))},
)
def get_calculation(calculation_id: int):
    require(Action.VIEW_RULES)
    calculation = db.session.get(Calculation, calculation_id)
    if calculation is None:
        raise NotFound(_("计算 %(id)s 不存在。", id=calculation_id))
    require(Action.VIEW_TRIALS, calculation.trial.rule)
    return jsonify(calculation_json(calculation, full=True))


def _set_archived(trial_id: int, body: dict, archived: bool):
    trial = _trial_or_404(trial_id)
    require(Action.RUN_TRIALS, trial.rule)
    service.set_archived(db.session, trial, archived, by=current_principal(), reason=body.get("reason"))
    return jsonify(trial_json(trial, full=True))


@spec.operation(
    "/trials/<id:trial_id>/archive",
    "POST",
    summary="Archive a trial: it leaves the feasibility report and the enterprise count",
    tag="trials",
    body=ref("TrialArchive"),
    authorise=lambda trial_id: _may_run(trial_id),
    responses={200: ("The archived trial", ref("TrialDetail"))},
)
def archive_trial(trial_id: int, body: dict):
    return _set_archived(trial_id, body, True)


@spec.operation(
    "/trials/<id:trial_id>/restore",
    "POST",
    summary="Restore an archived trial",
    tag="trials",
    body=ref("TrialArchive"),
    authorise=lambda trial_id: _may_run(trial_id),
    responses={200: ("The restored trial", ref("TrialDetail"))},
)
def restore_trial(trial_id: int, body: dict):
    return _set_archived(trial_id, body, False)


@spec.operation(
    "/rules/<id:rule_id>/feasibility",
    "GET",
    summary="The feasibility report (试算可行性分析) of a rule revision, enterprises anonymised",
    tag="trials",
    parameters=[_REVISION],
    responses={200: ("The report", ref("FeasibilityReport"))},
)
def feasibility_report(rule_id: int):
    rule = _rule_or_404(rule_id)
    require(Action.VIEW_FEASIBILITY, rule)
    revision = _revision(rule)
    return jsonify(
        rule={"id": rule.id, "code": rule.code, "title": rule.title},
        revision=revision.number,
        report=feasibility.as_json(service.report(db.session, revision), translate),
    )
