"""The permission matrix: every role (and the anonymous visitor) against every action and against
every state-changing route. A refused request gets 403 (401 or the login page when anonymous) and
leaves the database exactly as it was, audit trail included."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from workbench.audit.models import AuditEvent
from workbench.auth import service
from workbench.auth.models import ApiToken, Organisation, OrganisationKind, SignIn, User, WorkingGroup
from workbench.auth.permissions import NO_WORKING_GROUP, RULES, Action, Role, can
from workbench.catalogue import lists
from workbench.catalogue.models import Call, ListBatch, ListItem, Proposal, ProposalComment, ProposalStatus
from workbench.dates import today as _today
from workbench.db import db, utcnow
from workbench.drafting import service as drafting
from workbench.drafting.models import ConsultationComment, FindingSuppression, Rule
from workbench.factors import service as factor_service
from workbench.factors.models import Factor
from workbench.registry import service as registry
from workbench.registry.models import Product, Standard, StandardRelation
from workbench.trials.models import Calculation, Trial
from workbench.workflow import service as workflow

from .conftest import ADMIN as ACTING_ADMIN
from .conftest import PASSWORD, ROLES
from .conftest import SECRETARIAT as ACTING_SECRETARIAT
from .drafting_helpers import form_data, make_rule
from .trials_helpers import cement_dataset, make_trial

ADMIN, SECRETARIAT, DRAFTER, ASSOCIATION, EVALUATOR = (
    Role.ADMINISTRATOR,
    Role.SECRETARIAT,
    Role.DRAFTER,
    Role.ASSOCIATION,
    Role.EVALUATOR,
)
EVERYONE = {None, *ROLES}
SIGNED_IN = set(ROLES)
OVERSIGHT = {ADMIN, SECRETARIAT}
# The test organisation (a ministry) and its members: every account but the enterprise's member and
# the certifier, who belong to an enterprise and a certification body (tests/conftest.py `people`).
MINISTRY_MEMBERS = SIGNED_IN - {Role.ENTERPRISE, Role.CERTIFIER}
PRINCIPALS = [None, *ROLES]  # None is the anonymous visitor


def _id(role):
    return role.value if role is not None else "anonymous"


# --- actions ------------------------------------------------------------------------------------

EXPECTED_ACTIONS = {
    Action.READ_PUBLISHED: EVERYONE,
    Action.EDIT_OWN_ACCOUNT: SIGNED_IN,
    Action.VIEW_DIRECTORY: SIGNED_IN,
    Action.MANAGE_ORGANISATIONS: OVERSIGHT,
    Action.MANAGE_WORKING_GROUPS: OVERSIGHT,
    Action.VIEW_USERS: OVERSIGHT,
    Action.MANAGE_USERS: {ADMIN},
    Action.VIEW_RECORD_HISTORY: OVERSIGHT,  # of somebody else's record; own account below
    Action.VIEW_AUDIT_LOG: {ADMIN},
    Action.READ_REGISTRY: EVERYONE,
    Action.MANAGE_PRODUCTS: OVERSIGHT,
    Action.MANAGE_STANDARDS: OVERSIGHT | {ASSOCIATION},  # associations: group standards only, below
    Action.IMPORT_STANDARDS: OVERSIGHT,
    Action.VIEW_RULES: SIGNED_IN,
    Action.CREATE_RULE: OVERSIGHT,  # for something that is not a working group; drafters and their groups below
    Action.EDIT_RULE: OVERSIGHT,  # of something that is not a rule; drafters and their groups' rules below
    Action.MOVE_STAGE: OVERSIGHT,
    Action.PUBLISH_RULE: OVERSIGHT,
    Action.COMMENT_ON_RULE: EVERYONE,
    Action.VIEW_FACTORS: EVERYONE,
    Action.MANAGE_FACTORS: OVERSIGHT,
    Action.VIEW_TRIALS: OVERSIGHT,  # of something that is not a rule; drafters and their groups' rules below
    Action.RUN_TRIALS: OVERSIGHT,
    Action.VIEW_FEASIBILITY: SIGNED_IN,
    Action.MANAGE_LISTS: {ADMIN},
    Action.MANAGE_CALLS: {ADMIN},
    Action.PROPOSE: set(),  # a principal without an organisation; members of one below
    Action.VIEW_PROPOSAL: OVERSIGHT,  # somebody else's; an organisation's own below
    Action.COMMENT_ON_PROPOSAL: OVERSIGHT,
    Action.DECIDE_PROPOSAL: {ADMIN},
    Action.VIEW_COVERAGE: OVERSIGHT,
    Action.SUBMIT_FEEDBACK: EVERYONE,
    Action.VIEW_FEEDBACK: SIGNED_IN,
    Action.ANSWER_FEEDBACK: OVERSIGHT,  # an item of no working group and no group standard; the others below
    Action.PLAN_EVALUATIONS: OVERSIGHT,
    Action.RECORD_EVALUATION: set(),  # a principal without an organisation; an organisation's members below
    Action.DECIDE_WITHDRAWAL: {ADMIN},
    Action.VIEW_COORDINATION: OVERSIGHT | {EVALUATOR},
    Action.EXPLAIN_COORDINATION: OVERSIGHT,
    Action.APPLY_FOR_ADOPTION: set(),  # a principal without an organisation; an association's own below
    Action.VIEW_ADOPTION: OVERSIGHT,  # somebody else's application; the applicant and the panel below
    Action.FORM_PANEL: OVERSIGHT,
    Action.SCORE_ADOPTION: set(),  # not on the panel; panel members below
    Action.DECIDE_ADOPTION: {ADMIN},
    # The exchange: a principal of no organisation, and a target of no enterprise, no rule, no body
    # and no status; what members of an enterprise or a certification body may is tested below.
    Action.EXPORT_FOOTPRINT: OVERSIGHT,  # a target that is not a trial of a rule: only the oversight
    Action.SHARE_FOOTPRINT: set(),
    Action.MANAGE_PACT_CLIENTS: set(),
    Action.IMPORT_FOOTPRINT: OVERSIGHT | {DRAFTER},
    Action.DECLARE: set(),
    Action.VIEW_DECLARATION: OVERSIGHT,  # not a public one
    Action.VERIFY_DECLARATION: set(),
    Action.SET_DECLARATION_TERMS: OVERSIGHT,
    Action.RECORD_REFERENCE_VALUE: OVERSIGHT,  # of something that is not a rule; drafters and their groups' rules below
}


@dataclass
class Principal:
    role: Role | None
    id: int = 1
    is_active: bool = True
    organisation_id: int | None = None

    @property
    def is_authenticated(self):
        return self.role is not None


@dataclass
class Record:
    id: int
    __audit_type__: str = "user"


def test_every_action_has_an_expected_row():
    assert set(EXPECTED_ACTIONS) == set(Action) == set(RULES)


@pytest.mark.parametrize("action", list(Action), ids=lambda action: action.value)
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_action_matrix(role, action):
    someone_else = Record(id=99)
    assert can(Principal(role), action, someone_else) is (role in EXPECTED_ACTIONS[action])


@pytest.mark.parametrize("role", ROLES, ids=_id)
def test_everyone_reads_the_history_of_their_own_account(role):
    assert can(Principal(role, id=7), Action.VIEW_RECORD_HISTORY, Record(id=7))
    organisation_seven = Record(id=7, __audit_type__="organisation")
    assert can(Principal(role, id=7), Action.VIEW_RECORD_HISTORY, organisation_seven) is (role in OVERSIGHT)


@pytest.mark.parametrize("level", ["national", "industry", "local", "group", "enterprise"])
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_associations_keep_group_standards_only(role, level):
    expected = role in OVERSIGHT or (role == ASSOCIATION and level == "group")
    assert can(Principal(role), Action.MANAGE_STANDARDS, level) is expected
    assert can(Principal(role), Action.MANAGE_STANDARDS, Record(id=1, __audit_type__="standard")) is (
        role in OVERSIGHT or role == ASSOCIATION  # a record without a level is not refused by level
    )


@dataclass
class GroupMember(Principal):
    working_groups: tuple = ()


@dataclass
class RuleOf:
    working_group_id: int | None


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_drafters_edit_the_rules_of_their_own_groups(role):
    group = Record(id=5, __audit_type__="working_group")
    member = GroupMember(role, working_groups=(group,))
    assert can(member, Action.EDIT_RULE, RuleOf(5)) is (role in OVERSIGHT or role == DRAFTER)
    assert can(member, Action.EDIT_RULE, RuleOf(6)) is (role in OVERSIGHT)
    assert can(member, Action.EDIT_RULE, RuleOf(None)) is (role in OVERSIGHT)
    assert can(member, Action.EDIT_RULE) is (role in OVERSIGHT or role == DRAFTER)  # "edits rules at all"
    # Rules are created for a working group: drafters for their own only, never for none.
    assert can(member, Action.CREATE_RULE, group) is (role in OVERSIGHT or role == DRAFTER)
    assert can(member, Action.CREATE_RULE, Record(id=6, __audit_type__="working_group")) is (role in OVERSIGHT)
    assert can(member, Action.CREATE_RULE, Record(id=5)) is (role in OVERSIGHT)  # a user 5 is not group 5
    assert can(member, Action.CREATE_RULE, NO_WORKING_GROUP) is (role in OVERSIGHT)
    assert can(member, Action.CREATE_RULE) is (role in OVERSIGHT or role == DRAFTER)  # "creates rules at all"
    for action in (Action.VIEW_TRIALS, Action.RUN_TRIALS):  # enterprises' data stay with the drafting group
        assert can(member, action, RuleOf(5)) is (role in OVERSIGHT or role == DRAFTER)
        assert can(member, action, RuleOf(6)) is (role in OVERSIGHT)


@dataclass
class ProposalOf:
    organisation_id: int | None
    __audit_type__: str = "proposal"


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_organisations_propose_and_follow_their_own_proposals(role):
    """指引（七）: proposals come from organisations. Any signed-in member of one proposes and
    follows its own organisation's proposals; SAMR/MEE and the secretariat read and comment on
    every proposal; only SAMR/MEE decide."""
    member, signed_in = Principal(role, organisation_id=3), role is not None
    own, foreign, orphan = ProposalOf(3), ProposalOf(4), ProposalOf(None)
    assert can(member, Action.PROPOSE) is signed_in
    assert can(member, Action.PROPOSE, own) is signed_in  # resubmit, withdraw
    assert can(member, Action.PROPOSE, foreign) is False  # not even SAMR/MEE amend another's proposal
    for action in (Action.VIEW_PROPOSAL, Action.COMMENT_ON_PROPOSAL):
        assert can(member, action, own) is signed_in
        assert can(member, action, foreign) is (role in OVERSIGHT)
        assert can(member, action, orphan) is (role in OVERSIGHT)
        assert can(member, action) is (role in OVERSIGHT)  # "some proposal": not an organisation's own
    for proposal in (own, foreign):
        assert can(member, Action.DECIDE_PROPOSAL, proposal) is (role == ADMIN)  # not on its own either
    # Without an organisation nobody proposes, and "no organisation" is nobody's organisation.
    loner = Principal(role)
    assert can(loner, Action.PROPOSE) is False
    assert can(loner, Action.PROPOSE, orphan) is False
    assert can(loner, Action.VIEW_PROPOSAL, orphan) is (role in OVERSIGHT)
    # A deactivated member is a visitor.
    assert can(Principal(role, is_active=False, organisation_id=3), Action.VIEW_PROPOSAL, own) is False


@dataclass
class Member(GroupMember):
    organisation: object = None


@dataclass
class StandardOf:
    level: str
    association: str = ""


@dataclass
class FeedbackOn:
    working_group_id: int | None
    standard: StandardOf


@dataclass
class ApplicationOf:
    organisation_id: int
    panel_user_ids: set


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_evaluation_and_adoption_follow_the_organisation_and_the_group(role):
    """Feedback is answered by the working group named on it, the association that issued a group
    standard, and the oversight; an evaluation (or its plan) is kept by the evaluating members of
    the organisation it names; an association applies for its own group standards; an application
    is read by the oversight, its applicant and its panel, and scored by its panel's evaluators."""
    group = Record(id=5, __audit_type__="working_group")
    own_society = Record(id=3, __audit_type__="organisation")
    own_society.name = "中国钢铁工业协会"
    member = Member(role, id=7, organisation_id=3, working_groups=(group,), organisation=own_society)
    oversight = role in OVERSIGHT
    ours, theirs = StandardOf("group", "中国钢铁工业协会"), StandardOf("group", "中国有色金属工业协会")
    national = StandardOf("national")
    # Feedback: by the working group named on the item, by the association on its group standard.
    assert can(member, Action.ANSWER_FEEDBACK, FeedbackOn(5, national)) is (oversight or role == DRAFTER)
    assert can(member, Action.ANSWER_FEEDBACK, FeedbackOn(6, national)) is oversight
    assert can(member, Action.ANSWER_FEEDBACK, FeedbackOn(None, ours)) is (oversight or role == ASSOCIATION)
    assert can(member, Action.ANSWER_FEEDBACK, FeedbackOn(None, theirs)) is oversight
    assert can(member, Action.ANSWER_FEEDBACK) is (oversight or role in (DRAFTER, ASSOCIATION))  # "answers at all"
    # Evaluations: the evaluating roles of the organisation named, never another's; not SAMR/MEE.
    evaluating = role in (SECRETARIAT, EVALUATOR, ASSOCIATION)
    assert can(member, Action.RECORD_EVALUATION, ProposalOf(3)) is evaluating
    assert can(member, Action.RECORD_EVALUATION, ProposalOf(4)) is False
    assert can(member, Action.RECORD_EVALUATION) is evaluating
    assert can(Principal(role), Action.RECORD_EVALUATION) is False  # without an organisation
    # Adoption: the association's own group standards and applications.
    assert can(member, Action.APPLY_FOR_ADOPTION) is (role == ASSOCIATION)
    assert can(member, Action.APPLY_FOR_ADOPTION, ours) is (role == ASSOCIATION)
    assert can(member, Action.APPLY_FOR_ADOPTION, theirs) is False
    assert can(member, Action.APPLY_FOR_ADOPTION, national) is False
    own_application, foreign = ApplicationOf(3, set()), ApplicationOf(4, {7})
    assert can(member, Action.APPLY_FOR_ADOPTION, own_application) is (role == ASSOCIATION)
    assert can(member, Action.APPLY_FOR_ADOPTION, foreign) is False
    assert can(member, Action.VIEW_ADOPTION, own_application) is (oversight or role == ASSOCIATION)
    assert can(member, Action.VIEW_ADOPTION, foreign) is (oversight or role == EVALUATOR)  # user 7 sits on its panel
    assert can(member, Action.SCORE_ADOPTION, foreign) is (role == EVALUATOR)
    assert can(member, Action.SCORE_ADOPTION, own_application) is False
    assert can(member, Action.SCORE_ADOPTION) is False


@dataclass
class OrganisationOf:
    id: int
    kind: str
    name: str = ""


@dataclass
class Owned:
    organisation_id: int | None


@dataclass
class DeclarationOf:
    organisation_id: int
    certification_body_id: int | None
    status: str
    verified_on: date | None = None


@dataclass
class TrialOf:
    rule: RuleOf
    enterprise: str


ENTERPRISE_KINDS = ["enterprise", "certification_body", "ministry"]


@pytest.mark.parametrize("kind", ENTERPRISE_KINDS)
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_the_exchange_follows_the_enterprise_and_the_certification_body(role, kind):
    """An enterprise's members (of any role: a drafter from industry too) share, manage partner
    clients and declare for their own enterprise, never another's; a certifier verifies what is
    submitted to their own body; a verified declaration is public, a draft is not."""
    group = Record(id=5, __audit_type__="working_group")
    organisation = OrganisationOf(3, kind, "华北 水泥 有限公司")
    member = Member(role, id=7, organisation_id=3, working_groups=(group,), organisation=organisation)
    signed_in, oversight = role is not None, role in OVERSIGHT
    in_enterprise = signed_in and kind == "enterprise"
    # A certifier acts for the certification body it belongs to: the body's id must match and its
    # organisation must be a certification body.
    certifier = role == Role.CERTIFIER and kind == "certification_body"
    for action in (Action.SHARE_FOOTPRINT, Action.MANAGE_PACT_CLIENTS, Action.DECLARE):
        assert can(member, action) is in_enterprise, action
        assert can(member, action, Owned(3)) is in_enterprise, action  # own enterprise
        assert can(member, action, Owned(4)) is False, action  # another enterprise: not even SAMR/MEE
        assert can(member, action, Owned(None)) is False, action
    # Declarations: a draft or submission is read by its enterprise, the body named and the oversight.
    for status in ("draft", "submitted", "rejected"):
        own_to_other_body = DeclarationOf(3, 9, status)
        foreign_to_us = DeclarationOf(4, 3, status)  # another enterprise's, submitted to body 3
        foreign = DeclarationOf(4, 9, status)
        assert can(member, Action.VIEW_DECLARATION, own_to_other_body) is (oversight or in_enterprise)
        assert can(member, Action.VIEW_DECLARATION, foreign_to_us) is (oversight or certifier)
        assert can(member, Action.VIEW_DECLARATION, foreign) is oversight
    for status in ("verified", "suspended", "withdrawn"):  # public once verified, and stays readable
        assert can(member, Action.VIEW_DECLARATION, DeclarationOf(4, 9, status, date(2025, 3, 1))) is True
        assert can(None, Action.VIEW_DECLARATION, DeclarationOf(4, 9, status, date(2025, 3, 1))) is True
    # Withdrawn before it was ever verified: private still.
    assert can(member, Action.VIEW_DECLARATION, DeclarationOf(4, 9, "withdrawn")) is oversight
    assert can(member, Action.VIEW_DECLARATION, DeclarationOf(3, None, "withdrawn")) is (oversight or in_enterprise)
    assert can(member, Action.VIEW_DECLARATION) is (oversight or in_enterprise or certifier)
    # Verifying: the certifiers of the body the declaration names, nobody else (not SAMR/MEE).
    assert can(member, Action.VERIFY_DECLARATION, DeclarationOf(4, 3, "submitted")) is certifier
    assert can(member, Action.VERIFY_DECLARATION, DeclarationOf(4, 9, "submitted")) is False
    assert can(member, Action.VERIFY_DECLARATION, DeclarationOf(3, None, "draft")) is False
    assert can(member, Action.VERIFY_DECLARATION) is certifier
    # Exporting a trial's footprint: its drafting group, and the enterprise whose data it is (its
    # name compared without spaces and case).
    drafting = oversight or role == DRAFTER
    assert can(member, Action.EXPORT_FOOTPRINT, TrialOf(RuleOf(5), "其他企业")) is drafting
    assert can(member, Action.EXPORT_FOOTPRINT, TrialOf(RuleOf(6), "华北水泥有限公司")) is (oversight or in_enterprise)
    assert can(member, Action.EXPORT_FOOTPRINT, TrialOf(RuleOf(6), "其他企业")) is oversight
    assert can(member, Action.EXPORT_FOOTPRINT) is (drafting or in_enterprise)
    # Reference values: the rule's drafting group and the oversight; terms: the oversight.
    assert can(member, Action.RECORD_REFERENCE_VALUE, RuleOf(5)) is drafting
    assert can(member, Action.RECORD_REFERENCE_VALUE, RuleOf(6)) is oversight
    assert can(member, Action.SET_DECLARATION_TERMS, RuleOf(6)) is oversight
    assert can(member, Action.IMPORT_FOOTPRINT) is drafting
    # A deactivated member of the enterprise is a visitor.
    assert can(Member(role, is_active=False, organisation_id=3, organisation=organisation), Action.DECLARE) is False


@pytest.mark.parametrize("action", list(Action), ids=lambda action: action.value)
def test_a_deactivated_account_has_no_more_rights_than_a_visitor(action):
    assert can(Principal(ADMIN, is_active=False), action) is (None in EXPECTED_ACTIONS[action])


# --- state-changing routes ---------------------------------------------------------------------


@dataclass
class Case:
    """How to exercise one route, who may, and what must not move when someone may not."""

    allowed: set
    send: Callable  # (client, ids) -> response
    state: Callable = lambda session, ids: None  # (session, ids) -> comparable snapshot
    prepare: Callable = lambda session, ids: None  # (session, ids) -> None, extra records
    changes_state: bool = True
    audited: bool = True  # sign-ins are listed on the account page, not in the audit trail
    json_api: bool = False
    bearer: bool = False  # authenticated by OAuth client credentials or a bearer token, never by a session


def _prepare_token(session, ids):
    owner = session.get(User, ids[ids["acting"] or DRAFTER])
    token, _ = service.create_api_token(session, owner, name="脚本")
    ids["token"] = token.id


def _prepare_sign_in(session, ids):
    """A sign-in of the acting account's own, from another browser."""
    owner = session.get(User, ids[ids["acting"] or DRAFTER])
    ids["sign_in"] = service.start_sign_in(session, owner, address="192.0.2.1", user_agent="", remember=False).id


def _archive_organisation(session, ids):
    session.get(Organisation, ids["organisation"]).archived_at = utcnow()


def _archive_group(session, ids):
    session.get(WorkingGroup, ids["working_group"]).archived_at = utcnow()


def _group_state(session, ids):
    group = session.get(WorkingGroup, ids["working_group"])
    return group.code, group.name, group.archived_at, [member.username for member in group.members]


def _organisation_state(session, ids):
    organisation = session.get(Organisation, ids["organisation"])
    return organisation.name, organisation.kind, organisation.archived_at


def _prepare_registry(session, ids):
    """A product with a group standard of the association's own organisation (which it may keep),
    one of another society (which it may not) and a national one (which it may not)."""
    product = registry.create_product(
        session, registry.ProductInput(name="测试产品", side="production", end_use="intermediate"), by=ACTING_ADMIN
    )
    organisation = session.get(Organisation, ids["organisation"]).name  # every test account's
    group, _ = registry.create_standard(
        session,
        registry.StandardInput(
            level="group",
            numbers="T/TEST 1-2024",
            title="测试团体标准",
            status="published",
            product=product,
            association=organisation,
        ),
        by=ACTING_ADMIN,
    )
    other, _ = registry.create_standard(
        session,
        registry.StandardInput(
            level="group",
            numbers="T/CISA 469-2024",
            title="别家团体标准",
            status="published",
            association="中国钢铁工业协会",
        ),
        by=ACTING_ADMIN,
    )
    national, _ = registry.create_standard(
        session, registry.StandardInput(level="national", title="测试国家标准项目", status="planned"), by=ACTING_ADMIN
    )
    relation = registry.add_relation(
        session, group, "adopts_international", target_text="ISO 14067:2018", equivalence="MOD", by=ACTING_ADMIN
    )
    ids.update(product=product.id, standard=group.id, other=other.id, national=national.id, relation=relation.id)


def _prepare_archived(model, key):
    def prepare(session, ids):
        _prepare_registry(session, ids)
        session.get(model, ids[key]).archived_at = utcnow()

    return prepare


def _standard_state(session, ids):
    standard = session.get(Standard, ids["standard"])
    return standard.title, standard.status, standard.archived_at, len(standard.relations)


def _product_state(session, ids):
    product = session.get(Product, ids["product"])
    return product.name, product.aliases, product.archived_at


def _prepare_rule(session, ids, *, name_en="Cement"):
    """A rule of the test working group (whose drafter may edit it), at stage 20."""
    rule = make_rule(session, name_en=name_en, working_group=session.get(WorkingGroup, ids["working_group"]))
    ids.update(rule=rule.id, product=rule.product_id)
    return rule


def _prepare_rule_with_error(session, ids):
    _prepare_rule(session, ids, name_en="")  # no English title: the title_en_missing error


def _prepare_suppression(session, ids):
    rule = _prepare_rule(session, ids, name_en="")
    suppression = drafting.suppress(
        session, rule, code="title_en_missing", path="/title_en", reason="英文名称待定稿后补充", by=ACTING_ADMIN
    )
    ids["suppression"] = suppression.id


def _prepare_consultation(session, ids):
    rule = _prepare_rule(session, ids)
    workflow.move_stage(session, rule, "30", by=ACTING_SECRETARIAT, today=date.today())
    comment = drafting.add_comment(
        session,
        rule,
        drafting.CommentInput(name="王工", organisation="", clause="5", kind="technical", comment="建议补充。"),
        source="elsewhere",
        by=None,
        now=utcnow(),
    )
    ids["comment"] = comment.id


def _prepare_published_consultation(session, ids):
    """The consultation draft on the public portal (published with stand-in PDF and Word files)."""
    from flask import current_app

    from tests.portal_helpers import publish_without_layout

    _prepare_consultation(session, ids)
    publish_without_layout(session, current_app, session.get(Rule, ids["rule"]), by=ACTING_SECRETARIAT)


def _publication_state(session, ids):
    from workbench.publishing.models import Publication

    return session.scalar(select(func.count()).select_from(Publication).where(Publication.rule_id == ids["rule"]))


def _jobs_state(session, ids):
    from workbench.jobs.models import Job

    return session.scalar(select(func.count()).select_from(Job))


def _rule_state(session, ids):
    rule = session.get(Rule, ids["rule"])
    return rule.current_revision, rule.stage, rule.title


def _document(session, ids):
    rule = session.get(Rule, ids["rule"])
    return drafting.revision(session, rule).document


def _parameters(client, ids):
    with client.application.app_context():
        data = form_data(_document(db.session, ids), **{"/parameters/data_period": "最近连续 12 个月（改）"})
    return client.post_form(f"/drafting/{ids['rule']}/parameters", {**data, "based_on": "1", "message": "改数据期"})


def _whole_document(client, ids):
    with client.application.app_context():
        document = _document(db.session, ids)
    document["parameters"]["data_period"] = "最近 24 个月"
    return client.post_form(
        f"/drafting/{ids['rule']}/document", {"based_on": "1", "document": json.dumps(document, ensure_ascii=False)}
    )


STANDARDS_CSV = (
    "level,number,title,issuer,committee,published,implemented,status,replaces,note\n"
    "national,GB/T 44905-2024,温室气体 产品碳足迹量化方法与要求 电解铝,国家市场监督管理总局,SAC/TC548,2024-10-26,2025-05-01,published,,\n"
)


def _upload(client):
    import io

    return client.post_form(
        "/standards/import",
        {"file": (io.BytesIO(STANDARDS_CSV.encode()), "standards.csv")},
        content_type="multipart/form-data",
    )


def _count(model):
    return lambda session, ids: session.scalar(select(func.count()).select_from(model))


CASES: dict[tuple[str, str], Case] = {
    ("site.set_language", "POST"): Case(
        EVERYONE, lambda c, ids: c.post_form("/language", {"locale": "en", "next": "/"}), changes_state=False
    ),
    ("auth.login", "POST"): Case(
        EVERYONE,
        lambda c, ids: c.post_form("/login", {"username": "drafter", "password": PASSWORD}),
        changes_state=False,
    ),
    ("auth.logout", "POST"): Case(EVERYONE, lambda c, ids: c.post_form("/logout"), changes_state=False),
    ("auth.change_password", "POST"): Case(
        SIGNED_IN,
        lambda c, ids: c.post_form(
            "/account/password",
            {"current_password": PASSWORD, "new_password": "another long password", "confirm": "another long password"},
        ),
        state=lambda s, ids: sorted(user.password_hash for user in s.scalars(select(User))),
    ),
    ("auth.create_token", "POST"): Case(
        SIGNED_IN, lambda c, ids: c.post_form("/account/tokens", {"name": "同步脚本"}), state=_count(ApiToken)
    ),
    ("auth.revoke_token", "POST"): Case(
        SIGNED_IN,
        lambda c, ids: c.post_form(f"/account/tokens/{ids['token']}/revoke"),
        state=lambda s, ids: s.get(ApiToken, ids["token"]).revoked_at,
        prepare=_prepare_token,
    ),
    ("auth.end_sign_in", "POST"): Case(
        SIGNED_IN,
        lambda c, ids: c.post_form(f"/account/sign-ins/{ids['sign_in']}/end"),
        state=lambda s, ids: s.get(SignIn, ids["sign_in"]).ended_at,
        prepare=_prepare_sign_in,
        audited=False,
    ),
    ("auth.sign_out_everywhere", "POST"): Case(
        SIGNED_IN,
        lambda c, ids: c.post_form("/account/sign-ins/end-others"),
        state=lambda s, ids: s.get(SignIn, ids["sign_in"]).ended_at,  # the other browser's
        prepare=_prepare_sign_in,
        audited=False,
    ),
    ("directory.new_user", "POST"): Case(
        {ADMIN},
        lambda c, ids: c.post_form(
            "/users/new",
            {
                "username": "newcomer",
                "display_name": "新用户",
                "role": "drafter",
                "organisation": "0",
                "password": "a long enough password",
            },
        ),
        state=_count(User),
    ),
    ("directory.edit_user", "POST"): Case(
        {ADMIN},
        lambda c, ids: c.post_form(
            f"/users/{ids[EVALUATOR]}/edit",
            {"display_name": "改过的名字", "role": "evaluator", "organisation": "0", "active": "y"},
        ),
        state=lambda s, ids: s.get(User, ids[EVALUATOR]).display_name,
    ),
    ("directory.new_organisation", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form("/organisations/new", {"name": "新协会", "kind": "association"}),
        state=_count(Organisation),
    ),
    ("directory.edit_organisation", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(
            f"/organisations/{ids['organisation']}/edit", {"name": "改名部委", "kind": "ministry"}
        ),
        state=_organisation_state,
    ),
    ("directory.archive_organisation", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/organisations/{ids['organisation']}/archive"),
        state=_organisation_state,
    ),
    ("directory.restore_organisation", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/organisations/{ids['organisation']}/restore"),
        state=_organisation_state,
        prepare=_archive_organisation,
    ),
    ("directory.new_working_group", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form("/working-groups/new", {"code": "WG-NEW", "name": "新起草组"}),
        state=_count(WorkingGroup),
    ),
    ("directory.edit_working_group", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(
            f"/working-groups/{ids['working_group']}/edit",
            {"code": "WG-TEST", "name": "测试起草组", "members": [str(ids[DRAFTER]), str(ids[EVALUATOR])]},
        ),
        state=_group_state,
    ),
    ("directory.archive_working_group", "POST"): Case(
        OVERSIGHT, lambda c, ids: c.post_form(f"/working-groups/{ids['working_group']}/archive"), state=_group_state
    ),
    ("directory.restore_working_group", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/working-groups/{ids['working_group']}/restore"),
        state=_group_state,
        prepare=_archive_group,
    ),
    ("api.create_working_group", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.api("POST", "/api/v1/working-groups", {"code": "WG-API", "name": "接口起草组"}),
        state=_count(WorkingGroup),
        json_api=True,
    ),
    ("api.update_working_group", "PATCH"): Case(
        OVERSIGHT,
        lambda c, ids: c.api("PATCH", f"/api/v1/working-groups/{ids['working_group']}", {"name": "接口改名"}),
        state=_group_state,
        json_api=True,
    ),
    ("registry.new_standard", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(
            "/standards/new",
            {
                "level": "group",
                "numbers": "T/TEST 2-2025",
                "title": "新团体标准",
                "product": "0",
                "status": "published",
                "nature": "recommended",
            },
        ),
        state=_count(Standard),
        prepare=_prepare_registry,
    ),
    ("registry.edit_standard", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(
            f"/standards/{ids['standard']}/edit",
            {
                "level": "group",
                "numbers": "T/TEST 1-2024",
                "title": "改名团体标准",
                "product": str(ids["product"]),
                "status": "published",
                "nature": "recommended",
            },
        ),
        state=_standard_state,
        prepare=_prepare_registry,
    ),
    ("registry.add_relation", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(
            f"/standards/{ids['standard']}/relations", {"kind": "cites", "target": "ISO 14044:2006"}
        ),
        state=_standard_state,
        prepare=_prepare_registry,
    ),
    ("registry.remove_relation", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(f"/standards/{ids['standard']}/relations/{ids['relation']}/delete"),
        state=_count(StandardRelation),
        prepare=_prepare_registry,
    ),
    ("registry.archive_standard", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(f"/standards/{ids['standard']}/archive"),
        state=_standard_state,
        prepare=_prepare_registry,
    ),
    ("registry.restore_standard", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.post_form(f"/standards/{ids['standard']}/restore"),
        state=_standard_state,
        prepare=_prepare_archived(Standard, "standard"),
    ),
    ("registry.import_standards", "POST"): Case(OVERSIGHT, lambda c, ids: _upload(c), state=_count(Standard)),
    ("registry.new_product", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(
            "/products/new", {"name": "新产品", "parent": "0", "side": "production", "end_use": "final"}
        ),
        state=_count(Product),
    ),
    ("registry.edit_product", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(
            f"/products/{ids['product']}/edit",
            {"name": "测试产品", "aliases": "试验品", "parent": "0", "side": "production", "end_use": "intermediate"},
        ),
        state=_product_state,
        prepare=_prepare_registry,
    ),
    ("registry.archive_product", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/products/{ids['product']}/archive"),
        state=_product_state,
        prepare=_prepare_registry,
    ),
    ("registry.restore_product", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/products/{ids['product']}/restore"),
        state=_product_state,
        prepare=_prepare_archived(Product, "product"),
    ),
    ("api.create_standard", "POST"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.api(
            "POST", "/api/v1/standards", {"level": "group", "title": "接口团体标准项目", "status": "planned"}
        ),
        state=_count(Standard),
        json_api=True,
    ),
    ("api.update_standard", "PATCH"): Case(
        OVERSIGHT | {ASSOCIATION},
        lambda c, ids: c.api("PATCH", f"/api/v1/standards/{ids['standard']}", {"title": "接口改名"}),
        state=_standard_state,
        prepare=_prepare_registry,
        json_api=True,
    ),
    ("drafting.new_rule", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.post_form(
            "/drafting/new", {"product": str(ids["product"]), "working_group": str(ids["working_group"])}
        ),
        state=_count(Rule),
        prepare=lambda s, ids: ids.update(
            product=registry.create_product(
                s, registry.ProductInput(name="玻璃", side="production", end_use="intermediate"), by=ACTING_ADMIN
            ).id
        ),
    ),
    ("drafting.parameters", "POST"): Case(OVERSIGHT | {DRAFTER}, _parameters, state=_rule_state, prepare=_prepare_rule),
    ("drafting.clause", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.post_form(
            f"/drafting/{ids['rule']}/clauses/scope",
            {"based_on": "1", "title": "范围", "text": "本文件规定了水泥产品碳足迹的量化方法与要求。", "save": "1"},
        ),
        state=_rule_state,
        prepare=_prepare_rule,
    ),
    ("drafting.document", "POST"): Case(
        OVERSIGHT | {DRAFTER}, _whole_document, state=_rule_state, prepare=_prepare_rule
    ),
    # The live check of an unsaved clause: an editor's request that writes nothing (not even an
    # audit event), answered in JSON like the API (a visitor gets 401, not the sign-in page).
    ("drafting.check", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.api(
            "POST",
            f"/drafting/{ids['rule']}/check",
            {"clause_id": "scope", "title": "范围", "text": "本文件规定了水泥产品碳足迹的量化方法与要求。"},
        ),
        state=_rule_state,
        prepare=_prepare_rule,
        changes_state=False,
        json_api=True,
    ),
    ("drafting.suppress", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.post_form(
            f"/drafting/{ids['rule']}/suppressions",
            {"code": "title_en_missing", "path": "/title_en", "reason": "英文名称待定稿后补充"},
        ),
        state=_count(FindingSuppression),
        prepare=_prepare_rule_with_error,
    ),
    ("drafting.unsuppress", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/suppressions/{ids['suppression']}/delete"),
        state=_count(FindingSuppression),
        prepare=_prepare_suppression,
    ),
    ("workflow.move_stage", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/stage", {"target": "30", "note": "公开征求意见"}),
        state=_rule_state,
        prepare=_prepare_rule,
    ),
    ("workflow.publish", "POST"): Case(
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/publish", {"note": "公开征求意见"}),
        state=_publication_state,
        prepare=_prepare_consultation,
    ),
    # Anyone who reads drafts may have a revision's PDF laid out (within a per-account limit,
    # tests/test_jobs.py); the job is not audited, so only "nothing for the refused" is checked here.
    ("publishing.render_revision_file", "POST"): Case(
        SIGNED_IN,
        lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/revisions/1/rule.pdf/render"),
        state=_jobs_state,
        prepare=_prepare_rule,
        changes_state=False,
    ),
    ("drafting.add_comment", "POST"): Case(
        EVERYONE,
        lambda c, ids: c.post_form(
            f"/drafting/{ids['rule']}/comments",
            {"name": "公众", "kind": "general", "comment": "建议增加算例。", "clause": "附录B"},
        ),
        state=_count(ConsultationComment),
        prepare=_prepare_consultation,
    ),
    # The same comment sent from the draft's page on the public portal.
    ("portal.add_comment", "POST"): Case(
        EVERYONE,
        lambda c, ids: c.post_form(
            "/published/cement/comments",
            {"name": "公众", "kind": "general", "comment": "建议增加算例。", "clause": "附录B", "revision": "1"},
        ),
        state=_count(ConsultationComment),
        prepare=_prepare_published_consultation,
    ),
    ("drafting.dispose", "POST"): Case(
        OVERSIGHT | {DRAFTER},
        lambda c, ids: c.post_form(
            f"/drafting/{ids['rule']}/comments/{ids['comment']}/disposition",
            {"disposition": "not_accepted", "reason": "不属于本文件范围。"},
        ),
        state=lambda s, ids: s.get(ConsultationComment, ids["comment"]).disposition,
        prepare=_prepare_consultation,
    ),
}


# (factor library cases are added below the dictionary)
def _refused_edits(key: str, form: dict) -> dict:
    """Every way to change the standard `ids[key]`: its form, the API, a relation, archiving."""
    return {
        "form": lambda c, ids: c.post_form(f"/standards/{ids[key]}/edit", form),
        "api": lambda c, ids: c.api("PATCH", f"/api/v1/standards/{ids[key]}", {"title": "接口改名"}),
        "relation": lambda c, ids: c.post_form(
            f"/standards/{ids[key]}/relations", {"kind": "cites", "target": "ISO 14044:2006"}
        ),
        "archive": lambda c, ids: c.post_form(f"/standards/{ids[key]}/archive"),
    }


# Associations keep group standards only: the national one is refused to them like to a drafter …
NATIONAL_CASES = _refused_edits(
    "national",
    {"level": "national", "title": "改名国家标准项目", "product": "0", "status": "planned", "nature": "recommended"},
)
# … and so is another society's group standard (T/CISA 469—2024 is the steel association's).
OTHER_SOCIETY_CASES = _refused_edits(
    "other",
    {
        "level": "group",
        "numbers": "T/CISA 469-2024",
        "title": "改名别家团体标准",
        "product": "0",
        "status": "published",
        "nature": "recommended",
        "association": "中国钢铁工业协会",
    },
)
UNTOUCHABLE = {"national": ("测试国家标准项目", NATIONAL_CASES), "other": ("别家团体标准", OTHER_SOCIETY_CASES)}


@pytest.mark.parametrize(
    ("key", "how"),
    [(key, how) for key, (_title, cases) in UNTOUCHABLE.items() for how in cases],
    ids=lambda value: value,
)
def test_an_association_cannot_touch_a_national_or_another_societys_standard(app, people, login, key, how):
    title, cases = UNTOUCHABLE[key]
    ids = dict(people)
    with app.app_context():
        _prepare_registry(db.session, ids)
        db.session.commit()
        events = _audit_count(db.session)
    response = cases[how](login(ASSOCIATION), ids)
    assert response.status_code == 403
    with app.app_context():
        standard = db.session.get(Standard, ids[key])
        assert (standard.title, standard.archived_at, standard.relations) == (title, None, [])
        assert _audit_count(db.session) == events


def test_an_association_cannot_register_a_national_standard(app, people, login):
    client = login(ASSOCIATION)
    form = {
        "level": "national",
        "title": "协会想立的国家标准",
        "product": "0",
        "status": "planned",
        "nature": "recommended",
    }
    assert client.post_form("/standards/new", form).status_code == 422
    assert (
        client.api("POST", "/api/v1/standards", {"level": "national", "title": "接口", "status": "planned"}).status_code
        == 403
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Standard)) == 0


FACTOR_FORM = {
    "code": "TEST-1",
    "name": "测试电力因子",
    "value": "0.5",
    "unit": "kgCO2e/kWh",
    "kind": "cfp_life_cycle",
    "tier": "government",
    "source": "测试公告",
}


def _prepare_factor(session, ids):
    factor = factor_service.create_factor(session, factor_service.FactorInput(**FACTOR_FORM), by=ACTING_ADMIN)
    ids["factor"] = factor.id


def _factor_state(session, ids):
    factor = session.get(Factor, ids["factor"])
    return factor.value, factor.version


CASES.update(
    {
        ("factors.new_factor", "POST"): Case(
            OVERSIGHT, lambda c, ids: c.post_form("/factors/new", FACTOR_FORM), state=_count(Factor)
        ),
        ("factors.edit_factor", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(f"/factors/{ids['factor']}/edit", {**FACTOR_FORM, "value": "0.6"}),
            state=_factor_state,
            prepare=_prepare_factor,
        ),
        ("factors.import_factors", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                "/factors/import",
                {
                    "file": (
                        io.BytesIO(
                            (
                                "code,name,value,unit,kind,tier,source\nX-1,柴油,3.1,kgCO2/kg,co2_combustion_only,government,默认值\n"
                            ).encode()
                        ),
                        "f.csv",
                    )
                },
                content_type="multipart/form-data",
            ),
            state=_count(Factor),
        ),
    }
)


# The API of the factor library and the trials: trials of the test working group's rule.
def _prepare_trial(session, ids):
    rule = _prepare_rule(session, ids)
    ids["trial"] = make_trial(session, rule).id


def _prepare_archived_trial(session, ids):
    _prepare_trial(session, ids)
    session.get(Trial, ids["trial"]).archived_at = utcnow()


def _trial_state(session, ids):
    trial = session.get(Trial, ids["trial"])
    return trial.version, trial.archived_at, trial.dataset["lines"][0]["amount"]


CASES.update(
    {
        ("api.create_factor", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api("POST", "/api/v1/factors", {**FACTOR_FORM, "value": 0.5}),
            state=_count(Factor),
            json_api=True,
        ),
        ("api.update_factor", "PATCH"): Case(
            OVERSIGHT,
            lambda c, ids: c.api("PATCH", f"/api/v1/factors/{ids['factor']}", {"value": 0.6}),
            state=_factor_state,
            prepare=_prepare_factor,
            json_api=True,
        ),
        ("api.create_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.api("POST", f"/api/v1/rules/{ids['rule']}/trials", {"dataset": cement_dataset()}),
            state=_count(Trial),
            prepare=_prepare_rule,
            json_api=True,
        ),
        ("api.replace_dataset", "PUT"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.api(
                "PUT", f"/api/v1/trials/{ids['trial']}/dataset", {"dataset": cement_dataset(scale=2.0)}
            ),
            state=_trial_state,
            prepare=_prepare_trial,
            json_api=True,
        ),
        # A calculation is a record of its own, never changed, not an audited change of the trial.
        ("api.calculate_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.api("POST", f"/api/v1/trials/{ids['trial']}/calculations", {"iterations": 10, "seed": 1}),
            state=_count(Calculation),
            prepare=_prepare_trial,
            changes_state=False,
            json_api=True,
        ),
        ("api.archive_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.api("POST", f"/api/v1/trials/{ids['trial']}/archive", {"reason": "数据有误"}),
            state=_trial_state,
            prepare=_prepare_trial,
            json_api=True,
        ),
        ("api.restore_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.api("POST", f"/api/v1/trials/{ids['trial']}/restore", {}),
            state=_trial_state,
            prepare=_prepare_archived_trial,
            json_api=True,
        ),
    }
)


def _dataset_upload(ids):
    content = json.dumps(cement_dataset("上传的企业"), ensure_ascii=False).encode()
    return {"file": (io.BytesIO(content), "data.json")}


def _table(enterprise: str, amount: str = "1300") -> dict:
    return {
        "enterprise": enterprise,
        "quantity": "1000",
        "unit": "t",
        "rows": "1",
        "line-0-stage": "production",
        "line-0-category": "process_emissions",
        "line-0-item": "碳酸盐分解",
        "line-0-amount": amount,
        "line-0-unit": "t",
        "line-0-data_type": "primary",
        "line-0-source": "实测",
        "line-0-factor_value": "1000",
        "line-0-factor_unit": "kgCO2/t",
        "line-0-factor_tier": "measured_verified",
        "line-0-factor_source": "实测",
    }


def _prepare_earlier_trials(session, ids):
    """A trial on revision 1, then a new revision: there is something to carry forward."""
    _prepare_trial(session, ids)
    rule = session.get(Rule, ids["rule"])
    document = json.loads(json.dumps(drafting.revision(session, rule).document))
    document["parameters"]["data_period"] = "最近连续 12 个月（改）"  # an unchanged document writes no revision
    drafting.save_revision(session, rule, document, message="改", based_on=rule.current_revision, by=ACTING_ADMIN)


# The trial pages: the same rules as the API (the working group's drafters and the oversight roles).
CASES.update(
    {
        ("trials.new_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/trials/new", _table("表格填报的企业")),
            state=_count(Trial),
            prepare=_prepare_rule,
        ),
        ("trials.upload_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(
                f"/drafting/{ids['rule']}/trials/upload", _dataset_upload(ids), content_type="multipart/form-data"
            ),
            state=_count(Trial),
            prepare=_prepare_rule,
        ),
        ("trials.edit_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(f"/trials/{ids['trial']}/edit", _table("华北水泥有限公司", "2600")),
            state=lambda s, ids: s.get(Trial, ids["trial"]).version,
            prepare=_prepare_trial,
        ),
        ("trials.edit_json", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(
                f"/trials/{ids['trial']}/json", {"dataset": json.dumps(cement_dataset(scale=2.0), ensure_ascii=False)}
            ),
            state=_trial_state,
            prepare=_prepare_trial,
        ),
        ("trials.calculate", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(
                f"/trials/{ids['trial']}/calculate",
                {"electricity": "rule", "allocation": "rule", "iterations": "10", "seed": "1"},
            ),
            state=_count(Calculation),
            prepare=_prepare_trial,
            changes_state=False,
        ),
        ("trials.archive_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(f"/trials/{ids['trial']}/archive", {"reason": "数据有误"}),
            state=_trial_state,
            prepare=_prepare_trial,
        ),
        ("trials.restore_trial", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(f"/trials/{ids['trial']}/restore"),
            state=_trial_state,
            prepare=_prepare_archived_trial,
        ),
        ("trials.carry_forward", "POST"): Case(
            OVERSIGHT | {DRAFTER},
            lambda c, ids: c.post_form(f"/drafting/{ids['rule']}/trials/carry-forward"),
            state=_count(Trial),
            prepare=_prepare_earlier_trials,
        ),
    }
)

FIGURE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'

# A figure uploaded into the rule document: a new revision, by whoever may edit the rule.
CASES[("drafting.upload_figure", "POST")] = Case(
    OVERSIGHT | {DRAFTER},
    lambda c, ids: c.post_form(
        f"/drafting/{ids['rule']}/figures",
        {"based_on": "1", "figure_id": "system-boundary", "image": (io.BytesIO(FIGURE_SVG), "boundary.svg")},
        content_type="multipart/form-data",
    ),
    state=_rule_state,
    prepare=_prepare_rule,
)

# --- the catalogue: list batches and calls for proposals (SAMR/MEE only, 指引（七）、（十）) ----------


def _prepare_list_products(session, ids):
    """Two products of the catalogue: one for a batch to hold, one to add."""
    for key, name in (("product", "电石"), ("other_product", "纯碱")):
        ids[key] = registry.create_product(
            session, registry.ProductInput(name=name, side="production", end_use="intermediate"), by=ACTING_ADMIN
        ).id


def _prepare_batch(session, ids):
    """A draft batch of the priority list naming the first product."""
    _prepare_list_products(session, ids)
    batch = lists.create_batch(session, lists.BatchInput(kind="priority", title="测试清单"), by=ACTING_ADMIN)
    item = lists.add_item(
        session,
        batch,
        lists.ItemInput(product=session.get(Product, ids["product"]), category="raw_material"),
        by=ACTING_ADMIN,
    )
    ids.update(batch=batch.id, item=item.id)


def _batch_state(session, ids):
    batch = session.get(ListBatch, ids["batch"])
    return batch.title, batch.status, batch.published_at, len(batch.items)


def _item_state(session, ids):
    item = session.get(ListItem, ids["item"])
    return (item.category, item.lead_ministry) if item is not None else None


def _call_day(offset: int) -> str:
    return (_today() + timedelta(days=offset)).isoformat()


def _prepare_future_call(session, ids):
    """A call that opens tomorrow: everything of it may still change."""
    ids["call"] = lists.create_call(
        session,
        lists.CallInput(
            title="测试征集",
            opens_on=_today() + timedelta(days=1),
            closes_on=_today() + timedelta(days=30),
            months_to_approval=12,
            levels=["national"],
        ),
        by=ACTING_ADMIN,
        today=_today(),
    ).id


def _prepare_open_call(session, ids):
    ids["call"] = lists.create_call(
        session,
        lists.CallInput(
            title="测试征集",
            opens_on=_today(),
            closes_on=_today() + timedelta(days=30),
            months_to_approval=12,
            levels=["national"],
        ),
        by=ACTING_ADMIN,
        today=_today(),
    ).id


def _call_state(session, ids):
    call = session.get(Call, ids["call"])
    return call.title, call.description, call.closed_at


def _call_form(**changes) -> dict:
    return {
        "title": "重点产品碳足迹标准立项建议征集",
        "description": "面向清单产品。",
        "opens_on": _call_day(0),
        "closes_on": _call_day(30),
        "levels": ["national", "group"],
        "months_to_approval": "12",
        **changes,
    }


CASES.update(
    {
        ("catalogue.new_batch", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                "/catalogue/batches/new", {"kind": "priority", "title": "第二批重点产品清单", "corrects": "0"}
            ),
            state=_count(ListBatch),
        ),
        ("catalogue.edit_batch", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/catalogue/batches/{ids['batch']}/edit", {"kind": "priority", "title": "改名清单", "corrects": "0"}
            ),
            state=_batch_state,
            prepare=_prepare_batch,
        ),
        ("catalogue.add_item", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/catalogue/batches/{ids['batch']}/items",
                {"product": str(ids["other_product"]), "category": "raw_material", "side": "", "level": "national"},
            ),
            state=_count(ListItem),
            prepare=_prepare_batch,
        ),
        ("catalogue.edit_item", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/catalogue/batches/{ids['batch']}/items/{ids['item']}/edit",
                {
                    "product": str(ids["product"]),
                    "category": "basic_energy",
                    "side": "",
                    "level": "national",
                    "lead_ministry": "工业和信息化部",
                },
            ),
            state=_item_state,
            prepare=_prepare_batch,
        ),
        ("catalogue.remove_item", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/catalogue/batches/{ids['batch']}/items/{ids['item']}/delete"),
            state=_item_state,
            prepare=_prepare_batch,
        ),
        ("catalogue.publish", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/catalogue/batches/{ids['batch']}/publish", {"confirm": "y"}),
            state=_batch_state,
            prepare=_prepare_batch,
        ),
        ("catalogue.new_call", "POST"): Case(
            {ADMIN}, lambda c, ids: c.post_form("/catalogue/calls/new", _call_form()), state=_count(Call)
        ),
        ("catalogue.edit_call", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/catalogue/calls/{ids['call']}/edit", _call_form(opens_on=_call_day(1), title="改名征集")
            ),
            state=_call_state,
            prepare=_prepare_future_call,
        ),
        ("catalogue.close_call", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/catalogue/calls/{ids['call']}/close"),
            state=_call_state,
            prepare=_prepare_open_call,
        ),
        ("api.create_list_batch", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api("POST", "/api/v1/lists/batches", {"kind": "priority", "title": "接口清单"}),
            state=_count(ListBatch),
            json_api=True,
        ),
        ("api.add_list_item", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api(
                "POST",
                f"/api/v1/lists/batches/{ids['batch']}/items",
                {"product_id": ids["other_product"], "category": "raw_material"},
            ),
            state=_count(ListItem),
            prepare=_prepare_batch,
            json_api=True,
        ),
        ("api.publish_list_batch", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api("POST", f"/api/v1/lists/batches/{ids['batch']}/publish", {}),
            state=_batch_state,
            prepare=_prepare_batch,
            json_api=True,
        ),
        ("api.create_call", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api(
                "POST",
                "/api/v1/calls",
                {
                    "title": "接口征集",
                    "opens_on": _call_day(0),
                    "closes_on": _call_day(30),
                    "levels": ["national"],
                    "months_to_approval": 12,
                },
            ),
            state=_count(Call),
            json_api=True,
        ),
    }
)


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_a_draft_batch_is_seen_by_samr_and_mee_only(app, people, login, role):
    """A draft is nobody else's business: 404, as if it did not exist, on the page and the API."""
    ids = dict(people)
    with app.app_context():
        _prepare_batch(db.session, ids)
        db.session.commit()
    client = login(role)
    for url in (f"/catalogue/batches/{ids['batch']}", f"/api/v1/lists/batches/{ids['batch']}"):
        assert client.get(url).status_code == (200 if role == ADMIN else 404), url
    listed = {batch["id"] for batch in client.get("/api/v1/lists/batches?drafts=true").json}
    assert (ids["batch"] in listed) is (role == ADMIN)


# --- the catalogue: project proposals ------------------------------------------------------------
# Every account of the `people` fixture belongs to the one ministry organisation, so each of them
# proposes and follows that organisation's proposals; only administrators (SAMR/MEE) decide.

PROPOSAL_FORM = {
    "level": "national",
    "title": "",
    "scope": "范围",
    "urgency": "急用",
    "technical_content": "内容",
    "trial_enterprises": "3",
    "working_group_id": "0",
}


def _prepare_call(session, ids):
    day = _today()
    product = registry.create_product(
        session, registry.ProductInput(name="电石", side="production", end_use="intermediate"), by=ACTING_ADMIN
    )
    product.priority_category = "raw_material"  # as publishing a priority batch naming it sets it
    call = Call(
        title="征集",
        opens_on=day - timedelta(days=1),
        closes_on=day + timedelta(days=30),
        levels=["national", "group"],
        months_to_approval=18,
    )
    session.add(call)
    session.flush()
    ids["call"], ids["product"] = call.id, product.id


def _prepare_proposal(session, ids, status=ProposalStatus.SUBMITTED, organisation=None):
    _prepare_call(session, ids)
    proposal = Proposal(
        call_id=ids["call"],
        organisation_id=organisation or ids["organisation"],
        product_id=ids["product"],
        level="national",
        title="温室气体 产品碳足迹量化方法与要求 电石",
        scope="范围",
        urgency="急用",
        technical_content="内容",
        trial_enterprises=3,
        status=status,
        findings=[],
        submitted_at=utcnow(),
    )
    session.add(proposal)
    session.flush()
    ids["proposal"] = proposal.id


def _prepare_returned(session, ids):
    _prepare_proposal(session, ids, ProposalStatus.RETURNED)


def _proposal_state(session, ids):
    proposal = session.get(Proposal, ids["proposal"])
    return proposal.status, proposal.trial_enterprises, proposal.plan_number, len(proposal.comments)


def _new_proposal(c, ids):
    return c.post_form(f"/proposals/new?call={ids['call']}", {**PROPOSAL_FORM, "product_id": str(ids["product"])})


def _resubmit(c, ids):
    return c.post_form(
        f"/proposals/{ids['proposal']}/resubmit",
        {**PROPOSAL_FORM, "product_id": str(ids["product"]), "trial_enterprises": "5"},
    )


def _api_resubmit(c, ids):
    body = {"product_id": ids["product"], "level": "national", "scope": "范围", "urgency": "急用"}
    return c.api(
        "POST",
        f"/api/v1/proposals/{ids['proposal']}/resubmit",
        {**body, "technical_content": "内容", "trial_enterprises": 5},
    )


def _api_withdraw(c, ids):
    return c.api("POST", f"/api/v1/proposals/{ids['proposal']}/withdraw", {})


CASES.update(
    {
        ("proposals.new", "POST"): Case(SIGNED_IN, _new_proposal, state=_count(Proposal), prepare=_prepare_call),
        ("proposals.comment", "POST"): Case(
            MINISTRY_MEMBERS,
            lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/comment", {"text": "意见"}),
            state=_count(ProposalComment),
            prepare=_prepare_proposal,
        ),
        ("proposals.resubmit", "POST"): Case(
            MINISTRY_MEMBERS, _resubmit, state=_proposal_state, prepare=_prepare_returned
        ),
        ("proposals.withdraw", "POST"): Case(
            MINISTRY_MEMBERS,
            lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/withdraw"),
            state=_proposal_state,
            prepare=_prepare_proposal,
        ),
        ("proposals.approve", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/proposals/{ids['proposal']}/approve",
                {"plan_number": "20260001-T-469", "working_group_id": str(ids["working_group"])},
            ),
            state=_proposal_state,
            prepare=_prepare_proposal,
        ),
        ("proposals.return_for_changes", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/return", {"reason": "请补充"}),
            state=_proposal_state,
            prepare=_prepare_proposal,
        ),
        ("proposals.reject", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/reject", {"reason": "重复"}),
            state=_proposal_state,
            prepare=_prepare_proposal,
        ),
        ("api.submit_proposal", "POST"): Case(
            SIGNED_IN,
            lambda c, ids: c.api(
                "POST",
                "/api/v1/proposals",
                {
                    "call_id": ids["call"],
                    "product_id": ids["product"],
                    "level": "national",
                    "scope": "范围",
                    "urgency": "急用",
                    "technical_content": "内容",
                    "trial_enterprises": 3,
                },
            ),
            state=_count(Proposal),
            prepare=_prepare_call,
            json_api=True,
        ),
        ("api.comment_on_proposal", "POST"): Case(
            MINISTRY_MEMBERS,
            lambda c, ids: c.api("POST", f"/api/v1/proposals/{ids['proposal']}/comments", {"text": "意见"}),
            state=_count(ProposalComment),
            prepare=_prepare_proposal,
            json_api=True,
        ),
        ("api.resubmit_proposal", "POST"): Case(
            MINISTRY_MEMBERS, _api_resubmit, state=_proposal_state, prepare=_prepare_returned, json_api=True
        ),
        ("api.withdraw_proposal", "POST"): Case(
            MINISTRY_MEMBERS, _api_withdraw, state=_proposal_state, prepare=_prepare_proposal, json_api=True
        ),
        ("api.decide_proposal", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api(
                "POST", f"/api/v1/proposals/{ids['proposal']}/decision", {"decision": "reject", "reason": "重复"}
            ),
            state=_proposal_state,
            prepare=_prepare_proposal,
            json_api=True,
        ),
    }
)


# Another organisation's proposal: its members follow it; a member of the ministry (every test
# account) does not, unless SAMR/MEE or the secretariat, who oversee every proposal.
def _prepare_foreign_proposal(session, ids):
    society = service.create_organisation(
        session, by=ACTING_ADMIN, name="中国钢铁工业协会", kind=OrganisationKind.ASSOCIATION
    )
    _prepare_proposal(session, ids, organisation=society.id)


def _prepare_foreign_returned(session, ids):
    _prepare_foreign_proposal(session, ids)
    session.get(Proposal, ids["proposal"]).status = ProposalStatus.RETURNED


FOREIGN_PROPOSAL_CASES = {
    "view": (OVERSIGHT, lambda c, ids: c.get(f"/proposals/{ids['proposal']}"), _prepare_foreign_proposal),
    "api_view": (OVERSIGHT, lambda c, ids: c.get(f"/api/v1/proposals/{ids['proposal']}"), _prepare_foreign_proposal),
    "comment": (
        OVERSIGHT,
        lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/comment", {"text": "意见"}),
        _prepare_foreign_proposal,
    ),
    "api_comment": (
        OVERSIGHT,
        lambda c, ids: c.api("POST", f"/api/v1/proposals/{ids['proposal']}/comments", {"text": "意见"}),
        _prepare_foreign_proposal,
    ),
    "withdraw": (
        set(),
        lambda c, ids: c.post_form(f"/proposals/{ids['proposal']}/withdraw"),
        _prepare_foreign_proposal,
    ),
    "resubmit": (set(), _resubmit, _prepare_foreign_returned),
    "api_withdraw": (set(), _api_withdraw, _prepare_foreign_proposal),
    "api_resubmit": (set(), _api_resubmit, _prepare_foreign_returned),
}


@pytest.mark.parametrize("how", list(FOREIGN_PROPOSAL_CASES))
@pytest.mark.parametrize("role", ROLES, ids=_id)
def test_another_organisations_proposal_is_its_own(app, people, login, role, how):
    allowed, send, prepare = FOREIGN_PROPOSAL_CASES[how]
    ids = dict(people)
    with app.app_context():
        prepare(db.session, ids)
        db.session.commit()
        before, events = _proposal_state(db.session, ids), _audit_count(db.session)
    response = send(login(role), ids)
    with app.app_context():
        after = _proposal_state(db.session, ids)
        if role in allowed:
            assert response.status_code in (200, 201, 302), response.text[:500]
        else:
            assert response.status_code == 403
            assert after == before
            assert _audit_count(db.session) == events


# --- evaluation and adoption (指引（十二）、（十三）、（十五）; 《标准化法》第二十九条) ----------------------
# The `people` fixture's organisation is every test account's: its evaluating members (secretariat,
# evaluator, association) keep the evaluations that name it, and its association representative
# applies for the group standard _prepare_registry registers under its name.

ADOPTION_FIELDS = {
    "necessity": "国家标准体系缺少该产品的碳足迹标准。",
    "main_content": "功能单位、系统边界、数据收集、分配和报告。",
    "expected_uptake": "全国同类企业。",
    "proposed_committee": "SAC/TC548",
    "drafting_units": "某碳足迹咨询有限公司",
}
ADOPTION_KEYS = ("urgency", "soundness", "data_reliability", "testing")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _plan_day(offset: int = 30) -> str:
    return (_today() + timedelta(days=offset)).isoformat()


def _prepare_feedback(session, ids):
    """An open item on the association's group standard, naming the test working group."""
    from workbench.evaluation.models import Feedback, FeedbackKind

    _prepare_registry(session, ids)
    item = Feedback(
        standard=session.get(Standard, ids["standard"]),
        kind=FeedbackKind.UNCLEAR,
        text="第 5 章的取舍规则表述不清。",
        submitted_at=utcnow(),
        source="test",
        working_group=session.get(WorkingGroup, ids["working_group"]),
    )
    session.add(item)
    session.flush()
    ids["feedback"] = item.id


def _feedback_state(session, ids):
    from workbench.evaluation.models import Feedback

    item = session.get(Feedback, ids["feedback"])
    return item.status, item.answer


def _prepare_institute(session, ids):
    """The registry's records and an evaluating organisation (a research institute)."""
    _prepare_registry(session, ids)
    ids["institute"] = service.create_organisation(
        session, by=ACTING_ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
    ).id


def _prepare_plan(session, ids):
    from workbench.evaluation.models import EvaluationPlan

    _prepare_institute(session, ids)
    plan = EvaluationPlan(
        standard=session.get(Standard, ids["standard"]),
        organisation=session.get(Organisation, ids["institute"]),
        due_on=_today() + timedelta(days=30),
    )
    session.add(plan)
    session.flush()
    ids["plan"] = plan.id


def _plan_state(session, ids):
    from workbench.evaluation.models import EvaluationPlan

    return session.get(EvaluationPlan, ids["plan"]).status


def _prepare_evaluating(session, ids):
    """The test accounts' organisation evaluates (a TC secretariat), and a standard in force."""
    _prepare_registry(session, ids)
    session.get(Organisation, ids["organisation"]).kind = OrganisationKind.TC_SECRETARIAT


def _prepare_own_plan(session, ids):
    """An open plan asking the test accounts' organisation to evaluate the group standard: its
    members start the evaluation from it (without a plan only SAMR/MEE and the secretariat do)."""
    from workbench.evaluation.models import EvaluationPlan

    _prepare_evaluating(session, ids)
    plan = EvaluationPlan(
        standard=session.get(Standard, ids["standard"]),
        organisation=session.get(Organisation, ids["organisation"]),
        due_on=_today() + timedelta(days=30),
    )
    session.add(plan)
    session.flush()
    ids["plan"] = plan.id


def _prepare_evaluation(session, ids, *, scored=False):
    """An evaluation in progress of the group standard by the test accounts' organisation."""
    from workbench.evaluation.dimensions import EVALUATION_DIMENSIONS
    from workbench.evaluation.models import Evaluation, EvaluationScore

    _prepare_evaluating(session, ids)
    evaluation = Evaluation(
        standard=session.get(Standard, ids["standard"]),
        organisation=session.get(Organisation, ids["organisation"]),
        started_on=_today(),
    )
    session.add(evaluation)
    session.flush()
    if scored:
        for dimension in EVALUATION_DIMENSIONS:
            session.add(
                EvaluationScore(
                    evaluation=evaluation, dimension=dimension.key, value=dimension.scale[0][0], evidence="依据"
                )
            )
        session.flush()
    ids["evaluation"] = evaluation.id


def _prepare_scored_evaluation(session, ids):
    _prepare_evaluation(session, ids, scored=True)


def _prepare_withdrawal(session, ids):
    """A concluded evaluation proposing to withdraw the standard, awaiting SAMR/MEE."""
    from workbench.evaluation.models import Conclusion, Evaluation, EvaluationStatus, Withdrawal

    _prepare_scored_evaluation(session, ids)
    evaluation = session.get(Evaluation, ids["evaluation"])
    evaluation.status, evaluation.conclusion = EvaluationStatus.CONCLUDED, Conclusion.WITHDRAW
    evaluation.summary, evaluation.concluded_on = "已被国家标准取代。", _today()
    withdrawal = Withdrawal(standard=evaluation.standard, evaluation=evaluation, reason="已被国家标准取代。")
    session.add(withdrawal)
    session.flush()
    ids["withdrawal"] = withdrawal.id


def _evaluation_state(session, ids):
    from workbench.evaluation.models import Evaluation

    evaluation = session.get(Evaluation, ids["evaluation"])
    return evaluation.status, evaluation.conclusion, sorted((row.dimension, row.value) for row in evaluation.scores)


def _withdrawal_state(session, ids):
    from workbench.evaluation.models import Withdrawal

    withdrawal = session.get(Withdrawal, ids["withdrawal"])
    return withdrawal.status, withdrawal.decision_reason


def _prepare_two_rules(session, ids):
    """Two rules of TC548 (水泥 and 石灰) whose difference the secretariat may explain."""
    ids["rule"] = make_rule(session).id
    ids["other_rule"] = make_rule(session, name="石灰", name_en="Lime").id


def _prepare_reason(session, ids):
    from workbench.evaluation.models import CoordinationReason

    _prepare_two_rules(session, ids)
    low, high = (session.get(Rule, rule_id) for rule_id in sorted((ids["rule"], ids["other_rule"])))
    reason = CoordinationReason(
        rule=low, other_rule=high, choice="gwp_set", reason="石灰沿用行业指南的 AR5", created_at=utcnow()
    )
    session.add(reason)
    session.flush()
    ids["reason"] = reason.id


def _prepare_application(session, ids, *, submitted=False, scored=False):
    """The association's application for its group standard, eligible: in force three years,
    cited by three factors of the library, with its proof of good practice (GB/T 20004). A
    submitted one has the evaluator on its panel; a scored one two panel members' full scores."""
    from workbench.evaluation.models import (
        AdoptionApplication,
        AdoptionAttachment,
        AdoptionScore,
        ApplicationStatus,
        AttachmentKind,
        PanelMember,
    )

    _prepare_registry(session, ids)
    standard = session.get(Standard, ids["standard"])
    standard.implemented_on = _today() - timedelta(days=3 * 366)
    standard.published_on = standard.implemented_on - timedelta(days=30)
    for index in range(3):
        factor_service.create_factor(
            session,
            factor_service.FactorInput(
                **{**FACTOR_FORM, "code": f"ADOPT-{index}", "name": f"引用因子{index}", "standards": "T/TEST 1-2024"}
            ),
            by=ACTING_ADMIN,
        )
    application = AdoptionApplication(
        standard=standard,
        organisation=session.get(Organisation, ids["organisation"]),
        status=ApplicationStatus.SUBMITTED if submitted else ApplicationStatus.DRAFT,
        submitted_on=_today() if submitted else None,
        **ADOPTION_FIELDS,
    )
    session.add(application)
    session.flush()
    attachment = AdoptionAttachment(
        application=application,
        kind=AttachmentKind.GOOD_PRACTICE,
        filename="proof.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        stored_name=f"test-{application.id}.pdf",
        uploaded_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    ids.update(application=application.id, attachment=attachment.id)
    expert = service.create_user(
        session,
        by=ACTING_ADMIN,
        username="expert",
        display_name="独立专家",
        password=PASSWORD,
        role=Role.EVALUATOR,
        organisation=service.create_organisation(
            session, by=ACTING_ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
        ),
    )
    ids["expert"] = expert.id
    if submitted:  # the test evaluator sits on the panel (recusal is tested in test_evaluation_adoption.py)
        session.add(PanelMember(application=application, user=session.get(User, ids[EVALUATOR])))
    if scored:
        session.add(PanelMember(application=application, user=expert))
        for user in (session.get(User, ids[EVALUATOR]), expert):
            for key in ADOPTION_KEYS:
                session.add(AdoptionScore(application=application, user=user, dimension=key, score=4))
    session.flush()


def _prepare_submitted(session, ids):
    _prepare_application(session, ids, submitted=True)


def _prepare_scored(session, ids):
    _prepare_application(session, ids, submitted=True, scored=True)


def _prepare_panel_member(session, ids):
    from workbench.evaluation.models import AdoptionApplication, PanelMember

    _prepare_submitted(session, ids)
    member = PanelMember(
        application=session.get(AdoptionApplication, ids["application"]), user=session.get(User, ids["expert"])
    )
    session.add(member)
    session.flush()
    ids["member"] = member.id


def _application_state(session, ids):
    from workbench.evaluation.models import AdoptionApplication

    application = session.get(AdoptionApplication, ids["application"])
    return (
        application.status,
        application.necessity,
        len(application.attachments),
        sorted((member.user_id, member.status) for member in application.panel),
        sorted((row.user_id, row.dimension, row.score) for row in application.scores),
    )


def _adoption_scores(form: bool):
    if form:
        return {**{f"score_{key}": "4" for key in ADOPTION_KEYS}, **{f"remarks_{key}": "" for key in ADOPTION_KEYS}}
    return {"scores": [{"dimension": key, "score": 4} for key in ADOPTION_KEYS]}


def _evaluation_models():
    from workbench.evaluation import models

    return models


CASES.update(
    {
        # Anyone reports how a standard in force works; through the API with an account or token.
        ("feedback.new", "POST"): Case(
            EVERYONE,
            lambda c, ids: c.post_form(
                f"/evaluation/feedback/standards/{ids['standard']}/new",
                {"kind": "unclear", "clause": "5.2", "text": "取舍规则表述不清。"},
            ),
            state=lambda s, ids: _count(_evaluation_models().Feedback)(s, ids),
            prepare=_prepare_registry,
        ),
        ("api.submit_feedback", "POST"): Case(
            SIGNED_IN,
            lambda c, ids: c.api(
                "POST", f"/api/v1/standards/{ids['standard']}/feedback", {"kind": "unclear", "text": "表述不清。"}
            ),
            state=lambda s, ids: _count(_evaluation_models().Feedback)(s, ids),
            prepare=_prepare_registry,
            json_api=True,
        ),
        # The item names the test working group (its drafter answers) and is on the association's
        # own group standard (the association answers); the evaluator does not answer.
        ("feedback.answer", "POST"): Case(
            OVERSIGHT | {DRAFTER, ASSOCIATION},
            lambda c, ids: c.post_form(
                f"/evaluation/feedback/{ids['feedback']}/answer", {"answer": "将在修订中澄清。"}
            ),
            state=_feedback_state,
            prepare=_prepare_feedback,
        ),
        ("api.answer_feedback", "POST"): Case(
            OVERSIGHT | {DRAFTER, ASSOCIATION},
            lambda c, ids: c.api("POST", f"/api/v1/feedback/{ids['feedback']}/answer", {"answer": "将在修订中澄清。"}),
            state=_feedback_state,
            prepare=_prepare_feedback,
            json_api=True,
        ),
        ("reviews.schedule", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                "/evaluation/reviews/plans",
                {"standards": "T/TEST 1-2024", "organisation_id": str(ids["institute"]), "due_on": _plan_day()},
            ),
            state=lambda s, ids: _count(_evaluation_models().EvaluationPlan)(s, ids),
            prepare=_prepare_institute,
        ),
        ("api.create_evaluation_plans", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api(
                "POST",
                "/api/v1/evaluation/plans",
                {"standard_ids": [ids["standard"]], "organisation_id": ids["institute"], "due_on": _plan_day()},
            ),
            state=lambda s, ids: _count(_evaluation_models().EvaluationPlan)(s, ids),
            prepare=_prepare_institute,
            json_api=True,
        ),
        ("reviews.cancel", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                f"/evaluation/reviews/plans/{ids['plan']}/cancel", {"reason": "改由其他机构评估"}
            ),
            state=_plan_state,
            prepare=_prepare_plan,
        ),
        ("api.cancel_evaluation_plan", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api(
                "POST", f"/api/v1/evaluation/plans/{ids['plan']}/cancel", {"reason": "改由其他机构评估"}
            ),
            state=_plan_state,
            prepare=_prepare_plan,
            json_api=True,
        ),
        # SAMR/MEE and the secretariat start evaluations for any evaluating organisation; its
        # members (evaluator, association) from an open plan naming their own; a drafter never.
        ("evaluation.start", "POST"): Case(
            OVERSIGHT | {EVALUATOR, ASSOCIATION},
            lambda c, ids: c.post_form(
                "/evaluation/start",
                {"standard_id": str(ids["standard"]), "plan_id": "", "organisation_id": str(ids["organisation"])},
            ),
            state=lambda s, ids: _count(_evaluation_models().Evaluation)(s, ids),
            prepare=_prepare_own_plan,
        ),
        ("api.start_evaluation", "POST"): Case(
            OVERSIGHT | {EVALUATOR, ASSOCIATION},
            lambda c, ids: c.api(
                "POST", "/api/v1/evaluations", {"standard_id": ids["standard"], "organisation_id": ids["organisation"]}
            ),
            state=lambda s, ids: _count(_evaluation_models().Evaluation)(s, ids),
            prepare=_prepare_own_plan,
            json_api=True,
        ),
        # The record is kept by the evaluating members of the organisation it names, not by SAMR/MEE.
        ("evaluation.score", "POST"): Case(
            {SECRETARIAT, EVALUATOR, ASSOCIATION},
            lambda c, ids: c.post_form(
                f"/evaluation/{ids['evaluation']}/scores",
                {"technical_level-value": "current", "technical_level-evidence": "与 GB/T 24067—2024 一致。"},
            ),
            state=_evaluation_state,
            prepare=_prepare_evaluation,
        ),
        ("api.score_evaluation", "POST"): Case(
            {SECRETARIAT, EVALUATOR, ASSOCIATION},
            lambda c, ids: c.api(
                "POST",
                f"/api/v1/evaluations/{ids['evaluation']}/scores",
                {"dimension": "technical_level", "value": "current", "evidence": "与 GB/T 24067—2024 一致。"},
            ),
            state=_evaluation_state,
            prepare=_prepare_evaluation,
            json_api=True,
        ),
        ("evaluation.conclude", "POST"): Case(
            {SECRETARIAT, EVALUATOR, ASSOCIATION},
            lambda c, ids: c.post_form(
                f"/evaluation/{ids['evaluation']}/conclude", {"conclusion": "continue", "summary": "继续有效。"}
            ),
            state=_evaluation_state,
            prepare=_prepare_scored_evaluation,
        ),
        ("api.conclude_evaluation", "POST"): Case(
            {SECRETARIAT, EVALUATOR, ASSOCIATION},
            lambda c, ids: c.api(
                "POST",
                f"/api/v1/evaluations/{ids['evaluation']}/conclusion",
                {"conclusion": "continue", "summary": "继续有效。"},
            ),
            state=_evaluation_state,
            prepare=_prepare_scored_evaluation,
            json_api=True,
        ),
        ("evaluation.decide_withdrawal", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/evaluation/{ids['evaluation']}/withdrawal", {"decision": "reject", "reason": "仍被广泛引用。"}
            ),
            state=_withdrawal_state,
            prepare=_prepare_withdrawal,
        ),
        ("api.decide_evaluation_withdrawal", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api(
                "POST",
                f"/api/v1/evaluations/{ids['evaluation']}/withdrawal",
                {"decision": "reject", "reason": "仍被广泛引用。"},
            ),
            state=_withdrawal_state,
            prepare=_prepare_withdrawal,
            json_api=True,
        ),
        # TC548's coordination report: evaluators read it, only the oversight explains a difference.
        ("coordination.explain", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                "/coordination/reasons",
                {
                    "rule": str(ids["rule"]),
                    "other_rule": str(ids["other_rule"]),
                    "choice": "gwp_set",
                    "reason": "石灰沿用行业指南的 AR5",
                },
            ),
            state=lambda s, ids: _count(_evaluation_models().CoordinationReason)(s, ids),
            prepare=_prepare_two_rules,
        ),
        ("api.explain_coordination", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api(
                "POST",
                "/api/v1/coordination/reasons",
                {
                    "rule_id": ids["rule"],
                    "other_rule_id": ids["other_rule"],
                    "choice": "gwp_set",
                    "reason": "石灰沿用行业指南的 AR5",
                },
            ),
            state=lambda s, ids: _count(_evaluation_models().CoordinationReason)(s, ids),
            prepare=_prepare_two_rules,
            json_api=True,
        ),
        ("coordination.remove_reason", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(f"/coordination/reasons/{ids['reason']}/remove"),
            state=lambda s, ids: _count(_evaluation_models().CoordinationReason)(s, ids),
            prepare=_prepare_reason,
        ),
        ("api.withdraw_coordination_reason", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api("POST", f"/api/v1/coordination/reasons/{ids['reason']}/withdraw"),
            state=lambda s, ids: _count(_evaluation_models().CoordinationReason)(s, ids),
            prepare=_prepare_reason,
            json_api=True,
        ),
        # Adoption (采信): the association applies for its own group standard; the oversight names
        # the panel; the panel's evaluators score; SAMR/MEE decide.
        ("adoption.new", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(
                "/adoption/new", {"standard_id": str(ids["standard"]), "action": "save", **ADOPTION_FIELDS}
            ),
            state=lambda s, ids: _count(_evaluation_models().AdoptionApplication)(s, ids),
            prepare=_prepare_registry,
        ),
        ("api.create_adoption_application", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.api(
                "POST", "/api/v1/adoption/applications", {"standard_id": ids["standard"], **ADOPTION_FIELDS}
            ),
            state=lambda s, ids: _count(_evaluation_models().AdoptionApplication)(s, ids),
            prepare=_prepare_registry,
            json_api=True,
        ),
        ("adoption.edit", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(
                f"/adoption/{ids['application']}/edit", {**ADOPTION_FIELDS, "necessity": "出口企业急需。"}
            ),
            state=_application_state,
            prepare=_prepare_application,
        ),
        ("adoption.upload", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(
                f"/adoption/{ids['application']}/attachments",
                {"kind": "copyright", "file": (io.BytesIO(PDF), "copyright.pdf")},
                content_type="multipart/form-data",
            ),
            state=_application_state,
            prepare=_prepare_application,
        ),
        ("adoption.delete_attachment", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(f"/adoption/attachments/{ids['attachment']}/delete"),
            state=_application_state,
            prepare=_prepare_application,
        ),
        ("adoption.submit", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(f"/adoption/{ids['application']}/submit"),
            state=_application_state,
            prepare=_prepare_application,
        ),
        ("api.submit_adoption_application", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.api("POST", f"/api/v1/adoption/applications/{ids['application']}/submit", {}),
            state=_application_state,
            prepare=_prepare_application,
            json_api=True,
        ),
        ("adoption.withdraw", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.post_form(f"/adoption/{ids['application']}/withdraw", {"reason": "另行修订"}),
            state=_application_state,
            prepare=_prepare_application,
        ),
        ("api.withdraw_adoption_application", "POST"): Case(
            {ASSOCIATION},
            lambda c, ids: c.api(
                "POST", f"/api/v1/adoption/applications/{ids['application']}/withdraw", {"reason": "另行修订"}
            ),
            state=_application_state,
            prepare=_prepare_application,
            json_api=True,
        ),
        ("adoption.add_member", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(f"/adoption/{ids['application']}/panel", {"user_id": str(ids["expert"])}),
            state=_application_state,
            prepare=_prepare_submitted,
        ),
        ("api.add_adoption_panel_member", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.api(
                "POST", f"/api/v1/adoption/applications/{ids['application']}/panel", {"user_id": ids["expert"]}
            ),
            state=_application_state,
            prepare=_prepare_submitted,
            json_api=True,
        ),
        ("adoption.remove_member", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(f"/adoption/panel/{ids['member']}/remove"),
            state=_application_state,
            prepare=_prepare_panel_member,
        ),
        ("adoption.score", "POST"): Case(
            {EVALUATOR},
            lambda c, ids: c.post_form(f"/adoption/{ids['application']}/scores", _adoption_scores(form=True)),
            state=_application_state,
            prepare=_prepare_submitted,
        ),
        ("api.score_adoption_application", "POST"): Case(
            {EVALUATOR},
            lambda c, ids: c.api(
                "POST", f"/api/v1/adoption/applications/{ids['application']}/scores", _adoption_scores(form=False)
            ),
            state=_application_state,
            prepare=_prepare_submitted,
            json_api=True,
        ),
        ("adoption.adopt", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(
                f"/adoption/{ids['application']}/adopt", {"working_group_id": "0", "reason": "填补空白"}
            ),
            state=_application_state,
            prepare=_prepare_scored,
        ),
        ("adoption.decline", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.post_form(f"/adoption/{ids['application']}/decline", {"reason": "与国家标准项目重复"}),
            state=_application_state,
            prepare=_prepare_submitted,
        ),
        ("api.decide_adoption_application", "POST"): Case(
            {ADMIN},
            lambda c, ids: c.api(
                "POST",
                f"/api/v1/adoption/applications/{ids['application']}/decision",
                {"decision": "decline", "reason": "与国家标准项目重复"},
            ),
            state=_application_state,
            prepare=_prepare_submitted,
            json_api=True,
        ),
    }
)


# --- the exchange: footprints, partners, declarations, international references (issue 17) ----------
#
# The enterprise account belongs to the enterprise 测试水泥企业, the certifier to the certification
# body 测试认证中心 (tests/conftest.py `people`); the trial below is that enterprise's, so its member
# exports, shares and declares from it; the declarations name that body.

ENTERPRISE_NAME = "测试水泥企业"  # people["enterprise_org"]'s name


def _exchange_models():
    from workbench.exchange import models

    return models


def _prepare_calculation(session, ids):
    """The enterprise's trial of the test working group's rule, calculated under the rule (of record)."""
    from workbench.trials import service as trials

    rule = _prepare_rule(session, ids)
    trial = make_trial(session, rule, enterprise=ENTERPRISE_NAME)
    calculation = trials.calculate(session, trial, by=ACTING_ADMIN, iterations=0)
    assert calculation.of_record and calculation.usable
    ids.update(trial=trial.id, calculation=calculation.id)
    return calculation


def _prepare_published(session, ids):
    """As above, and the rule published on the portal (the publication record only: the portal's
    files are not what this matrix is about)."""
    from workbench.publishing.models import Publication

    calculation = _prepare_calculation(session, ids)
    rule = session.get(Rule, ids["rule"])
    session.add(
        Publication(
            rule=rule,
            revision=drafting.revision(session, rule),
            stage=rule.stage,
            slug=f"rule-{rule.id}",
            tag=f"rule-{rule.id}-test",
            commit="0" * 40,
            checksum="0",
            publisher_label="测试",
            published_at=utcnow(),
        )
    )
    session.flush()
    return calculation


def _pact_document(session, ids) -> dict:
    from workbench.exchange import footprints

    calculation = session.get(Calculation, ids["calculation"])
    document = footprints.calculation_document(session, calculation, by=ACTING_ADMIN)
    return {**document, "id": "0f4b1225-bd44-4c8e-861d-079e4e1dfd69", "companyName": "供应商熟料厂"}


def _prepare_supplier_file(session, ids):
    _prepare_calculation(session, ids)
    ids["document"] = _pact_document(session, ids)


def _prepare_shared(session, ids):
    """A footprint the enterprise shares (a row as sharing writes it)."""
    models = _exchange_models()
    _prepare_calculation(session, ids)
    document = _pact_document(session, ids)
    now = utcnow()
    row = models.SharedFootprint(
        pf_id=document["id"],
        organisation_id=ids["enterprise_org"],
        calculation_id=ids["calculation"],
        product_name="P·O 42.5 水泥",
        document=document,
        status=models.FootprintStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    ids["footprint"] = row.id


def _enterprise_member(session, ids):
    return session.get(User, ids[Role.ENTERPRISE])


def _prepare_client(session, ids):
    from workbench.exchange import oauth

    organisation = session.get(Organisation, ids["enterprise_org"])
    client, secret = oauth.create_client(
        session, organisation=organisation, name="合作方乙", by=_enterprise_member(session, ids)
    )
    ids.update(client=client.id, client_id=client.client_id, secret=secret)


def _prepare_event(session, ids):
    """A partner's request for footprints, waiting for the enterprise's answer."""
    models = _exchange_models()
    _prepare_shared(session, ids)
    _prepare_client(session, ids)
    event = models.PactEvent(
        organisation_id=ids["enterprise_org"],
        client_id=ids["client"],
        event_id="request-1",
        type="org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        source="https://partner.example",
        data={"productId": ["urn:test"]},
        received_at=utcnow(),
        status=models.PactEventStatus.RECEIVED,
    )
    session.add(event)
    session.flush()
    ids["event"] = event.id


def _event_state(session, ids):
    event = session.get(_exchange_models().PactEvent, ids["event"])
    return event.status, event.answer


def _footprint_state(session, ids):
    return session.get(_exchange_models().SharedFootprint, ids["footprint"]).status


def _client_state(session, ids):
    return session.get(_exchange_models().PactClient, ids["client"]).revoked_at


DECLARATION_FIELDS = {
    "product": "P·O 42.5 普通硅酸盐水泥",
    "period_start": "2025-01-01",
    "period_end": "2025-12-31",
    "geography_kind": "subdivision",
    "geography": "CN-ZJ",
}


def _declaration_in(status):
    """A declaration of the enterprise in `status`, through the service as its users would."""

    def prepare(session, ids):
        from workbench.exchange import declarations

        _prepare_published(session, ids)
        member = _enterprise_member(session, ids)
        certifier = session.get(User, ids[Role.CERTIFIER])
        data = declarations.DeclarationInput(
            product=DECLARATION_FIELDS["product"],
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            geography_kind="subdivision",
            geography="CN-ZJ",
        )
        rule, calculation = session.get(Rule, ids["rule"]), session.get(Calculation, ids["calculation"])
        declaration = declarations.create_from_calculation(session, rule, calculation, data, by=member)
        if status != "draft":
            body = session.get(Organisation, ids["certification_body"])
            declarations.submit(session, declaration, body, by=member)
        if status in ("verified", "suspended"):
            declarations.verify(
                session,
                declaration,
                certificate_number="LC-TEST-1",
                verified_on=_today(),
                scope="摇篮到大门",
                by=certifier,
                today=_today(),
            )
        if status == "suspended":
            declarations.suspend(session, declaration, "监督抽查不合格", by=certifier)
        ids.update(declaration=declaration.id, public_id=declaration.public_id)

    return prepare


def _declaration_state(session, ids):
    declaration = session.get(_exchange_models().Declaration, ids["declaration"])
    return declaration.status, declaration.product, declaration.certification_body_id, declaration.version


def _terms_state(session, ids):
    terms = session.get(_exchange_models().DeclarationTerms, ids["rule"])
    return None if terms is None else (terms.validity_months, terms.surveillance_months)


def _declaration_form(c, ids, action, data=None):
    with c.application.app_context():
        version = db.session.get(_exchange_models().Declaration, ids["declaration"]).version
    return c.post_form(f"/declarations/{ids['declaration']}/{action}", {"version": str(version), **(data or {})})


def _prepare_library_trial(session, ids):
    """A calculation of record that uses a library factor: the factor the international
    comparison lets the drafting group set reference values beside."""
    from workbench.trials import service as trials

    rule = _prepare_rule(session, ids)
    factor = factor_service.create_factor(
        session,
        factor_service.FactorInput(
            code="COAL-CFP",
            name="烟煤",
            value=2500.0,
            unit="kgCO2e/t",
            kind="cfp_life_cycle",
            tier="government",
            source="测试来源",
        ),
        by=ACTING_ADMIN,
    )
    data = cement_dataset(ENTERPRISE_NAME)
    data["lines"][2]["factor"] = {"id": "COAL-CFP"}
    trial = trials.create_trial(session, rule, data=data, source="json", by=ACTING_ADMIN)
    trials.calculate(session, trial, by=ACTING_ADMIN, iterations=0)
    ids.update(factor=factor.id, trial=trial.id)


def _prepare_reference(session, ids):
    from workbench.exchange import international

    _prepare_library_trial(session, ids)
    reference = international.add_reference_value(
        session,
        session.get(Factor, ids["factor"]),
        rule=session.get(Rule, ids["rule"]),
        value=2400,
        unit="kgCO2e/t",
        source="EF 3.1",
        by=ACTING_ADMIN,
    )
    ids["reference"] = reference.id


def _jsonld_zip(ids):
    return {"file": (io.BytesIO(ids["zip"]), "factors.zip")}


def _prepare_jsonld(session, ids):
    from workbench.exchange import factor_exchange

    _prepare_factor(session, ids)
    ids["zip"] = factor_exchange.export_jsonld(session, by=ACTING_ADMIN)
    # The library has moved on since the export: importing it back is a new version of the factor.
    factor_service.update_factor(
        session,
        session.get(Factor, ids["factor"]),
        factor_service.FactorInput(**{**FACTOR_FORM, "value": "0.6"}),
        by=ACTING_ADMIN,
    )


def _pact_token(c, ids):
    """A browser session is no client credential: the token endpoint reads only the client's id
    and secret (tests/test_pact_host.py gets tokens with them)."""
    return c.post("/pact/auth/token", data={"grant_type": "client_credentials", "client_id": ids["client_id"]})


def _pact_event(c, ids):
    event = {
        "specversion": "1.0",
        "id": "request-2",
        "source": "https://partner.example",
        "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "data": {"productId": ["urn:test"]},
    }
    return c.post("/pact/3/events", json=event, headers={"Content-Type": "application/cloudevents+json"})


def _api_declaration(action):
    def send(c, ids):
        payload = {
            "submit": {"certification_body_id": ids["certification_body"]},
            "verify": {"certificate_number": "LC-TEST-2", "verified_on": _today().isoformat(), "scope": "摇篮到大门"},
            "reject": {"reason": "数据期间不完整"},
            "suspend": {"reason": "监督抽查不合格"},
            "withdraw": {"reason": "产品停产"},
            "reinstate": {},
        }[action]
        return c.api("POST", f"/api/v1/declarations/{ids['declaration']}/{action}", payload)

    return send


ENTERPRISE, CERTIFIER = Role.ENTERPRISE, Role.CERTIFIER
DRAFTING = OVERSIGHT | {DRAFTER}  # those who keep the rule's trials (its working group) and the library's keepers

CASES.update(
    {
        # PACT footprints: the enterprise shares its own; drafting groups import suppliers' files.
        ("exchange.share", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(f"/exchange/calculations/{ids['calculation']}/share"),
            state=lambda s, ids: _count(_exchange_models().SharedFootprint)(s, ids),
            prepare=_prepare_calculation,
        ),
        ("api.share_calculation", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.api("POST", f"/api/v1/calculations/{ids['calculation']}/share", {}),
            state=lambda s, ids: _count(_exchange_models().SharedFootprint)(s, ids),
            prepare=_prepare_calculation,
            json_api=True,
        ),
        ("exchange.deprecate", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(f"/exchange/footprints/{ids['footprint']}/deprecate", {"confirm": "y"}),
            state=_footprint_state,
            prepare=_prepare_shared,
        ),
        ("api.deprecate_footprint", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.api("POST", f"/api/v1/shared-footprints/{ids['footprint']}/deprecate", {}),
            state=_footprint_state,
            prepare=_prepare_shared,
            json_api=True,
        ),
        ("exchange.import_footprint", "POST"): Case(
            DRAFTING,
            lambda c, ids: c.post_form(
                "/exchange/import",
                {"file": (io.BytesIO(json.dumps(ids["document"]).encode()), "supplier.json")},
                content_type="multipart/form-data",
            ),
            state=_count(Factor),
            prepare=_prepare_supplier_file,
        ),
        ("api.import_pact", "POST"): Case(
            DRAFTING,
            lambda c, ids: c.api("POST", "/api/v1/pact/import", ids["document"]),
            state=_count(Factor),
            prepare=_prepare_supplier_file,
            json_api=True,
        ),
        # The enterprise's partners: clients and their requests, its members only.
        ("partners.create_client", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form("/exchange/partners/clients", {"name": "合作方丙"}),
            state=lambda s, ids: _count(_exchange_models().PactClient)(s, ids),
        ),
        ("partners.revoke_client", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(f"/exchange/partners/clients/{ids['client']}/revoke", {"confirm": "y"}),
            state=_client_state,
            prepare=_prepare_client,
        ),
        ("partners.fulfil", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(
                f"/exchange/partners/events/{ids['event']}/fulfil",
                {f"event{ids['event']}-footprints": str(ids["footprint"])},
            ),
            state=_event_state,
            prepare=_prepare_event,
            audited=False,  # the answer is kept on the request itself (PactEvent), not in the audit trail
        ),
        ("partners.decline", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(
                f"/exchange/partners/events/{ids['event']}/decline", {f"event{ids['event']}-reason": "尚未核算"}
            ),
            state=_event_state,
            prepare=_prepare_event,
            audited=False,
        ),
        # The PACT host endpoint authenticates partners' systems by client credentials and bearer
        # tokens only: a signed-in session, of any role, is nobody there.
        ("pact.token", "POST"): Case(
            set(),
            _pact_token,
            state=lambda s, ids: _count(_exchange_models().PactToken)(s, ids),
            prepare=_prepare_client,
            bearer=True,
        ),
        ("pact.events", "POST"): Case(
            set(),
            _pact_event,
            state=lambda s, ids: _count(_exchange_models().PactEvent)(s, ids),
            prepare=_prepare_client,
            bearer=True,
        ),
        # Declarations: the enterprise declares and submits; the body it names verifies, rejects,
        # suspends and reinstates; either withdraws; the oversight sets the rule's terms.
        ("declarations.new", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.post_form(
                "/declarations/new",
                {
                    "rule_id": str(ids["rule"]),
                    "source": "calculation",
                    "calculation_id": str(ids["calculation"]),
                    **DECLARATION_FIELDS,
                },
            ),
            state=lambda s, ids: _count(_exchange_models().Declaration)(s, ids),
            prepare=_prepare_published,
        ),
        ("api.create_declaration", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: c.api(
                "POST",
                "/api/v1/declarations",
                {"rule_id": ids["rule"], "calculation_id": ids["calculation"], **DECLARATION_FIELDS},
            ),
            state=lambda s, ids: _count(_exchange_models().Declaration)(s, ids),
            prepare=_prepare_published,
            json_api=True,
        ),
        ("declarations.edit", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: _declaration_form(c, ids, "edit", {**DECLARATION_FIELDS, "product": "P·O 52.5 水泥"}),
            state=_declaration_state,
            prepare=_declaration_in("draft"),
        ),
        ("api.update_declaration", "PATCH"): Case(
            {ENTERPRISE},
            lambda c, ids: c.api("PATCH", f"/api/v1/declarations/{ids['declaration']}", {"product": "P·O 52.5 水泥"}),
            state=_declaration_state,
            prepare=_declaration_in("draft"),
            json_api=True,
        ),
        ("declarations.submit", "POST"): Case(
            {ENTERPRISE},
            lambda c, ids: _declaration_form(
                c, ids, "submit", {"certification_body_id": str(ids["certification_body"])}
            ),
            state=_declaration_state,
            prepare=_declaration_in("draft"),
        ),
        ("api.submit_declaration", "POST"): Case(
            {ENTERPRISE},
            _api_declaration("submit"),
            state=_declaration_state,
            prepare=_declaration_in("draft"),
            json_api=True,
        ),
        ("declarations.verify", "POST"): Case(
            {CERTIFIER},
            lambda c, ids: _declaration_form(
                c,
                ids,
                "verify",
                {
                    "certificate_number": "LC-TEST-2",
                    "verified_on": _today().isoformat(),
                    "verification_scope": "摇篮到大门",
                },
            ),
            state=_declaration_state,
            prepare=_declaration_in("submitted"),
        ),
        ("api.verify_declaration", "POST"): Case(
            {CERTIFIER},
            _api_declaration("verify"),
            state=_declaration_state,
            prepare=_declaration_in("submitted"),
            json_api=True,
        ),
        ("declarations.reject", "POST"): Case(
            {CERTIFIER},
            lambda c, ids: _declaration_form(c, ids, "reject", {"reason": "数据期间不完整"}),
            state=_declaration_state,
            prepare=_declaration_in("submitted"),
        ),
        ("api.reject_declaration", "POST"): Case(
            {CERTIFIER},
            _api_declaration("reject"),
            state=_declaration_state,
            prepare=_declaration_in("submitted"),
            json_api=True,
        ),
        ("declarations.suspend", "POST"): Case(
            {CERTIFIER},
            lambda c, ids: _declaration_form(c, ids, "suspend", {"reason": "监督抽查不合格"}),
            state=_declaration_state,
            prepare=_declaration_in("verified"),
        ),
        ("api.suspend_declaration", "POST"): Case(
            {CERTIFIER},
            _api_declaration("suspend"),
            state=_declaration_state,
            prepare=_declaration_in("verified"),
            json_api=True,
        ),
        ("declarations.reinstate", "POST"): Case(
            {CERTIFIER},
            lambda c, ids: _declaration_form(c, ids, "reinstate"),
            state=_declaration_state,
            prepare=_declaration_in("suspended"),
        ),
        ("api.reinstate_declaration", "POST"): Case(
            {CERTIFIER},
            _api_declaration("reinstate"),
            state=_declaration_state,
            prepare=_declaration_in("suspended"),
            json_api=True,
        ),
        ("declarations.withdraw", "POST"): Case(
            {ENTERPRISE, CERTIFIER},
            lambda c, ids: _declaration_form(c, ids, "withdraw", {"reason": "产品停产"}),
            state=_declaration_state,
            prepare=_declaration_in("verified"),
        ),
        ("api.withdraw_declaration", "POST"): Case(
            {ENTERPRISE, CERTIFIER},
            _api_declaration("withdraw"),
            state=_declaration_state,
            prepare=_declaration_in("verified"),
            json_api=True,
        ),
        ("declarations.rule", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                f"/declarations/rules/{ids['rule']}", {"validity_months": "36", "surveillance_months": "12"}
            ),
            state=_terms_state,
            prepare=_prepare_published,
        ),
        ("api.set_declaration_terms", "PUT"): Case(
            OVERSIGHT,
            lambda c, ids: c.api(
                "PUT",
                f"/api/v1/rules/{ids['rule']}/declaration-terms",
                {"validity_months": 36, "surveillance_months": 12},
            ),
            state=_terms_state,
            prepare=_prepare_published,
            json_api=True,
        ),
        # Factors as openLCA JSON-LD: into the library by those who keep it.
        ("factor_exchange.import_jsonld", "POST"): Case(
            OVERSIGHT,
            lambda c, ids: c.post_form(
                "/exchange/factors/import", {"file": _jsonld_zip(ids)["file"]}, content_type="multipart/form-data"
            ),
            state=_factor_state,
            prepare=_prepare_jsonld,
        ),
        # The comparison annex as a PDF: any signed-in account may have it laid out (a job, not audited).
        ("international.prepare_annex", "POST"): Case(
            SIGNED_IN,
            lambda c, ids: c.post_form(f"/international/rules/{ids['rule']}/annex.pdf/prepare"),
            state=_jobs_state,
            prepare=_prepare_rule,
            audited=False,
        ),
        # International reference values beside a rule's factors: its drafting group and the oversight.
        ("international.add_reference", "POST"): Case(
            DRAFTING,
            lambda c, ids: c.post_form(
                f"/international/rules/{ids['rule']}/factors",
                {"factor_id": str(ids["factor"]), "value": "2400", "unit": "kgCO2e/t", "source": "EF 3.1"},
            ),
            state=lambda s, ids: _count(_exchange_models().ReferenceValue)(s, ids),
            prepare=_prepare_library_trial,
        ),
        ("international.delete_reference", "POST"): Case(
            DRAFTING,
            lambda c, ids: c.post_form(f"/international/rules/{ids['rule']}/references/{ids['reference']}/delete"),
            state=lambda s, ids: _count(_exchange_models().ReferenceValue)(s, ids),
            prepare=_prepare_reference,
        ),
    }
)


STATE_CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_the_matrix_covers_every_state_changing_route(app):
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods & STATE_CHANGING_METHODS
    }
    assert routes == set(CASES), "add a Case for each new state-changing route (and drop removed ones)"


def _audit_count(session):
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("route", list(CASES), ids=lambda route: f"{route[0]}:{route[1]}")
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_route_matrix(app, people, login, role, route):
    case = CASES[route]
    ids = {**people, "acting": role}
    with app.app_context():
        case.prepare(db.session, ids)
        db.session.commit()
        before, events_before = case.state(db.session, ids), _audit_count(db.session)

    client = login(role)
    with app.app_context():  # signing in changes nothing that is audited
        assert _audit_count(db.session) == events_before
    response = case.send(client, ids)

    with app.app_context():
        after, events_after = case.state(db.session, ids), _audit_count(db.session)
    if case.bearer:  # the PACT host: a session, signed in or not, is refused as no credentials at all
        assert response.status_code == 401, response.text[:500]
        assert "/login" not in response.headers.get("Location", "")
        assert after == before and events_after == events_before
        return
    if role in case.allowed:
        assert response.status_code in (200, 201, 202, 302), response.text[:500]  # 202: a job accepted
        assert "/login" not in response.headers.get("Location", "")
        if case.changes_state:
            assert after != before
            assert events_after > events_before or not case.audited
    else:
        if role is None:
            if case.json_api:
                assert response.status_code == 401
                assert response.json["error"]["code"] == "unauthenticated"
            else:
                assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        else:
            assert response.status_code == 403
        assert after == before
        assert events_after == events_before


# --- read-only pages behind a permission ----------------------------------------------------------

PAGES = {
    "/account": SIGNED_IN,
    "/users": OVERSIGHT,
    "/users/new": {ADMIN},
    "/users/{drafter}": OVERSIGHT,
    "/users/{drafter}/edit": {ADMIN},
    "/organisations": SIGNED_IN,
    "/organisations/{organisation}": SIGNED_IN,
    "/organisations/new": OVERSIGHT,
    "/organisations/{organisation}/edit": OVERSIGHT,
    "/working-groups": SIGNED_IN,
    "/working-groups/{working_group}": SIGNED_IN,
    "/working-groups/new": OVERSIGHT,
    "/working-groups/{working_group}/edit": OVERSIGHT,
    "/audit/": {ADMIN},
    "/audit/working_group/{working_group}": OVERSIGHT,
    "/api/v1/me": SIGNED_IN,
    "/api/v1/working-groups": SIGNED_IN,
    "/": EVERYONE,
    "/standards": EVERYONE,
    "/standards/new": OVERSIGHT | {ASSOCIATION},
    "/standards/import": OVERSIGHT,
    "/standards/check": EVERYONE,
    "/standards/withdrawal-due": EVERYONE,
    "/products": EVERYONE,
    "/products/new": OVERSIGHT,
    "/drafting/": SIGNED_IN,
    "/jobs/": SIGNED_IN,
    "/factors/": EVERYONE,
    "/factors/new": OVERSIGHT,
    "/factors/import": OVERSIGHT,
    "/drafting/new": OVERSIGHT | {DRAFTER},
    "/api/v1/standards": EVERYONE,
    "/api/v1/hierarchy/due": EVERYONE,
    "/api/v1/products": EVERYONE,
    "/api/v1/openapi.json": EVERYONE,
    "/api/v1/factors": EVERYONE,
    "/api/v1/trial-dataset-schema": EVERYONE,
    "/published/": EVERYONE,
    "/catalogue/": EVERYONE,
    "/catalogue/calls": EVERYONE,
    "/catalogue/batches/new": {ADMIN},
    "/catalogue/calls/new": {ADMIN},
    "/proposals": SIGNED_IN,
    "/inbox": SIGNED_IN,
    "/coverage": EVERYONE,
    "/api/v1/lists/batches": EVERYONE,
    "/api/v1/calls": EVERYONE,
    "/api/v1/proposals": SIGNED_IN,
    "/api/v1/inbox": SIGNED_IN,
    "/api/v1/coverage": EVERYONE,
    # Evaluation and adoption: every test account belongs to one organisation, so the evaluator,
    # the association and the secretariat are members of an organisation that may evaluate.
    "/evaluation/": EVERYONE,
    "/evaluation/feedback/to-answer": OVERSIGHT | {DRAFTER, ASSOCIATION},
    "/evaluation/reviews/": OVERSIGHT,
    "/evaluation/reviews/plans": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/evaluation/reviews/plans/overdue": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/coordination/": OVERSIGHT | {EVALUATOR},
    "/coordination/report.xlsx": OVERSIGHT | {EVALUATOR},
    "/adoption/": OVERSIGHT | {ASSOCIATION, EVALUATOR},  # an evaluator sees the panels they sit on
    "/adoption/decided": EVERYONE,
    "/adoption/new": {ASSOCIATION},
    "/api/v1/evaluation/plans": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/api/v1/evaluation/review-due": OVERSIGHT,
    "/api/v1/coordination": OVERSIGHT | {EVALUATOR},
    "/api/v1/adoption/applications": OVERSIGHT | {ASSOCIATION, EVALUATOR},
    "/api/v1/adoption/decided": EVERYONE,
    # The exchange: an enterprise's pages are its members'; importing a supplier's file is the
    # drafting groups' and the library keepers'; declarations and comparisons are public.
    "/exchange/": EVERYONE,
    "/exchange/footprints": {Role.ENTERPRISE},
    "/exchange/import": OVERSIGHT | {DRAFTER},
    "/exchange/partners/": {Role.ENTERPRISE},
    "/exchange/factors/": EVERYONE,
    "/exchange/factors/import": OVERSIGHT,
    "/exchange/factors/submission": OVERSIGHT,
    "/api/v1/shared-footprints": {Role.ENTERPRISE},
    "/declarations/": EVERYONE,
    "/declarations/new": {Role.ENTERPRISE},
    "/api/v1/declarations": EVERYONE,
    "/international/": EVERYONE,
    "/pact/openapi.json": EVERYONE,
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_page_matrix(people, login, role, page):
    url = page.format(
        drafter=people[DRAFTER], organisation=people["organisation"], working_group=people["working_group"]
    )
    response = login(role).get(url)
    if role in PAGES[page]:
        assert response.status_code == 200
    elif role is None:
        assert response.status_code in (302, 401)
    else:
        assert response.status_code == 403


# Pages of one record: the standard the association keeps, feedback on it naming the test working
# group, an evaluation of it in progress by the test accounts' organisation, and the association's
# application for it (the evaluator on its panel).
RECORD_PAGES = {
    "/evaluation/feedback/standards/{standard}/new": EVERYONE,
    "/evaluation/feedback/standards/{standard}": SIGNED_IN,
    "/evaluation/feedback/{feedback}": SIGNED_IN,
    "/api/v1/standards/{standard}/feedback": SIGNED_IN,
    "/api/v1/standards/{standard}/feedback/counts": EVERYONE,
    "/evaluation/start?standard={standard}": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/evaluation/{evaluation}": OVERSIGHT | {EVALUATOR, ASSOCIATION},  # in progress: its keepers and the oversight
    "/api/v1/evaluations/{evaluation}": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/adoption/{application}": OVERSIGHT | {ASSOCIATION, EVALUATOR},
    "/api/v1/adoption/applications/{application}": OVERSIGHT | {ASSOCIATION, EVALUATOR},
    "/api/v1/adoption/eligibility/{standard}": EVERYONE,
}


def _prepare_records(session, ids):
    from workbench.evaluation.models import Evaluation, Feedback, FeedbackKind

    _prepare_submitted(session, ids)
    standard = session.get(Standard, ids["standard"])
    feedback = Feedback(
        standard=standard,
        kind=FeedbackKind.OTHER,
        text="建议补充算例。",
        submitted_at=utcnow(),
        source="test",
        working_group=session.get(WorkingGroup, ids["working_group"]),
    )
    evaluation = Evaluation(
        standard=standard, organisation=session.get(Organisation, ids["organisation"]), started_on=_today()
    )
    session.add_all([feedback, evaluation])
    session.flush()
    ids.update(feedback=feedback.id, evaluation=evaluation.id)


@pytest.mark.parametrize("page", list(RECORD_PAGES))
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_record_page_matrix(app, people, login, role, page):
    ids = dict(people)
    with app.app_context():
        _prepare_records(db.session, ids)
        db.session.commit()
    response = login(role).get(page.format(**ids))
    if role in RECORD_PAGES[page]:
        assert response.status_code == 200, response.text[:500]
    elif role is None:
        assert response.status_code in (302, 401)
    else:
        assert response.status_code == 403


# The evaluation landing page links each page of the section to those who may open it.
SECTION_LINKS = {
    "/evaluation/feedback/to-answer": OVERSIGHT | {DRAFTER, ASSOCIATION},
    "/evaluation/reviews/": OVERSIGHT,
    "/evaluation/reviews/plans": OVERSIGHT | {EVALUATOR, ASSOCIATION},
    "/coordination/": OVERSIGHT | {EVALUATOR},
    "/adoption/": OVERSIGHT | {ASSOCIATION, EVALUATOR},
    "/adoption/decided": EVERYONE,
}


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_the_evaluation_landing_page_links_what_the_user_may_open(login, role):
    client = login(role)
    page = client.get("/evaluation/")
    assert page.status_code == 200
    for href, allowed in SECTION_LINKS.items():
        assert (f'href="{href}"' in page.text) is (role in allowed), href
        if role in allowed:
            assert client.get(href).status_code == 200, href


# --- the exchange's records, and the PACT host endpoint --------------------------------------------

EXCHANGE_RECORD_PAGES = {
    # The enterprise's own calculation: its member and the rule's drafting group export it.
    "/exchange/calculations/{calculation}/pact.json": OVERSIGHT | {DRAFTER, Role.ENTERPRISE},
    "/api/v1/calculations/{calculation}/pact": OVERSIGHT | {DRAFTER, Role.ENTERPRISE},
    # A draft declaration: its enterprise and the oversight; not the body it has not been sent to.
    "/declarations/{draft}": OVERSIGHT | {Role.ENTERPRISE},
    "/api/v1/declarations/{draft}": OVERSIGHT | {Role.ENTERPRISE},
    # A submitted one: the body it names too.
    "/declarations/{submitted}": OVERSIGHT | {Role.ENTERPRISE, Role.CERTIFIER},
    # A verified one: everybody, with its public page, JSON, PACT form and QR code.
    "/declarations/{verified}": EVERYONE,
    "/api/v1/declarations/{verified}": EVERYONE,
    "/declarations/p/{verified_public}": EVERYONE,
    "/declarations/p/{verified_public}.json": EVERYONE,
    "/declarations/p/{verified_public}/pact.json": EVERYONE,
    "/declarations/p/{verified_public}/qr.svg": EVERYONE,
    "/declarations/rules/{rule}": EVERYONE,
    "/international/rules/{rule}/factors": SIGNED_IN,
}


def _prepare_exchange_records(session, ids):
    from workbench.exchange import declarations

    found = {}
    for status in ("draft", "submitted", "verified"):
        if status == "draft":
            _declaration_in("draft")(session, ids)
        else:  # another declaration of the same calculation, taken further
            member = _enterprise_member(session, ids)
            data = declarations.DeclarationInput(
                product=f"水泥（{status}）",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
                geography_kind="subdivision",
                geography="CN-ZJ",
            )
            rule, calculation = session.get(Rule, ids["rule"]), session.get(Calculation, ids["calculation"])
            declaration = declarations.create_from_calculation(session, rule, calculation, data, by=member)
            declarations.submit(session, declaration, session.get(Organisation, ids["certification_body"]), by=member)
            if status == "verified":
                declarations.verify(
                    session,
                    declaration,
                    certificate_number="LC-TEST-3",
                    verified_on=_today(),
                    scope="摇篮到大门",
                    by=session.get(User, ids[Role.CERTIFIER]),
                    today=_today(),
                )
            ids.update(declaration=declaration.id, public_id=declaration.public_id)
        found[status] = (ids["declaration"], ids["public_id"])
    ids.update(
        draft=found["draft"][0],
        draft_public=found["draft"][1],
        submitted=found["submitted"][0],
        verified=found["verified"][0],
        verified_public=found["verified"][1],
    )


@pytest.fixture
def exchange_records(app, people):
    ids = dict(people)
    with app.app_context():
        _prepare_exchange_records(db.session, ids)
        db.session.commit()
    return ids


@pytest.mark.parametrize("page", list(EXCHANGE_RECORD_PAGES))
@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_exchange_record_page_matrix(exchange_records, login, role, page):
    response = login(role).get(page.format(**exchange_records))
    if role in EXCHANGE_RECORD_PAGES[page]:
        assert response.status_code == 200, response.text[:500]
    elif role is None:
        assert response.status_code in (302, 401)
    else:
        assert response.status_code in (403, 404)  # a declaration one may not read is "not found" by its address


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_a_drafts_public_address_is_not_found_by_those_who_may_not_read_it(exchange_records, login, role):
    response = login(role).get(f"/declarations/p/{exchange_records['draft_public']}")
    assert response.status_code == 404  # a draft has no public page, for anyone (its page is /declarations/<id>)


@pytest.mark.parametrize("role", PRINCIPALS, ids=_id)
def test_the_pact_host_reads_no_session(app, people, login, role):
    """/pact/3/… answer a partner's bearer token only: a browser signed in as anyone, the
    enterprise's own member included, gets 401 and no footprint; the token endpoint takes client
    credentials, not a session. (Tokens and pulls with real credentials: tests/test_pact_host.py;
    that only SHA-256 digests of secrets and tokens are stored: below and in
    tests/test_pact_host.py::test_only_digests_are_stored.)"""
    ids = dict(people)
    with app.app_context():
        _prepare_shared(db.session, ids)
        _prepare_client(db.session, ids)
        pf_id = db.session.get(_exchange_models().SharedFootprint, ids["footprint"]).pf_id
        db.session.commit()
    client = login(role)
    for response in (client.get("/pact/3/footprints"), client.get(f"/pact/3/footprints/{pf_id}")):
        assert response.status_code == 401
        assert response.json["code"] == "AccessDenied" and pf_id not in response.text
    token = client.post("/pact/auth/token", data={"grant_type": "client_credentials"})
    assert token.status_code in (400, 401) and "access_token" not in token.text


def test_pact_clients_and_tokens_keep_sha256_digests_only(app, people):
    import base64
    import hashlib

    models = _exchange_models()
    ids = dict(people)
    with app.app_context():
        _prepare_client(db.session, ids)
        db.session.commit()
        stored = db.session.get(models.PactClient, ids["client"]).secret_digest
    assert stored == hashlib.sha256(ids["secret"].encode()).hexdigest() and ids["secret"] not in stored
    credentials = base64.b64encode(f"{ids['client_id']}:{ids['secret']}".encode()).decode()
    response = app.test_client().post(
        "/pact/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {credentials}"}
    )
    assert response.status_code == 200, response.text
    token = response.json["access_token"]
    with app.app_context():
        (digest,) = db.session.scalars(select(models.PactToken.token_digest)).all()
    assert digest == hashlib.sha256(token.encode()).hexdigest() and token not in digest
