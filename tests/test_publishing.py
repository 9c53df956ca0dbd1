"""Publishing: one rule document rendered as HTML, PDF and JSON (Word has its own tests), the
safety of the renderer, and the publication repository (atomic, idempotent, serialised)."""

import base64
import http.server
import json
import multiprocessing
import re
import socket
import subprocess
import threading
import warnings
from datetime import date
from pathlib import Path

import git
import pytest
from sqlalchemy import func, select

from tests.drafting_helpers import make_rule
from workbench.auth.permissions import Role
from workbench.drafting import service as drafting
from workbench.drafting import template as templates
from workbench.errors import WorkbenchError
from workbench.publishing import document as documents
from workbench.publishing import isolation, render, service
from workbench.publishing.models import Publication
from workbench.publishing.repository import FILES, PublicationRepository, commit_message
from workbench.workflow import service as workflow

from .conftest import SECRETARIAT, Acting

EXAMPLES = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.0" / "examples"
DEMO_RULES = sorted(EXAMPLES.glob("*.json"))


def example(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "rule.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the document ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DEMO_RULES, ids=lambda path: path.stem)
def test_the_pdf_of_each_demo_rule_has_its_title_stage_and_every_chapter_in_order(path, tmp_path):
    rule = example(path)
    pdf = render.to_pdf(documents.build(rule, documents.Meta(stage="30")))
    pages = pdf_pages(pdf, tmp_path)
    text = flat("".join(pages))
    assert flat(rule["title"]) in flat(pages[0])
    assert "（征求意见稿）" in flat(pages[0])
    assert "请将您知道的相关专利连同支持性文件一并附上" in flat(pages[0])
    body = flat("".join(pages[2:]))
    position = 0
    for clause in rule["clauses"]:
        if clause["kind"] == "foreword":
            continue
        heading = flat(
            clause["title"] if clause["kind"].startswith("annex") else f"{clause['number']}{clause['title']}"
        )
        found = body.find(heading, position)
        assert found >= 0, f"{heading} missing or out of order"
        position = found + len(heading)
    assert flat("GB/T XXXXX—XXXX（征求意见稿）") in text  # the running head

    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert any("CJK" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows), fonts  # every font embedded ("emb" column)


def test_the_contents_page_numbers_point_at_the_body_pages(tmp_path):
    rule = example(EXAMPLES / "cement.json")
    pages = pdf_pages(render.to_pdf(documents.build(rule, documents.Meta(stage="30"))), tmp_path)
    contents = next(index for index, page in enumerate(pages) if flat("目次") in flat(page))
    body_start = next(
        index for index, page in enumerate(pages) if index > contents and flat(rule["title"]) in flat(page)
    )
    assert pages[contents].strip().splitlines()[-1].strip() == "I"  # 目次 is page I, the cover is not counted
    for clause in ("2 规范性引用文件", "6 数据收集", "附录A（规范性） 数据收集表"):
        line = next(line for line in pages[contents].splitlines() if flat(clause) in flat(line))
        number = int(line.split()[-1].strip("."))
        label = clause.split(" ", 1)[1] if clause.startswith("附录") else clause
        landing = body_start + number - 1
        assert flat(label.split("）")[-1]) in flat(pages[landing]), f"{clause} is not on body page {number}"
        assert pages[landing].strip().splitlines()[-1].strip() == str(number)  # the page says so too


def long_rule() -> dict:
    """The cement example with forty more sub-clauses of text: about thirty pages."""
    rule = example(EXAMPLES / "cement.json")
    paragraph = "熟料煅烧过程中碳酸盐分解产生的二氧化碳排放应按熟料产量和氧化钙、氧化镁含量计算。" * 12
    extra = [
        {"id": f"extra-{n}", "kind": "technical", "number": f"9.{n}", "title": f"补充要求{n}", "text": paragraph}
        for n in range(1, 41)
    ]
    position = next(index for index, clause in enumerate(rule["clauses"]) if clause["id"] == "report") + 1
    rule["clauses"][position:position] = extra
    return rule


def test_a_long_rule_is_numbered_and_headed_on_every_page(tmp_path):
    rule = long_rule()
    doc = documents.build(rule, documents.Meta(stage="30"))
    pages = pdf_pages(render.to_pdf(doc), tmp_path)
    body_start = next(index for index, page in enumerate(pages) if index > 3 and flat(rule["title"]) in flat(page))
    body = [page for page in pages[body_start:] if page.strip()]
    for number, page in enumerate(body, 1):  # the later piece's furniture is stamped on: same as the first's
        lines = [line.strip() for line in page.strip().splitlines() if line.strip()]
        assert lines[0] == "GB/T XXXXX—XXXX（征求意见稿）" and lines[-1] == str(number), (number, lines[0], lines[-1])
    contents = next(index for index, page in enumerate(pages) if flat("目次") in flat(page))
    listed = {}
    for page in pages[contents:body_start]:
        for line in page.splitlines():
            match = re.match(r"\s*(9\.\d+)\s+(补充要求\d+)\s*\.+\s*(\d+)\s*$", line)
            if match:
                listed[match.group(2)] = int(match.group(3))
    assert len(listed) == 40
    for title, number in listed.items():
        assert title in flat(body[number - 1]), f"{title} is not on page {number}"


def test_a_published_standard_shows_its_number_and_no_draft_wording(tmp_path):
    rule = example(EXAMPLES / "cement.json")
    meta = documents.Meta(
        stage="60", standard_number="GB/T 99999—2026", published_on="2026-11-01", implemented_on="2027-05-01"
    )
    pages = pdf_pages(render.to_pdf(documents.build(rule, meta)), tmp_path)
    cover = flat(pages[0])
    assert "GB/T99999—2026" in cover and "2026-11-01发布" in cover and "2027-05-01实施" in cover
    assert "征求意见稿" not in flat("".join(pages)) and "专利连同支持性文件" not in cover
    assert "GB/T99999—2026" in flat(pages[5])  # the running head of a body page


def test_formulas_captions_notes_items_and_lead_ins_get_their_gb_layout():
    text = (
        "按公式（1）计算：\n\nCFP = Σ(AD × EF) ÷ Q　　（1）\n\n式中：\n\nCFP ——碳足迹；\n\n表 A.1　原材料\n\n"
        "| 名称 | 用量 |\n|---|---|\n| 石灰石 | 1 t |\n\n表 A.2 给出了各项原材料的碳足迹因子。\n\n"
        "注：数据取年度值。\n\n**B.1　基本信息**\n\na) 符合 GB/T 24067—2024 的规定，按 1 t 计。"
    )
    html = documents.html(documents.parse(text))
    assert '<p class="formula"><span class="expression">CFP = Σ(AD × EF) ÷ Q</span>' in html
    assert '<span class="formula-number">（1）</span>' in html
    assert '<p class="where">CFP ——碳足迹；</p>' in html
    assert '<p class="caption">表\u00a0A.1　原材料</p>' in html and '<p class="note">注：数据取年度值。</p>' in html
    # a sentence that begins with a table's number is running text, not a caption without a table
    assert '<p class="caption">表\u00a0A.2' not in html and "表\u00a0A.2 给出了" in html
    assert '<p class="lead-in"><strong>B.1　基本信息</strong></p>' in html
    # a standard's number and a quantity never break across lines
    assert (
        '<p class="item">a) 符合 <span class="standard-number">GB/T\u00a024067—2024</span> 的规定，按 1\u00a0t 计。</p>'
        in html
    )


def test_the_json_validates_carries_its_publication_and_its_checksum_is_of_the_rule():
    rule = example(EXAMPLES / "cement.json")
    meta = documents.Meta(stage="30", rule="CFP-R-0001", revision=4, revision_id=9, draft_date="2026-11-20")
    published = json.loads(render.to_json(rule, documents.build(rule, meta)))
    assert templates.load(published["template"]).validate(published) == []
    block = published["publication"]
    assert (block["rule"], block["revision"], block["revision_id"], block["stage_label"]) == (
        "CFP-R-0001",
        4,
        9,
        "征求意见稿",
    )
    assert block["checksum"] == documents.checksum(rule) == documents.checksum(published)
    rule["title_en"] += " (changed)"
    assert documents.checksum(rule) != block["checksum"]


def test_the_markdown_file_has_every_clause_with_its_anchor():
    rule = example(EXAMPLES / "cement.json")
    text = render.to_markdown(rule, documents.build(rule, documents.Meta(stage="30")))
    assert text.startswith(f"# {rule['title']}")
    for clause in rule["clauses"]:
        assert "{#" + clause["id"] + "}" in text


# --- safety --------------------------------------------------------------------------------------------


class _Probe(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        _Probe.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def probe_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Probe)
    _Probe.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def hostile_rule(probe: str) -> dict:
    rule = example(EXAMPLES / "cement.json")
    rule["clauses"][1]["text"] += (
        f"\n\n<script>alert('x')</script>\n\n![passwd](file:///etc/passwd) ![probe]({probe}/image.png)"
        f"\n\n[run](javascript:alert(1)) [mail](mailto:a@example.com) [site](https://www.samr.gov.cn/) [terms](#terms)"
    )
    return rule


def test_rule_text_cannot_inject_html_script_files_or_remote_images(probe_server, tmp_path):
    doc = documents.build(hostile_rule(probe_server), documents.Meta(stage="30"))
    html = render.to_html(doc)
    assert "<script>alert" not in html and "&lt;script&gt;alert('x')&lt;/script&gt;" in html  # shown as text
    assert "<img" not in html and 'src="file:' not in html and f'src="{probe_server}' not in html
    assert 'href="javascript' not in html and 'href="mailto' not in html
    assert 'href="https://www.samr.gov.cn/"' in html and 'href="#terms"' in html
    fetcher = render.InlineOnlyFetcher()
    pdf = render.to_pdf(doc, fetcher)
    assert pdf.startswith(b"%PDF") and fetcher.refused == [] and _Probe.requests == []
    assert "root:x:0" not in "".join(pdf_pages(pdf, tmp_path))


def test_the_pdf_renderer_refuses_every_address_but_inline_data(probe_server, tmp_path):
    """Even HTML that bypassed the Markdown renderer cannot make WeasyPrint read a file or call out."""
    from weasyprint import HTML

    fetcher = render.InlineOnlyFetcher()
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    hostile = (
        f'<link rel="stylesheet" href="{probe_server}/style.css"><link rel="stylesheet" href="file://{secret}">'
        f'<style>@import url("{probe_server}/imported.css");</style>'
        f'<img src="file:///etc/passwd"><img src="{probe_server}/pixel.png"><img src="{pixel}">'
        "<script>document.write('scripted')</script><p>text</p>"
    )
    pdf = HTML(string=hostile, base_url=None, url_fetcher=fetcher).write_pdf()
    assert _Probe.requests == []
    assert set(fetcher.refused) == {
        f"{probe_server}/style.css",
        f"file://{secret}",
        f"{probe_server}/imported.css",
        "file:///etc/passwd",
        f"{probe_server}/pixel.png",
    }
    assert "scripted" not in "".join(pdf_pages(pdf, tmp_path))


def test_a_render_opens_no_network_connection(monkeypatch):
    opened = []

    def refuse(self, address):
        opened.append(address)
        raise OSError("no network in a render")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    rule = example(EXAMPLES / "lithium-ion-battery.json")
    doc = documents.build(rule, documents.Meta(stage="40"))
    files = render.outputs(rule, doc, pdf=isolation.lay_out("pdf", doc), docx=isolation.lay_out("docx", doc))
    assert set(files) == set(FILES) and opened == []


# --- the publication repository -------------------------------------------------------------------------


def files_for(rule: dict, stage: str = "30", revision: int = 1) -> dict[str, bytes]:
    meta = documents.Meta(stage=stage, rule="CFP-R-0001", revision=revision, draft_date="2026-11-20")
    doc = documents.build(rule, meta)
    return {
        "rule.json": render.to_json(rule, doc).encode(),
        "rule.md": render.to_markdown(rule, doc).encode(),
        "index.html": render.to_html(doc).encode(),
        "rule.pdf": b"%PDF-1.7 stand-in: the repository stores bytes, it does not read them",
        "rule.docx": b"PK stand-in",
    }


def publish_files(repository, slug, files, revision=1, stage="30"):
    message = commit_message(
        title="温室气体 产品碳足迹量化方法与要求 水泥",
        rule="CFP-R-0001",
        revision=revision,
        stage=stage,
        stage_label="征求意见稿",
        publisher="tester",
        checksum="sha256:" + "0" * 64,
    )
    entry = {"slug": slug, "rule": "CFP-R-0001", "title": "水泥", "stage": stage}
    return repository.publish(
        slug, files, entry, message=message, tag=f"{slug}/{stage}-r{revision}", author=git.Actor("t", "t@example.com")
    )


def log(path: Path) -> list[str]:
    return git.Repo(path).git.log("--format=%s").splitlines()


def test_publishing_the_same_files_twice_makes_one_commit_and_one_tag(tmp_path):
    repository = PublicationRepository(tmp_path / "published")
    files = files_for(example(EXAMPLES / "cement.json"))
    first = publish_files(repository, "cement", files)
    again = publish_files(repository, "cement", files)
    assert first.created and not again.created and again.commit == first.commit
    assert len(log(repository.path)) == 1 and [tag.name for tag in git.Repo(repository.path).tags] == ["cement/30-r1"]
    assert json.loads((repository.path / "index.json").read_text())[0]["slug"] == "cement"


def test_a_new_version_adds_a_commit_and_keeps_history(tmp_path):
    repository = PublicationRepository(tmp_path / "published")
    rule = example(EXAMPLES / "cement.json")
    first = publish_files(repository, "cement", files_for(rule))
    rule["parameters"]["cut_off"]["per_item_percent"] = 0.5
    second = publish_files(repository, "cement", files_for(rule, revision=2), revision=2)
    repo = git.Repo(repository.path)
    assert repo.is_ancestor(first.commit, second.commit)  # added on top, never rewritten
    versions = repository.history("cement")
    assert [(version.commit, version.tag, version.revision) for version in versions] == [
        (second.commit, "cement/30-r2", 2),
        (first.commit, "cement/30-r1", 1),
    ]
    assert (
        json.loads(repository.read(first.commit, "cement/rule.json"))["parameters"]["cut_off"]["per_item_percent"] == 1
    )


def test_a_failed_commit_leaves_the_working_tree_as_head_has_it(tmp_path, monkeypatch):
    repository = PublicationRepository(tmp_path / "published")
    rule = example(EXAMPLES / "cement.json")
    first = publish_files(repository, "cement", files_for(rule))

    def broken(self, *args, **kwargs):
        raise git.GitCommandError("commit", 1)

    monkeypatch.setattr(git.IndexFile, "commit", broken)
    rule["title_en"] += " (2)"
    with pytest.raises(git.GitCommandError):
        publish_files(repository, "cement", files_for(rule, revision=2), revision=2)
    with pytest.raises(git.GitCommandError):
        publish_files(repository, "steel", files_for(rule), revision=1)
    repo = git.Repo(repository.path)
    assert repo.head.commit.hexsha == first.commit and not repo.is_dirty(untracked_files=True)
    assert not (repository.path / "steel").exists()


def _publish_in_process(path: str, slug: str, start, results) -> None:
    rule = example(EXAMPLES / "cement.json")
    rule["title"] += slug
    files = files_for(rule)
    start.wait()
    try:
        results.put((slug, publish_files(PublicationRepository(path), slug, files).commit))
    except Exception as error:  # reported to the test, which fails on it
        results.put((slug, repr(error)))


def test_two_publishers_in_two_processes_both_succeed_one_after_the_other(tmp_path):
    path = str(tmp_path / "published")
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_publish_in_process, args=(path, slug, start, results)) for slug in ("a", "b")]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = dict(results.get(timeout=120) for _worker in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in outcomes.values()), outcomes
    repo = git.Repo(path)
    assert len(log(Path(path))) == 2 and {tag.name for tag in repo.tags} == {"a/30-r1", "b/30-r1"}
    assert sorted(entry["slug"] for entry in PublicationRepository(path).index()) == ["a", "b"]
    assert not repo.is_dirty(untracked_files=True)
    repo.git.fsck("--strict")


def _open_repository(path, start, results):
    start.wait()
    try:
        PublicationRepository(path)._ensure()
        results.put("ok")
    except Exception as error:  # the outcome is what the test compares
        results.put(repr(error))


def test_processes_creating_the_repository_at_the_same_moment_all_get_it(tmp_path):
    """The first publications of several workers at once: whoever loses the race for `git init`
    waits for the winner's repository instead of failing (10 rounds; it failed most of them)."""
    context = multiprocessing.get_context("fork")  # spawning 30 interpreters would take half a minute
    for round_number in range(10):
        path = str(tmp_path / f"published-{round_number}")
        start, results = context.Barrier(3), context.Queue()
        workers = [context.Process(target=_open_repository, args=(path, start, results)) for _ in range(3)]
        with warnings.catch_warnings():  # Python 3.12 warns about forking with threads; the children only run git
            warnings.simplefilter("ignore", DeprecationWarning)
            for worker in workers:
                worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok"] * 3, outcomes
        assert git.Repo(path).git_dir.endswith(".git")


# --- publishing a rule from the database --------------------------------------------------------------------


def consultation_rule(session):
    rule = make_rule(session)
    workflow.move_stage(session, rule, "30", by=Acting(Role("secretariat")), today=date.today())
    return rule


def test_publishing_a_consultation_draft_commits_tags_and_records_it(session, app):
    rule = consultation_rule(session)
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    record, created = service.publish(session, rule, by=SECRETARIAT, repository=repository, note="公开征求意见")
    session.commit()
    assert created and record.slug == "cement" and record.tag == "cement/30-r1"
    assert git.Repo(repository.path).head.commit.hexsha == record.commit
    message = git.Repo(repository.path).head.commit.message
    assert f"Rule: {rule.code}" in message and "Stage: 30" in message and "公开征求意见" in message
    again, created_again = service.publish(session, rule, by=SECRETARIAT, repository=repository)
    assert not created_again and again.id == record.id and len(log(repository.path)) == 1


def test_the_published_json_reimports_to_the_same_rule(session, app):
    rule = consultation_rule(session)
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
    record, _created = service.publish(session, rule, by=SECRETARIAT, repository=repository)
    published = json.loads(repository.read(record.commit, "cement/rule.json"))
    assert published["publication"]["revision"] == 1 and published["publication"]["revision_id"] == record.revision_id
    workflow.move_stage(session, rule, "20", by=Acting(Role("secretariat")), today=date.today())
    saved = drafting.save_revision(session, rule, published, message="导入", based_on=1, by=SECRETARIAT)
    assert saved.document == drafting.revision(session, rule, 1).document
    assert "publication" not in saved.document


def test_a_failing_render_changes_neither_the_repository_nor_the_database(session, app, monkeypatch):
    rule = consultation_rule(session)
    repository = PublicationRepository(app.config["PUBLICATION_REPOSITORY"])

    def broken(doc, fetcher=None):
        raise documents.RenderError("PDF 生成失败：测试")

    monkeypatch.setattr(render, "to_pdf", broken)
    with pytest.raises(WorkbenchError, match="仓库和数据库均未改变"):
        service.publish(session, rule, by=SECRETARIAT, repository=repository)
    assert repository.head() is None
    assert session.scalar(select(func.count()).select_from(Publication)) == 0


def test_a_working_draft_is_not_published(session, app):
    rule = make_rule(session)
    with pytest.raises(WorkbenchError, match="工作组讨论稿|20"):
        service.publish(
            session, rule, by=SECRETARIAT, repository=PublicationRepository(app.config["PUBLICATION_REPOSITORY"])
        )


def test_changing_a_parameter_rewrites_the_untouched_clauses_that_state_it(session):
    rule = make_rule(session)
    document = drafting.revision(session, rule).document
    cut_off = next(clause for clause in document["clauses"] if clause["id"] == "cut-off")
    assert "1%" in cut_off["text"]
    reworded = next(clause for clause in document["clauses"] if clause["id"] == "report")
    reworded["text"] += "\n\n报告还应说明 1% 取舍的依据。"
    drafting.save_revision(session, rule, document, message="改写报告", based_on=1, by=SECRETARIAT)
    changed = drafting.revision(session, rule).document
    changed["parameters"]["cut_off"]["per_item_percent"] = 0.5
    changed["front_matter"] = {"drafting_units": ["示例研究院"], "drafters": ["张明"]}
    drafting.save_revision(session, rule, changed, message="取舍", based_on=2, by=SECRETARIAT)
    saved = {clause["id"]: clause["text"] for clause in drafting.revision(session, rule).document["clauses"]}
    assert "0.5%" in saved["cut-off"] and "1%" not in saved["cut-off"]
    assert "本文件起草单位：示例研究院。" in saved["foreword"] and "本文件主要起草人：张明。" in saved["foreword"]
    assert saved["report"].endswith("报告还应说明 1% 取舍的依据。")  # the drafters' own words stay


# --- formulas, figures and annex sub-clauses (template 1.1) ----------------------------------------------


@pytest.fixture(scope="module")
def latex_cement():
    from tests.publishing_helpers import cement_with_latex

    rule = cement_with_latex()
    return rule, documents.build(rule, documents.Meta(stage="30"), today=date(2026, 3, 1))


def test_formula_2_in_latex_is_typeset_in_the_html_with_its_number(latex_cement):
    _, doc = latex_cement
    html = render.to_html(doc)
    start = html.index(
        '<p class="formula"><span class="expression"><span class="math display"><var>E</var><sub>cl</sub>'
    )
    formula = html[start : html.index("</p>", start)]
    assert re.findall(r"<var>(\w)</var>", formula) == ["E", "Q", "w", "w", "w", "w"]
    assert re.findall(r"<sub>([^<]*)</sub>", formula) == ["cl", "cl", "CaO", "CaO,nc", "MgO", "MgO,nc"]
    assert formula.count('<span class="frac">') == 2
    assert formula.endswith('<span class="formula-number">（2）</span>')
    # its symbols below, as inline formulas in lines that still hang as 式中 explanations
    assert '<p class="where"><span class="math"><var>E</var><sub>cl</sub></span> ——熟料煅烧' in html


def test_formula_2_prints_in_the_pdf_in_an_italic_serif_with_real_subscripts(latex_cement, tmp_path):
    _, doc = latex_cement
    fetcher = render.InlineOnlyFetcher()
    pdf = render.to_pdf(doc, fetcher)
    assert fetcher.refused == []
    from tests.publishing_helpers import FORMULA_2_TEXT

    (tmp_path / "rule.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "rule.pdf"), "-"], capture_output=True, check=True, text=True)
    assert FORMULA_2_TEXT in flat(text.stdout)  # subscripts set apart from their letters, the fractions stacked
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Liberation-Serif-Italic" in fonts and "Liberation-Serif " in fonts  # italic variables, upright names


def test_figures_print_their_cleaned_image_with_number_and_caption_below(latex_cement, tmp_path):
    rule, doc = latex_cement
    html = render.to_html(doc)
    body = re.findall(r'<figure class="figure" id="figure-[0-9A-]+"><img src="data:image/svg\+xml;base64,([^"]+)"'
                      r' alt="[^"]*"><figcaption>([^<]*)</figcaption></figure>', html)  # fmt: skip
    assert 'id="figure-1"' in html and 'id="figure-A-1"' in html  # anchors for 「见图 1」
    assert [caption for _, caption in body] == ["图\u00a01\u3000水泥碳足迹量化的系统边界", "图\u00a0A.1\u3000收集流程"]
    shown = base64.b64decode(body[0][0]).decode()
    assert "<script" not in shown and "熟料煅烧" in shown  # cleaned again when rendered
    pages = pdf_pages(render.to_pdf(doc), tmp_path)
    annex = next(page for page in pages if "数据收集表的使用" in page and "收集流程" in page)
    assert flat(annex).index("A.1数据收集表的使用") < flat(annex).index("图A.1收集流程")
    assert any("图 1 水泥碳足迹量化的系统边界" in re.sub(r"\s+", " ", page) for page in pages)


def test_a_missing_figure_prints_its_number_caption_and_what_is_missing():
    tokens = documents.parse("![系统边界](figure:nowhere)")
    html = documents.html(tokens)
    assert "［图片缺失：缺少图 nowhere］" in html and "<figcaption>图\u00a01\u3000系统边界</figcaption>" in html
    assert "<img" not in html


def test_annex_sub_clauses_are_headings_in_the_contents_and_the_body(latex_cement):
    rule, doc = latex_cement
    labels = [(entry.label, entry.level) for entry in doc.contents]
    head = next(index for index, (label, _) in enumerate(labels) if label.startswith("附录A"))
    assert labels[head + 1 : head + 3] == [("A.1\u3000数据收集表的使用", 2), ("A.2\u3000数据的核验", 2)]
    html = render.to_html(doc)
    assert re.search(
        r'<section class="clause level-2" id="collection-sheets">\s*<h3>A.1\u3000数据收集表的使用</h3>', html
    )
    assert html.count('class="annex clause"') == sum(
        1 for clause in rule["clauses"] if clause["number"].startswith("附录")
    )
    assert "### A.1　数据收集表的使用 {#collection-sheets}" in render.to_markdown(rule, doc)


@pytest.mark.parametrize(
    ("title_en", "product"),
    [
        ("Greenhouse gases—Carbon footprint of products—Quantification methods and requirements for cement", "cement"),
        ("Greenhouse gases—Carbon footprint of products—Quantification methods and requirements—Cement", "Cement"),
    ],
)
def test_the_folder_of_a_rule_without_an_english_product_name_comes_from_its_english_title(title_en, product):
    """Template 1.1 titles end "…requirements for cement"; the folder is named after the product,
    not after the whole last part of the title."""
    from workbench.publishing.service import product_in_english_title

    assert product_in_english_title(title_en) == product
