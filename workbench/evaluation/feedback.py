"""标准实施信息反馈 (《标准化法》第二十九条): anyone, signed in or not, reports how a published
standard works in practice; whoever answers for the standard answers (the working group of its
rule, the association that issued a group standard, the secretariat). Counts and open items show
on the standard's page and feed its evaluations.

Plain functions taking a session, used by the pages, the API, the command line and the tests alike;
they never commit. A submission is rate-limited like a consultation comment (workbench.drafting:
the same keyed hash of the address, the same count per hour), counted atomically before anything
is stored. The contact a reporter leaves is read only by those who may answer.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from workbench import throttle
from workbench.audit import change_reason
from workbench.auth.permissions import Action, Role, can, require
from workbench.drafting.service import COMMENTS_PER_HOUR, MAX_COMMENT_LENGTH, rule_of_standard
from workbench.errors import Conflict, NotFound, TooManyAttempts
from workbench.evaluation.models import Feedback, FeedbackKind, FeedbackStatus
from workbench.inputs import choice_field, long_text_field, text_field
from workbench.registry.models import Standard, Status
from workbench.spreadsheet import CONTROL_CHARACTERS

MAX_TEXT = MAX_COMMENT_LENGTH
MAX_CLAUSE = 100
MAX_CONTACT = 200
FEEDBACK_PER_HOUR = COMMENTS_PER_HOUR  # from one address (or account), as consultation comments
PANEL_ITEMS = 20  # the latest items the standard's page shows; the rest are on the paged list
# Feedback is on standards in force: published, or published and being revised.
OPEN_TO_FEEDBACK = (Status.PUBLISHED, Status.UNDER_REVISION)


@dataclass(frozen=True)
class FeedbackCounts:
    """A standard's feedback: all items, those awaiting an answer, and all items by kind (every
    FeedbackKind value is a key, in the enum's order)."""

    total: int = 0
    open: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in FeedbackKind})


@dataclass
class FeedbackInput:
    kind: str
    text: str
    clause: str = ""
    contact: str = ""


def accepts_feedback(standard: Standard) -> bool:
    return standard.status in OPEN_TO_FEEDBACK and not standard.is_archived


def responsible_group_id(session: Session, standard: Standard) -> int | None:
    """The working group of the standard's rule (drafting.service.rule_of_standard), or None when
    no rule of the workbench is this standard (an imported standard) or its rule has no group."""
    rule = rule_of_standard(session, standard)
    return rule.working_group_id if rule is not None else None


def submit(session: Session, standard: Standard, data: FeedbackInput, *, source: str, by, now: datetime) -> Feedback:
    """Feedback on a standard in force, from anyone (`by` may be a visitor or None). `source` is
    the keyed hash of the sender's address or account (`source_of`), which the rate limit counts."""
    require(by, Action.SUBMIT_FEEDBACK, standard)
    if not accepts_feedback(standard):
        raise Conflict(
            _(
                "“%(standard)s”不是现行标准（已发布或修订中），不能提交实施信息反馈。",
                standard=standard.designation,
            )
        )
    outcome = throttle.hit(throttle.limit(f"{FEEDBACK_PER_HOUR} per hour"), "feedback", source)
    if not outcome.allowed:
        raise TooManyAttempts(
            _(
                "一小时内最多提交 %(count)d 条反馈，请于 %(when)s 之后再提交；较长的反馈可合并在一条中。",
                count=FEEDBACK_PER_HOUR,
                when=format_datetime(outcome.resets_at, "short"),
            ),
            retry_at=outcome.resets_at,
        )
    kind = choice_field(FeedbackKind, (data.kind or "").strip(), "kind", _("反馈类型"))
    clause = text_field(_clean(data.clause), "clause", _("章条"), MAX_CLAUSE)
    text = long_text_field(_clean(data.text), "text", _("反馈内容"), MAX_TEXT, required=True)
    contact = text_field(_clean(data.contact), "contact", _("联系方式"), MAX_CONTACT)
    item = Feedback(
        standard=standard,
        clause=clause,
        kind=kind,
        text=text,
        contact=contact,
        author_id=by.id if by is not None and by.is_authenticated else None,
        submitted_at=now,
        source=source,
        working_group_id=responsible_group_id(session, standard),
        status=FeedbackStatus.OPEN,
    )
    session.add(item)
    session.flush()
    return item


def _clean(value) -> str:
    return ("" if value is None else str(value)).translate(CONTROL_CHARACTERS)


def answer(session: Session, item: Feedback, text: str, *, by, now: datetime, reason: str = "") -> Feedback:
    """Answer an item, or correct its answer (`reason`, optional, goes to the audit trail)."""
    require(by, Action.ANSWER_FEEDBACK, item)
    text = long_text_field(_clean(text), "answer", _("答复"), MAX_TEXT, required=True)
    reason = long_text_field(_clean(reason), "reason", _("修改原因"), 1000)
    with change_reason(session, reason):
        item.answer = text
        item.status = FeedbackStatus.ANSWERED
        item.answered_at = now
        item.answered_by_id = getattr(by, "id", None) if by is not None and by.is_authenticated else None
    return item


def get(session: Session, feedback_id: int) -> Feedback:
    item = session.get(Feedback, feedback_id)
    if item is None:
        raise NotFound(_("没有这条实施信息反馈。"))
    return item


# --- reading -----------------------------------------------------------------------------------


def counts(session: Session, standard_ids: list[int]) -> dict[int, FeedbackCounts]:
    """The feedback counts of each of `standard_ids` (zero counts for one without feedback), in
    one grouped query."""
    ids = sorted(set(standard_ids))
    tallies: dict[int, dict] = {
        standard_id: {"total": 0, "open": 0, "by_kind": {kind.value: 0 for kind in FeedbackKind}} for standard_id in ids
    }
    if not ids:
        return {}
    rows = session.execute(
        select(Feedback.standard_id, Feedback.kind, Feedback.status, func.count())
        .where(Feedback.standard_id.in_(ids))
        .group_by(Feedback.standard_id, Feedback.kind, Feedback.status)
    )
    for standard_id, kind, status, number in rows:
        tally = tallies[standard_id]
        tally["total"] += number
        tally["by_kind"][FeedbackKind(kind).value] += number
        if status == FeedbackStatus.OPEN:
            tally["open"] += number
    return {standard_id: FeedbackCounts(**tally) for standard_id, tally in tallies.items()}


def newest_first(standard_id: int, *, status: FeedbackStatus | str | None = None, kind=None) -> Select:
    """The query of a standard's feedback, newest first (for paging)."""
    query = select(Feedback).where(Feedback.standard_id == standard_id)
    if status:
        query = query.where(Feedback.status == FeedbackStatus(status))
    if kind:
        query = query.where(Feedback.kind == FeedbackKind(kind))
    return query.options(selectinload(Feedback.answered_by)).order_by(Feedback.submitted_at.desc(), Feedback.id.desc())


def items(session: Session, standard_id: int, *, limit: int | None = None, status=None) -> list[Feedback]:
    """A standard's feedback, newest first; the latest `limit` when given."""
    query = newest_first(standard_id, status=status)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def answerable(session: Session, user, *, limit: int | None = None) -> list[Feedback]:
    """The open feedback `user` may answer, oldest first: every open item for the secretariat and
    SAMR/MEE; their working groups' for drafters; their own group standards' for associations."""
    if user is None or not user.is_authenticated or not can(user, Action.ANSWER_FEEDBACK):
        return []
    query = (
        select(Feedback)
        .join(Feedback.standard)
        .where(Feedback.status == FeedbackStatus.OPEN)
        .options(selectinload(Feedback.standard))
        .order_by(Feedback.submitted_at, Feedback.id)
    )
    role = getattr(user, "role", None)
    if role == Role.DRAFTER:
        groups = [group.id for group in getattr(user, "working_groups", [])]
        if not groups:
            return []
        query = query.where(Feedback.working_group_id.in_(groups))
    elif role == Role.ASSOCIATION:
        organisation = getattr(user, "organisation", None)
        if organisation is None:
            return []
        query = query.where(
            Standard.level == "group", Standard.association.contains(organisation.name, autoescape=True)
        )
    elif role not in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        return []
    # The query narrows; the permission table decides (an association named inside another's name).
    found = [item for item in session.scalars(query) if can(user, Action.ANSWER_FEEDBACK, item)]
    return found[:limit] if limit is not None else found
