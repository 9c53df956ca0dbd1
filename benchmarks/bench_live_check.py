"""What the live check costs at a rule of 200 clauses: the round trip of POST /drafting/<id>/check
as the pages send it while the user types, and the full conformance check it runs.

Usage: python benchmarks/bench_live_check.py [CLAUSES]   (default 200; make bench runs it)
The rule is bench_checks.py's (the cement example grown to CLAUSES clauses, 50 references, 40
terms, the referenced standards in the registry), saved as revision 2 of a rule on a fresh SQLite
file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL names a server.

Timed, each once to warm up and then REPEATS times (median, 95th percentile and slowest
wall-clock time in ms, median CPU time of this process, SQL statements per call):
  1. checks.check(document, …): every conformance check of the template, pure (whatever checks
     the catalogue holds when this runs: parameters, structure, text);
  2. POST …/check from the clause editor ({clause_id, title, text}, form-encoded with the page's
     CSRF token), signed in as the secretariat, in-process through the whole Flask stack (no
     network). Every call sends a different text (one more character typed), so no cache of a
     clause's Markdown or of a finding answers for it;
  3. POST …/check from the parameters form: the whole form (as form_data builds it), a different
     data period each call and the boundary changed to 摇篮到坟墓, so the clause texts follow the
     parameters as on saving (template.follow_parameters: two more schema validations).
Then one request of each kind is profiled (cProfile) and its view split into its parts. Target
(issue 14): the round trip under 100 ms at 200 clauses.
"""

import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_checks  # noqa: E402
import flask_migrate  # noqa: E402
from bench_checks import Counters, build_document, describe, machine, seed_registry, statuses  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.conftest import ADMIN, PASSWORD, fresh_database, make_app  # noqa: E402
from tests.drafting_helpers import form_data  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.permissions import Role  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting import checks  # noqa: E402
from workbench.drafting import service as drafting  # noqa: E402
from workbench.drafting import template as templates  # noqa: E402
from workbench.registry import service as registry  # noqa: E402

REPEATS = 100
TARGET_MS = 100
BOUNDARY = "/parameters/system_boundary/type"


def timed(action, counters: Counters, repeats: int = REPEATS) -> dict:
    """One warm-up call, then `repeats` timed ones: median, p95 and slowest ms, median CPU ms,
    SQL statements per call."""
    action(0)
    timings, cpu, statements = [], [], 0
    for call in range(1, repeats + 1):
        counters.statements = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        action(call)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statements += counters.statements
    return {
        "median": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=20)[18],
        "max": max(timings),
        "cpu": statistics.median(cpu),
        "statements": round(statements / repeats),
    }


PARTS = [
    ("the view (drafting.check)", "workbench/drafting/views.py", "check"),
    ("  schema_forms.apply (the form into the document)", "workbench/drafting/schema_forms.py", "apply"),
    ("  service.check_draft", "workbench/drafting/service.py", "check_draft"),
    ("    service.validate (JSON Schema)", "workbench/drafting/service.py", "validate"),
    ("    template.follow_parameters (two more validations)", "workbench/drafting/template.py", "follow_parameters"),
    ("    service.findings (checks, registry, suppressions)", "workbench/drafting/service.py", "findings"),
    ("      checks.check", "workbench/drafting/checks.py", "check"),
    ("  the findings panel (Jinja macro)", "jinja2/runtime.py", "__call__"),
    ("  flask.jsonify", "flask/json/__init__.py", "jsonify"),
    ("json.loads (the revision's JSON column)", "json/__init__.py", "loads"),
]


def profile(send) -> list[str]:
    """One request under cProfile, its view split into its parts (cumulative ms)."""
    profiler = cProfile.Profile()
    profiler.enable()
    send(10_000)
    profiler.disable()
    stats = pstats.Stats(profiler)
    _calls, view = bench_checks.profiled(stats, "workbench/drafting/views.py", "check")
    lines = [f"    one request under cProfile (which slows small calls most); the view {view:.0f} ms, of which:"]
    for label, path_end, name in PARTS[1:]:
        calls, cumulative = bench_checks.profiled(stats, path_end, name)
        lines.append(f"      {label:<60} {cumulative:>6.1f} ms {cumulative / view:>4.0%}  {calls} calls")
    lines.append("    top functions by cumulative time inside the checks:")
    rows = [
        (cumulative, ncalls, path, line, function)
        for (path, line, function), (_primitive, ncalls, _own, cumulative, _callers) in stats.stats.items()
        if Path(path).parent.name == "drafting" and Path(path).name.endswith(("checks.py", "clause_text.py"))
    ]
    for cumulative, ncalls, path, line, function in sorted(rows, reverse=True)[:8]:
        where = "/".join(Path(path).parts[-2:])
        lines.append(f"      {cumulative * 1000:>6.1f} ms {ncalls:>6} calls  {function} ({where}:{line})")
    return lines


def main() -> None:
    clause_count = int(sys.argv[1]) if len(sys.argv) > 1 else bench_checks.CLAUSES
    # bench_checks' rule: every check reads it to the end and finds nothing.
    document = build_document(templates.load("cfp-product-rule@1.1"), clause_count)
    template = templates.load(document["template"])
    assert len(document["clauses"]) == clause_count
    lookup = statuses(document)
    counters = Counters()
    results = {}
    found = checks.check(document, enabled=template.checks, reference_status=lookup.get)
    gc.collect()
    gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
    results["1. checks.check, every check of the catalogue (pure)"] = timed(
        lambda call: checks.check(document, enabled=template.checks, reference_status=lookup.get), counters
    )

    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False)
        with app.app_context():
            flask_migrate.upgrade()
            today = registry.today()
            user = accounts.create_user(
                db.session,
                username="secretariat",
                display_name="秘书处",
                password=PASSWORD,
                role=Role.SECRETARIAT,
                by=ADMIN,
            )
            seed_registry(db.session, document, today)
            product = registry.create_product(
                db.session,
                registry.ProductInput(
                    name="水泥", name_en="Cement", side="production", end_use="intermediate", classification_code="3011"
                ),
                by=ADMIN,
            )
            rule = drafting.create_rule(db.session, product=product, by=user, today=today)
            drafting.save_revision(db.session, rule, document, message="基准", based_on=1, by=user)
            db.session.commit()
            rule_id, stored = rule.id, drafting.revision(db.session, rule).document
            backend = db.engine.dialect.name
            server = db.session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = (
                server.split(" on ")[0] if server else f"SQLite {db.session.scalar(text('SELECT sqlite_version()'))}"
            )
            counters.listen(db.engine)
            db.session.remove()

        client = app.test_client()
        response = client.post_form("/login", {"username": "secretariat", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        token = client.csrf_token()
        url = f"/drafting/{rule_id}/check"
        index = len(stored["clauses"]) // 2
        clause = stored["clauses"][index]
        parameters = form_data(stored)
        sizes = {}

        def post(data: dict, kind: str):
            response = client.post(url, data={"csrf_token": token, **data}, headers={"Accept": "application/json"})
            assert response.status_code == 200, response.text[:300]
            sizes[kind] = len(response.data)
            return response.json

        def typed_in_clause(call: int):
            text = clause["text"] + "本条款的补充说明" + "字" * call
            return post({"clause_id": clause["id"], "title": clause["title"], "text": text, "based_on": "2"}, "clause")

        def parameters_changed(call: int):
            data = {**parameters, BOUNDARY: "cradle_to_grave", "/parameters/data_period": f"最近连续 12 个月（{call}）"}
            return post({**data, "based_on": "2"}, "parameters")

        answers = {"clause": typed_in_clause(0), "parameters": parameters_changed(0)}
        assert any(f["code"] == "boundary_end_use_mismatch" for f in answers["parameters"]["findings"])
        gc.collect()
        gc.freeze()
        round_trips = {
            f"2. POST {url}, the clause editor (clause {clause['number']})": typed_in_clause,
            f"3. POST {url}, the parameters form (boundary changed)": parameters_changed,
        }
        for label, send in round_trips.items():
            results[label] = timed(send, counters)
        profiles = {label: profile(send) for label, send in round_trips.items()}
        with app.app_context():
            db.engine.dispose()

    print(f"date: {time.strftime('%Y-%m-%d')}  {machine()}")
    print(f"backend: {backend} ({server})")
    print(f"rule: {describe(document)}")
    print(
        f"findings: {len(found)} on the stored rule; the clause check answers {len(answers['clause']['findings'])} "
        f"({sizes['clause'] / 1024:.0f} KiB JSON), the parameters check {len(answers['parameters']['findings'])} "
        f"({sizes['parameters'] / 1024:.0f} KiB JSON)"
    )
    print(f"each case once to warm up, then timed {REPEATS} times; cpu: median CPU time of this process")
    print(f"  {'case':<72} {'median':>9} {'p95':>9} {'max':>9} {'cpu':>9} {'statements':>10}")
    for label, result in results.items():
        print(
            f"  {label:<72} {result['median']:>6.1f} ms {result['p95']:>6.1f} ms {result['max']:>6.1f} ms "
            f"{result['cpu']:>6.1f} ms {result['statements']:>10}"
        )
    for label in round_trips:
        verdict = "met" if results[label]["p95"] < TARGET_MS else "NOT met"
        print(f"  {label}: target p95 < {TARGET_MS} ms {verdict}")
    print("where the time goes:")
    for label, lines in profiles.items():
        print(f"  {label}")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
