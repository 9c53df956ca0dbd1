"""What every page of one rule shows beside its own content, for the drafting pages and the rule's
overview (workbench.workflow.views) alike."""

from workbench.auth.access import current_principal
from workbench.auth.permissions import Action, can
from workbench.db import db
from workbench.drafting import service, stages
from workbench.drafting.forms import SuppressForm
from workbench.drafting.models import Rule
from workbench.forms import ConfirmForm
from workbench.guideline.findings import counts as count_findings


def workspace(rule: Rule, revision=None, **extra) -> dict:
    """What every page of a rule shows beside its own content: the revision, its findings
    (checked once per request) and what the user may do with them."""
    revision = revision or service.revision(db.session, rule)
    found = service.findings(db.session, rule, revision.document)
    return {
        "rule": rule,
        "revision": revision,
        "document": revision.document,
        "findings": found,
        "counts": count_findings(found),
        "can_edit": can(current_principal(), Action.EDIT_RULE, rule) and stages.STAGES[rule.stage].editable,
        "suppress_form": SuppressForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        **extra,
    }
