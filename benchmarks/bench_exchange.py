"""What the exchange costs as its data grow (workbench/exchange/, docs/exchange.md), at a realistic
size and at about ten times it:

1. the PACT export of the demo plant's calculation of record (footprints.calculation_document):
   cold (a fresh session and the schema's compiled validator forgotten, as the first export after
   a restart) and warm;
2. GET /pact/3/footprints of an enterprise sharing 100, 1,000 and 5,000 footprints, with and
   without a productId filter, limit 50, as a partner's system with a real bearer token (a client
   made with oauth.create_client, a token from POST /pact/auth/token): the filters run in Python
   over every stored document of the enterprise, so this is the one to watch;
3. the public distribution page of the demo cement rule (/declarations/rules/<id>) with 10, 100
   and 1,000 verified declarations of 200 enterprises;
4. the public list /declarations/ with those 1,000;
5. the openLCA JSON-LD export of the factor library (factor_exchange.export_jsonld) with the
   reference factors, with 1,000 and with 5,000 factors, and the submission package at 5,000;
6. the international comparison page of the demo cement rule (/international/rules/<id>, HTML)
   and its factor comparison page (/international/rules/<id>/factors) with the demo's one
   reference value and with ten.

Usage: python benchmarks/bench_exchange.py   (make bench runs it)
Runs in a fresh data directory, /tmp/bench_x (removed first), on a SQLite file there, or in a fresh
PostgreSQL database when WORKBENCH_TEST_DATABASE_URL names a server: `workbench db upgrade` and
`workbench demo` through Click's runner, then the larger data are bulk-inserted as copies of the
demo's own rows (the shared footprint's document, the verified declaration, the reference
factors), varied. Requests go through the test client (in-process, no network) of an app whose page
cache keeps nothing. Each case runs once untimed and is checked (status, the rows it must show),
then REPEATS times (fewer for the slow library exports); the median, the 95th percentile and the
SQL statements and full garbage collections per case are printed (times in milliseconds). Finally
the slowest case and the PACT list at 5,000 with a productId filter are profiled (cProfile) and
their top functions printed.
"""

import cProfile
import gc
import io
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select, text  # noqa: E402

from benchmarks.bench_registry import Counters  # noqa: E402
from tests.conftest import ADMIN, fresh_database, make_app  # noqa: E402
from workbench.auth.models import Organisation, User  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.demo import DEMO_PASSWORD  # noqa: E402
from workbench.exchange import (  # noqa: E402
    classes,
    declaration_reading,
    factor_exchange,
    footprints,
    international,
    oauth,
    pact,
    pact_schema,
    seed,
)
from workbench.exchange.models import Declaration, FootprintStatus, SharedFootprint  # noqa: E402

STORED_KINDS = (factor_exchange.EXPORT_KIND, factor_exchange.PACKAGE_KIND)
from workbench.factors.models import Factor  # noqa: E402
from workbench.publishing.models import StoredDocument  # noqa: E402
from workbench.trials.models import Calculation  # noqa: E402

ROOT = Path("/tmp/bench_x")
REPEATS = 20
SLOW_REPEATS = 7  # the library exports at 5,000 factors take seconds each
FOOTPRINT_SIZES = (100, 1_000, 5_000)
PRODUCTS_PER_ENTERPRISE = 50  # a productId filter matches one in fifty
DECLARATION_SIZES = (10, 100, 1_000)
DECLARING_ENTERPRISES = 200
FACTOR_SIZES = (1_000, 5_000)
REFERENCES = 10
LIMIT = 50
PROFILE_LINES = 18


def measure(run, check, *, repeats: int = REPEATS, setup=None) -> dict:
    """One untimed, checked run, then `repeats` timed ones (each after an untimed setup)."""
    setup = setup or (lambda: None)
    setup()
    check(run())
    timings, statements = [], []
    COUNTERS.full_collections = 0
    for _ in range(repeats):
        setup()
        COUNTERS.statements = 0
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        statements.append(COUNTERS.statements)
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": statistics.median(timings),
        "p95": p95,
        "statements": max(statements),
        "collections": COUNTERS.full_collections,
        "runs": repeats,
    }


COUNTERS: Counters


def row_of(session, model, where) -> dict:
    """A stored row as a dict of column values, without its id (a template for copies)."""
    row = dict(session.execute(select(model.__table__).where(where)).mappings().one())
    row.pop("id", None)
    return row


def seed_enterprises(session, template: dict, count: int, prefix: str) -> list[int]:
    table = Organisation.__table__
    rows = [{**template, "name": f"{prefix}{number:04d}有限公司", "name_en": None} for number in range(count)]
    ids = session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    session.commit()
    return list(ids)


def seed_footprints(session, template_row: dict, organisation: Organisation, count: int) -> str:
    """`count` shared footprints of `organisation` over PRODUCTS_PER_ENTERPRISE products, one in
    ten deprecated; returns the product URN of product 0 (the filter's value)."""
    document = template_row["document"]
    now = datetime.now(UTC)
    rows = []
    for number in range(count):
        product = f"基准产品{number % PRODUCTS_PER_ENTERPRISE:02d}"
        pf_id = str(uuid.uuid5(footprints.PF_NAMESPACE, f"bench:{organisation.id}:{number}"))
        status = FootprintStatus.DEPRECATED if number % 10 == 9 else FootprintStatus.ACTIVE
        rows.append(
            {
                **template_row,
                "pf_id": pf_id,
                "organisation_id": organisation.id,
                "calculation_id": None,
                "declaration_id": None,
                "product_name": product,
                "status": status,
                "created_at": now - timedelta(minutes=number),
                "updated_at": now,
                "document": {
                    **document,
                    "id": pf_id,
                    "status": status.value,
                    "companyName": organisation.name,
                    "companyIds": [pact.company_urn(organisation.name)],
                    "productIds": [pact.product_urn(organisation.name, product)],
                    "productNameCompany": product,
                },
            }
        )
    session.execute(insert(SharedFootprint.__table__), rows)
    session.commit()
    return pact.product_urn(organisation.name, "基准产品00")


def seed_declarations(session, template: dict, enterprises: list[int], count: int, rule_classes, rng) -> None:
    rows = []
    for _ in range(count):
        value = template["value"] * rng.lognormvariate(0, 0.15)
        rows.append(
            {
                **template,
                "public_id": uuid.uuid4().hex,
                "organisation_id": rng.choice(enterprises),
                "value": value,
                "performance_class": classes.class_of(value, rule_classes),
                "certificate_number": f"BENCH-{uuid.uuid4().hex[:10]}",
            }
        )
    session.execute(insert(Declaration.__table__), rows)
    session.commit()


def seed_factors(session, templates: list[dict], count: int) -> None:
    """Copies of the reference factors (value varied) until the library holds `count`."""
    have = session.scalar(select(func.count()).select_from(Factor).where(Factor.archived_at.is_(None)))
    rows = [
        {**templates[number % len(templates)], "code": f"BENCH-{number:05d}", "value": 0.5 + number / 10_000}
        for number in range(have, count)
    ]
    for start in range(0, len(rows), 1_000):
        session.execute(insert(Factor.__table__), rows[start : start + 1_000])
    session.commit()


def main() -> None:
    global COUNTERS
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.mkdir(parents=True)
    results: dict[str, dict] = {}
    with fresh_database(ROOT, "bench") as url:
        app = make_app(url, ROOT, TESTING=False, PAGE_CACHE_BYTES=0)
        from workbench.cli import cli

        runner = app.test_cli_runner()
        started = time.perf_counter()
        for command in (["db", "upgrade"], ["demo"]):
            outcome = runner.invoke(cli, command, catch_exceptions=False)
            assert outcome.exit_code == 0, outcome.output
        demo_seconds = time.perf_counter() - started
        with app.app_context():
            from workbench.dates import today as local_today

            today = local_today()
            session = db.session
            backend = db.engine.dialect.name
            server = session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = server.split(" on ")[0] if server else f"SQLite {session.scalar(text('SELECT sqlite_version()'))}"
            plant = session.scalar(select(User).where(User.username == "cement"))
            calculation = session.scalar(
                select(Calculation).join(SharedFootprint, SharedFootprint.calculation_id == Calculation.id)
            )
            demo_declaration = session.scalar(select(Declaration))
            rule = demo_declaration.rule
            ids = {"plant": plant.id, "calculation": calculation.id, "rule": rule.id}
            footprint_row = row_of(session, SharedFootprint, SharedFootprint.calculation_id == calculation.id)
            organisation_row = row_of(session, Organisation, Organisation.id == plant.organisation_id)
            declaration_row = row_of(session, Declaration, Declaration.id == demo_declaration.id)
            rule_classes = classes.classes_of(declaration_reading.parameters_of(demo_declaration.revision))
            factor_rows = [
                row_of(session, Factor, Factor.id == factor_id)
                for factor_id in session.scalars(select(Factor.id).where(Factor.archived_at.is_(None)))
            ]
            reference_factors = len(factor_rows)
            COUNTERS = Counters(db.engine)

            # 1. The PACT export of one calculation of record.
            def export():
                found = db.session.get(Calculation, ids["calculation"])
                return footprints.calculation_document(db.session, found, by=db.session.get(User, ids["plant"]))

            def check_export(document):
                pact_schema.check(document)
                assert document["id"] == footprints.pf_id_of("calculation", ids["calculation"])

            def forget():
                db.session.remove()
                pact_schema.schema.cache_clear()
                pact_schema._validator.cache_clear()

            results["1 PACT export of a calculation, cold"] = measure(export, check_export, setup=forget)
            db.session.remove()
            results["1 PACT export of a calculation, warm"] = measure(export, check_export)
            db.session.remove()

            # 2. PACT host: an enterprise per size, with a partner client and a token each.
            members, filters = {}, {}
            enterprises = seed_enterprises(db.session, organisation_row, len(FOOTPRINT_SIZES), "基准共享企业")
            for size, organisation_id in zip(FOOTPRINT_SIZES, enterprises, strict=True):
                organisation = db.session.get(Organisation, organisation_id)
                member = User(
                    username=f"bench{size}",
                    display_name=f"基准企业成员{size}",
                    role=plant.role,
                    organisation_id=organisation_id,
                    password_hash=plant.password_hash,
                    active=True,
                )
                db.session.add(member)
                db.session.flush()
                client, secret = oauth.create_client(
                    db.session, organisation=organisation, name="基准合作方", by=member
                )
                members[size] = (client.client_id, secret)
                filters[size] = seed_footprints(db.session, footprint_row, organisation, size)
            db.session.remove()

        gc.collect()
        gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
        partner = app.test_client()
        tokens = {}
        for size, (client_id, secret) in members.items():
            response = partner.post(
                "/pact/auth/token",
                data={"grant_type": "client_credentials"},
                headers={"Authorization": "Basic " + _basic(client_id, secret)},
            )
            assert response.status_code == 200, response.text
            tokens[size] = response.json["access_token"]

        for size in FOOTPRINT_SIZES:
            active = size - size // 10
            for label, query, expected in (
                ("", {"limit": LIMIT}, min(LIMIT, size)),
                (", productId", {"limit": LIMIT, "productId": filters[size]}, size // PRODUCTS_PER_ENTERPRISE),
            ):

                def listing(size=size, query=query):
                    return partner.get(
                        "/pact/3/footprints", query_string=query, headers={"Authorization": f"Bearer {tokens[size]}"}
                    )

                def check_listing(response, expected=expected):
                    assert response.status_code == 200, response.text
                    assert len(response.json["data"]) == min(expected, LIMIT), len(response.json["data"])

                results[f"2 GET /pact/3/footprints, {size:,} shared{label}"] = measure(listing, check_listing)
            assert active  # one in ten deprecated: still listed (no status filter)

        # 3, 4. Declarations: the demo's one, then copies up to each size, under the cement rule.
        public = app.test_client()
        rng = random.Random(2026)
        with app.app_context():
            declaring = seed_enterprises(db.session, organisation_row, DECLARING_ENTERPRISES, "基准声明企业")
        have = 1
        for size in DECLARATION_SIZES:
            with app.app_context():
                seed_declarations(db.session, declaration_row, declaring, size - have, rule_classes, rng)
                valid = len(declaration_reading.valid_declarations(db.session, ids["rule"], today))
                db.session.remove()
            have = size
            assert valid == size, (valid, size)

            def distribution():
                return public.get(f"/declarations/rules/{ids['rule']}")

            def check_distribution(response, size=size):
                assert response.status_code == 200, response.status_code
                # The page lists the newest LISTED declarations; the chart counts them all.
                assert response.text.count("/declarations/p/") >= min(size, declaration_reading.LISTED), "the table"

            results[f"3 GET /declarations/rules/<id>, {size:,} verified"] = measure(distribution, check_distribution)

        def declarations_list():
            return public.get("/declarations/")

        def check_list(response):
            assert response.status_code == 200, response.status_code
            assert response.text.count("/declarations/p/") >= LIMIT, "a full first page"

        results[f"4 GET /declarations/, {have:,} verified"] = measure(declarations_list, check_list)

        # 5. The factor library as openLCA JSON-LD, and the submission package.
        with app.app_context():
            for size in (reference_factors, *FACTOR_SIZES):
                seed_factors(db.session, factor_rows, size)

                def jsonld():
                    return factor_exchange.export_jsonld(db.session, by=ADMIN)

                def check_jsonld(content, size=size):
                    with zipfile.ZipFile(io.BytesIO(content)) as archive:
                        processes = [name for name in archive.namelist() if name.startswith("processes/")]
                    assert len(processes) == size, (len(processes), size)

                def forget_stored():
                    # Built from scratch each time: the stored zip (factor_exchange keeps one per
                    # library state) is removed before every run; the stored case is measured apart.
                    db.session.remove()
                    db.session.execute(delete(StoredDocument).where(StoredDocument.kind.in_(STORED_KINDS)))
                    db.session.commit()

                repeats = SLOW_REPEATS if size >= 5_000 else REPEATS // 2 if size >= 1_000 else REPEATS
                results[f"5 export_jsonld, {size:,} factors"] = measure(
                    jsonld, check_jsonld, repeats=repeats, setup=forget_stored
                )
                def jsonld_committed():
                    # As a request does: what the export stored is committed with the request.
                    content = jsonld()
                    db.session.commit()
                    return content

                results[f"5 export_jsonld, {size:,} factors, stored"] = measure(
                    jsonld_committed, check_jsonld, repeats=repeats, setup=db.session.remove
                )

            def package():
                return factor_exchange.submission_package(db.session, today, by=ADMIN)

            def check_package(content):
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    assert {"report.csv", "report.json", "README.md", factor_exchange.JSONLD_NAME} <= set(
                        archive.namelist()
                    )

            results[f"5 submission_package, {FACTOR_SIZES[-1]:,} factors"] = measure(
                package, check_package, repeats=SLOW_REPEATS, setup=forget_stored
            )
            worst_library = (jsonld, package)
            db.session.remove()

        # 6. The international comparison of the cement rule, and its factor comparison.
        def comparison():
            return public.get(f"/international/rules/{ids['rule']}")

        def check_comparison(response):
            assert response.status_code == 200, response.status_code
            assert rule_code in response.text

        with app.app_context():
            rule_code = db.session.get(type(rule), ids["rule"]).code
        results["6 GET /international/rules/<id> (HTML)"] = measure(comparison, check_comparison)

        secretariat = app.test_client()
        response = secretariat.post_form("/login", {"username": "secretariat", "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.status_code

        def factor_page():
            return secretariat.get(f"/international/rules/{ids['rule']}/factors")

        def check_factor_page(response, references=1):
            assert response.status_code == 200, response.status_code
            wanted = "基准参考值" if references > 1 else f"{seed.REFERENCE_VALUE:g}"
            assert response.text.count(wanted) >= references - 1 and wanted in response.text, "the references"

        results["6 GET /international/rules/<id>/factors, 1 reference"] = measure(factor_page, check_factor_page)
        with app.app_context():
            by = db.session.scalar(select(User).where(User.username == "secretariat"))
            reference = db.session.scalar(select(international.ReferenceValue))
            for number in range(REFERENCES - 1):
                international.add_reference_value(
                    db.session,
                    reference.factor,
                    rule=db.session.get(type(rule), ids["rule"]),
                    value=reference.value * (0.8 + number / 20),
                    unit=reference.unit,
                    source=f"基准参考值 {number}",
                    by=by,
                )
            db.session.commit()
            db.session.remove()
        results[f"6 GET /international/rules/<id>/factors, {REFERENCES} references"] = measure(
            factor_page, lambda response: check_factor_page(response, REFERENCES)
        )

        # The slowest case, and the PACT list at its largest size (the one to watch), profiled.
        def listing_5000():
            size = FOOTPRINT_SIZES[-1]
            return partner.get(
                "/pact/3/footprints",
                query_string={"limit": LIMIT, "productId": filters[size]},
                headers={"Authorization": f"Bearer {tokens[size]}"},
            )

        cases = {
            "5 export_jsonld": worst_library[0],
            "5 submission_package": worst_library[1],
            "2 GET /pact/3/footprints": listing_5000,
            "3 GET /declarations/rules": distribution,
            "6 GET /international/rules/<id>/factors": factor_page,
        }
        worst = max(results, key=lambda label: results[label]["median"])
        profiled = [label for label in cases if worst.startswith(label)] + ["2 GET /pact/3/footprints"]
        profiles = {}
        for label in dict.fromkeys(profiled):
            profile = cProfile.Profile()
            if label.startswith("5 "):  # a library call, in an app context (requests go outside one)
                with app.app_context():
                    profile.runcall(cases[label])
                    db.session.remove()
            else:
                profile.runcall(cases[label])
            report = io.StringIO()
            pstats.Stats(profile, stream=report).sort_stats("cumulative").print_stats(PROFILE_LINES)
            profiles[label] = report.getvalue()
        with app.app_context():
            db.engine.dispose()

    print(
        f"date: {datetime.now().date()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"backend: {backend} ({server}); db upgrade + demo in {demo_seconds:.1f} s; data in {ROOT}; "
        f"reference factors: {reference_factors}"
    )
    print(f"  {'case':<58} {'median':>9} {'p95':>9} {'SQL':>5} {'GC':>3} {'runs':>5}")
    for label, result in results.items():
        print(
            f"  {label:<58} {result['median']:>6.1f} ms {result['p95']:>6.1f} ms "
            f"{result['statements']:>5} {result['collections']:>3} {result['runs']:>5}"
        )
    print(f"full collections: gc runs of the oldest generation within the timed runs; slowest: {worst}")
    for label, report in profiles.items():
        size = f"{FOOTPRINT_SIZES[-1]:,} shared, productId" if label.startswith("2 ") else "largest size"
        print(f"\nprofile of {label} ({size}), top {PROFILE_LINES} by cumulative time:")
        print("\n".join(line for line in report.splitlines() if line.strip()))


def _basic(client_id: str, secret: str) -> str:
    import base64

    return base64.b64encode(f"{client_id}:{secret}".encode()).decode()


if __name__ == "__main__":
    main()
