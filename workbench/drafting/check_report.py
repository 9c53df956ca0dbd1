"""What the conformance checks of a rule share: the report they add findings to, and readers
that take the document as it comes (a part of the wrong shape is skipped, never an exception).

PURE: standard library and the guideline catalogue only.
"""

import math
from collections.abc import Collection

from workbench.guideline import Finding, finding


class Report:
    """The findings of one check run, limited to the codes the rule's template checks."""

    def __init__(self, enabled: Collection[str]):
        self.enabled = set(enabled)
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, variant: str = "", **params) -> None:
        if code in self.enabled:  # an older template keeps the checks it was published with
            self.findings.append(finding(code, path, variant, **params))


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def items(value) -> list[tuple[int, dict]]:
    """(index, item) for the objects of a list; anything else in it is left to the schema."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def text(value) -> str:
    """The stripped text of a string, "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def strings(value) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, str)]


def number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
