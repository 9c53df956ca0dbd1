"""Findings that read a rule's clause text against its parameters, its references against its
text, and the guideline's content requirements (workbench.drafting.text_checks). PURE."""

from workbench.guideline.findings import Check

CHECKS: tuple[Check, ...] = ()
