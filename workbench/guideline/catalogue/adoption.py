"""Findings of the adoption domain. PURE. (Filled by the evaluation issue.)"""

from workbench.guideline.findings import Check

CHECKS: tuple[Check, ...] = ()
