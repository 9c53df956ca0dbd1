"""`workbench evaluation …`, `workbench coordination …`, `workbench adoption …`: periodic review,
TC548's coordination report and adoption eligibility from the command line.

Every command prints a table for people or, with --format json, one JSON document for tools; they
only read, as the server does.
"""

import click


@click.group("evaluation")
def evaluation():
    """Periodic review (复审) and post-implementation evaluation (后评估) of standards in force."""


@click.group("coordination")
def coordination():
    """TC548's coordination report: the technical choices of all rules side by side (指引（十三）)."""


@click.group("adoption")
def adoption():
    """Adoption (采信) of group standards as recommended national standards (指引（十五）)."""


# --- evaluation (owner A) ---------------------------------------------------------------------


# --- coordination (owner C) -------------------------------------------------------------------


# --- adoption (owner D) -----------------------------------------------------------------------
