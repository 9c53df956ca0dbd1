"""Reading declarations (信息披露) and a rule's distribution (分级管理): who sees which, their
status as shown, the published rules one may declare under, the rule's terms, the calculations an
enterprise may declare from, the public JSON, and the distribution of declared values with the
classes and the benchmark. The writing side (create, edit, submit, verify, …) is declarations.py,
which reads through this module.

Plain functions taking a session; they never write.

Decisions worth knowing:
- Status "expired" is not stored: a verified declaration whose valid_until is before today.
- Public (listed and readable by anyone): verified, suspended and withdrawn declarations that were
  verified once (verified_on set); the page of a suspended or withdrawn one says so. A declaration
  withdrawn before it was verified never becomes public.
- The benchmark is the median of the valid declarations' values, and of the newest usable
  calculations of record of the rule's trials before any declaration is valid. The trials'
  results are confidential: that fallback shows the median and how many trials it comes from
  (at least MIN_TRIALS, else nothing), never a trial's own value, not even in the chart's bins.
- Shown to people: a declared value with four significant figures (trials.display.number, as
  the trial pages; the exact value is in the JSON and the page's title attribute); a grade "N 级"
  through the translatable "%(number)d 级" (the rule's own text otherwise); a country by its
  name in the reader's language (Babel's territory names) with its code, a subdivision or a
  region as given.
- The distribution reads the values in one column query (the chart and the median over all of
  them) and lists only the newest LISTED valid declarations (their organisations loaded with
  them); the paged list at /declarations?rule=… has every one.
"""

from dataclasses import dataclass
from datetime import date

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workbench.auth.models import Organisation, OrganisationKind
from workbench.auth.permissions import Action, Role, can, require, same_enterprise
from workbench.drafting.models import Rule, RuleRevision
from workbench.errors import NotFound
from workbench.exchange import classes, footprints
from workbench.exchange.models import (
    DECLARATION_STATUS_LABELS,
    Declaration,
    DeclarationStatus,
    DeclarationTerms,
)
from workbench.publishing.models import Publication
from workbench.trials import display
from workbench.trials.models import Calculation, Trial
from workbench.web import external_url

DEFAULT_VALIDITY_MONTHS = 24
DEFAULT_SURVEILLANCE_MONTHS = 12
# Public: one of these states AND verified once (verified_on set). A declaration withdrawn while
# still a draft, submitted or rejected was never verified and stays private.
PUBLIC = (DeclarationStatus.VERIFIED, DeclarationStatus.SUSPENDED, DeclarationStatus.WITHDRAWN)
MIN_TRIALS = 3  # fewer trials' results would let one read an enterprise's confidential value
LISTED = 200  # the distribution page lists the newest this many; the paged list has them all


def is_public(declaration: Declaration) -> bool:
    """Whether anyone may read the declaration: verified once, now verified, suspended or withdrawn."""
    return declaration.status in PUBLIC and declaration.verified_on is not None


def public_clause():
    """is_public as a where clause."""
    return Declaration.status.in_(PUBLIC) & Declaration.verified_on.is_not(None)


def is_expired(declaration: Declaration, today: date) -> bool:
    return (
        declaration.status == DeclarationStatus.VERIFIED
        and declaration.valid_until is not None
        and declaration.valid_until < today
    )


def is_valid(declaration: Declaration, today: date) -> bool:
    return declaration.status == DeclarationStatus.VERIFIED and not is_expired(declaration, today)


def status_key(declaration: Declaration, today: date) -> str:
    """The status as shown: the stored one, or "expired" for a verified one past its validity."""
    return "expired" if is_expired(declaration, today) else declaration.status.value


def status_label(declaration: Declaration, today: date) -> str:
    return _("已过期") if is_expired(declaration, today) else str(DECLARATION_STATUS_LABELS[declaration.status])


def value_text(value: float | None) -> str:
    """A declared value for people: four significant figures, on every page alike."""
    return display.number(value)


def grade_label(grade: str | None) -> str | None:
    """A grade in the reader's language: "N 级" as "%(number)d 级" (English "Class N"), any other
    text as the rule gives it; None stays None."""
    number = classes.class_number(grade)
    return _("%(number)d 级", number=number) if number is not None else grade


def geography_label(kind: str, code: str) -> str:
    """A declaration's geography for people: a country by its name in the reader's language with
    its code in brackets ("中国（CN）", "China (CN)"); a subdivision or a region as given."""
    if kind == "country" and code:
        locale = get_locale() or Locale.parse("zh_Hans_CN")
        name = locale.territories.get(code.upper())
        if name:
            return _("%(name)s（%(code)s）", name=name, code=code)
    return code or "—"


def get(session: Session, declaration_id: int, *, by) -> Declaration:
    declaration = session.get(Declaration, declaration_id)
    if declaration is None:
        raise NotFound(_("没有这项声明。"))
    require(by, Action.VIEW_DECLARATION, declaration)
    return declaration


def by_public_id(session: Session, public_id: str, *, by) -> Declaration:
    """The declaration behind a public page: readable by anyone once verified (then suspended or
    withdrawn too). One never verified answers "not found" to everyone, its own enterprise too
    (which has its workspace page): the public address, JSON, PACT form and QR code exist only
    for a public declaration."""
    declaration = None
    if public_id.isascii() and 0 < len(public_id) <= 32:
        declaration = session.scalar(select(Declaration).where(Declaration.public_id == public_id))
    if declaration is None or not is_public(declaration) or not can(by, Action.VIEW_DECLARATION, declaration):
        raise NotFound(_("没有这项声明，或它尚未通过核查。"))
    return declaration


def visible(session: Session, user, *, rule_id: int | None = None, status: str | None = None):
    """A select of the declarations `user` may list, newest first: the public ones (verified once,
    then verified, suspended or withdrawn) for everyone; an enterprise's own of every status; a certifier's queue
    (those naming its body); all for the administrators and the secretariat."""
    query = select(Declaration).options(selectinload(Declaration.organisation))
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    organisation_id = getattr(user, "organisation_id", None)
    public = public_clause()
    if role in (Role.ADMINISTRATOR, Role.SECRETARIAT):
        pass
    elif role == Role.CERTIFIER and organisation_id is not None:
        query = query.where(public | (Declaration.certification_body_id == organisation_id))
    elif can(user, Action.DECLARE) and organisation_id is not None:
        query = query.where(public | (Declaration.organisation_id == organisation_id))
    else:
        query = query.where(public)
    if rule_id is not None:
        query = query.where(Declaration.rule_id == rule_id)
    if status in {member.value for member in DeclarationStatus}:
        query = query.where(Declaration.status == DeclarationStatus(status))
    return query.order_by(Declaration.id.desc())


def _valid(rule_id: int, today: date):
    return (
        Declaration.rule_id == rule_id,
        Declaration.status == DeclarationStatus.VERIFIED,
        Declaration.valid_until >= today,
    )


def valid_declarations(session: Session, rule_id: int, today: date, *, limit: int | None = None) -> list[Declaration]:
    """The declarations under the rule that are verified and within their validity today, lowest
    value first, with their organisations; `limit`: the newest that many only."""
    query = select(Declaration).options(selectinload(Declaration.organisation)).where(*_valid(rule_id, today))
    if limit is not None:
        newest = select(Declaration.id).where(*_valid(rule_id, today)).order_by(Declaration.id.desc()).limit(limit)
        query = query.where(Declaration.id.in_(newest.scalar_subquery()))
    return list(session.scalars(query.order_by(Declaration.value, Declaration.id)))


def valid_values(session: Session, rule_id: int, today: date) -> list[float]:
    """The declared values of the rule's valid declarations (one column: the chart, the median)."""
    return sorted(session.scalars(select(Declaration.value).where(*_valid(rule_id, today))))


def application_counts(session: Session, rule_ids, today: date) -> dict[int, int]:
    """How many valid declarations each rule has today (rules without any are left out)."""
    rule_ids = list(rule_ids)
    if not rule_ids:
        return {}
    rows = session.execute(
        select(Declaration.rule_id, func.count(Declaration.id))
        .where(
            Declaration.rule_id.in_(rule_ids),
            Declaration.status == DeclarationStatus.VERIFIED,
            Declaration.valid_until >= today,
        )
        .group_by(Declaration.rule_id)
    ).all()
    return {rule_id: count for rule_id, count in rows}


def latest_publication(session: Session, rule_id: int) -> Publication | None:
    return session.scalar(
        select(Publication).where(Publication.rule_id == rule_id).order_by(Publication.id.desc()).limit(1)
    )


def published_rules(session: Session) -> list[Rule]:
    """The rules published on the portal (any stage), by code: those one may declare under."""
    return list(
        session.scalars(
            select(Rule).where(Rule.id.in_(select(Publication.rule_id)), Rule.archived_at.is_(None)).order_by(Rule.code)
        )
    )


def rule_id_by_code(session: Session, code: str) -> int | None:
    if not code.isascii() or len(code) > 40:
        return None
    return session.scalar(select(Rule.id).where(Rule.code == code))


def rule_number(rule: Rule) -> str:
    """The registry standard's number when the rule has one, else the rule code: the one
    function in footprints, so a declaration and its PACT form name the rule alike."""
    return footprints.rule_number(rule)


def parameters_of(revision: RuleRevision) -> dict:
    parameters = revision.parameters
    if parameters is None:
        parameters = (revision.document or {}).get("parameters") or {}
    return parameters if isinstance(parameters, dict) else {}


def declared_unit_of(revision: RuleRevision) -> str:
    """The rule's declared (or functional) unit as a unit text: "t", or "1000 kg" for a quantity."""
    parameters = parameters_of(revision)
    unit = parameters.get("declared_unit") or parameters.get("functional_unit") or {}
    if not isinstance(unit, dict):
        return ""
    text = str(unit.get("unit") or "")
    quantity = unit.get("quantity", 1)
    if isinstance(quantity, int | float) and quantity != 1 and text:
        return f"{quantity:g} {text}"
    return text


def terms_of(session: Session, rule_id: int) -> DeclarationTerms:
    """The rule's terms, or the defaults (not stored) when it has none."""
    return session.get(DeclarationTerms, rule_id) or DeclarationTerms(
        rule_id=rule_id, validity_months=DEFAULT_VALIDITY_MONTHS, surveillance_months=DEFAULT_SURVEILLANCE_MONTHS
    )


def certification_bodies(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CERTIFICATION_BODY)
            .order_by(Organisation.name)
        )
    )


def _newest_of_record(rule_id: int):
    """The id of the newest calculation of record of each active trial of the rule (a subquery)."""
    return (
        select(func.max(Calculation.id))
        .join(Trial, Calculation.trial_id == Trial.id)
        .where(Trial.rule_id == rule_id, Trial.archived_at.is_(None), Calculation.of_record.is_(True))
        .group_by(Calculation.trial_id)
        .scalar_subquery()
    )


def own_calculations(session: Session, rule: Rule, *, by) -> list[Calculation]:
    """The newest usable calculation of record of each active trial of the rule whose enterprise
    is the user's own: what the user may declare from."""
    if not can(by, Action.DECLARE):
        return []
    rows = session.scalars(
        select(Calculation)
        .where(Calculation.id.in_(_newest_of_record(rule.id)), Calculation.usable.is_(True))
        .order_by(Calculation.id)
    )
    return [row for row in rows if same_enterprise(by, row.trial.enterprise)]


# --- a rule's distribution ------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    rule: Rule
    revision: RuleRevision | None
    unit: str
    values: list[float]  # the valid declarations' values; [] on the trials' basis (confidential)
    basis: str  # "declarations"; "trials" (before any valid declaration); "few_trials"; "none"
    benchmark: float | None
    count: int  # how many values the benchmark comes from
    classes: list[dict]
    classes_basis: str
    declarations: list[Declaration]  # the newest LISTED valid ones, lowest value first

    @property
    def more(self) -> bool:
        """Whether some valid declarations are left out of `declarations` (see the paged list)."""
        return self.basis == "declarations" and self.count > len(self.declarations)

    def chart(self) -> dict:
        """The chart's data: the bins of the declared values, or, on the trials' basis, only the
        thresholds and the benchmark (no bin would keep a trial's value from showing)."""
        return classes.chart_data(self.values, self.classes, self.benchmark)


def _trial_values(session: Session, rule_id: int) -> list[float]:
    rows = session.scalars(
        select(Calculation.cfp_per_unit).where(
            Calculation.id.in_(_newest_of_record(rule_id)), Calculation.usable.is_(True)
        )
    )
    return [value for value in rows if value is not None]


def distribution(session: Session, rule: Rule, today: date) -> Distribution:
    """The declared values of the rule's valid declarations with the classes and the benchmark;
    before any exist, only the median of the trials' calculations of record of the rule (and
    how many), when there are at least MIN_TRIALS of them."""
    publication = latest_publication(session, rule.id)
    revision = publication.revision if publication is not None else None
    parameters = parameters_of(revision) if revision is not None else {}
    values = valid_values(session, rule.id, today)
    listed: list[Declaration] = []
    if values:
        basis, benchmark, shown = "declarations", classes.benchmark(values), values
        listed = valid_declarations(session, rule.id, today, limit=LISTED)
    else:
        values = _trial_values(session, rule.id)
        shown = []  # never a trial's own value
        if len(values) >= MIN_TRIALS:
            basis, benchmark = "trials", classes.benchmark(values)
        else:
            basis, benchmark = ("few_trials" if values else "none"), None
    return Distribution(
        rule=rule,
        revision=revision,
        unit=declared_unit_of(revision) if revision is not None else "",
        values=shown,
        basis=basis,
        benchmark=benchmark,
        count=len(values),
        classes=classes.classes_of(parameters),
        classes_basis=classes.basis_of(parameters),
        declarations=listed,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def public_json(declaration: Declaration, *, today: date) -> dict:
    """The machine-readable form of a public declaration (documented on its page and in
    docs): what the page shows, in plain values.

    "value" is the exact declared value (the pages round it to four significant figures).
    "performance_class" is the grade as the rule writes it (Chinese, as the standard prints it,
    e.g. "2 级"), or null when the value is above the last limit or the rule has no classes;
    "performance_class_number" (added beside it) is the same grade as a language-neutral
    integer (2), null when the grade is not of the form "N 级" or there is none."""
    return {
        "id": declaration.public_id,
        "url": external_url("declarations.public", public_id=declaration.public_id),
        "status": status_key(declaration, today),
        "organisation": declaration.organisation.name,
        "product": declaration.product,
        "rule": {
            "number": declaration.rule_number,
            "code": declaration.rule.code,
            "title": declaration.rule.title,
            "revision": declaration.revision.number,
        },
        "declared_unit": declaration.declared_unit,
        "value": declaration.value,
        "value_unit": "kg CO2e",
        "period": {"start": _iso(declaration.period_start), "end": _iso(declaration.period_end)},
        "geography": {"kind": declaration.geography_kind, "code": declaration.geography},
        "performance_class": declaration.performance_class,
        "performance_class_number": classes.class_number(declaration.performance_class),
        "source": declaration.source.value,
        "certificate": {
            "number": declaration.certificate_number,
            "body": declaration.certification_body.name if declaration.certification_body else None,
            "verified_on": _iso(declaration.verified_on),
            "scope": declaration.verification_scope,
            "valid_until": _iso(declaration.valid_until),
            "surveillance_dates": list(declaration.surveillance_dates or []),
        },
        "status_reason": declaration.status_reason,
    }
