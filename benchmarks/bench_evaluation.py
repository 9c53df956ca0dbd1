"""What evaluation costs at 300 rules, 2,000 registry standards and 1,000 feedback items on one
standard: TC548's coordination report (GET /coordination/ as the secretariat, and `workbench
coordination report --format json`), and the pages of a standard with 1,000 feedback items (its
evaluation record with the facts gathered today, GET /evaluation/<id>, and its registry page with
the feedback and evaluation panels, GET /standards/<id>) as a member of the evaluating
institute.

Usage: python benchmarks/bench_evaluation.py [RULES]   (make bench runs it)
Runs on a fresh SQLite file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL
names a server. Every rule has a current revision whose document is the template's cement example
(rule_templates/cfp-product-rule/1.1/examples/cement.json) made about its own product, with some
technical choices varied, so that rules of the same product, of a product and its parent, of
sibling products and of products named among each other's inputs disagree; a third of the rules
are registered as published standards; a few differences carry the secretariat's reason. Requests
go through the test client (in-process, no network) of an app whose page cache keeps nothing; the
command runs through Click's runner in the same process. Each case is run once to warm up and
checked (the page: every rule, the first page of findings and of standards without a rule, and
their counts; the command: every rule, standard and disagreement computed here by the pure core
from the seeded documents; the feedback counts), then REPEATS times; the median and the slowest are
printed in milliseconds with the SQL statements each sends. The target is a median under 200 ms.
"""

import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from benchmarks.bench_registry import Counters, seed_standards  # noqa: E402
from tests.conftest import ADMIN, PASSWORD, fresh_database, make_app  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.models import OrganisationKind  # noqa: E402
from workbench.auth.permissions import Role  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting.models import Rule, RuleRevision  # noqa: E402
from workbench.evaluation import coordination as core  # noqa: E402
from workbench.evaluation import coordination_report  # noqa: E402
from workbench.evaluation.coordination_views import FINDINGS_PAGE, STANDARDS_PAGE  # noqa: E402
from workbench.evaluation.models import (  # noqa: E402
    CoordinationReason,
    Evaluation,
    EvaluationStatus,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
)
from workbench.registry.models import Product, Standard, Status  # noqa: E402

RULES = 300
STANDARDS = 2_000
FEEDBACK = 1_000
BRANCHES = 30  # parent products, each with CHILDREN children
CHILDREN = 5
REASONS = 20
REPEATS = 20
EXAMPLE = Path(__file__).resolve().parent.parent / "rule_templates/cfp-product-rule/1.1/examples/cement.json"
STAGES = ["10", "20", "30", "40", "50", "60"]


def seed_products(session) -> list[SimpleNamespace]:
    """BRANCHES parents, each with CHILDREN children (the related branches of the report)."""
    table = Product.__table__
    parents = session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [
            {
                "name": f"基准大类{number:02d}",
                "aliases": "",
                "side": "production",
                "end_use": "intermediate",
                "source": "",
                "version": 1,
            }
            for number in range(BRANCHES)
        ],
    ).all()
    rows = [
        {
            "name": f"基准产品{branch:02d}{child}",
            "aliases": f"基准别名{branch:02d}{child}" if child == 0 else "",
            "side": "production",
            "end_use": "intermediate" if child % 2 else "final",
            "parent_id": parent_id,
            "source": "",
            "version": 1,
        }
        for branch, parent_id in enumerate(parents)
        for child in range(CHILDREN)
    ]
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    session.commit()
    products = [SimpleNamespace(id=i, name=f"基准大类{n:02d}", parent_id=None) for n, i in enumerate(parents)]
    products += [
        SimpleNamespace(id=i, name=row["name"], parent_id=row["parent_id"]) for i, row in zip(ids, rows, strict=True)
    ]
    return products


def document_for(example: dict, product, rng: random.Random, products: list) -> dict:
    """The cement example about `product`, with some technical choices varied and, now and then, a
    unit process naming another product (an input relation)."""
    document = json.loads(json.dumps(example, ensure_ascii=False).replace("水泥", product.name))
    parameters = document["parameters"]
    if rng.random() < 0.12:
        parameters["gwp_set"] = "IPCC-AR5-GWP100"
    if rng.random() < 0.08:
        parameters["cut_off"] = {"per_item_percent": 0.5, "total_percent": 3}
    if rng.random() < 0.08:
        parameters["allocation"] = {"method": "economic", "justification": "按经济价值分配"}
    if rng.random() < 0.08:
        parameters["electricity"]["grid_factor"] = "regional_average"
    if rng.random() < 0.06:
        parameters["data_period"] = "最近连续三个自然年"
    if rng.random() < 0.15:
        other = rng.choice(products)
        parameters["unit_processes"].append(
            {
                "id": "input",
                "name": f"外购{other.name}的生产",
                "stage": "raw_material_acquisition",
                "data_source": "background",
            }
        )
    document["product"] = {**document.get("product", {}), "name": product.name}
    return document


def seed_rules(session, products, count: int, today: date) -> list[int]:
    """`count` rules over the child and parent products, each with one current revision; a third
    registered as published standards of the registry (those without a rule are left alone)."""
    rng = random.Random(1613)
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    children = [product for product in products if product.parent_id is not None]
    parents = [product for product in products if product.parent_id is None]
    published = session.scalars(
        select(Standard.id)
        .where(Standard.status == Status.PUBLISHED, Standard.archived_at.is_(None))
        .order_by(Standard.id)
        .limit(count // 3)
    ).all()
    rules, documents = [], []
    for number in range(count):
        product = rng.choice(parents) if rng.random() < 0.15 else rng.choice(children)
        rules.append(
            {
                "code": f"CFP-E{number:04d}",
                "title": f"温室气体 产品碳足迹量化方法与要求 {product.name}",
                "template": "cfp-product-rule@1.1",
                "product_id": product.id,
                "standard_id": published[number] if number < len(published) else None,
                "stage": "60" if number < len(published) else rng.choice(STAGES),
                "stage_entered_on": today - timedelta(days=rng.randint(10, 900)),
                "current_revision": 1,
                "version": 1,
            }
        )
        documents.append(document_for(example, product, rng, children))
    table = Rule.__table__
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rules).all()
    now = datetime.now(UTC)
    session.execute(
        insert(RuleRevision.__table__),
        [
            {
                "rule_id": rule_id,
                "number": 1,
                "document": document,
                "parameters": document["parameters"],  # as drafting's _write_revision stores it
                "message": "",
                "author_label": "基准起草组",
                "created_at": now,
                "errors": 0,
                "warnings": 0,
            }
            for rule_id, document in zip(ids, documents, strict=True)
        ],
    )
    session.commit()
    return list(ids)


def seed_reasons(session, secretariat) -> int:
    """The secretariat's reasons for REASONS of the differences the report finds."""
    differences = coordination_report.report(session).disagreements
    found = differences[:: max(1, len(differences) // REASONS)]
    rows = [
        {
            "rule_id": item.rule_id,
            "other_rule_id": item.other_rule_id,
            "choice": item.choice,
            "reason": "两项产品的工艺不同，有意采用不同的技术选择。",
            "created_by_id": secretariat.id,
            "created_at": datetime.now(UTC),
        }
        for item in found[:REASONS]
    ]
    session.execute(insert(CoordinationReason.__table__), rows)
    session.commit()
    return len(rows)


def seed_feedback(session, standard_id: int, today: date) -> dict:
    """FEEDBACK items on one standard, about a third answered; returns the expected counts."""
    rng = random.Random(29)
    kinds = list(FeedbackKind)
    rows, open_count = [], 0
    for number in range(FEEDBACK):
        answered = rng.random() < 0.35
        open_count += not answered
        submitted = datetime.combine(today, datetime.min.time(), UTC) - timedelta(hours=number * 7)
        rows.append(
            {
                "standard_id": standard_id,
                "clause": f"{rng.randint(4, 9)}.{rng.randint(1, 6)}",
                "kind": rng.choice(kinds).value,
                "text": "电力排放因子的年份与数据时间范围不一致，实施中难以取得同一年份的因子，建议说明。" * 2,
                "contact": "",
                "submitted_at": submitted,
                "source": f"{number:064x}",
                "status": (FeedbackStatus.ANSWERED if answered else FeedbackStatus.OPEN).value,
                "answer": "已记录，修订时考虑。" if answered else "",
                "answered_at": submitted + timedelta(days=3) if answered else None,
            }
        )
    session.execute(insert(Feedback.__table__), rows)
    session.commit()
    return {"total": FEEDBACK, "open": open_count}


def expected_report(session) -> core.Report:
    """The report computed here from the seeded documents (whole ones, read as ORM objects) by the
    pure core: what the page and the command must show."""
    rules = session.scalars(select(Rule).where(Rule.archived_at.is_(None), Rule.stage != "95")).all()
    documents = dict(session.execute(select(RuleRevision.rule_id, RuleRevision.document)).all())
    return core.compare(
        [
            core.RuleFacts(
                rule_id=rule.id,
                code=rule.code,
                title=rule.title,
                product_id=rule.product_id,
                product_name=rule.product.name,
                parameters=documents[rule.id]["parameters"],
                product_aliases=tuple(a for a in rule.product.aliases.split("、") if a),
                parent_id=rule.product.parent_id,
                end_use=rule.product.end_use.value,
                stage=rule.stage,
                designation=rule.standard.numbers if rule.standard else "",
                standard_id=rule.standard_id,
            )
            for rule in rules
        ],
        parents=dict(session.execute(select(Product.id, Product.parent_id)).all()),
        names=dict(session.execute(select(Product.id, Product.name)).all()),
        reasons={
            (row.rule_id, row.other_rule_id, row.choice): row.reason
            for row in session.scalars(select(CoordinationReason))
        },
    )


def measure(run, check, *, cold: bool) -> dict:
    """REPEATS timed runs after one untimed warm-up (the check). cold: the process's memo of rule
    parameters (coordination_report) is emptied before every run, untimed, so each run pays what
    the first request after a restart, and every run of the command, pays; warm: it is kept, as
    for every later request (a rule saved since costs the reading of its new revision only)."""
    if cold:
        coordination_report.forget_parameters()
    check(run())  # warm-up, and the check that the result holds what it should
    timings, statements = [], []
    for _ in range(REPEATS):
        if cold:
            coordination_report.forget_parameters()
        COUNTERS.statements = 0
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(COUNTERS.statements)
    return {"median": statistics.median(timings), "max": max(timings), "statements": max(statements)}


COUNTERS: Counters


def main() -> None:
    global COUNTERS
    rule_count = int(sys.argv[1]) if len(sys.argv) > 1 else RULES
    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False, PAGE_CACHE_BYTES=0)
        with app.app_context():
            flask_migrate.upgrade()
            from workbench.dates import today as local_today

            today = local_today()
            started = time.perf_counter()
            session = db.session
            products = seed_products(session)
            seed_standards(session, STANDARDS, products, today)
            rule_ids = seed_rules(session, products, rule_count, today)
            tc = accounts.create_organisation(
                session, by=ADMIN, name="TC548 秘书处", kind=OrganisationKind.TC_SECRETARIAT
            )
            institute = accounts.create_organisation(
                session, by=ADMIN, name="中国标准化研究院", kind=OrganisationKind.RESEARCH_INSTITUTE
            )
            secretariat = accounts.create_user(
                session,
                by=ADMIN,
                username="secretariat",
                display_name="TC548 秘书处",
                password=PASSWORD,
                role=Role.SECRETARIAT,
                organisation=tc,
            )
            accounts.create_user(
                session,
                by=ADMIN,
                username="evaluator",
                display_name="评估人员",
                password=PASSWORD,
                role=Role.EVALUATOR,
                organisation=institute,
            )
            session.commit()
            reason_count = seed_reasons(session, secretariat)
            # The evaluated standard: the first rule's (published, drafted in the workbench, so
            # that its facts include the coordination findings of its rule).
            standard_id = session.scalar(select(Rule.standard_id).where(Rule.id == rule_ids[0]))
            expected_feedback = seed_feedback(session, standard_id, today)
            evaluation_id = session.scalar(
                insert(Evaluation.__table__).returning(Evaluation.__table__.c.id),
                [
                    {
                        "standard_id": standard_id,
                        "organisation_id": institute.id,
                        "status": EvaluationStatus.DRAFT.value,
                        "started_on": today - timedelta(days=30),
                        "summary": "",
                        "version": 1,
                    }
                ],
            )
            session.commit()
            seeding = time.perf_counter() - started
            backend = db.engine.dialect.name
            if backend == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("ANALYZE"))
            server = session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = server.split(" on ")[0] if server else f"SQLite {session.scalar(text('SELECT sqlite_version()'))}"
            totals = {
                name: session.scalar(select(func.count()).select_from(model))
                for name, model in [
                    ("rules", Rule),
                    ("standards", Standard),
                    ("products", Product),
                    ("feedback", Feedback),
                    ("reasons", CoordinationReason),
                ]
            }
            expected = expected_report(session)
            listed = session.scalar(
                select(func.count())
                .select_from(Standard)
                .where(
                    Standard.status.in_(coordination_report.LISTED_STATUSES),
                    Standard.archived_at.is_(None),
                    ~select(Rule.id).where(Rule.standard_id == Standard.id).exists(),
                )
            )
            standard_title = session.get(Standard, standard_id).title
            COUNTERS = Counters(db.engine)
            session.remove()
        assert len(expected.disagreements) > 50 and len(expected.explained) == reason_count, "some disagreements"
        assert {item.relation for item in expected.disagreements} >= {
            core.SAME_PRODUCT,
            core.ANCESTOR,
            core.SIBLING,
            core.INPUT,
        }, "every kind of relation"

        gc.collect()
        gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
        clients = {}
        for username in ("secretariat", "evaluator"):
            clients[username] = app.test_client()
            response = clients[username].post_form("/login", {"username": username, "password": PASSWORD})
            assert response.status_code == 302, response.status_code
        from workbench.cli import cli

        runner = app.test_cli_runner()

        def report_page():
            return clients["secretariat"].get("/coordination/")

        # The page lists every rule's choices, the first page of findings (whole pairs, at most
        # FINDINGS_PAGE) with the total, and the first page of the standards without a rule with
        # their count (the Excel download and the JSON keep everything: the command is checked so).
        finding_pages = core.pair_pages(expected.by_pair(), FINDINGS_PAGE)
        first_pairs = finding_pages[0]
        first_findings = sum(len(items) for _pair, items in first_pairs)
        assert 0 < first_findings <= FINDINGS_PAGE, first_findings

        def check_report_page(response):
            assert response.status_code == 200, response.status_code
            page = response.text
            assert page.count('<tr id="rule-') == rule_count, "every rule"
            assert page.count('<tr id="standard-') == min(listed, STANDARDS_PAGE), "the first standards without a rule"
            assert f"未在工作台起草的标准：{listed} 项" in page, "the count of standards without a rule"
            assert page.count('<li class="finding finding-') == first_findings, "the first page of findings"
            assert f"共 {len(expected.disagreements)} 项问题" in page, "the count of findings"
            assert all(f'id="pair-{a}-{b}"' in page for (a, b), _items in first_pairs), "the first pairs"
            pages = f"第 1 / {len(finding_pages)} 页，共 {len(expected.disagreements)} 条"
            assert pages in page or len(finding_pages) == 1, "the pages of findings"

        def command():
            return runner.invoke(cli, ["coordination", "report", "--format", "json"], catch_exceptions=False)

        def check_command(result):
            assert result.exit_code == 0, result.output
            document = json.loads(result.output)
            assert len(document["rows"]) == rule_count + listed, (len(document["rows"]), rule_count, listed)
            assert len(document["findings"]) == len(expected.disagreements), (
                len(document["findings"]),
                len(expected.disagreements),
            )
            assert len(document["explained"]) == reason_count
            wanted = [(item.rule_id, item.other_rule_id, item.choice) for item in expected.disagreements]
            assert [(item["rule_id"], item["other_rule_id"], item["choice"]) for item in document["findings"]] == wanted

        involved = expected.involving([rule_ids[0]])

        def evaluation_page():
            return clients["evaluator"].get(f"/evaluation/{evaluation_id}")

        def check_evaluation_page(response):
            assert response.status_code == 200, response.status_code
            assert standard_title in response.text
            assert f"共 {expected_feedback['total']} 条，其中待答复 {expected_feedback['open']} 条" in response.text
            if involved:
                assert f"{len(involved)} 项发现" in response.text, "the coordination findings of its rule"

        def standard_page():
            return clients["evaluator"].get(f"/standards/{standard_id}")

        def check_standard_page(response):
            assert response.status_code == 200, response.status_code
            assert standard_title in response.text
            assert str(expected_feedback["total"]) in response.text and str(expected_feedback["open"]) in response.text

        results = {
            "GET /coordination/ as the secretariat, cold": measure(report_page, check_report_page, cold=True),
            "GET /coordination/ as the secretariat, warm": measure(report_page, check_report_page, cold=False),
            "coordination report --format json, cold": measure(command, check_command, cold=True),
            "GET /evaluation/<id> as its evaluator, cold": measure(evaluation_page, check_evaluation_page, cold=True),
            "GET /evaluation/<id> as its evaluator, warm": measure(evaluation_page, check_evaluation_page, cold=False),
            "GET /standards/<id> as the evaluator": measure(standard_page, check_standard_page, cold=False),
        }
        with app.app_context():
            db.engine.dispose()

    print(
        f"date: {datetime.now().date()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"backend: {backend} ({server})  " + ", ".join(f"{name}: {n:,}" for name, n in totals.items()))
    print(
        f"report: {rule_count} rules and {listed:,} standards in force without a rule, "
        f"{len(expected.disagreements):,} findings, {len(expected.explained)} explained; "
        f"the evaluated standard has {FEEDBACK:,} feedback items and its rule is in {len(involved)} findings"
    )
    print(
        f"seeded in {seeding:.1f} s; {REPEATS} timed runs per case after one warm-up; target: median < 200 ms (cold for the command)"
    )
    print(f"  {'case':<52} {'median':>9} {'max':>9} {'statements':>10}")
    for label, result in results.items():
        print(f"  {label:<52} {result['median']:>6.1f} ms {result['max']:>6.1f} ms {result['statements']:>10}")


if __name__ == "__main__":
    main()
