"""Operations on the factor library: create and change factors (each change a new version),
search, import a file (all rows or none), load the reference factors, and `Library`, the library
as one calculation reads it. Used by the pages, the API, the CLI and the tests; never commits.

Checking is pure (no database): `validate_rows` checks a file's rows (`files.read_rows`) as the
import does, so `workbench calc --factors` can use an exported library offline (`snapshots`: the
rows in the shape of `Factor.snapshot()`). Whether a code is free is the database's question,
asked only when saving."""

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.audit import archiving, change_reason
from workbench.auth.permissions import Action, require
from workbench.dates import iso
from workbench.db import expect_version, utcnow
from workbench.errors import InvalidInput, refuse
from workbench.factors import files, reference
from workbench.factors import uncertainty as uncertainties
from workbench.factors.models import TIER_ORDER, Factor, FactorKind, FactorVersion, Tier
from workbench.i18n import say
from workbench.messages import N_
from workbench.registry import numbers

MAX_REPORTED_ROWS = 20


@dataclass
class FactorInput:
    code: str
    name: str
    value: float | str
    unit: str
    kind: FactorKind | str
    tier: Tier | str
    source: str
    geography: str = ""
    data_year: int | str | None = None
    published_on: date | None = None
    source_url: str = ""
    database: str = ""
    standards: str = ""
    note: str = ""
    gases: dict | None = None
    uncertainty: dict | None = None


def check_unit(unit: str) -> str:
    """`unit` if the calculation engine can read it (a per-activity factor unit such as
    kgCO2e/kWh), else a refusal naming it."""
    from workbench.factors import units

    unit = " ".join((unit or "").split())
    if not unit:
        refuse("unit", _("请填写单位，如 kgCO2e/kWh。"))
    try:
        units.factor_unit(unit)
    except units.UnitError as error:  # its sentence in the reader's language, not str(error)'s Chinese
        refuse("unit", _("单位“%(unit)s”无法识别：%(reason)s", unit=unit, reason=say(error.message)))
    return unit


def _clean(data: FactorInput) -> dict:
    """The factor's column values, checked and normalised, or a refusal naming the field. Pure:
    whether the code is free is the database's question (`_values`)."""
    code = " ".join((data.code or "").split())
    if not code or len(code) > 80:
        refuse("code", _("请填写因子编号（不超过 80 个字符）。"))
    name = " ".join((data.name or "").split())
    if not name or len(name) > 200:
        refuse("name", _("请填写名称（不超过 200 个字符）。"))
    try:
        value = float(data.value)
    except (TypeError, ValueError):
        refuse("value", _("数值“%(value)s”不是数字。", value=data.value))
    if not math.isfinite(value) or value < 0:
        refuse("value", _("因子数值须为非负的有限数。"))
    if data.kind not in {kind.value for kind in FactorKind}:
        refuse("kind", _("类型“%(value)s”无效，可选：%(allowed)s。", value=data.kind, allowed="、".join(FactorKind)))
    if data.tier not in {tier.value for tier in Tier}:
        refuse("tier", _("数据来源层级“%(value)s”无效，可选：%(allowed)s。", value=data.tier, allowed="、".join(Tier)))
    kind, tier = FactorKind(data.kind), Tier(data.tier)
    year = data.data_year
    if year not in (None, ""):
        if not str(year).isdecimal() or not 1950 <= int(year) <= date.today().year + 1:
            refuse("data_year", _("数据年份“%(year)s”无效，请写四位年份。", year=year))
        year = int(year)
    else:
        year = None
    source = " ".join((data.source or "").split())
    if not source:
        refuse("source", _("请注明来源（文件名称、文号、页码或网址）：指引（五）要求注明数据来源。"))
    return {
        "code": code,
        "name": name,
        "value": value,
        "unit": check_unit(data.unit),
        "kind": kind,
        "tier": tier,
        "source": source[:500],
        "geography": " ".join((data.geography or "").split())[:100],
        "data_year": year,
        "published_on": data.published_on,
        "source_url": (data.source_url or "").strip()[:500],
        "database": (data.database or "").strip()[:200],
        "standards": (data.standards or "").strip()[:300],
        "note": (data.note or "").strip(),
        "gases": check_gases(data.gases),
        "uncertainty": check_uncertainty(data.uncertainty),
    }


def _values(session: Session, data: FactorInput, factor: Factor | None) -> dict:
    values = _clean(data)
    owner = session.scalar(select(Factor).where(func.lower(Factor.code) == values["code"].lower()))
    if owner is not None and owner is not factor:
        refuse("code", _("因子编号“%(code)s”已被“%(name)s”使用。", code=values["code"], name=owner.name))
    return values


def check_gases(gases) -> dict | None:
    """Per-gas values ({"CO2": 0.8, "CH4_fossil": 0.001}, in the mass unit of the factor per
    activity unit) keyed by the formulas of the GWP table, or a refusal naming the gas."""
    if gases is None or gases == {}:
        return None
    example = '{"CO2": 0.8, "CH4_fossil": 0.001}'
    if not isinstance(gases, dict):
        refuse("gases", _("分气体数值应为 JSON 对象，如 %(example)s。", example=example))
    known = reference.gwp_table(reference.DEFAULT_GWP_SET) or {}
    for gas, amount in gases.items():
        if gas not in known:
            refuse(
                "gases",
                _(
                    "气体“%(gas)s”无法识别：请使用 %(table)s 中的化学式，如 CO2、CH4_fossil、CH4_non_fossil、N2O。",
                    gas=gas,
                    table=reference.DEFAULT_GWP_SET,
                ),
            )
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount < 0:
            refuse(
                "gases",
                _("气体 %(gas)s 的数值应为非负的有限数，现为 %(value)s。", gas=gas, value=json.dumps(amount)),
            )
    return dict(gases)


def check_uncertainty(uncertainty) -> dict | None:
    """An uncertainty in the shape the trial dataset uses for factors (distribution and its
    parameters, and/or pedigree scores), or a refusal with the dataset's message."""
    if uncertainty is None or uncertainty == {}:
        return None
    if not isinstance(uncertainty, dict):
        refuse(
            "uncertainty",
            _("不确定性应为 JSON 对象，如 %(example)s。", example='{"distribution": "lognormal", "gsd": 1.2}'),
        )
    problems = uncertainties.problems(uncertainty)
    if problems:
        more = _("（另有 %(count)d 处问题）", count=len(problems) - 1) if len(problems) > 1 else ""
        refuse("uncertainty", say(problems[0].sentence) + more)
    return dict(uncertainty)


def snapshot(values: dict) -> dict:
    """Checked values (`_clean`) in the shape of `Factor.snapshot()`: what a calculation uses."""
    published = values["published_on"]
    return {
        "code": values["code"],
        "name": values["name"],
        "value": values["value"],
        "unit": values["unit"],
        "gases": values["gases"],
        "kind": FactorKind(values["kind"]).value,
        "geography": values["geography"],
        "data_year": values["data_year"],
        "published_on": iso(published),
        "tier": Tier(values["tier"]).value,
        "source": values["source"],
        "source_url": values["source_url"],
        "uncertainty": values["uncertainty"],
        "database": values["database"],
        "standards": values["standards"],
    }


def _record_version(session: Session, factor: Factor) -> None:
    session.flush()
    session.add(
        FactorVersion(factor_id=factor.id, version=factor.version, snapshot=factor.snapshot(), recorded_at=utcnow())
    )


def save_factor(session: Session, data: FactorInput, factor: Factor | None, *, reason: str | None = None) -> Factor:
    """Create (`factor` None) or update a factor with the library's checks (the values, a code
    no other factor uses) and a new version when something changed. The caller has checked its
    own permission: MANAGE_FACTORS here, a narrower one elsewhere (a supplier's PACT footprint)."""
    values = _values(session, data, factor)
    if factor is None:
        factor = Factor(**values)
        session.add(factor)
        _record_version(session, factor)
        return factor
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(factor, key, value)
    if session.is_modified(factor) or factor.version != max((v.version for v in factor.versions), default=0):
        _record_version(session, factor)
    return factor


def create_factor(session: Session, data: FactorInput, *, by) -> Factor:
    require(by, Action.MANAGE_FACTORS)
    return save_factor(session, data, None)


def update_factor(
    session: Session, factor: Factor, data: FactorInput, *, by, reason: str | None = None, expected_version=None
) -> Factor:
    """Change a factor; the old version stays readable, and calculations name the one they used."""
    require(by, Action.MANAGE_FACTORS, factor)
    expect_version(factor, expected_version)
    return save_factor(session, data, factor, reason=reason)


@dataclass
class FactorFilters:
    text: str = ""
    unit: str = ""
    geography: str = ""
    tier: str = ""
    kind: str = ""


def search(filters: FactorFilters):
    query = select(Factor).where(Factor.archived_at.is_(None)).order_by(Factor.name, Factor.data_year.desc())
    text = filters.text.strip().lower()
    if text:
        query = query.where(
            or_(
                func.lower(Factor.name).contains(text, autoescape=True),
                func.lower(Factor.code).contains(text, autoescape=True),
                func.lower(Factor.source).contains(text, autoescape=True),
            )
        )
    if filters.unit.strip():
        query = query.where(func.lower(Factor.unit) == filters.unit.strip().lower())
    if filters.geography.strip():
        query = query.where(Factor.geography.contains(filters.geography.strip(), autoescape=True))
    if filters.tier in {tier.value for tier in Tier}:
        query = query.where(Factor.tier == Tier(filters.tier))
    if filters.kind in {kind.value for kind in FactorKind}:
        query = query.where(Factor.kind == FactorKind(filters.kind))
    return query


# --- checking and importing files -------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def line(self) -> str:
        if self.column:
            return _("第 %(row)d 行 %(column)s 列：%(reason)s", row=self.row, column=self.column, reason=self.message)
        return _("第 %(row)d 行：%(reason)s", row=self.row, reason=self.message)


def _row_error(number: int, error: InvalidInput) -> RowError:
    column, message = next(iter(error.details.items()), (None, error.message))
    return RowError(number, column if isinstance(column, str) else None, str(message))


def _check_rows(rows: Iterable[tuple[int, Mapping]]) -> tuple[list[tuple[int, dict]], list[RowError], bool]:
    """(checked rows, errors, whether checking stopped at MAX_REPORTED_ROWS errors)."""
    checked, errors, seen = [], [], {}
    for number, row in rows:
        if len(errors) >= MAX_REPORTED_ROWS:
            return checked, errors, True
        try:
            values = _clean(FactorInput(**files.row_fields(row)))
        except InvalidInput as error:
            errors.append(_row_error(number, error))
            continue
        key = values["code"].lower()
        if key in seen:
            message = _("因子编号“%(code)s”与第 %(other)d 行重复。", code=values["code"], other=seen[key])
            errors.append(RowError(number, "code", message))
            continue
        seen[key] = number
        checked.append((number, values))
    return checked, errors, False


def _refused(heading: str, errors: list[RowError], stopped: bool) -> InvalidInput:
    lines = [error.line() for error in errors]
    if stopped:
        lines.append(_("（只列出前 %(count)d 处错误，其后的行未检查。）", count=len(errors)))
    return InvalidInput(
        heading + "\n" + "\n".join(lines),
        details={"rows": [{"row": e.row, "column": e.column, "message": e.message} for e in errors]},
    )


def validate_rows(rows: Iterable[tuple[int, Mapping]]) -> list[tuple[int, dict]]:
    """Pure: each row checked as the import checks it ([(row number, values)], the values those
    `create_factor` stores), or InvalidInput listing the bad rows (at most MAX_REPORTED_ROWS),
    each with its row number and column, in `details["rows"]`. Codes must be unique in the file;
    whether they are free in the library is the import's question."""
    checked, errors, stopped = _check_rows(rows)
    if errors:
        raise _refused(_("因子文件有误，请修改以下各行："), errors, stopped)
    return checked


def snapshots(rows: Iterable[tuple[int, Mapping]]) -> list[dict]:
    """Pure: the rows of an exported library as the calculation reads library factors (the shape
    of `Factor.snapshot()`), after `validate_rows`."""
    return [snapshot(values) for _number, values in validate_rows(rows)]


def import_rows(
    session: Session, rows: Iterable[tuple[int, Mapping]], *, by, reason: str = N_("CSV 导入")
) -> tuple[list[Factor], list[Factor]]:
    """(created, updated). All rows or none: every row is checked first, and each bad row is
    reported with its row number and column; a factor whose code exists is updated (a new
    version only when something changed)."""
    require(by, Action.MANAGE_FACTORS)
    checked, errors, stopped = _check_rows(rows)
    created, updated = [], []
    if not errors:
        for number, values in checked:
            try:
                data = FactorInput(**values)
                existing = session.scalar(select(Factor).where(func.lower(Factor.code) == values["code"].lower()))
                with change_reason(session, reason):
                    if existing is None:
                        created.append(create_factor(session, data, by=by))
                    else:
                        before = existing.version
                        update_factor(session, existing, data, by=by)
                        if existing.version != before:
                            updated.append(existing)
            except InvalidInput as error:
                errors.append(_row_error(number, error))
                if len(errors) >= MAX_REPORTED_ROWS:
                    stopped = True
                    break
    if errors:
        raise _refused(_("导入已取消，没有写入任何数据。请修改以下各行后重新导入："), errors, stopped)
    return created, updated


def import_file(session: Session, content: bytes, name: str = "", *, by) -> tuple[list[Factor], list[Factor]]:
    """(created, updated) from a CSV or XLSX file, told apart by content."""
    require(by, Action.MANAGE_FACTORS)  # before the file is read
    rows = files.read_rows(content, name)
    return import_rows(session, rows, by=by, reason=N_("XLSX 导入") if content[:2] == b"PK" else N_("CSV 导入"))


def set_archived(session: Session, factor: Factor, archived: bool, *, by, reason: str | None = None) -> None:
    """Archive a factor (calculations that used it keep its versions) or restore it."""
    require(by, Action.MANAGE_FACTORS, factor)
    archiving.set_archived(session, factor, archived, reason=reason)


# --- reference data ---------------------------------------------------------------------------------


def load_reference_factors(session: Session, *, by) -> list[Factor]:
    """Create the reference factors (`reference.factor_rows`) that are missing (by code); returns
    those created now."""
    created = []
    for row in reference.factor_rows():
        if session.scalar(select(Factor.id).where(Factor.code == row["code"])) is None:
            created.append(create_factor(session, FactorInput(**row), by=by))
    return created


# --- the factor library, as the engine sees it ------------------------------------------------------


class Library:
    """Factor lookups for one calculation: a dataset's `{id}` is a library factor's code (or its
    numeric id); the current version is used and remembered, so the calculation can name it."""

    def __init__(self, session: Session):
        self.session = session
        self.used: dict[int, FactorVersion] = {}
        self._found: dict[str, dict | None] = {}
        self._best: dict[str, str | None] = {}

    def lookup(self, reference: str) -> dict | None:
        if reference not in self._found:
            self._found[reference] = self._lookup(reference)
        return self._found[reference]

    def _lookup(self, reference: str) -> dict | None:
        factor = self.session.scalar(select(Factor).where(func.lower(Factor.code) == reference.strip().lower()))
        if factor is None and reference.strip().isascii() and reference.strip().isdigit() and int(reference) < 2**31:
            factor = self.session.get(Factor, int(reference))
        if factor is None or factor.is_archived:
            return None
        version = self.session.scalar(
            select(FactorVersion).where(FactorVersion.factor_id == factor.id, FactorVersion.version == factor.version)
        )
        if version is None:  # every change writes a version; a gap would be a bug, not the user's fault
            raise RuntimeError(f"factor {factor.code} has no version {factor.version}")
        self.used[version.id] = version
        return dict(version.snapshot)

    def prefetch_best(self, dataset: dict) -> None:
        """The best tier the library holds for each item of the dataset, in one query per 500
        names: a factor whose name is the line's item (or the name of the library factor it
        uses)."""
        names = {str(line.get("item") or "").strip().lower() for line in dataset.get("lines") or []}
        for line in dataset.get("lines") or []:
            reference = (line.get("factor") or {}).get("id")
            found = self.lookup(str(reference)) if reference else None
            if found:
                names.add(found["name"].strip().lower())
        names.discard("")
        pending = sorted(name for name in names if name not in self._best)
        for name in pending:
            self._best[name] = None
        for start in range(0, len(pending), 500):
            chunk = pending[start : start + 500]
            rows = self.session.execute(
                select(func.lower(Factor.name), Factor.tier).where(
                    func.lower(Factor.name).in_(chunk), Factor.archived_at.is_(None)
                )
            ).all()
            for name, tier in rows:
                current = self._best.get(name)
                if current is None or TIER_ORDER[Tier(tier)] < TIER_ORDER[Tier(current)]:
                    self._best[name] = Tier(tier).value

    def better_factor(self, line: dict) -> str | None:
        names = [str(line.get("item") or "").strip().lower()]
        reference = (line.get("factor") or {}).get("id")
        found = self.lookup(str(reference)) if reference else None
        if found:
            names.append(found["name"].strip().lower())
        tiers = [self._best.get(name) for name in names if self._best.get(name)]
        return min(tiers, key=lambda tier: TIER_ORDER[Tier(tier)]) if tiers else None


# Separators between the standards a factor names in its `standards` field ("GB/T 24067-2024；
# T/CISA 469-2024"): looser than a joint number's, since the field is free text.
_CITATION_SEPARATORS = re.compile(r"[\n\r;,、；，]+")


def cited_keys(text: str) -> set[str]:
    """The number keys of the standards a factor's `standards` field names; what does not read as
    a standard number ("企业实测") is not a citation."""
    keys = set()
    for item in _CITATION_SEPARATORS.split(text or ""):
        try:
            keys.add(numbers.parse(item).key)
        except numbers.InvalidNumber:
            continue
    return keys


def factors_citing(session: Session, number_keys: Iterable[str], sequences: Iterable[str]) -> list[Factor]:
    """The factors of the library (not archived) derived under a standard with one of
    `number_keys` (its numbers' keys), by code. `sequences` (the numbers' sequences, "44905")
    narrow the search in the database before each candidate's field is read exactly, so the cost
    follows the candidates, not the library (指引（十五）: citations by factor databases)."""
    wanted = set(number_keys)
    patterns = [Factor.standards.contains(sequence.lstrip("0") or sequence) for sequence in set(sequences)]
    if not wanted or not patterns:
        return []
    candidates = session.scalars(
        select(Factor).where(Factor.archived_at.is_(None), or_(*patterns)).order_by(Factor.code)
    ).all()
    return [factor for factor in candidates if cited_keys(factor.standards) & wanted]
