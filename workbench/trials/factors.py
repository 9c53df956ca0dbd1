"""Operations on the factor library: create and change factors (each change a new version),
search, and CSV import (all rows or none) and export. Used by the pages, the CLI and the tests;
never commits."""

import csv
import io
import math
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.db import expect_version, utcnow
from workbench.errors import InvalidInput
from workbench.i18n import N_
from workbench.trials.models import Factor, FactorKind, FactorVersion, Tier

DATA = Path(__file__).parent / "data"
CSV_COLUMNS = (
    "code",
    "name",
    "value",
    "unit",
    "kind",
    "geography",
    "data_year",
    "published_on",
    "tier",
    "source",
    "source_url",
    "database",
    "standards",
    "note",
)
MAX_IMPORT_ROWS = 20_000


def _refuse(field_name: str, message: str):
    raise InvalidInput(message, details={field_name: message})


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
    from workbench.trials import units

    unit = " ".join((unit or "").split())
    if not unit:
        _refuse("unit", _("请填写单位，如 kgCO2e/kWh。"))
    try:
        units.factor_unit(unit)
    except ValueError as error:
        _refuse("unit", _("单位“%(unit)s”无法识别：%(reason)s", unit=unit, reason=str(error)))
    return unit


def _values(session: Session, data: FactorInput, factor: Factor | None) -> dict:
    code = " ".join((data.code or "").split())
    if not code or len(code) > 80:
        _refuse("code", _("请填写因子编号（不超过 80 个字符）。"))
    owner = session.scalar(select(Factor).where(func.lower(Factor.code) == code.lower()))
    if owner is not None and owner is not factor:
        _refuse("code", _("因子编号“%(code)s”已被“%(name)s”使用。", code=code, name=owner.name))
    name = " ".join((data.name or "").split())
    if not name or len(name) > 200:
        _refuse("name", _("请填写名称（不超过 200 个字符）。"))
    try:
        value = float(data.value)
    except (TypeError, ValueError):
        _refuse("value", _("数值“%(value)s”不是数字。", value=data.value))
    if not math.isfinite(value) or value < 0:
        _refuse("value", _("因子数值须为非负的有限数。"))
    if data.kind not in {kind.value for kind in FactorKind}:
        _refuse("kind", _("类型“%(value)s”无效，可选：%(allowed)s。", value=data.kind, allowed="、".join(FactorKind)))
    if data.tier not in {tier.value for tier in Tier}:
        _refuse("tier", _("数据来源层级“%(value)s”无效，可选：%(allowed)s。", value=data.tier, allowed="、".join(Tier)))
    kind, tier = FactorKind(data.kind), Tier(data.tier)
    year = data.data_year
    if year not in (None, ""):
        if not str(year).isdigit() or not 1950 <= int(year) <= date.today().year + 1:
            _refuse("data_year", _("数据年份“%(year)s”无效，请写四位年份。", year=year))
        year = int(year)
    else:
        year = None
    source = " ".join((data.source or "").split())
    if not source:
        _refuse("source", _("请注明来源（文件名称、文号、页码或网址）：指引（五）要求注明数据来源。"))
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
        "gases": data.gases or None,
        "uncertainty": data.uncertainty or None,
    }


def _record_version(session: Session, factor: Factor) -> None:
    session.flush()
    session.add(
        FactorVersion(factor_id=factor.id, version=factor.version, snapshot=factor.snapshot(), recorded_at=utcnow())
    )


def create_factor(session: Session, data: FactorInput) -> Factor:
    factor = Factor(**_values(session, data, None))
    session.add(factor)
    _record_version(session, factor)
    return factor


def update_factor(
    session: Session, factor: Factor, data: FactorInput, *, reason: str | None = None, expected_version=None
) -> Factor:
    """Change a factor; the old version stays readable, and calculations name the one they used."""
    expect_version(factor, expected_version)
    values = _values(session, data, factor)
    with change_reason(session, reason):
        for key, value in values.items():
            setattr(factor, key, value)
    if session.is_modified(factor) or factor.version != max((v.version for v in factor.versions), default=0):
        _record_version(session, factor)
    return factor


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


# --- CSV ------------------------------------------------------------------------------------------


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def export_csv(factors) -> str:
    """The factors in the import format, so a file exported and edited imports back."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for factor in factors:
        writer.writerow([_csv_value(getattr(factor, column)) for column in CSV_COLUMNS])
    return output.getvalue()


def import_csv(session: Session, content: bytes | str) -> tuple[list[Factor], list[Factor]]:
    """(created, updated). All rows or none: each bad row is reported with its line number."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("文件不是 UTF-8 编码的 CSV：请在表格软件中另存为“CSV UTF-8”。")) from None
    content = content.replace("\x00", "")
    if content.count("\n") > MAX_IMPORT_ROWS + 1:
        raise InvalidInput(_("一次最多导入 %(max)d 行，请拆分文件。", max=MAX_IMPORT_ROWS))
    reader = csv.DictReader(io.StringIO(content))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in ("code", "name", "value", "unit", "kind", "tier", "source") if column not in header]
    if missing:
        raise InvalidInput(_("文件缺少列：%(columns)s。", columns="、".join(missing)))
    reader.fieldnames = header
    created, updated, errors = [], [], []
    while len(errors) < 20:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append((reader.line_num, str(error)))
            break
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        try:
            published = row.get("published_on") or ""
            data = FactorInput(
                **{
                    field.name: (row.get(field.name) or "").strip()
                    for field in fields(FactorInput)
                    if field.name not in ("gases", "uncertainty", "published_on")
                },
                published_on=date.fromisoformat(published.strip()) if published.strip() else None,
            )
            existing = session.scalar(select(Factor).where(func.lower(Factor.code) == data.code.strip().lower()))
            with change_reason(session, N_("CSV 导入")):
                if existing is None:
                    created.append(create_factor(session, data))
                else:
                    before = existing.version
                    update_factor(session, existing, data)
                    if existing.version != before:
                        updated.append(existing)
        except InvalidInput as error:
            errors.append((line, str(error.message)))
        except ValueError as error:
            errors.append((line, str(error)))
    if errors:
        lines = [_("第 %(row)d 行：%(reason)s", row=row, reason=reason) for row, reason in errors]
        raise InvalidInput(
            _("导入已取消，没有写入任何数据。请修改以下各行后重新导入：") + "\n" + "\n".join(lines),
            details={"rows": [{"row": row, "message": reason} for row, reason in errors]},
        )
    return created, updated


# --- reference data ---------------------------------------------------------------------------------

ELECTRICITY_NAMES = {
    "co2_location_based": "电力平均二氧化碳排放因子",
    "co2_excluding_market_non_fossil": "不含市场化交易非化石能源电量的电力二氧化碳排放因子",
    "co2_fossil_only": "化石能源电力二氧化碳排放因子",
    "cfp_life_cycle": "电力碳足迹因子",
}


def reference_factors() -> list[FactorInput]:
    """The public reference factors shipped with the workbench (copies of the project's data files)."""
    items = []
    with (DATA / "electricity-factors.csv").open(encoding="utf-8") as file:
        for index, row in enumerate(csv.DictReader(file), start=1):
            items.append(
                FactorInput(
                    code=f"MEE-ELEC-{row['data_year']}-{row['kind']}-{index:02d}",
                    name=f"{ELECTRICITY_NAMES[row['kind']]}（{row['scope']}，{row['data_year']}年）",
                    value=row["value"],
                    unit=row["unit"],
                    kind=row["kind"],
                    tier=Tier.GOVERNMENT,
                    source=row["source"],
                    geography=row["scope"],
                    data_year=row["data_year"],
                )
            )
    with (DATA / "fuel-combustion-factors.csv").open(encoding="utf-8") as file:
        for index, row in enumerate(csv.DictReader(file), start=1):
            items.append(
                FactorInput(
                    code=f"FUEL-COMBUSTION-{index:02d}",
                    name=f"{row['fuel']}燃烧二氧化碳排放因子",
                    value=row["value"],
                    unit=row["unit"],
                    kind=row["kind"],
                    tier=row["source_tier"],
                    source=row["source"],
                    geography="全国",
                    standards="GB/T 32150—2015",
                    note=(
                        f"低位发热量 {row['net_calorific_value']} {row['ncv_unit']}；单位热值含碳量 "
                        f"{row['carbon_content_tC_per_TJ']} tC/TJ；碳氧化率 {row['oxidation_rate']}。仅燃烧环节，不是燃料的摇篮到大门因子。"
                    ),
                )
            )
    return items


def load_reference_factors(session: Session) -> list[Factor]:
    """Create the reference factors that are missing (by code); returns those created now."""
    created = []
    for item in reference_factors():
        if session.scalar(select(Factor.id).where(Factor.code == item.code)) is None:
            created.append(create_factor(session, item))
    return created
