"""GB/T 1.1—2020 structure of a rule's text: numbering, hanging paragraphs, annexes, figures,
tables and formulas and their citations, the drafting-rules sentence of the 前言, the annexes the
template requires, term entries. PURE.
"""

from workbench.drafting.check_report import Report


def check(document: dict, report: Report) -> None:
    """Adds the structure findings on `document` to `report`."""
