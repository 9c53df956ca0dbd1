"""Findings on the GB/T 1.1—2020 structure of a rule's text (workbench.drafting.structure_checks).
PURE."""

from workbench.guideline.findings import Check

CHECKS: tuple[Check, ...] = ()
