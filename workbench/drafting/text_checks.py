"""Checks that read the clause text against the structured parameters, the references against
the text, and the guideline's content requirements that the parameters alone cannot show. PURE.
"""

from collections.abc import Callable

from workbench.drafting.check_report import Report


def check(
    document: dict,
    report: Report,
    *,
    reference_title: Callable[[str], str | None] | None = None,
    catalogue_end_use: str | None = None,
) -> None:
    """Adds the text findings on `document` to `report`."""
