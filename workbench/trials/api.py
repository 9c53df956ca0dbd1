"""The factor library and the trials under /api/v1: the same services as the pages, documented in
the OpenAPI file.

Factors are public to read and kept by administrators and the secretariat. Trials hold enterprises'
data and are read and run by the rule's drafting group (and the secretariat); the anonymised
feasibility report is read by anyone signed in. A trial's dataset is checked by the service, not by
the request schema, so that a refusal names every problem by its place in the dataset
(`details.problems[].path`, e.g. `/lines/2/amount`).
"""

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from workbench.api.views import _PAGING, COMPONENTS, _page_of, _paginated, _ref, spec
from workbench.audit import Actor
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action
from workbench.db import db
from workbench.drafting import service as drafting
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import InvalidInput, NotFound
from workbench.factors import service as factors
from workbench.factors.models import Factor, FactorKind, Tier
from workbench.trials import dataset as datasets
from workbench.trials import service
from workbench.trials.models import Calculation, DatasetSource, Trial
from workbench.web import text_arg

# --- schemas ----------------------------------------------------------------------------------------

_timestamp = {"type": "string", "format": "date-time"}
_optional_timestamp = {"type": ["string", "null"], "format": "date-time"}
_numbers = {"type": "object", "additionalProperties": {"type": "number"}}
_gases = {
    "type": ["object", "null"],
    "additionalProperties": {"type": "number"},
    "description": "Per-gas values in the mass unit of the factor's unit per activity unit, e.g. "
    '{"CO2": 0.58, "CH4": 0.00001}; the CO2e value is then recomputed with the rule\'s GWP set',
}
# The same uncertainty shape a dataset's factor takes (distribution and/or pedigree scores).
_uncertainty = {
    **datasets.SCHEMA["properties"]["lines"]["items"]["properties"]["uncertainty"],
    "type": ["object", "null"],
}
_factor_fields = {
    "code": {
        "type": "string",
        "minLength": 1,
        "maxLength": 80,
        "description": 'Unique; datasets use it as {"id": code}',
    },
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "value": {"type": "number", "description": "Non-negative, in `unit`"},
    "unit": {"type": "string", "minLength": 1, "maxLength": 60, "examples": ["kgCO2e/kWh", "kgCO2/kg"]},
    "kind": {"enum": [kind.value for kind in FactorKind]},
    "tier": {
        "enum": [tier.value for tier in Tier],
        "description": "指引（五）: measured and verified > government > industry > literature",
    },
    "source": {"type": "string", "minLength": 1, "maxLength": 500, "description": "Document, number, page"},
    "geography": {"type": "string", "maxLength": 100},
    "data_year": {"type": ["integer", "null"]},
    "published_on": {"type": ["string", "null"], "format": "date"},
    "source_url": {"type": "string", "maxLength": 500},
    "database": {"type": "string", "maxLength": 200},
    "standards": {"type": "string", "maxLength": 300},
    "note": {"type": "string", "maxLength": 4000},
    "gases": _gases,
    "uncertainty": _uncertainty,
}
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
        "severity": {"enum": ["error", "warning", "info"]},
        "article": {"type": "string"},
        "path": {"type": "string", "description": "JSON pointer into the dataset or the rule"},
        "message": {"type": "string"},
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
        "data_quality": {"type": "object"},
        "electricity": {"type": "array", "items": {"type": "object"}},
        "allocation": {"type": "object"},
        "network": {"type": ["array", "null"]},
        "cut_off": {"type": "object"},
        "contributions": {"type": "array", "items": {"type": "object"}},
        "gwp": {"type": "object"},
        "monte_carlo": _monte_carlo,
        "scenarios": {
            "type": "object",
            "description": "Grid vs contractual electricity, physical vs economic allocation",
        },
        "findings": {"type": "array", "items": _ref("CalculationFinding")},
    },
}
_unusable_result = {
    "type": "object",
    "description": "The problems that stopped the calculation, and the other findings",
    "required": ["problems", "findings"],
    "properties": {
        "problems": {"type": "array", "items": _ref("CalculationFinding")},
        "findings": {"type": "array", "items": _ref("CalculationFinding")},
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

COMPONENTS.update(
    {
        "Factor": {
            "type": "object",
            "required": [*_factor_fields, "id", "archived_at", "version"],
            "properties": {
                **_factor_fields,
                "id": {"type": "integer"},
                "archived_at": _optional_timestamp,
                "version": {"type": "integer"},
            },
        },
        "FactorWithVersions": {
            "allOf": [
                _ref("Factor"),
                {
                    "type": "object",
                    "required": ["versions"],
                    "properties": {
                        "versions": {
                            "type": "array",
                            "description": "Every version the factor has had, oldest first",
                            "items": {
                                "type": "object",
                                "required": ["id", "version", "recorded_at", "snapshot"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "version": {"type": "integer"},
                                    "recorded_at": _timestamp,
                                    "snapshot": {"type": "object", "description": "The factor as it was"},
                                },
                            },
                        }
                    },
                },
            ]
        },
        "FactorCreate": {
            "type": "object",
            "required": ["code", "name", "value", "unit", "kind", "tier", "source"],
            "additionalProperties": False,
            "properties": _factor_fields,
        },
        "FactorUpdate": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {**_factor_fields, "reason": _reason, "version": _version},
        },
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
                "latest_calculation": {"oneOf": [{"type": "null"}, _ref("CalculationSummary")]},
            },
        },
        "TrialDetail": {
            "type": "object",
            "required": [*_trial_fields, "dataset", "calculations", "latest_calculation"],
            "properties": {
                **_trial_fields,
                "dataset": {"type": "object"},
                "calculations": {"type": "array", "items": _ref("CalculationSummary"), "description": "Oldest first"},
                "latest_calculation": {"oneOf": [{"type": "null"}, _ref("Calculation")]},
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
        "TrialArchive": {"type": "object", "additionalProperties": False, "properties": {"reason": _reason}},
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
_FACTOR_FILTERS = [
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Name, code or source text"},
    {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "Exactly, e.g. kgCO2e/kWh"},
    {"name": "geography", "in": "query", "schema": {"type": "string"}},
    {"name": "tier", "in": "query", "schema": {"enum": [tier.value for tier in Tier]}},
    {"name": "kind", "in": "query", "schema": {"enum": [kind.value for kind in FactorKind]}},
]

# --- shapes -----------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def factor_json(factor: Factor, *, versions: bool = False) -> dict:
    shape = {
        "id": factor.id,
        "code": factor.code,
        "name": factor.name,
        "value": factor.value,
        "unit": factor.unit,
        "kind": factor.kind.value,
        "tier": factor.tier.value,
        "source": factor.source,
        "geography": factor.geography,
        "data_year": factor.data_year,
        "published_on": _iso(factor.published_on),
        "source_url": factor.source_url,
        "database": factor.database,
        "standards": factor.standards,
        "note": factor.note,
        "gases": factor.gases,
        "uncertainty": factor.uncertainty,
        "archived_at": _iso(factor.archived_at),
        "version": factor.version,
    }
    if versions:
        shape["versions"] = [
            {
                "id": item.id,
                "version": item.version,
                "recorded_at": item.recorded_at.isoformat(),
                "snapshot": item.snapshot,
            }
            for item in factor.versions
        ]
    return shape


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
        shape["result"] = calculation.result
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
        "archived_at": _iso(trial.archived_at),
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


def _actor() -> Actor:
    user = current_principal()
    return Actor(user.id, user.username)  # as the pages record who calculated


def _created(shape: dict, location: str):
    response = jsonify(shape)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _query_enum(name: str, allowed) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        raise InvalidInput(_("参数 %(name)s 的值“%(value)s”无效。", name=name, value=value[:50]))
    return value


def _factor_or_404(factor_id: int) -> Factor:
    factor = db.session.get(Factor, factor_id)
    if factor is None:
        raise NotFound(_("因子 %(id)s 不存在。", id=factor_id))
    return factor


def _rule_or_404(rule_id: int) -> Rule:
    require(Action.VIEW_RULES)  # visitors learn nothing of drafts, not even which exist
    rule = db.session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(_("规则 %(id)s 不存在。", id=rule_id))
    return rule


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


def _refuse_non_finite(body: dict) -> None:
    """Refuse NaN and Infinity in a factor body (Python's JSON reader and JSON Schema's "number"
    accept them); datasets get the same check, worded by line, from `dataset.validate`."""
    paths = [path for path, _message in datasets.non_finite(body)]
    if not paths:
        return
    message = _("应为有限的数值，不能是 NaN 或 Infinity。")
    raise InvalidInput(
        _("请求体不符合接口要求：%(first)s", first=f"{paths[0]} {message}"),
        details={"errors": [{"pointer": path, "message": message} for path in paths]},
    )


def _published_on(body: dict, current: date | None) -> date | None:
    if "published_on" not in body:
        return current
    text = body["published_on"]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _("%(field)s 不是日期（YYYY-MM-DD）。", field="published_on")
        raise InvalidInput(message, details={"published_on": message}) from None


def _factor_input(body: dict, factor: Factor | None = None) -> factors.FactorInput:
    """The factor's fields with the body's changes (all of them for a new factor)."""
    current = factor_json(factor) if factor is not None else {}

    def value(key, default=""):
        return body.get(key, current.get(key, default))

    return factors.FactorInput(
        code=value("code"),
        name=value("name"),
        value=value("value", None),
        unit=value("unit"),
        kind=value("kind"),
        tier=value("tier"),
        source=value("source"),
        geography=value("geography"),
        data_year=value("data_year", None),
        published_on=_published_on(body, factor.published_on if factor is not None else None),
        source_url=value("source_url"),
        database=value("database"),
        standards=value("standards"),
        note=value("note"),
        gases=value("gases", None),
        uncertainty=value("uncertainty", None),
    )


# --- the factor library -----------------------------------------------------------------------------


@spec.operation(
    "/factors",
    "GET",
    summary="The factor library, filtered like the factor list page",
    tag="factors",
    public=True,
    parameters=[*_PAGING, *_FACTOR_FILTERS],
    responses={200: ("A page of factors (archived ones left out)", _page_of("Factor"))},
)
def list_factors():
    require(Action.VIEW_FACTORS)
    filters = factors.FactorFilters(
        text=text_arg("q"),
        unit=text_arg("unit", 60),
        geography=text_arg("geography", 100),
        tier=_query_enum("tier", {tier.value for tier in Tier}),
        kind=_query_enum("kind", {kind.value for kind in FactorKind}),
    )
    return _paginated(factors.search(filters), factor_json)


@spec.operation(
    "/factors/<id:factor_id>",
    "GET",
    summary="One factor with every version it has had",
    tag="factors",
    public=True,
    responses={200: ("The factor", _ref("FactorWithVersions"))},
)
def get_factor(factor_id: int):
    require(Action.VIEW_FACTORS)
    return jsonify(factor_json(_factor_or_404(factor_id), versions=True))


@spec.operation(
    "/factors",
    "POST",
    summary="Add a factor to the library (a duplicate code is refused with 422)",
    tag="factors",
    body=_ref("FactorCreate"),
    responses={201: ("The new factor and its first version", _ref("FactorWithVersions"))},
)
def create_factor(body: dict):
    require(Action.MANAGE_FACTORS)
    _refuse_non_finite(body)
    factor = factors.create_factor(db.session, _factor_input(body))
    return _created(factor_json(factor, versions=True), url_for(".get_factor", factor_id=factor.id))


@spec.operation(
    "/factors/<id:factor_id>",
    "PATCH",
    summary="Change a factor: a new version; calculations keep naming the version they used",
    tag="factors",
    body=_ref("FactorUpdate"),
    responses={200: ("The changed factor", _ref("FactorWithVersions"))},
)
def update_factor(factor_id: int, body: dict):
    require(Action.MANAGE_FACTORS)
    factor = _factor_or_404(factor_id)
    _refuse_non_finite(body)
    factors.update_factor(
        db.session,
        factor,
        _factor_input(body, factor),
        reason=body.get("reason"),
        expected_version=body.get("version"),
    )
    db.session.flush()
    db.session.expire(factor, ["versions"])  # the version just written
    return jsonify(factor_json(factor, versions=True))


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
                    "items": {"type": "array", "items": _ref("Trial")},
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
    body=_ref("TrialCreate"),
    responses={
        201: ("The trial and its calculation (stored even when the data cannot be calculated)", _ref("TrialDetail"))
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
        author=_actor(),
        enterprise=body.get("enterprise"),
    )
    db.session.expire(trial, ["calculations"])
    return _created(trial_json(trial, full=True), url_for(".get_trial", trial_id=trial.id))


@spec.operation(
    "/trials/<id:trial_id>",
    "GET",
    summary="One trial: its data, its calculations and the latest one in full",
    tag="trials",
    responses={200: ("The trial", _ref("TrialDetail"))},
)
def get_trial(trial_id: int):
    return jsonify(trial_json(_trial_or_404(trial_id), full=True))


@spec.operation(
    "/trials/<id:trial_id>/dataset",
    "PUT",
    summary="New data for a trial, recalculated (earlier calculations keep the data they used)",
    tag="trials",
    body=_ref("TrialDataset"),
    responses={200: ("The trial with its new calculation", _ref("TrialDetail"))},
)
def replace_dataset(trial_id: int, body: dict):
    trial = _trial_or_404(trial_id)
    require(Action.RUN_TRIALS, trial.rule)
    service.update_trial(
        db.session,
        trial,
        data=body["dataset"],
        source=DatasetSource.JSON,
        author=_actor(),
        enterprise=body.get("enterprise"),
        expected_version=body.get("version"),
    )
    db.session.expire(trial, ["calculations"])
    return jsonify(trial_json(trial, full=True))


@spec.operation(
    "/trials/<id:trial_id>/calculations",
    "POST",
    summary="Calculate a trial again, with other method choices or another Monte Carlo seed",
    tag="trials",
    body=_ref("CalculationRequest"),
    responses={201: ("The new calculation", _ref("Calculation"))},
)
def calculate_trial(trial_id: int, body: dict):
    trial = _trial_or_404(trial_id)
    require(Action.RUN_TRIALS, trial.rule)
    calculation = service.calculate(
        db.session,
        trial,
        author=_actor(),
        electricity=body.get("electricity", "rule"),
        allocation=body.get("allocation", "rule"),
        iterations=body.get("iterations", service.MONTE_CARLO_ITERATIONS),
        seed=body.get("seed"),
    )
    return _created(
        calculation_json(calculation, full=True), url_for(".get_calculation", calculation_id=calculation.id)
    )


@spec.operation(
    "/calculations/<id:calculation_id>",
    "GET",
    summary="One calculation in full: result, options and the factor versions used",
    tag="trials",
    responses={200: ("The calculation", _ref("Calculation"))},
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
    service.set_archived(db.session, trial, archived, reason=body.get("reason"))
    return jsonify(trial_json(trial, full=True))


@spec.operation(
    "/trials/<id:trial_id>/archive",
    "POST",
    summary="Archive a trial: it leaves the feasibility report and the enterprise count",
    tag="trials",
    body=_ref("TrialArchive"),
    responses={200: ("The archived trial", _ref("TrialDetail"))},
)
def archive_trial(trial_id: int, body: dict):
    return _set_archived(trial_id, body, True)


@spec.operation(
    "/trials/<id:trial_id>/restore",
    "POST",
    summary="Restore an archived trial",
    tag="trials",
    body=_ref("TrialArchive"),
    responses={200: ("The restored trial", _ref("TrialDetail"))},
)
def restore_trial(trial_id: int, body: dict):
    return _set_archived(trial_id, body, False)


@spec.operation(
    "/rules/<id:rule_id>/feasibility",
    "GET",
    summary="The feasibility report (试算可行性分析) of a rule revision, enterprises anonymised",
    tag="trials",
    parameters=[_REVISION],
    responses={200: ("The report", _ref("FeasibilityReport"))},
)
def feasibility_report(rule_id: int):
    rule = _rule_or_404(rule_id)
    require(Action.VIEW_FEASIBILITY, rule)
    revision = _revision(rule)
    return jsonify(
        rule={"id": rule.id, "code": rule.code, "title": rule.title},
        revision=revision.number,
        report=service.report(db.session, revision),
    )
