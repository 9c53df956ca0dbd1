"""`workbench pact …` and `workbench declarations …`: PACT footprints out and in, and the
declarations under published rules, from the command line."""

import click


@click.group("pact")
def pact():
    """PACT (WBCSD Partnership for Carbon Transparency) ProductFootprints, v3."""


@click.group("declarations")
def declarations():
    """Declared product carbon footprints under published rules (信息披露, 碳标识)."""


@click.group("jsonld")
def jsonld():
    """The factor library as openLCA JSON-LD, and the submission package for the national factor database."""


# --- pact (owner A) -------------------------------------------------------------------------------


# --- declarations (owner C) -----------------------------------------------------------------------


# --- jsonld (owner E) -----------------------------------------------------------------------------
