"""What coverage costs at 10,000 standards, 500 products and 1,000 proposals: the coverage page as
SAMR/MEE see it (GET /coverage, every detail) and `workbench catalogue coverage --format json`.

Usage: python benchmarks/bench_catalogue.py [STANDARDS]   (make bench runs it)
The page is measured rendered (an app whose page cache keeps nothing: every request runs the
queries and the template) and as repeat visits get it from the page cache (page_cache.py).
Runs on a fresh SQLite file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL
names a server. Requests go through the test client (in-process, no network), signed in as an
administrator (SAMR/MEE); the command runs through Click's runner in the same process. Each case
is run once to warm up and checked (every priority product in the matrix, the counts computed
here from the seeded rows), then REPEATS times; the median and the slowest are printed in
milliseconds with the SQL statements each sends. "cold": the process's memo of level-rule
verdicts is emptied before each run (what the first request after a restart, and every run of the
command, pays); "warm": kept, as for later requests. The target is a cold median under 100 ms.
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
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from benchmarks.bench_registry import Counters, seed_standards  # noqa: E402
from tests.conftest import ADMIN, PASSWORD, fresh_database, make_app  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.models import OrganisationKind  # noqa: E402
from workbench.catalogue import progress  # noqa: E402
from workbench.catalogue.coverage_views import MATRIX_PAGE  # noqa: E402
from workbench.catalogue.models import Call, ListBatch, ListItem, Proposal  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting.models import Rule, StageEvent  # noqa: E402
from workbench.registry.models import Product, Standard  # noqa: E402

STANDARDS = 10_000
PRODUCTS = 500
PROPOSALS = 1_000
CALLS = 4
REPEATS = 20
CATEGORIES = ["basic_energy", "raw_material", "transport", "export_product", "consumer_product"]
PROPOSAL_STATUSES = {"submitted": 30, "returned": 10, "approved": 25, "rejected": 25, "withdrawn": 10}


def seed_products(session) -> list[SimpleNamespace]:
    rows = [
        {
            "name": f"基准产品{number:03d}",
            "aliases": "",
            "side": "production" if number % 3 else "consumption",
            "end_use": "intermediate" if number % 4 else "final",
            "priority_category": CATEGORIES[number % len(CATEGORIES)],
            "source": "",
            "version": 1,
        }
        for number in range(PRODUCTS)
    ]
    ids = session.scalars(
        insert(Product.__table__).returning(Product.__table__.c.id, sort_by_parameter_order=True), rows
    ).all()
    session.commit()
    return [SimpleNamespace(id=product_id, name=row["name"]) for product_id, row in zip(ids, rows, strict=True)]


def seed_catalogue(session, products, today: date) -> None:
    """A published priority batch naming every product, a correction taking ten off, CALLS calls,
    PROPOSALS proposals (a quarter approved, each with a rule and its stage events)."""
    rng = random.Random(2027)
    first = ListBatch(
        kind="priority",
        number=1,
        title="重点产品碳足迹核算标准清单（第一批）",
        status="published",
        issued_on=date(2024, 6, 4),
        published_at=datetime(2024, 6, 4, tzinfo=UTC),
    )
    correction = ListBatch(
        kind="priority",
        number=2,
        title="更正",
        status="published",
        issued_on=date(2025, 6, 1),
        published_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    session.add_all([first, correction])
    session.flush()
    items = [
        {
            "batch_id": first.id,
            "position": position,
            "change": "add",
            "product_id": product.id,
            "category": CATEGORIES[position % len(CATEGORIES)],
            "level": "national",
            "lead_ministry": "",
            "note": "",
        }
        for position, product in enumerate(products, start=1)
    ]
    items += [
        {
            "batch_id": correction.id,
            "position": position,
            "change": "remove",
            "product_id": product.id,
            "category": None,
            "level": None,
            "lead_ministry": "",
            "note": "",
        }
        for position, product in enumerate(products[:10], start=1)
    ]
    session.execute(insert(ListItem.__table__), items)
    organisations = [
        accounts.create_organisation(session, by=ADMIN, name=f"基准协会{number}", kind=OrganisationKind.ASSOCIATION)
        for number in range(5)
    ]
    calls = []
    for number in range(CALLS):
        opens = date(2024, 7, 1) + timedelta(days=180 * number)
        calls.append(
            Call(
                title=f"第{number + 1}次立项建议征集",
                opens_on=opens,
                closes_on=opens + timedelta(days=60),
                levels=["national", "industry"],
                months_to_approval=rng.choice([12, 18, 24]),
                version=1,
            )
        )
    session.add_all(calls)
    session.flush()
    proposals, rules, approved = [], [], []
    for number in range(PROPOSALS):
        call = rng.choice(calls)
        product = rng.choice(products)
        status = rng.choices(list(PROPOSAL_STATUSES), list(PROPOSAL_STATUSES.values()))[0]
        submitted = datetime.combine(call.opens_on + timedelta(days=rng.randrange(60)), datetime.min.time(), UTC)
        row = {
            "call_id": call.id,
            "organisation_id": rng.choice(organisations).id,
            "product_id": product.id,
            "level": "national",
            "title": f"温室气体 产品碳足迹量化方法与要求 {product.name}",
            "status": status,
            "findings": [],
            "submitted_at": submitted,
            "version": 1,
            "scope": "",
            "urgency": "",
            "technical_content": "",
            "international": "",
            "drafting_units": "",
            "timetable": "",
            "trial_enterprises": 3,
            "trial_plan": "",
            "decision_reason": "",
            "approved_on": None,
            "due_on": None,
            "plan_number": None,
            "decided_at": None,
            "rule_id": None,
        }
        if status == "approved":
            approved_on = call.closes_on + timedelta(days=rng.randint(10, 60))
            months = call.months_to_approval
            row |= {
                "approved_on": approved_on,
                "due_on": approved_on + timedelta(days=months * 30),
                "plan_number": f"{approved_on.year}{number:04d}-T-469",
                "decided_at": submitted,
            }
            approved.append((len(proposals), approved_on))
            rules.append(
                {
                    "code": f"CFP-B{number:04d}",
                    "title": row["title"],
                    "template": "cfp-product-rule@1.1",
                    "product_id": product.id,
                    "stage": "10",
                    "stage_entered_on": approved_on,
                    "current_revision": 0,
                    "version": 1,
                }
            )
        proposals.append(row)
    rule_ids = session.scalars(
        insert(Rule.__table__).returning(Rule.__table__.c.id, sort_by_parameter_order=True), rules
    ).all()
    events = []
    stages = ["10", "20", "30", "40", "50", "60"]
    for (index, approved_on), rule_id in zip(approved, rule_ids, strict=True):
        proposals[index]["rule_id"] = rule_id
        on, stage = approved_on, 0
        while stage < 5 and rng.random() < 0.7:
            on = on + timedelta(days=rng.randint(20, 200))
            if on > today:
                break
            events.append(
                {
                    "rule_id": rule_id,
                    "from_stage": stages[stage],
                    "to_stage": stages[stage + 1],
                    "revision": 0,
                    "actor_label": "秘书处",
                    "occurred_at": datetime.combine(on, datetime.min.time(), UTC),
                    "note": "",
                    "gates": [],
                }
            )
            stage += 1
        session.execute(Rule.__table__.update().where(Rule.__table__.c.id == rule_id).values(stage=stages[stage]))
    if events:
        session.execute(insert(StageEvent.__table__), events)
    session.execute(insert(Proposal.__table__), proposals)
    session.commit()


def forget() -> None:
    """What a first visitor meets: no level-rule verdict, and no JSON of one, remembered in the
    process (progress keeps both across requests, keyed by the product's standards and the day)."""
    progress._verdict.cache_clear()
    progress._verdict_json.cache_clear()


def measure(run, check, *, cold: bool) -> dict:
    """REPEATS timed runs after one untimed warm-up (the check). cold: the process's memo of
    verdicts is emptied before every run (untimed), so each run pays what the first request after
    a restart pays; warm: it is kept, as for every request after the first."""
    if cold:
        forget()
    check(run())  # warm-up, and the check that the result holds what it should
    timings = []
    statements = []
    for _ in range(REPEATS):
        if cold:
            forget()
        COUNTERS.statements = 0
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(COUNTERS.statements)
    return {"median": statistics.median(timings), "max": max(timings), "statements": max(statements)}


COUNTERS: Counters


def main() -> None:
    global COUNTERS
    count = int(sys.argv[1]) if len(sys.argv) > 1 else STANDARDS
    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False)
        with app.app_context():
            flask_migrate.upgrade()
            from workbench.dates import today as local_today

            today = local_today()
            started = time.perf_counter()
            products = seed_products(db.session)
            seed_standards(db.session, count, products, today)
            seed_catalogue(db.session, products, today)
            accounts.create_user(
                db.session, username="mee", display_name="生态环境部", password=PASSWORD, role="administrator", by=ADMIN
            )
            db.session.commit()
            seeding = time.perf_counter() - started
            backend = db.engine.dialect.name
            if backend == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("ANALYZE"))
            server = db.session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = (
                server.split(" on ")[0] if server else f"SQLite {db.session.scalar(text('SELECT sqlite_version()'))}"
            )
            totals = {
                name: db.session.scalar(select(func.count()).select_from(model))
                for name, model in [
                    ("standards", Standard),
                    ("products", Product),
                    ("proposals", Proposal),
                    ("rules", Rule),
                    ("stage events", StageEvent),
                ]
            }
            counted = db.session.scalar(
                select(func.count())
                .select_from(Standard)
                .where(
                    Standard.product_id.is_not(None),
                    Standard.archived_at.is_(None),
                    Standard.status.in_(["published", "under_revision"]),
                    Standard.level.in_(["national", "industry"]),
                )
            )
            COUNTERS = Counters(db.engine)
            db.session.remove()

        # The same database through an app whose page cache keeps nothing: what rendering costs.
        uncached = make_app(url, Path(root), TESTING=False, PAGE_CACHE_BYTES=0)
        with uncached.app_context():
            event.listen(db.engine, "before_cursor_execute", COUNTERS._statement)
        gc.collect()
        gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
        clients = {}
        for name, each in (("uncached", uncached), ("cached", app)):
            clients[name] = each.test_client()
            response = clients[name].post_form("/login", {"username": "mee", "password": PASSWORD})
            assert response.status_code == 302, response.status_code
        from workbench.cli import cli

        runner = app.test_cli_runner()
        listed = PRODUCTS - 10

        def page():
            return clients["uncached"].get("/coverage")

        def kept_page():
            return clients["cached"].get("/coverage")

        def check_page(response):
            assert response.status_code == 200, response.status_code
            # The first page of the matrix (coverage_views.MATRIX_PAGE products); the counts cover all.
            assert response.text.count('<tr id="product-') == min(listed, MATRIX_PAGE), "a full page of the matrix"
            assert f"共 {listed} 条" in response.text, "the pager counts every priority product"
            assert 'id="cycle-times-table"' in response.text

        def command():
            return runner.invoke(cli, ["catalogue", "coverage", "--format", "json"], catch_exceptions=False)

        def command_with_findings():
            return runner.invoke(
                cli, ["catalogue", "coverage", "--findings", "--format", "json"], catch_exceptions=False
            )

        def check_command(result):
            assert result.exit_code == 0, result.output
            document = json.loads(result.output)
            assert len(document["products"]) == listed and document["counted"] == counted, (
                len(document["products"]),
                document["counted"],
                counted,
            )
            assert len(document["cycle_times"]) == totals["rules"]

        # The acceptance figures are the cold ones: every query, every verdict and the template
        # (or the JSON) each time. The command always runs cold in a process of its own. The page
        # draws one page of the matrix (coverage_views.MATRIX_PAGE products) and runs the level
        # rules for those; the command runs them for every product only with --findings.
        results = {
            "GET /coverage as SAMR/MEE, rendered, cold": measure(page, check_page, cold=True),
            "catalogue coverage --format json, cold": measure(command, check_command, cold=True),
            "GET /coverage as SAMR/MEE, rendered, warm": measure(page, check_page, cold=False),
            "catalogue coverage --format json, warm": measure(command, check_command, cold=False),
            "catalogue coverage --findings --format json, cold": measure(
                command_with_findings, check_command, cold=True
            ),
            "GET /coverage as SAMR/MEE, page cache": measure(kept_page, check_page, cold=False),
        }
        for each in (uncached, app):
            with each.app_context():
                db.engine.dispose()

    print(
        f"date: {datetime.now().date()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"backend: {backend} ({server})  " + ", ".join(f"{name}: {n:,}" for name, n in totals.items()))
    print(f"seeded in {seeding:.1f} s; {REPEATS} timed runs per case after one warm-up; target: cold median < 100 ms")
    print(f"  {'case':<48} {'median':>9} {'max':>9} {'statements':>10}")
    for label, result in results.items():
        print(f"  {label:<48} {result['median']:>6.1f} ms {result['max']:>6.1f} ms {result['statements']:>10}")


if __name__ == "__main__":
    main()
