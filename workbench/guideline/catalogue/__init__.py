"""The one catalogue of findings: every finding any part of the workbench can report, by code.

PURE. The entries live beside each other by what they judge (rules.py: a rule document's
parameters and references; structure.py: its GB/T 1.1 structure; text.py: its text against its
parameters; data.py: trial data and the feasibility report; levels.py: which level of standard
may be made; gates.py: stage moves and periodic review; proposals.py: project proposals; coordination.py:
rules of related products that disagree; adoption.py: a group standard's eligibility for 采信; international.py: a rule's choices
beside international methods); codes are unique across all of them.
docs/architecture.md lists every code under the article it enforces, and a test keeps that table
and this catalogue in step.
"""

from workbench.guideline.catalogue import (
    adoption,
    coordination,
    data,
    gates,
    international,
    levels,
    proposals,
    rules,
    structure,
    text,
)
from workbench.guideline.findings import Check, Finding

SUBJECTS = {
    "rule": rules.CHECKS + structure.CHECKS + text.CHECKS,
    "dataset": data.CHECKS,
    "level": levels.CHECKS,
    "stage": gates.CHECKS,
    "proposal": proposals.CHECKS,
    "coordination": coordination.CHECKS,
    "adoption": adoption.CHECKS,
    "international": international.CHECKS,
}


def _index() -> dict[str, Check]:
    index: dict[str, Check] = {}
    for checks in SUBJECTS.values():
        for check in checks:
            if check.code in index:
                raise ValueError(f"finding code {check.code} is defined twice")
            index[check.code] = check
    return index


CATALOGUE: dict[str, Check] = _index()
GENERIC_MEANING = data.GENERIC_MEANING


def finding(code: str, path: str, /, variant: str = "", *, standard_ids: tuple[int, ...] = (), **params) -> Finding:
    """A finding of the catalogue's kind `code` at `path`, with the message `variant` filled by
    `params`; a level finding names the registered standards it is about in `standard_ids`. An
    unknown code or variant is a programming error and raises KeyError."""
    check = CATALOGUE[code]
    return Finding(
        code, check.severity, check.article, path, check.messages[variant], params, standard_ids=standard_ids
    )


def meaning(code: str) -> str:
    """What a gap of this kind in trial data says about the rule (Chinese, N_)."""
    check = CATALOGUE.get(code)
    return check.meaning if check is not None and check.meaning else GENERIC_MEANING
