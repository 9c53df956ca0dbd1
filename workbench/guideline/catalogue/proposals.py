"""Findings on a project proposal (立项建议) at submission: 指引（七）、（十二）. PURE.

The level rules a proposal also meets are levels.py's; these are the ones only a proposal has."""

from workbench.guideline.findings import Check, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CHECKS: tuple[Check, ...] = ()
