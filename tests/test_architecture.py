"""The shape of the code that the import contracts (lint-imports, in `make test`) cannot see: the
article table in docs/architecture.md against the catalogue, one spelling of citations, private
names kept at home, long modules explained, and findings made only from the catalogue."""

import ast
import re

from workbench.guideline import CATALOGUE
from workbench.guideline.articles import ARTICLES

from .conftest import PROJECT_ROOT

WORKBENCH = PROJECT_ROOT / "workbench"
ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"
LONG_MODULE = 600  # lines; a longer module needs its reason in docs/architecture.md


def _section(title: str) -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start : end if end != -1 else None]


def _article_rows() -> dict[str, list[str]]:
    """The article table: the first cell of each row → the codes in backticks in its last cell."""
    rows = {}
    for line in _section("### Where each article lives").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("article", "---"):
            rows[cells[0]] = re.findall(r"`([a-z0-9_]+)`", cells[3])
    return rows


def _python_files():
    return sorted(WORKBENCH.rglob("*.py"))


def test_the_article_table_lists_every_article_and_every_code_under_an_article_it_cites():
    rows = _article_rows()
    assert [article.key for article in ARTICLES] == [key for key in rows if key in {a.key for a in ARTICLES}]
    listed = [code for codes in rows.values() for code in codes]
    assert len(listed) == len(set(listed)), "a code is listed twice"
    assert set(listed) - set(CATALOGUE) == set(), "the table names codes the catalogue does not have"
    assert set(CATALOGUE) - set(listed) == set(), "catalogue codes missing from docs/architecture.md"
    for row, codes in rows.items():
        for code in codes:
            cited = CATALOGUE[code].article
            here = f"指引{row}" if row.startswith("（") else row
            assert here in cited or (row.startswith("（") and row in cited.split("；")[0]), (code, row, cited)


def test_citations_use_the_guidelines_own_brackets_everywhere():
    spelled_ascii = re.compile(r"指引\(")
    places = [*WORKBENCH.rglob("*.py"), *WORKBENCH.rglob("*.html"), *PROJECT_ROOT.glob("rule_templates/**/*.json")]
    offending = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in places
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled_ascii.search(line)
    ]
    assert offending == []


def _package_of(module: str) -> str:
    """The package a module belongs to: a package is its own, a module its parent's."""
    return module if (PROJECT_ROOT / module.replace(".", "/")).is_dir() else module.rsplit(".", 1)[0]


def test_private_names_are_imported_only_inside_their_own_package():
    crossing = []
    for path in _python_files():
        module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
        importer = _package_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("workbench"):
                continue
            home = _package_of(node.module)
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and not (importer == home or importer.startswith(home + ".")):
                    crossing.append(f"{module}: {node.module}.{alias.name}")
    assert crossing == []


def test_a_module_over_the_limit_has_its_reason_written_down():
    reasons = _section("### Long modules")
    explained = set(re.findall(r"`(workbench/[\w/]+\.py)`", reasons))
    long = {
        str(path.relative_to(PROJECT_ROOT))
        for path in _python_files()
        if len(path.read_text(encoding="utf-8").splitlines()) > LONG_MODULE
    }
    assert long - explained == set(), f"over {LONG_MODULE} lines without a reason in docs/architecture.md"
    assert explained - long == set(), "docs/architecture.md explains a module that is no longer long"


def test_findings_are_made_only_from_the_catalogue():
    """A Finding is constructed in workbench/guideline alone; everything else calls finding(code, …)."""
    constructed = []
    for path in _python_files():
        if path.is_relative_to(WORKBENCH / "guideline"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Finding":
                constructed.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert constructed == []


def test_every_endpoint_named_in_code_or_templates_exists(app):
    """A page moved to another blueprint must not leave a url_for behind that fails only when the
    one page that builds it is shown."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    named = re.compile(r"""(?:url_for\(\s*|__audit_endpoint__\s*=\s*|endpoint\s*=\s*)['"]([a-z_]+\.[a-z_]+)['"]""")
    places = [*WORKBENCH.rglob("*.py"), *WORKBENCH.rglob("*.html")]
    missing = sorted(
        f"{path.relative_to(PROJECT_ROOT)}: {name}"
        for path in places
        for name in named.findall(path.read_text(encoding="utf-8"))
        if name not in endpoints
    )
    assert missing == []
