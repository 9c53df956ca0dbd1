"""Importing standards from a CSV file (data/standards.csv's format, optionally with `product`
and `title_en` columns): all rows or none, each bad row named by its line, importing twice changes
nothing. The rows become standards through the registry's operations (service.py)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.permissions import Action, require
from workbench.errors import InvalidInput
from workbench.guideline import Finding, Severity
from workbench.messages import N_
from workbench.registry import numbers, service
from workbench.registry.models import Level, RelationKind, Standard, Status

CSV_COLUMNS = (
    "level",
    "number",
    "title",
    "issuer",
    "committee",
    "published",
    "implemented",
    "status",
    "replaces",
    "note",
)
MAX_IMPORT_ROWS = 5_000  # one transaction holds the write lock; larger files are split
MAX_REPORTED_ROWS = 20
LEVEL_WORDS = {"国家": "national", "行业": "industry", "地方": "local", "团体": "group", "企业": "enterprise"}
STATUS_WORDS = {
    "计划": "planned",
    "起草中": "drafting",
    "征求意见": "consultation",
    "已发布": "published",
    "现行": "published",
    "修订中": "under_revision",
    "被代替": "replaced",
    "废止": "withdrawn",
}
# Titles name their product after the fixed prefix (指引（二）) or, in older titles, after the last
# space or before "碳足迹". The name found is looked up exactly in the catalogue, never fuzzily.
TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求"


def product_named_in_title(title: str) -> str:
    title = " ".join(title.split())
    if title.startswith(TITLE_PREFIX):
        return title[len(TITLE_PREFIX) :].strip()
    if " " in title:
        return title.rsplit(" ", 1)[1]
    return title.split("碳足迹", 1)[0]


@dataclass
class ImportReport:
    created: list[Standard] = field(default_factory=list)
    unchanged: list[Standard] = field(default_factory=list)
    differing: list[tuple[int, Standard]] = field(default_factory=list)  # (row, existing) left as it was
    without_product: list[Standard] = field(default_factory=list)
    findings: list[tuple[Standard, Finding]] = field(default_factory=list)


class ImportRefused(InvalidInput):
    code = "import_refused"


def _csv_date(value: str, column: str, year: int | None) -> date | None:
    value = value.strip()
    if not value:
        return None
    if value.isdecimal() and len(value) == 4:
        # Only the year is known (the number says so too): nothing to store beyond it.
        if year is not None and int(value) != year:
            raise ValueError(
                _("%(column)s“%(value)s”与编号中的年份 %(year)d 不符", column=column, value=value, year=year)
            )
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("%(column)s“%(value)s”不是日期，请写作 2024-08-23", column=column, value=value)) from None


def _row_input(session: Session, row: dict) -> tuple[service.StandardInput, list[str]]:
    level = (row.get("level") or "").strip()
    level = LEVEL_WORDS.get(level.removesuffix("标准"), level).lower()
    if level not in {member.value for member in Level}:
        raise ValueError(
            _("级别“%(value)s”无效，可选 national、industry、local、group、enterprise", value=row.get("level"))
        )
    status = (row.get("status") or "").strip()
    status = STATUS_WORDS.get(status, status).lower().replace(" ", "_") or "published"
    if status not in {member.value for member in Status}:
        raise ValueError(_("状态“%(value)s”无效", value=row.get("status")))
    number_text = (row.get("number") or "").strip()
    year = None
    if number_text:
        try:
            parsed = numbers.parse_joint(number_text)
        except numbers.InvalidNumber as error:
            raise ValueError(
                _("编号 %(number)s：%(reason)s", number=number_text, reason=service.number_error(error))
            ) from None
        year = parsed[0].year
    title = (row.get("title") or "").strip()
    product_name = (row.get("product") or "").strip()
    explicit = bool(product_name)
    product = service.find_product(session, product_name or product_named_in_title(title))
    if explicit and product is None:
        raise ValueError(_("产品“%(name)s”不在产品目录中：请先在产品目录中登记", name=product_name))
    issuer = (row.get("issuer") or "").strip()
    data = service.StandardInput(
        level=level,
        numbers=number_text,
        title=title,
        title_en=row.get("title_en"),
        status=status,
        product=product,
        issuer=issuer,
        committee=(row.get("committee") or "").replace(";", "、").replace("；", "、"),
        association=issuer if level == Level.GROUP else "",
        published_on=_csv_date(row.get("published") or "", _("发布日期"), year),
        implemented_on=_csv_date(row.get("implemented") or "", _("实施日期"), None),
        note=row.get("note") or "",
    )
    replaces = [part for part in (row.get("replaces") or "").replace("；", ";").split(";") if part.strip()]
    return data, replaces


def _same(existing: Standard, data: service.StandardInput, parsed) -> bool:
    """Whether the registered standard says what the row says (a product the row leaves to the
    title is compared only when the title names one)."""

    def tidy(value):
        return " ".join((value or "").split())

    return (
        existing.level == data.level
        and existing.number_list == [number.canonical for number in parsed]
        and existing.title == tidy(data.title)
        and (existing.title_en or "") == tidy(data.title_en)
        and existing.status.value == data.status
        and existing.published_on == data.published_on
        and existing.implemented_on == data.implemented_on
        and (data.product is None or existing.product is data.product)
        and existing.issuer == tidy(data.issuer)
        and existing.committee == tidy(data.committee)
        and existing.note == (data.note or "").strip()
    )


def import_csv(session: Session, content: bytes | str, *, by, on: date | None = None) -> ImportReport:
    """Import standards from a CSV file in the format of data/standards.csv (optionally with
    `product` and `title_en` columns). All rows or none: every bad row is reported with its line
    number (the header is line 1) and nothing is written. A standard already registered (by its
    number, or a project by level, title and product) is left as it is, so importing a file twice
    changes nothing. The rows go in first and are then checked together, so neither the
    `replaces` column nor the level rules depend on the order of the rows."""
    require(by, Action.IMPORT_STANDARDS)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(_("文件不是 UTF-8 编码的 CSV：请在表格软件中另存为“CSV UTF-8”。")) from None
    content = content.lstrip("\ufeff").replace("\x00", "")
    if content.count("\n") > MAX_IMPORT_ROWS + 1:
        raise ImportRefused(_("一次最多导入 %(max)d 行，请拆分文件。", max=MAX_IMPORT_ROWS))
    reader = csv.DictReader(io.StringIO(content))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ImportRefused(_("第 1 行不是有效的 CSV：%(reason)s", reason=str(error))) from None
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise ImportRefused(
            _(
                "文件缺少列：%(columns)s。第一行须为：%(header)s",
                columns="、".join(missing),
                header=",".join(CSV_COLUMNS),
            )
        )
    reader.fieldnames = header
    report, errors = ImportReport(), []
    created: list[tuple[int, Standard, list[str]]] = []
    seen_keys: dict[str, int] = {}

    def attempt(line: int, operation) -> None:
        try:
            operation()
        except ValueError as error:
            errors.append((line, str(error)))
        except InvalidInput as error:
            errors.append((line, str(error.message)))

    while len(errors) < MAX_REPORTED_ROWS:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append((reader.line_num, _("不是有效的 CSV：%(reason)s", reason=str(error))))
            break
        line = reader.line_num
        if None in row:
            errors.append((line, _("列数多于表头")))
        elif any((value or "").strip() for value in row.values()):
            attempt(line, lambda row=row, line=line: _import_row(session, by, row, line, report, seen_keys, created))

    # Then the links between rows and the level rules, against the registry with the whole file in.
    for line, standard, replaces in created:
        if len(errors) < MAX_REPORTED_ROWS:
            attempt(line, lambda standard=standard, replaces=replaces: _link_replaced(session, by, standard, replaces))
    for line, standard, _replaces in created:
        if len(errors) >= MAX_REPORTED_ROWS:
            break
        findings = service.findings_for(session, standard, on=on)
        attempt(line, lambda findings=findings: service.refuse_level_errors(findings))
        report.findings.extend((standard, finding) for finding in findings if finding.severity != Severity.ERROR)
    if errors:
        lines = [_("第 %(row)d 行：%(reason)s", row=row, reason=reason) for row, reason in sorted(errors)]
        raise ImportRefused(
            _("导入已取消，没有写入任何数据。请修改以下各行后重新导入：") + "\n" + "\n".join(lines),
            details={"rows": [{"row": row, "message": reason} for row, reason in sorted(errors)]},
        )
    return report


def _existing(session: Session, data: service.StandardInput, parsed) -> Standard | None:
    if parsed:
        return service.find_standard(session, parsed[0].canonical)
    # A project has no number yet: the same level, title and product name it.
    return session.scalar(
        select(Standard).where(
            Standard.numbers == "",
            Standard.level == Level(data.level),
            Standard.title == " ".join(data.title.split()),
            Standard.product_id == (data.product.id if data.product else None),
            Standard.archived_at.is_(None),
        )
    )


def _import_row(session, by, row, line, report, seen_keys, created) -> None:
    data, replaces = _row_input(session, row)
    parsed = service.parse_numbers(data.numbers, Level(data.level)) if data.numbers else []
    for number in parsed:
        if number.key in seen_keys:
            raise ValueError(
                _("编号 %(number)s 与第 %(row)d 行重复", number=number.canonical, row=seen_keys[number.key])
            )
        seen_keys[number.key] = line
    existing = _existing(session, data, parsed)
    if existing is not None:
        if _same(existing, data, parsed):
            report.unchanged.append(existing)
        else:
            report.differing.append((line, existing))
        return
    with change_reason(session, N_("CSV 导入")):
        standard, _findings = service.create_standard(session, data, by=by, check=False)
    report.created.append(standard)
    created.append((line, standard, replaces))
    if standard.product is None:
        report.without_product.append(standard)


def _link_replaced(session: Session, by, standard: Standard, replaces: list[str]) -> None:
    for replaced_number in replaces:
        target = service.find_standard(session, replaced_number)
        if target is standard:
            raise ValueError(_("标准不能代替自身：%(number)s", number=replaced_number.strip()))
        if target is not None:
            service.add_relation(session, standard, RelationKind.REPLACES, target=target, by=by)
            continue
        try:
            target_text = numbers.parse(replaced_number).canonical
        except numbers.InvalidNumber as error:
            raise ValueError(
                _(
                    "被代替标准 %(number)s：%(reason)s",
                    number=replaced_number.strip(),
                    reason=service.number_error(error),
                )
            ) from None
        service.add_relation(session, standard, RelationKind.REPLACES, target_text=target_text, by=by)
