"""Coverage against the targets in the JSON API: GET /api/v1/coverage, the same document as
`workbench catalogue coverage --format json`; the public gets the summary, SAMR/MEE and the
secretariat (VIEW_COVERAGE) also the proposals, the level rules' verdicts and the cycle times."""

from flask import current_app, jsonify

from workbench.api.spec import ref, spec
from workbench.auth.access import current_principal, require
from workbench.auth.permissions import Action, can
from workbench.catalogue import coverage as cov
from workbench.catalogue import progress
from workbench.dates import today
from workbench.db import db

_count = {"type": "integer", "minimum": 0}
_date = {"type": ["string", "null"], "format": "date"}
_levels = {"type": "object", "properties": {level: _count for level in cov.LEVELS}, "required": list(cov.LEVELS)}
_standard = {
    "type": "object",
    "required": ["id", "designation", "level", "status", "published_on"],
    "properties": {
        "id": {"type": "integer"},
        "designation": {"type": "string"},
        "level": {"type": "string"},
        "status": {"type": "string"},
        "published_on": _date,
    },
}

spec.add_components(
    {
        "CoverageProduct": {
            "type": "object",
            "required": ["product", "priority_batch", "state", "levels", "stage", "standards", "projects"],
            "properties": {
                "product": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "priority_batch": {
                    "type": "object",
                    "required": ["id", "number", "title"],
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "integer"},
                        "title": {"type": "string"},
                    },
                },
                "category": {"type": ["string", "null"]},
                "intended_level": {"type": ["string", "null"]},
                "target_year": {"type": ["integer", "null"]},
                "state": {"enum": list(cov.STATES)},
                "levels": {"type": "array", "items": {"enum": list(cov.LEVELS)}, "description": "Levels published"},
                "stage": {"type": ["string", "null"], "description": "The leading project's stage (GB/T 16733)"},
                "standards": {"type": "array", "items": _standard, "description": "Published or under revision"},
                "projects": {"type": "array", "items": {"type": "object"}},
                "proposals": {"type": "array", "items": {"type": "object"}, "description": "Detail only: open ones"},
                "findings": {"type": "array", "items": ref("Finding"), "description": "Detail only: level rules"},
            },
        },
        "Coverage": {
            "type": "object",
            "required": [
                "today",
                "published",
                "all_levels",
                "counted",
                "counted_levels",
                "targets",
                "by_year",
                "rate",
                "projection",
                "burn_up",
                "states",
                "products",
            ],
            "properties": {
                "today": {"type": "string", "format": "date"},
                "published": {**_levels, "description": "Published standards for a product, by level"},
                "all_levels": _count,
                "counted": {**_count, "description": "Published at the counted levels: the count against the targets"},
                "counted_levels": {"type": "array", "items": {"enum": list(cov.LEVELS)}},
                "targets": {"type": "object", "additionalProperties": {"type": "integer"}},
                "unknown_year": _levels,
                "by_year": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["year", "levels", "counted", "cumulative"],
                        "properties": {
                            "year": {"type": "integer"},
                            "levels": _levels,
                            "counted": _count,
                            "cumulative": _count,
                        },
                    },
                },
                "rate": {
                    "type": "object",
                    "required": ["per_year", "basis"],
                    "properties": {"per_year": _count, "basis": {"type": "string"}, "from": _date, "to": _date},
                },
                "projection": {
                    "type": "object",
                    "description": "Expected count at the end of each target year at the current rate",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["date", "expected", "target", "on_track"],
                        "properties": {
                            "date": {"type": "string", "format": "date"},
                            "expected": {"type": "integer"},
                            "target": {"type": "integer"},
                            "on_track": {"type": "boolean"},
                            "remaining": _count,
                        },
                    },
                },
                "burn_up": {"type": "array", "items": {"type": "object"}},
                "states": {"type": "object", "additionalProperties": _count},
                "products": {"type": "array", "items": ref("CoverageProduct")},
                "cycle_times": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": (
                        "Detail only: approved projects, overdue first. `stage` is the rule's stage, null for a "
                        "project without a rule (below national level), whose `registry_status` tells where it is; "
                        "a project reaches its target at stage 50 (报批) or beyond, or when its standard is published"
                    ),
                },
            },
        },
    }
)


@spec.operation(
    "/coverage",
    "GET",
    summary="Carbon-footprint standards published against 100 by 2027 and 200 by 2030; the priority products' state",
    tag="catalogue",
    public=True,
    responses={200: ("Coverage (detail fields for SAMR/MEE and the secretariat)", ref("Coverage"))},
)
def get_coverage():
    require(Action.READ_PUBLISHED)
    detail = can(current_principal(), Action.VIEW_COVERAGE)
    return jsonify(progress.coverage(db.session, today(), current_app.config, detail=detail))
