"""Every model module, imported in one place so the metadata knows the whole schema
(Alembic autogenerate and the migration tests rely on it)."""

from workbench.audit.models import AuditEvent  # noqa: F401
from workbench.auth.models import ApiToken, Organisation, User, WorkingGroup  # noqa: F401
from workbench.catalogue.models import Call, ListBatch, ListItem, Proposal, ProposalComment  # noqa: F401
from workbench.drafting.models import (  # noqa: F401
    ConsultationComment,
    FindingSuppression,
    Rule,
    RuleRevision,
    StageEvent,
)
from workbench.evaluation.models import (  # noqa: F401
    AdoptionApplication,
    AdoptionAttachment,
    AdoptionScore,
    CoordinationReason,
    Evaluation,
    EvaluationPlan,
    EvaluationScore,
    Feedback,
    PanelMember,
    Withdrawal,
)
from workbench.exchange.models import (  # noqa: F401
    Declaration,
    DeclarationTerms,
    PactClient,
    PactEvent,
    PactToken,
    ReferenceValue,
    SharedFootprint,
)
from workbench.factors.models import Factor, FactorVersion  # noqa: F401
from workbench.publishing.models import Publication  # noqa: F401
from workbench.registry.models import Product, Standard, StandardNumber, StandardRelation  # noqa: F401
from workbench.trials.models import Calculation, Trial  # noqa: F401
