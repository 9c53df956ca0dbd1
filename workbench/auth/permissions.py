"""Who may do what: one rule per action, all in this table.

Pure: no Flask, no database. A principal is anything with `is_authenticated`, `role` and `id`
(a User, Flask-Login's anonymous user, or None). Every operation that changes something asks
`require(by, action, target)` itself, in the service, so the pages, the API and the command line
cannot disagree; pages also ask `can()` to hide what a user may not do.
tests/test_permissions.py holds the expected matrix and checks every role against every action.
"""

from collections.abc import Callable
from enum import StrEnum

from workbench.errors import AccessDenied, SignInRequired


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # SAMR / MEE officials
    SECRETARIAT = "secretariat"  # SAC/TC548 secretariat (归口)
    DRAFTER = "drafter"  # member of one or more drafting working groups
    ASSOCIATION = "association"  # association representative (团体标准, 采信)
    EVALUATOR = "evaluator"  # post-implementation evaluation (后评估)
    ENTERPRISE = "enterprise"  # an enterprise's member: declares footprints, shares them with partners (PACT)
    CERTIFIER = "certifier"  # a certification body's auditor: verifies declarations (碳标识认证)


class Action(StrEnum):
    READ_PUBLISHED = "published.read"
    EDIT_OWN_ACCOUNT = "account.edit"
    VIEW_DIRECTORY = "directory.view"  # organisations and working groups
    MANAGE_ORGANISATIONS = "organisation.manage"
    MANAGE_WORKING_GROUPS = "working_group.manage"
    VIEW_USERS = "user.view"
    MANAGE_USERS = "user.manage"
    VIEW_RECORD_HISTORY = "audit.view_record"
    VIEW_AUDIT_LOG = "audit.view_all"
    READ_REGISTRY = "registry.read"  # standards, products, level findings, the withdrawal-due list
    MANAGE_PRODUCTS = "product.manage"
    MANAGE_STANDARDS = "standard.manage"  # target: a standard or a level
    IMPORT_STANDARDS = "standard.import"
    VIEW_RULES = "rule.view"  # drafts in progress
    CREATE_RULE = "rule.create"
    EDIT_RULE = "rule.edit"  # target: a rule (text, suppressions, comment dispositions)
    MOVE_STAGE = "rule.stage"  # which move each role may make is in drafting/stages.py
    PUBLISH_RULE = "rule.publish"  # render a revision and commit it to the publication repository
    COMMENT_ON_RULE = "rule.comment"  # consultation drafts take comments from anyone
    VIEW_FACTORS = "factor.view"
    VIEW_TRIALS = "trial.view"  # target: a rule; enterprises' data are confidential to its drafters
    RUN_TRIALS = "trial.run"  # target: a rule (enter data, calculate, archive)
    VIEW_FEASIBILITY = "trial.report"  # anonymised feasibility report of a rule revision
    MANAGE_FACTORS = "factor.manage"
    MANAGE_LISTS = "list.manage"  # priority and recommended list batches (指引（七）、（十）)
    MANAGE_CALLS = "call.manage"  # open and close calls for proposals
    PROPOSE = "proposal.submit"  # target: a call's proposal of the user's organisation, or None
    VIEW_PROPOSAL = "proposal.view"  # target: a proposal
    COMMENT_ON_PROPOSAL = "proposal.comment"  # target: a proposal
    DECIDE_PROPOSAL = "proposal.decide"  # approve (立项), return or reject
    VIEW_COVERAGE = "coverage.view"  # the detailed coverage and cycle-time pages (the public sees a summary)
    SUBMIT_FEEDBACK = "feedback.submit"  # 标准实施信息反馈 on a published standard, from anyone
    VIEW_FEEDBACK = "feedback.view"  # the items themselves (counts are public); target: a feedback item
    ANSWER_FEEDBACK = "feedback.answer"  # target: a feedback item
    PLAN_EVALUATIONS = "evaluation.plan"  # schedule evaluations, see the review-due and overdue lists
    RECORD_EVALUATION = "evaluation.record"  # target: an evaluation or a plan (its organisation's members)
    DECIDE_WITHDRAWAL = "withdrawal.decide"  # 废止 proposed by an evaluation
    VIEW_COORDINATION = "coordination.view"  # TC548's coordination report
    EXPLAIN_COORDINATION = "coordination.explain"  # record why two rules differ on purpose
    APPLY_FOR_ADOPTION = "adoption.apply"  # target: an application or a group standard, or None
    VIEW_ADOPTION = "adoption.view"  # target: an application
    FORM_PANEL = "adoption.panel"  # name the review panel of an application
    SCORE_ADOPTION = "adoption.score"  # target: an application (its panel members)
    DECIDE_ADOPTION = "adoption.decide"  # adopt (采信) or decline
    EXPORT_FOOTPRINT = "footprint.export"  # target: a trial (its calculations as PACT ProductFootprints)
    SHARE_FOOTPRINT = "footprint.share"  # target: a shared footprint or None (the enterprise's own)
    MANAGE_PACT_CLIENTS = "pact_client.manage"  # target: a PACT client or None (its enterprise's members)
    IMPORT_FOOTPRINT = "footprint.import"  # a supplier's PACT footprint into the factor library
    DECLARE = "declaration.submit"  # target: a declaration or None (its enterprise's members)
    VIEW_DECLARATION = "declaration.view"  # target: a declaration (public once verified)
    VERIFY_DECLARATION = "declaration.verify"  # target: a declaration (the certification body it names)
    SET_DECLARATION_TERMS = "declaration.terms"  # how long a verified declaration under a rule is valid
    RECORD_REFERENCE_VALUE = "factor.reference"  # target: a rule (international reference values)


Rule = Callable[[object, object], bool]


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def _anyone(user, target) -> bool:
    return True


def _any_signed_in(user, target) -> bool:
    return _signed_in(user)


def _roles(*roles: Role) -> Rule:
    def rule(user, target) -> bool:
        return _signed_in(user) and user.role in roles

    return rule


def _record_history(user, record) -> bool:
    """The secretariat and administrators oversee every record; a user may read their own account's."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, record):
        return True
    return _signed_in(user) and getattr(record, "__audit_type__", None) == "user" and record.id == user.id


def issuers(association: str | None) -> list[str]:
    """The associations that issued a group standard: its `association` field names one, or
    several issuing jointly, separated by spaces or 、."""
    return (association or "").replace("、", " ").split()


def keeps_group_standard(user, association: str | None) -> bool:
    """Whether an association representative's own organisation is among the issuers named."""
    organisation = getattr(user, "organisation", None)
    name = (getattr(organisation, "name", None) or "").strip()
    return bool(name) and name in issuers(association)


def _manage_standard(user, target) -> bool:
    """SAMR/MEE and the secretariat keep the whole registry; associations register group standards
    and keep their own organisation's (指引（十）), not other societies'. `target` is a standard, a
    level (may an association register at it?), or None for "some standard"."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, target):
        return True
    if not _roles(Role.ASSOCIATION)(user, target):
        return False
    if target is None:
        return True
    if isinstance(target, str):
        return target == "group"
    if not hasattr(target, "level"):
        return True  # not a standard: nothing refused by level here
    return target.level == "group" and keeps_group_standard(user, getattr(target, "association", ""))


NO_WORKING_GROUP = "no working group"  # CREATE_RULE's target for a rule not yet given to a group


def _rule_creator(user, group) -> bool:
    """The secretariat and administrators create rules for any working group, or for none yet;
    drafters for their own working groups only (指引（十三）). `group` None asks whether the user
    creates rules at all."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, group):
        return True
    if not _roles(Role.DRAFTER)(user, group):
        return False
    if group is None:
        return True
    if getattr(group, "__audit_type__", None) != "working_group":
        return False  # NO_WORKING_GROUP, or not a working group at all
    return group.id in {own.id for own in getattr(user, "working_groups", [])}


def _rule_editor(user, rule) -> bool:
    """The secretariat and administrators oversee every rule; drafters edit the rules of their own
    working groups (指引（十三）). `rule` None asks whether the user edits rules at all."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, rule):
        return True
    if not _roles(Role.DRAFTER)(user, rule):
        return False
    if rule is None:
        return True
    if not hasattr(rule, "working_group_id"):
        return False  # not a rule: nothing a drafter may edit
    return rule.working_group_id in {group.id for group in getattr(user, "working_groups", [])}


def _organisation_member(user, proposal) -> bool:
    """Proposals come from organisations (指引（七）: 征集立项建议): a signed-in member of one
    proposes, and every member of it follows and amends its proposals. `proposal` None asks
    whether the user may propose at all."""
    if not _signed_in(user) or getattr(user, "organisation_id", None) is None:
        return False
    return proposal is None or getattr(proposal, "organisation_id", None) == user.organisation_id


def _proposal_reader(user, proposal) -> bool:
    """SAMR/MEE and the secretariat read every proposal; an organisation reads its own."""
    return _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, proposal) or (
        proposal is not None and _organisation_member(user, proposal)
    )


def _feedback_answerer(user, feedback) -> bool:
    """Who answers for a standard answers its feedback: the secretariat and SAMR/MEE always; the
    drafters of the working group named on the item; the association that issued a group
    standard. `feedback` None asks whether the user answers feedback at all."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, feedback):
        return True
    if feedback is None:
        return _roles(Role.DRAFTER, Role.ASSOCIATION)(user, feedback)
    if _roles(Role.DRAFTER)(user, feedback):
        group_id = getattr(feedback, "working_group_id", None)
        return group_id is not None and group_id in {group.id for group in getattr(user, "working_groups", [])}
    standard = getattr(feedback, "standard", None)
    return (
        _roles(Role.ASSOCIATION)(user, feedback)
        and getattr(standard, "level", None) == "group"
        and keeps_group_standard(user, getattr(standard, "association", ""))
    )


EVALUATING_ROLES = (Role.EVALUATOR, Role.ASSOCIATION, Role.SECRETARIAT)


def _evaluating_member(user, evaluation) -> bool:
    """指引（十二）: TCs, associations and research institutes evaluate; the members of the
    organisation an evaluation (or its plan) names keep its record. `evaluation` None asks whether
    the user evaluates at all."""
    if not _roles(*EVALUATING_ROLES)(user, evaluation) or getattr(user, "organisation_id", None) is None:
        return False
    return evaluation is None or getattr(evaluation, "organisation_id", None) == user.organisation_id


def _adoption_applicant(user, target) -> bool:
    """An association member applies for its own organisation's group standards: `target` is an
    application, a standard, or None for "any"."""
    if not _roles(Role.ASSOCIATION)(user, target) or getattr(user, "organisation_id", None) is None:
        return False
    if target is None:
        return True
    if hasattr(target, "organisation_id") and not hasattr(target, "level"):
        return target.organisation_id == user.organisation_id  # an application
    return getattr(target, "level", None) == "group" and keeps_group_standard(user, getattr(target, "association", ""))


def _panel_member(user, application) -> bool:
    return (
        _roles(Role.EVALUATOR)(user, application)
        and application is not None
        and user.id in getattr(application, "panel_user_ids", set())
    )


def _adoption_reader(user, application) -> bool:
    """SAMR/MEE and the secretariat read every application; the applicant and the panel read theirs."""
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, application):
        return True
    if application is None:
        return False
    return _adoption_applicant(user, application) or _panel_member(user, application)


def enterprise_member(user, target) -> bool:
    """A signed-in member of an enterprise (any role: a drafter from industry too) acts for its
    own enterprise: `target` is a record with `organisation_id`, or None for "any"."""
    organisation = getattr(user, "organisation", None)
    if not _signed_in(user) or getattr(organisation, "kind", None) != "enterprise":
        return False
    return target is None or getattr(target, "organisation_id", None) == user.organisation_id


def same_enterprise(user, enterprise: str | None) -> bool:
    """Whether a trial's enterprise (a name) is the user's own enterprise organisation."""
    organisation = getattr(user, "organisation", None)
    if not enterprise_member(user, None):
        return False
    return name_key(getattr(organisation, "name", "")) == name_key(enterprise or "")


def name_key(name: str) -> str:
    """An enterprise name to compare: every white space removed (U+3000 too), casefolded."""
    return "".join((name or "").split()).casefold()


def _footprint_exporter(user, trial) -> bool:
    """The drafting group that holds a trial, and the enterprise whose data it is."""
    if trial is None:
        return _rule_editor(user, None) or enterprise_member(user, None)
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, trial):
        return True
    rule = getattr(trial, "rule", None)
    # A target without its rule must not read as "edits rules at all" (_rule_editor's None).
    return (rule is not None and _rule_editor(user, rule)) or same_enterprise(user, getattr(trial, "enterprise", ""))


PUBLIC_DECLARATION_STATES = ("verified", "suspended", "withdrawn")


def _declaration_reader(user, declaration) -> bool:
    """A verified declaration is public, and stays readable once suspended or withdrawn (its
    page says so); drafts and rejected ones are read by the enterprise, its certification body,
    the secretariat and SAMR/MEE. Public needs a verification too (verified_on): one withdrawn
    before it was ever verified stays private."""
    if (
        declaration is not None
        and str(getattr(declaration, "status", "")) in PUBLIC_DECLARATION_STATES
        and getattr(declaration, "verified_on", None) is not None
    ):
        return True
    if _roles(Role.ADMINISTRATOR, Role.SECRETARIAT)(user, declaration):
        return True
    if declaration is None:
        return enterprise_member(user, None) or _certifier_of(user, None)
    return enterprise_member(user, declaration) or _certifier_of(user, declaration)


def _certifier_of(user, declaration) -> bool:
    """A certifier of the certification body the declaration names (None: "any")."""
    if not _roles(Role.CERTIFIER)(user, declaration) or getattr(user, "organisation_id", None) is None:
        return False
    if getattr(getattr(user, "organisation", None), "kind", None) != "certification_body":
        return False  # a certifier's account moved to another kind of organisation verifies nothing
    return declaration is None or getattr(declaration, "certification_body_id", None) == user.organisation_id


def _importer(user, target) -> bool:
    """Those who keep the library, and drafting groups who receive their suppliers' footprints."""
    return _roles(Role.ADMINISTRATOR, Role.SECRETARIAT, Role.DRAFTER)(user, target)


RULES: dict[Action, Rule] = {
    Action.READ_PUBLISHED: _anyone,
    Action.EDIT_OWN_ACCOUNT: _any_signed_in,
    Action.VIEW_DIRECTORY: _any_signed_in,
    Action.MANAGE_ORGANISATIONS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.MANAGE_WORKING_GROUPS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    # The secretariat staffs working groups, so it sees who has an account; only SAMR/MEE
    # administrators create accounts and hand out roles.
    Action.VIEW_USERS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.MANAGE_USERS: _roles(Role.ADMINISTRATOR),
    Action.VIEW_RECORD_HISTORY: _record_history,
    Action.VIEW_AUDIT_LOG: _roles(Role.ADMINISTRATOR),
    # The registry is public information, like the national standards information platform.
    Action.READ_REGISTRY: _anyone,
    Action.MANAGE_PRODUCTS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.MANAGE_STANDARDS: _manage_standard,
    Action.IMPORT_STANDARDS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.VIEW_RULES: _any_signed_in,
    Action.CREATE_RULE: _rule_creator,
    Action.EDIT_RULE: _rule_editor,
    Action.MOVE_STAGE: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    # What goes out to the public in TC548's name is the secretariat's (or SAMR/MEE's) to send.
    Action.PUBLISH_RULE: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.COMMENT_ON_RULE: _anyone,
    # Factors are public reference data (指引（五）: good factors go into the national library).
    Action.VIEW_FACTORS: _anyone,
    Action.MANAGE_FACTORS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    # Enterprises hand their production data to the drafting group, not to the public; the report
    # names them only as 企业A, 企业B and is read like the draft itself.
    Action.VIEW_TRIALS: _rule_editor,
    Action.RUN_TRIALS: _rule_editor,
    Action.VIEW_FEASIBILITY: _any_signed_in,
    # 指引（七）: SAMR and MEE publish the list and call for proposals, and decide on them; the
    # secretariat (归口) comments on each proposal before the decision.
    Action.MANAGE_LISTS: _roles(Role.ADMINISTRATOR),
    Action.MANAGE_CALLS: _roles(Role.ADMINISTRATOR),
    Action.PROPOSE: _organisation_member,
    Action.VIEW_PROPOSAL: _proposal_reader,
    Action.COMMENT_ON_PROPOSAL: _proposal_reader,
    Action.DECIDE_PROPOSAL: _roles(Role.ADMINISTRATOR),
    Action.VIEW_COVERAGE: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    # 《标准化法》第二十九条: anyone reports how a standard works; the contact left is not public.
    Action.SUBMIT_FEEDBACK: _anyone,
    Action.VIEW_FEEDBACK: _any_signed_in,
    Action.ANSWER_FEEDBACK: _feedback_answerer,
    Action.PLAN_EVALUATIONS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.RECORD_EVALUATION: _evaluating_member,
    Action.DECIDE_WITHDRAWAL: _roles(Role.ADMINISTRATOR),
    Action.VIEW_COORDINATION: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT, Role.EVALUATOR),
    Action.EXPLAIN_COORDINATION: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    # 指引（十五）: the association applies, the secretariat names the panel, evaluators score and
    # SAMR decides.
    Action.APPLY_FOR_ADOPTION: _adoption_applicant,
    Action.VIEW_ADOPTION: _adoption_reader,
    Action.FORM_PANEL: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.SCORE_ADOPTION: _panel_member,
    Action.DECIDE_ADOPTION: _roles(Role.ADMINISTRATOR),
    # The exchange (指引（五）、（十八）–（二十）; the 2024 plan's 标识认证、分级管理、信息披露).
    Action.EXPORT_FOOTPRINT: _footprint_exporter,
    Action.SHARE_FOOTPRINT: enterprise_member,
    Action.MANAGE_PACT_CLIENTS: enterprise_member,
    Action.IMPORT_FOOTPRINT: _importer,
    Action.DECLARE: enterprise_member,
    Action.VIEW_DECLARATION: _declaration_reader,
    Action.VERIFY_DECLARATION: _certifier_of,
    Action.SET_DECLARATION_TERMS: _roles(Role.ADMINISTRATOR, Role.SECRETARIAT),
    Action.RECORD_REFERENCE_VALUE: _rule_editor,
}


def can(user, action: Action, target=None) -> bool:
    if user is not None and user.is_authenticated and not getattr(user, "is_active", True):
        user = None  # a deactivated account has no more rights than a visitor
    return RULES[action](user, target)


def require(user, action: Action, target=None) -> None:
    """Refuse unless `user` may perform `action` (on `target`): a visitor is asked to sign in
    (SignInRequired), a signed-in user is refused (AccessDenied)."""
    if can(user, action, target):
        return
    if user is None or not user.is_authenticated:
        raise SignInRequired(action)
    raise AccessDenied(action)
