"""The factor library as openLCA JSON-LD, and the submission package for the national factor
database (指引（五）). Used by the pages and the commands; never commits.

- `export_jsonld`: the library (or the factors named) as a JSON-LD zip (`olca.write_zip`).
- `import_jsonld`: a JSON-LD zip into the library through `workbench.factors.service`, so every
  change is a new FactorVersion; all factors or none (a savepoint is rolled back on any
  refusal), each problem named by its process or factor code. The zip's entry count and total
  uncompressed size (as its directory declares them; zipfile never inflates an entry past its
  declared size) are checked before anything is inflated, against zip bombs.
- `submission_package`: a zip holding the JSON-LD of the factors that pass the stated quality
  assessment (`quality`), the report of every factor (CSV and JSON) with the reasons those left
  out failed, and a README in Chinese and English stating the criteria.

Both zips are kept in the documents table (publishing.models.StoredDocument, as the laid-out
PDFs are) under the checksum of what decides their bytes (`export_key`, `package_key`): the
(id, version) of every factor asked for — so any edit (a new version), an archived or restored
factor, a new or deleted one gives another key — the newest FactorVersion id, the codes asked,
FORMAT_VERSION and olca-schema's version; the package also today's date (ages are assessed
against it), the reader's language (the report is written in it) and the quality criteria. The
key costs one query of two integer columns; a second download is a lookup, whatever the size.
Stale zips of the same kind are deleted when a new one is stored a day later.

The first download after a change still builds the zip inside the request, once per library
state: `olca.write_zip` takes about a third of its former time (5,000 factors: 2.5–2.9 s → 1.1 s
measured side by side on a loaded 2-CPU machine), and the stored one is served in ~45 ms. At
5,000 factors the first build is still over a second (loading the factors ~0.4 s, the zip's
10,000 entries the rest): moving it to a job on workbench.jobs, as publishing.tasks does for
documents, is the next step when libraries of that size are real.
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import change_reason
from workbench.auth.permissions import Action, require
from workbench.db import utcnow
from workbench.errors import InvalidInput
from workbench.exchange import olca, quality
from workbench.factors import service as library
from workbench.factors.models import Factor, FactorVersion
from workbench.i18n import say
from workbench.messages import N_
from workbench.publishing.models import StoredDocument

MAX_ENTRIES = 20_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # bytes, the JSON of some ten thousand factors
MAX_REPORTED = library.MAX_REPORTED_ROWS
JSONLD_NAME = "factors-olca-jsonld.zip"
# Raise when olca.write_zip or the package writes other bytes for the same factors: every stored
# zip is then built again.
FORMAT_VERSION = 2
EXPORT_KIND, PACKAGE_KIND = "jsonld", "fpackage"  # StoredDocument.kind, 8 characters at most
STALE_AFTER = timedelta(days=1)


def _wanted(codes) -> list[str] | None:
    return None if codes is None else sorted({code.strip().lower() for code in codes if code.strip()})


def _selected(query, codes):
    query = query.where(Factor.archived_at.is_(None))
    wanted = _wanted(codes)
    return query if wanted is None else query.where(func.lower(Factor.code).in_(wanted))


def _factors(session: Session, codes=None) -> list[Factor]:
    return list(session.scalars(_selected(select(Factor), codes).order_by(Factor.code)))


def _checksum(facts: dict) -> str:
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _library_state(session: Session, codes=None) -> dict:
    """What decides the factors' snapshots, read without loading them."""
    rows = session.execute(_selected(select(Factor.id, Factor.version), codes).order_by(Factor.id)).all()
    return {
        "factors": hashlib.sha256(",".join(f"{row.id}:{row.version}" for row in rows).encode()).hexdigest(),
        "count": len(rows),
        "newest_version": session.scalar(select(func.max(FactorVersion.id))),
        "codes": _wanted(codes),
        "format": [FORMAT_VERSION, version("olca-schema")],
    }


def export_key(session: Session, codes=None) -> str:
    """The checksum the JSON-LD export of the library's present state is stored under."""
    return _checksum({"kind": EXPORT_KIND, **_library_state(session, codes)})


def package_key(session: Session, today: date) -> str:
    """The checksum the submission package of `today` is stored under."""
    criteria = [quality.MAX_AGE_YEARS, list(quality.ACCEPTED_TIERS), quality.MAX_DQR, sorted(quality.CRITERIA)]
    return _checksum(
        {
            "kind": PACKAGE_KIND,
            **_library_state(session),
            "today": today.isoformat(),
            "locale": str(get_locale() or ""),
            "criteria": criteria,
        }
    )


def _stored(session: Session, key: str, kind: str, build) -> bytes:
    """The document stored under `key`, or `build()` stored there (and the same kind's stale ones
    dropped). A savepoint keeps a concurrent request that stored it first from failing this one."""
    found = session.get(StoredDocument, key)
    if found is not None:
        return found.content
    content = build()
    try:
        with session.begin_nested():
            session.execute(
                delete(StoredDocument).where(
                    StoredDocument.kind == kind, StoredDocument.created_at < utcnow() - STALE_AFTER
                )
            )
            session.add(StoredDocument(checksum=key, kind=kind, content=content, size=len(content)))
    except IntegrityError:  # another request stored the same zip a moment ago: the same content
        pass
    return content


def export_jsonld(session: Session, codes=None, *, by=None) -> bytes:
    """The factors (not archived; only `codes` when given) as an openLCA JSON-LD zip: stored, or
    built once for this state of the library and stored."""
    require(by, Action.VIEW_FACTORS)
    return _stored(
        session,
        export_key(session, codes),
        EXPORT_KIND,
        lambda: olca.write_zip([factor.snapshot() for factor in _factors(session, codes)]),
    )


def check_zip(content: bytes) -> None:
    """Refuse what is not a zip, or would inflate past the limits, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput(_("文件不是有效的 zip 压缩包：请上传从 openLCA 或本系统导出的 JSON-LD 压缩包。")) from None
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(
            _("压缩包有 %(count)d 个文件，超过上限 %(limit)d 个。", count=len(entries), limit=MAX_ENTRIES)
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED:
        raise InvalidInput(
            _(
                "压缩包解压后共 %(size)d MB，超过上限 %(limit)d MB：请分批导入。",
                size=total // (1024 * 1024),
                limit=MAX_UNCOMPRESSED // (1024 * 1024),
            )
        )


def read_factors(content: bytes) -> list[dict]:
    """The factor dicts of a JSON-LD zip, checked for size first; InvalidInput naming each problem."""
    check_zip(content)
    try:
        factors = olca.read_zip(content)
    except olca.OlcaError as error:
        lines = [say(problem) for problem in error.problems[:MAX_REPORTED]]
        raise InvalidInput(
            _("JSON-LD 文件有误，没有导入任何因子：") + "\n" + "\n".join(lines), details={"problems": lines}
        ) from None
    seen = set()
    for factor in factors:
        key = factor["code"].lower()
        if key in seen:
            raise InvalidInput(_("因子编号“%(code)s”在文件中出现多次。", code=factor["code"]))
        seen.add(key)
    return factors


def _input(factor: dict, note: str = "") -> library.FactorInput:
    published = factor.get("published_on")
    try:
        published = date.fromisoformat(published) if published else None
    except ValueError:
        raise InvalidInput(_("发布日期“%(value)s”无效。", value=published)) from None
    fields = {key: factor.get(key) for key in ("code", "name", "value", "unit", "kind", "tier", "source")}
    return library.FactorInput(
        **fields,
        geography=factor.get("geography") or "",
        data_year=factor.get("data_year"),
        published_on=published,
        source_url=factor.get("source_url") or "",
        database=factor.get("database") or "",
        standards=factor.get("standards") or "",
        note=note,
        gases=factor.get("gases"),
        uncertainty=factor.get("uncertainty"),
    )


def import_jsonld(session: Session, content: bytes, *, by) -> tuple[list[Factor], list[Factor]]:
    """(created, updated) from an openLCA JSON-LD zip: all factors or none. A factor whose code
    exists is updated (a new version only when something changed; its note is kept)."""
    require(by, Action.MANAGE_FACTORS)
    factors = read_factors(content)
    created, updated, problems = [], [], []
    savepoint = session.begin_nested()
    for factor in factors:
        try:
            existing = session.scalar(select(Factor).where(func.lower(Factor.code) == factor["code"].lower()))
            with change_reason(session, N_("JSON-LD 导入")):
                if existing is None:
                    created.append(library.create_factor(session, _input(factor), by=by))
                else:
                    before = existing.version
                    library.update_factor(session, existing, _input(factor, existing.note), by=by)
                    if existing.version != before:
                        updated.append(existing)
        except InvalidInput as error:
            reason = next(iter(error.details.values()), None) if error.details else None
            problems.append(
                _(
                    "因子“%(code)s”：%(reason)s",
                    code=factor["code"],
                    reason=reason if isinstance(reason, str) else error.message,
                )
            )
            if len(problems) >= MAX_REPORTED:
                break
    if problems:
        savepoint.rollback()
        raise InvalidInput(
            _("导入已取消，没有写入任何数据。请修改以下因子后重新导入：") + "\n" + "\n".join(problems),
            details={"problems": problems},
        )
    savepoint.commit()
    return created, updated


# --- the submission package --------------------------------------------------------------------------


@dataclass
class Assessed:
    factor: Factor
    assessment: quality.Assessment


def assessments(session: Session, today: date, *, by) -> list[Assessed]:
    """Every factor of the library (not archived), by code, with its quality assessment."""
    require(by, Action.MANAGE_FACTORS)
    return [Assessed(factor, quality.assess(factor.snapshot(), today)) for factor in _factors(session)]


def _report_rows(assessed: list[Assessed]) -> list[dict]:
    return [
        {
            "code": item.factor.code,
            "name": item.factor.name,
            "tier": item.factor.tier.value,
            "data_year": item.factor.data_year,
            "passed": item.assessment.passed,
            "reasons": [say(reason) for reason in item.assessment.reasons],
            "checks": [
                {"criterion": check.criterion, "passed": check.passed, "message": say(check.message)}
                for check in item.assessment.checks
            ],
        }
        for item in assessed
    ]


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "tier", "data_year", "passed", "reasons"])
    for row in rows:
        writer.writerow(
            [
                row["code"],
                row["name"],
                row["tier"],
                row["data_year"] or "",
                "yes" if row["passed"] else "no",
                "；".join(row["reasons"]),
            ]
        )
    return "\ufeff" + buffer.getvalue()


README_EN = {
    "tier": "Data tier: measured and traceability-verified, government or industry data (literature values are left out)",
    "source": "Source: a named source (document, notice number or database)",
    "uncertainty": "Uncertainty: a distribution with its parameters, or pedigree-matrix scores",
    "quality": 'Data quality rating: where pedigree scores are given, EU PEF DQR at least "good" (DQR <= 3.0)',
    "age": "Age: the data year at most {years} years before the year of the package",
}


def readme(today: date, passed: int, total: int) -> str:
    chinese = "\n".join(f"{n}. {quality.criterion_text(key).render()}" for n, key in enumerate(quality.CRITERIA, 1))
    english = "\n".join(
        f"{n}. {README_EN[key].format(years=quality.MAX_AGE_YEARS)}" for n, key in enumerate(quality.CRITERIA, 1)
    )
    return (
        f"# 国家碳足迹因子数据库提交包 / Submission package for the national carbon-footprint factor database\n\n"
        f"生成日期 Date: {today.isoformat()}\n"
        f"通过 Passed: {passed} / {total}\n\n"
        f"## 质量评估准则（指引（五））\n\n因子须同时满足以下各项：\n\n{chinese}\n\n"
        f"## Quality criteria (Guideline item 5)\n\nA factor is submitted only when it meets every criterion:\n\n{english}\n\n"
        f"## 文件 / Files\n\n"
        f"- {JSONLD_NAME}: 通过评估的因子，openLCA JSON-LD 格式 / the factors that pass, as openLCA JSON-LD\n"
        f"- report.csv, report.json: 全部因子的评估结果及未纳入的原因 / every factor's result and why those left out failed\n"
    )


def submission_package(session: Session, today: date, *, by) -> bytes:
    """The zip for the national factor database (see the module docstring): stored, or built once
    for this state of the library, day and language and stored."""
    require(by, Action.MANAGE_FACTORS)
    return _stored(session, package_key(session, today), PACKAGE_KIND, lambda: _package(session, today, by=by))


def _package(session: Session, today: date, *, by) -> bytes:
    assessed = assessments(session, today, by=by)
    passing = [item.factor.snapshot() for item in assessed if item.assessment.passed]
    rows = _report_rows(assessed)
    report = {
        "generated_on": today.isoformat(),
        "criteria": [{"key": key, "text": say(quality.criterion_text(key))} for key in quality.CRITERIA],
        "max_age_years": quality.MAX_AGE_YEARS,
        "passed": len(passing),
        "total": len(rows),
        "factors": rows,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSONLD_NAME, olca.write_zip(passing))
        archive.writestr("report.csv", _csv(rows))
        archive.writestr("report.json", json.dumps(report, ensure_ascii=False, indent=2))
        archive.writestr("README.md", readme(today, len(passing), len(rows)))
    return buffer.getvalue()
