"""What publishing costs: a 40-page rule to PDF (the issue's target: under 5 s), the other
formats, a commit to the publication repository, and the portal's rule page.

Usage: python benchmarks/bench_publishing.py   (make bench runs it)

Two rules of about 40 pages at stage 30 (征求意见稿), both built from the demo cement rule
rule_templates/cfp-product-rule/1.0/examples/cement.json:
  - "prose": the example with 55 more sub-clauses under chapter 9, each three paragraphs of
    about 200 characters, every fifth with a five-row table (a rule whose annexes are short);
  - "tables": bench_checks.build_document with 120 clauses, 50 references and 40 terms, a table
    in most clauses (the shape the conformance-check benchmark uses).
Each is rendered once to warm up (fonts), then REPEATS times: median and slowest wall-clock
seconds of render.to_pdf in this one process, with the page count read back from the PDF (what a
render costs in a job, and what the first request's job costs is in bench_jobs.py). Then, for
the prose rule: HTML, Word, Markdown and JSON; PublicationRepository.publish of all five files
(a git commit and tag) and of the same files again (no commit); and the portal's rule page through
the app, first and with If-None-Match (304).
"""

import copy
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import git  # noqa: E402
import pikepdf  # noqa: E402

from benchmarks.bench_checks import build_document, machine  # noqa: E402
from workbench.drafting import template as templates  # noqa: E402
from workbench.publishing import document as documents  # noqa: E402
from workbench.publishing import render  # noqa: E402
from workbench.publishing.repository import PublicationRepository, commit_message  # noqa: E402

REPEATS = 3
EXAMPLE = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.0" / "examples" / "cement.json"
PARAGRAPH = (
    "熟料煅烧过程中碳酸盐分解产生的二氧化碳排放应按熟料产量和单位熟料的氧化钙、氧化镁含量计算，并扣除原料中"
    "非碳酸盐形式存在的氧化钙和氧化镁；生料中有机碳燃烧产生的排放可按生料量和有机碳含量估算。"
) * 2


def prose_rule() -> dict:
    rule = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    extra = []
    for number in range(1, 56):
        text = "\n\n".join([PARAGRAPH] * 3)
        if number % 5 == 0:
            rows = "\n".join(f"| {row} | 项目{row} | {row * 1.5} | t |" for row in range(1, 6))
            text += f"\n\n表 {number}　示例数据\n\n| 序号 | 项目 | 数值 | 单位 |\n|---|---|---|---|\n{rows}"
        extra.append(
            {
                "id": f"extra-{number}",
                "kind": "technical",
                "number": f"9.{number}",
                "title": f"附加要求{number}",
                "text": text,
            }
        )
    position = next(index for index, clause in enumerate(rule["clauses"]) if clause["id"] == "report") + 1
    rule["clauses"][position:position] = extra
    return rule


def timed(action, repeats: int = REPEATS) -> tuple[float, float, object]:
    result = action()  # warm-up
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds), result


def pages(pdf: bytes) -> int:
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def pdf_figures(name: str, rule: dict) -> None:
    doc = documents.build(rule, documents.Meta(stage="30", draft_date="2026-11-21"))
    characters = sum(len(clause["text"]) for clause in rule["clauses"])
    median, slowest, pdf = timed(lambda: render.to_pdf(doc))
    print(
        f"{name:<7} {characters:>7,} characters, {pages(pdf)} pages: to_pdf median {median:.2f} s, slowest "
        f"{slowest:.2f} s (one process, warm)"
    )


def other_figures(rule: dict) -> None:
    from workbench.publishing.word import to_docx

    doc = documents.build(rule, documents.Meta(stage="30", draft_date="2026-11-21"))
    for label, action in (
        ("HTML", lambda: render.to_html(doc)),
        ("Word", lambda: to_docx(doc)),
        ("Markdown", lambda: render.to_markdown(rule, doc)),
        ("JSON", lambda: render.to_json(rule, doc)),
        ("build (parse)", lambda: documents.build(rule, documents.Meta(stage="30", draft_date="2026-11-21"))),
    ):
        median, slowest, _ = timed(action)
        print(f"  {label:<14} median {median * 1000:8.1f} ms, slowest {slowest * 1000:8.1f} ms")
    files = render.outputs(rule, doc, pdf=render.to_pdf(doc), docx=to_docx(doc))
    with tempfile.TemporaryDirectory() as folder:
        repository = PublicationRepository(Path(folder) / "published")
        message = commit_message(
            title=rule["title"],
            rule="CFP-R-0001",
            revision=1,
            stage="30",
            stage_label="征求意见稿",
            publisher="bench",
            checksum=doc.checksum,
        )
        entry = {"slug": "cement", "rule": "CFP-R-0001", "title": rule["title"], "stage": "30"}
        author = git.Actor("bench", "bench@localhost")
        started = time.perf_counter()
        first = repository.publish("cement", files, entry, message=message, tag="cement/30-r1", author=author)
        committed = time.perf_counter() - started
        started = time.perf_counter()
        again = repository.publish("cement", files, entry, message=message, tag="cement/30-r1", author=author)
        unchanged = time.perf_counter() - started
        assert first.created and not again.created
        size = sum(len(data) for data in files.values())
        print(
            f"  publish (5 files, {size / 1024:,.0f} KiB): commit and tag {committed * 1000:.0f} ms; same again, no commit {unchanged * 1000:.0f} ms"
        )
        portal_figures(repository)


def portal_figures(repository: PublicationRepository) -> None:
    from tests.conftest import fresh_database, make_app

    with tempfile.TemporaryDirectory() as folder, fresh_database(Path(folder), "bench") as url:
        import flask_migrate

        app = make_app(url, Path(folder) / "data", PUBLICATION_REPOSITORY=str(repository.path))
        with app.app_context():
            flask_migrate.upgrade()
        client = app.test_client()
        first = time.perf_counter()
        response = client.get("/published/cement/")
        cold = time.perf_counter() - first
        assert response.status_code == 200, response.status_code
        median, slowest, _ = timed(lambda: client.get("/published/cement/"), repeats=5)
        etag = response.headers["ETag"]
        median_304, _, answer = timed(
            lambda: client.get("/published/cement/", headers={"If-None-Match": etag}), repeats=5
        )
        assert answer.status_code == 304
        print(
            f"  portal rule page: first {cold * 1000:.0f} ms, then median {median * 1000:.0f} ms "
            f"(slowest {slowest * 1000:.0f}); with If-None-Match (304) {median_304 * 1000:.1f} ms"
        )


def main() -> None:
    print("== publishing ==")
    print(machine())
    prose = prose_rule()
    pdf_figures("prose", prose)
    pdf_figures("tables", build_document(templates.load(), 120))
    other_figures(copy.deepcopy(prose))


if __name__ == "__main__":
    main()
