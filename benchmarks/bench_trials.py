"""What the trial calculations (试算) cost through the application: storing and calculating a trial,
the trial pages and the feasibility report with many trials, and the Excel workbook.

Usage: python benchmarks/bench_trials.py [LINES] [TRIALS]   (defaults 1,000 and 50; make bench runs it)
On a fresh SQLite file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL names a
server, built by the migrations. The rules are the demo example
rule_templates/cfp-product-rule/1.1/examples/cement.json saved as revision 2 of a rule created by
`service.create_rule` (cradle to gate; primary data in production). The datasets are those of
bench_engine.py (`lines_dataset`): every kind of cement-plant line, half with lognormal
amounts, a third with pedigree scores, a fifth using one of the library factors LIB-00…LIB-19
(seeded in the factor library through its service), the rest inline factors with their own
uncertainty. Before anything is timed, each result is checked: usable, no errors, and the same CFP
as the pure engine computes with a dict lookup, so a wrong answer cannot pass for a fast one.

Timed, each once to warm up and then repeated: median and slowest wall-clock time
(time.perf_counter) and median CPU time of this process (time.process_time), in milliseconds, with
SQL statements per call and the full garbage collections within the timed calls (after
gc.freeze(), as a server worker does):
  1. service.create_trial with a LINES-line dataset, then commit, as the pages do: the dataset's
     validation, the calculation, 10,000 Monte Carlo iterations, the four scenarios, storing the
     trial and its calculation; and service.calculate(iterations=0) of that trial, then commit;
     with the size of what one calculation stores (its result JSON and its copy of the dataset);
  2. with TRIALS trials of 200 lines on one revision of another rule, signed in as the secretariat,
     in-process (no network): GET /drafting/<id>/trials (the list), GET /trials/<id> (one trial's
     result with its charts), GET /drafting/<id>/trials/report and report.xlsx; and the result
     page of the LINES-line trial of case 1, which by then has many calculations. The statements
     per request are counted at 10 trials and again at TRIALS: a count that grows with the trials
     is an N+1, and the statements that grew are listed by table.
  3. workbook.template_workbook for the cement rule, and workbook.read_workbook of that template
     filled with LINES lines (read back exactly, checked before timing).
Then create_trial's parts are timed on their own (the validation, the calculation, Monte Carlo and
the scenarios, pure, with the library as a dict; the duplicate check and the label, which read the
revision's other trials), and the list and report pages are profiled once with cProfile (JSON
decoding, the service calls, the report, Jinja).
"""

import copy
import gc
import io
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
import numpy as np  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from benchmarks.bench_checks import profile_request, profiled  # noqa: E402
from benchmarks.bench_checks import timed as checks_timed  # noqa: E402
from benchmarks.bench_engine import LIBRARY, lines_dataset, machine  # noqa: E402
from tests.conftest import ADMIN, PASSWORD, Acting, fresh_database, make_app  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.permissions import Role  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting import service as drafting  # noqa: E402
from workbench.drafting import template as templates  # noqa: E402
from workbench.drafting.models import Rule  # noqa: E402
from workbench.factors import service as factor_service  # noqa: E402
from workbench.registry import service as registry  # noqa: E402
from workbench.trials import engine, service, workbook  # noqa: E402
from workbench.trials.models import Calculation, Trial  # noqa: E402

LINES = 1_000
TRIALS = 50
TRIAL_LINES = 200
CHECKPOINT = 10  # trials at which the statements per request are counted first
CREATE_REPEATS = 10
CALCULATE_REPEATS = 20
PAGE_REPEATS = 20
WORKBOOK_REPEATS = 10
SEED = 2026
EXAMPLE = templates.TEMPLATES_DIR / "cfp-product-rule" / "1.1" / "examples" / "cement.json"

# --- the datasets: the engine benchmark's, so both measure the same lines --------------------------


def table_dataset(size: int, rng: np.random.Generator) -> dict:
    """lines_dataset as a workbook can hold it (`workbook.representable`): no factor uncertainty,
    lognormal amounts by their geometric standard deviation, numbers to 6 significant digits,
    lines in the order of the sheets."""
    data = lines_dataset(size, rng)
    for line in data["lines"]:
        line["factor"].pop("uncertainty", None)
        # As typed: Excel keeps 15 significant digits, openpyxl writes fewer than repr() needs.
        line["amount"] = float(f"{line['amount']:.6g}")
        if "value" in line["factor"]:
            line["factor"]["value"] = float(f"{line['factor']['value']:.6g}")
        if "sigma" in line.get("uncertainty", {}):
            line["uncertainty"] = {"distribution": "lognormal", "gsd": round(math.exp(line["uncertainty"]["sigma"]), 6)}
    order = list(workbook.STAGES)
    data["lines"].sort(key=lambda line: order.index(line["stage"]))  # sorted() is stable
    data["reference_flow"]["product"] = "P·O 42.5 水泥"
    return data


def filled_workbook(template: bytes, data: dict) -> bytes:
    """The template filled in as an enterprise would: 基本信息, then one row per line on its stage's
    sheet (the pre-filled category rows replaced), choices by their Chinese names, numbers as numbers."""
    book = load_workbook(io.BytesIO(template))
    info = book[workbook.INFO_SHEET]
    flow = data["reference_flow"]
    values = {"enterprise": data["enterprise"], "period": data["period"], **flow}
    for row in range(2, info.max_row + 1):
        key = re.search(r"\((\w+)\)$", info.cell(row, 1).value)[1]
        info.cell(row, 2, values.get(key))
    sheets = {workbook.STAGE_NAMES[stage]: stage for stage in workbook.STAGES}
    stage_rows: dict[str, list[dict]] = {}
    for row in workbook.rows_from_dataset(data):
        stage_rows.setdefault(row["stage"], []).append(row)
    for sheet in book.worksheets:
        stage = sheets.get(sheet.title)
        if stage is None:
            continue
        sheet.delete_rows(2, sheet.max_row)
        for row in stage_rows.get(stage, []):
            cells = []
            for column in workbook.COLUMNS:
                value = row[column.key]
                if value == "":
                    value = None
                elif column.key in workbook.CHOICES:
                    value = workbook.CHOICES[column.key][value]
                elif column.kind == "number":
                    value = float(value) if ("." in value or "e" in value) else int(value)
                cells.append(value)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- measuring ------------------------------------------------------------------------------------


class Counters:
    """SQL statements sent (and their text, while `captured` is a list) and full garbage
    collections run (see bench_registry.py)."""

    def __init__(self):
        self.statements = self.full_collections = 0
        self.captured: list[str] | None = None
        gc.callbacks.append(self._collection)

    def listen(self, engine_):
        event.listen(engine_, "before_cursor_execute", self._statement)

    def _statement(self, _connection, _cursor, statement, *args):
        self.statements += 1
        if self.captured is not None:
            self.captured.append(statement)

    def _collection(self, phase, info):
        if phase == "start" and info["generation"] == 2:
            self.full_collections += 1


def timed(
    action: Callable[[], object], counters: Counters, repeats: int, setup: Callable[[], None] | None = None
) -> dict:
    """bench_checks.timed, with the number of repeats (this report prints it beside each case)."""
    return {**checks_timed(action, counters, repeats, setup), "repeats": repeats}


def statement_kind(statement: str) -> str:
    """ "SELECT trial_calculations", "INSERT trials"…: the verb and the first table it names."""
    words = " ".join(statement.split())
    verb = words.split(" ", 1)[0].upper()
    match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", words, re.IGNORECASE)
    return f"{verb} {match[1] if match else '?'}"


def captured(client, url: str, counters: Counters) -> tuple[int, Counter]:
    """(statements, statements by kind) of one request, after one to warm up."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    counters.captured = []
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found, counters.captured = counters.captured, None
    return len(found), Counter(statement_kind(statement) for statement in found)


def stored_sizes(calculation_id: int) -> dict[str, tuple[float, float | None]]:
    """KiB of the calculation's result and dataset columns as the database holds them: (the JSON
    text, on PostgreSQL pg_column_size after TOAST compression, else None)."""
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(
            text(
                "SELECT octet_length(result::text), pg_column_size(result), octet_length(dataset::text), "
                "pg_column_size(dataset) FROM trial_calculations WHERE id = :id"
            ),
            {"id": calculation_id},
        ).one()
        return {"result": (row[0] / 1024, row[1] / 1024), "dataset": (row[2] / 1024, row[3] / 1024)}
    row = db.session.execute(
        text(
            "SELECT length(CAST(result AS BLOB)), length(CAST(dataset AS BLOB)) FROM trial_calculations WHERE id = :id"
        ),
        {"id": calculation_id},
    ).one()
    return {"result": (row[0] / 1024, None), "dataset": (row[1] / 1024, None)}


def json_volume(where: str, **values) -> tuple[int, float, float, int, float]:
    """(calculations, MiB of their dataset JSON, MiB of their result JSON, trials, MiB of the
    trials' dataset JSON) for the trials `where` selects (on `t`): what loading them whole decodes."""
    size = "octet_length({}::text)" if db.engine.dialect.name == "postgresql" else "length(CAST({} AS BLOB))"
    calculations = db.session.execute(
        text(
            f"SELECT count(*), sum({size.format('c.dataset')}), sum({size.format('c.result')}) "
            f"FROM trial_calculations c JOIN trials t ON t.id = c.trial_id WHERE {where}"
        ),
        values,
    ).one()
    trials = db.session.execute(
        text(f"SELECT count(*), sum({size.format('t.dataset')}) FROM trials t WHERE {where}"), values
    ).one()
    return calculations[0], calculations[1] / 2**20, calculations[2] / 2**20, trials[0], trials[1] / 2**20


def checked(calculation: Calculation, rule_document: dict, data: dict, iterations: int) -> None:
    """Usable, no errors, and the CFP the pure engine gives with a dict lookup."""
    assert calculation.usable and calculation.errors == 0, (calculation.errors, calculation.result.get("problems"))
    expected = engine.calculate(rule_document, data, factor_lookup=LIBRARY.get).cfp_per_unit
    assert abs(calculation.cfp_per_unit - expected) <= 1e-12 * abs(expected), (calculation.cfp_per_unit, expected)
    monte_carlo = calculation.result["monte_carlo"]
    assert (monte_carlo or {}).get("iterations", 0) == iterations, monte_carlo
    if iterations:
        assert monte_carlo["p2_5"] < monte_carlo["median"] < monte_carlo["p97_5"], monte_carlo


def creation_checks(rule_id: int, counters: Counters) -> tuple[str, dict]:
    """create_trial's checks before it calculates (one active trial per enterprise and revision,
    the enterprise's label), timed as a request runs them: the session empty, the rule loaded."""
    loaded = {}

    def load():
        db.session.expunge_all()
        loaded["rule"] = db.session.get(Rule, rule_id)
        loaded["revision"] = drafting.revision(db.session, loaded["rule"])

    def checks():
        service._refuse_duplicate(db.session, loaded["revision"], "新的企业", None)
        service.label_for(db.session, loaded["rule"], "新的企业")

    load()
    count = len(service.trials_of(db.session, loaded["revision"]))
    return f"_refuse_duplicate + label_for, {count} trials", timed(checks, counters, PAGE_REPEATS, setup=load)


def row(label: str, result: dict) -> str:
    return (
        f"  {label:<86} {result['median']:>7.1f} ms {result['max']:>7.1f} ms {result['cpu']:>7.1f} ms "
        f"{result['statements']:>10} {result['full_collections']:>8}"
    )


def main(lines: int = LINES, trials: int = TRIALS) -> None:
    assert trials > CHECKPOINT, f"TRIALS must be more than {CHECKPOINT}"
    rule_document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    rng = np.random.default_rng(SEED)
    big = lines_dataset(lines, rng)
    counters = Counters()
    results: dict[str, dict] = {}
    parts: dict[str, dict] = {}

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
            db.session.commit()
            # Who acts: the secretariat, as on the pages; an account detached from the session, since
            # the timed loops below empty the session between requests as a new request would.
            author = Acting(Role.SECRETARIAT, user.username, user.display_name)
            product = registry.create_product(
                db.session,
                registry.ProductInput(
                    name="水泥", name_en="Cement", side="production", end_use="intermediate", classification_code="3011"
                ),
                by=ADMIN,
            )
            rule_ids = []
            for number in range(2):
                # Two rules for one product: the second is deliberately a project of its own.
                rule = drafting.create_rule(db.session, product=product, by=author, today=today, new_project=number > 0)
                saved = drafting.save_revision(
                    db.session, rule, rule_document, message="基准：水泥示例规则", based_on=1, by=author
                )
                assert (saved.errors, saved.warnings) == (0, 0), (saved.errors, saved.warnings)
                rule_ids.append(rule.id)
            for code, spec in LIBRARY.items():
                factor_service.create_factor(
                    db.session,
                    factor_service.FactorInput(
                        code=code,
                        name=f"基准因子 {code}",
                        value=spec["value"],
                        unit=spec["unit"],
                        kind="cfp_life_cycle",
                        tier=spec["tier"],
                        source=spec["source"],
                        uncertainty=spec["uncertainty"],
                    ),
                    by=ADMIN,
                )
            db.session.commit()
            backend = db.engine.dialect.name
            server = db.session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = (
                server.split(" on ")[0] if server else f"SQLite {db.session.scalar(text('SELECT sqlite_version()'))}"
            )
            counters.listen(db.engine)

            # --- 1. create_trial and calculate, as a request would: nothing loaded but the rule.
            big_rule_id, report_rule_id = rule_ids
            state = {"count": 0}

            def before_create():
                db.session.expunge_all()
                state["rule"] = db.session.get(Rule, big_rule_id)
                state["count"] += 1
                state["data"] = copy.deepcopy(big) | {"enterprise": f"基准水泥企业{state['count']:03d}"}

            def create():
                state["trial"] = service.create_trial(
                    db.session, state["rule"], data=state["data"], source="json", by=author
                )
                db.session.commit()

            before_create()
            create()
            first = state["trial"]
            checked(first.calculations[-1], rule_document, big, service.MONTE_CARLO_ITERATIONS)
            first_id, first_calculation = first.id, first.calculations[-1].id
            results[f"1. service.create_trial, {lines:,} lines (+ commit)"] = timed(
                create, counters, CREATE_REPEATS, setup=before_create
            )
            sizes = stored_sizes(first_calculation)
            result_keys = {
                key: len(json.dumps(value, ensure_ascii=False).encode()) / 1024
                for key, value in db.session.get(Calculation, first_calculation).result.items()
            }
            factor_versions = len(db.session.get(Calculation, first_calculation).factor_versions)

            def before_calculate():
                db.session.expunge_all()
                state["trial"] = db.session.get(Trial, first_id)

            def calculate():
                state["calculation"] = service.calculate(db.session, state["trial"], by=author, iterations=0)
                db.session.commit()

            before_calculate()
            calculate()
            checked(state["calculation"], rule_document, big, 0)
            results[f"   service.calculate, {lines:,} lines, iterations=0 (+ commit)"] = timed(
                calculate, counters, CALCULATE_REPEATS, setup=before_calculate
            )
            first_calculations = len(db.session.get(Trial, first_id).calculations)

            # --- 2. TRIALS trials of TRIAL_LINES lines on the other rule (10 first, to count statements).
            def add_trials(upto: int) -> None:
                rule_ = db.session.get(Rule, report_rule_id)
                while len(service.trials_of(db.session, drafting.revision(db.session, rule_))) < upto:
                    number = len(service.trials_of(db.session, drafting.revision(db.session, rule_))) + 1
                    data = lines_dataset(TRIAL_LINES, rng) | {"enterprise": f"试算企业{number:03d}"}
                    data["reference_flow"] = {"quantity": float(rng.uniform(500, 2000)), "unit": "t"}
                    trial = service.create_trial(db.session, rule_, data=copy.deepcopy(data), source="json", by=author)
                    db.session.commit()
                    checked(trial.calculations[-1], rule_document, data, service.MONTE_CARLO_ITERATIONS)

            counters.captured = None
            started = time.perf_counter()
            add_trials(CHECKPOINT)
            one_trial = db.session.scalar(select(Trial.id).where(Trial.rule_id == report_rule_id).order_by(Trial.id))
            db.session.remove()

        client = app.test_client()
        response = client.post_form("/login", {"username": "secretariat", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        pages = {
            "list": f"/drafting/{report_rule_id}/trials",
            "trial": f"/trials/{one_trial}",
            "report": f"/drafting/{report_rule_id}/trials/report",
            "report.xlsx": f"/drafting/{report_rule_id}/trials/report.xlsx",
        }
        early = {name: captured(client, page, counters) for name, page in pages.items()}
        with app.app_context():
            add_trials(trials)
            seeding = time.perf_counter() - started
            volumes = {
                f"the {trials} trials of case 2": json_volume("t.rule_id = :rule", rule=report_rule_id),
                f"the {lines:,}-line trial of case 1": json_volume("t.id = :trial", trial=first_id),
            }
            # The checks create_trial runs before it calculates, which read the other trials.
            for case, rule_id, size in ((1, big_rule_id, lines), (2, report_rule_id, TRIAL_LINES)):
                label, result = creation_checks(rule_id, counters)
                parts[f"{label} of {size:,} lines on the revision (case {case})"] = result
            db.session.remove()
        late = {name: captured(client, page, counters) for name, page in pages.items()}

        response = client.get(pages["list"])
        assert response.text.count('<a href="/trials/') == trials, response.text.count('<a href="/trials/')
        list_size = len(response.data)
        response = client.get(pages["trial"])
        assert 'id="cfp"' in response.text and 'id="chart-uncertainty"' in response.text
        trial_size = len(response.data)
        response = client.get(pages["report"])
        assert response.text.count("<tr><td>企业") == trials, response.text.count("<tr><td>企业")
        report_size = len(response.data)
        response = client.get(pages["report.xlsx"])
        assert response.status_code == 200 and response.data[:2] == b"PK"
        assert load_workbook(io.BytesIO(response.data)).sheetnames[0], "an empty workbook"
        xlsx_size = len(response.data)
        big_page = f"/trials/{first_id}"
        response = client.get(big_page)
        assert response.status_code == 200 and 'id="cfp"' in response.text
        big_page_size = len(response.data)
        gc.collect()
        gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
        list_stats = profile_request(client, pages["list"])
        report_stats = profile_request(client, pages["report"])

        def getter(url: str) -> Callable[[], None]:
            def get():
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            return get

        labels = {
            "list": f"2. GET {pages['list']} (list of {trials} trials)",
            "trial": f"   GET {pages['trial']} (result page, {TRIAL_LINES} lines, 1 calculation)",
            "report": f"   GET {pages['report']} ({trials} trials)",
            "report.xlsx": f"   GET {pages['report.xlsx']}",
        }
        for name, page in pages.items():
            results[labels[name]] = timed(getter(page), counters, PAGE_REPEATS)
        results[f"   GET {big_page} (result page, {lines:,} lines, {first_calculations} calculations)"] = timed(
            getter(big_page), counters, PAGE_REPEATS
        )
        with app.app_context():
            rule_ = db.session.get(Rule, big_rule_id)
            code, number = rule_.code, rule_.current_revision
            db.session.remove()
            db.engine.dispose()

    # --- 3. the workbook (pure).
    template = workbook.template_workbook(rule_document, rule_code=code, revision=number)
    table = table_dataset(lines, np.random.default_rng(SEED))
    assert workbook.representable(table)
    filled = filled_workbook(template, table)
    read, problems = workbook.read_workbook(filled)
    assert problems == [], problems[:3]
    assert read == table, "the workbook did not read back the dataset it was filled with"
    results["3. workbook.template_workbook (cement rule)"] = timed(
        lambda: workbook.template_workbook(rule_document, rule_code=code, revision=number), counters, WORKBOOK_REPEATS
    )
    results[f"   workbook.read_workbook, {lines:,} lines ({len(filled) / 1024:.0f} KiB .xlsx)"] = timed(
        lambda: workbook.read_workbook(filled), counters, WORKBOOK_REPEATS
    )

    # create_trial's calculation parts, pure, with the library as a dict.
    outcome = engine.calculate(rule_document, big, factor_lookup=LIBRARY.get)
    steps = {
        "validate": ("service.check_dataset (JSON Schema + field rules)", lambda: service.check_dataset(big)),
        "calculate": (
            "engine.calculate (factors from a dict)",
            lambda: engine.calculate(rule_document, big, factor_lookup=LIBRARY.get),
        ),
        "monte_carlo": (
            f"engine.monte_carlo, {service.MONTE_CARLO_ITERATIONS:,} iterations",
            lambda: engine.monte_carlo(outcome.model, service.MONTE_CARLO_ITERATIONS, SEED),
        ),
        "scenarios": (
            "engine.compare (the four scenarios)",
            lambda: engine.compare(rule_document, big, factor_lookup=LIBRARY.get),
        ),
    }
    engine_parts = {
        key: (f"{label}, {lines:,} lines", timed(action, counters, WORKBOOK_REPEATS))
        for key, (label, action) in steps.items()
    }

    print(f"date: {datetime.now().date()}  {machine()}")
    print(f"backend: {backend} ({server}); load average {os.getloadavg()[0]:.2f}")
    print(
        f"rules: {EXAMPLE.name} saved as revision 2 (0 errors, 0 warnings); library: {len(LIBRARY)} factors "
        f"(the {lines:,}-line dataset uses {factor_versions}); {trials} trials of {TRIAL_LINES} lines seeded through "
        f"service.create_trial in {seeding:.1f} s"
    )
    stored = {
        key: f"{json_kib:.1f} KiB of JSON" + (f" ({kib:.1f} KiB stored, compressed)" if kib is not None else "")
        for key, (json_kib, kib) in sizes.items()
    }
    print(
        f"one calculation of {lines:,} lines stores: its result {stored['result']}; its copy of the dataset "
        f"{stored['dataset']}; the trial holds the dataset as well"
    )
    for name, (count, datasets, calculated, trial_count, trial_datasets) in volumes.items():
        print(
            f"{name}: {count} calculations holding {datasets:.1f} MiB of dataset JSON and {calculated:.1f} MiB of "
            f"result JSON; {'its trial holds' if trial_count == 1 else f'the {trial_count} trials hold'} "
            f"{trial_datasets:.1f} MiB of dataset JSON"
        )
    largest = sorted(result_keys.items(), key=lambda item: item[1], reverse=True)[:4]
    print("  largest parts of the result: " + ", ".join(f"{key} {value:.1f} KiB" for key, value in largest))
    print(
        f"pages: list {list_size / 1024:.0f} KiB, trial {trial_size / 1024:.0f} KiB, report {report_size / 1024:.0f} "
        f"KiB, report.xlsx {xlsx_size / 1024:.0f} KiB, the {lines:,}-line trial {big_page_size / 1024:.0f} KiB"
    )
    print("each case once to warm up, then timed (repeats in brackets); cpu: median CPU time of this process")
    print(f"  {'case':<86} {'median':>10} {'max':>10} {'cpu':>10} {'statements':>10} {'full GCs':>8}")
    for label, result in results.items():
        print(row(f"{label} [{result['repeats']}]", result))
    print("parts of create_trial, timed on their own:")
    for label, result in [*engine_parts.values(), *parts.items()]:
        print(row(f"{label} [{result['repeats']}]", result))
    create = results[f"1. service.create_trial, {lines:,} lines (+ commit)"]["median"]
    split = {key: result["median"] for key, (_label, result) in engine_parts.items()}
    print(
        f"create_trial's median {create:.0f} ms, from the parts timed alone: "
        + ", ".join(f"{key} {value:.0f} ms" for key, value in split.items())
        + f", the rest (library lookups, duplicate check, label, storing, commit) {create - sum(split.values()):.0f} ms"
    )

    print(f"statements per request with {CHECKPOINT} and with {trials} trials on the revision:")
    for name in pages:
        (count_early, kinds_early), (count_late, kinds_late) = early[name], late[name]
        verdict = "the same" if count_early == count_late else f"GROWS by {count_late - count_early}"
        print(f"  {name:<12} {count_early:>4} → {count_late:>4}  {verdict}")
        grown = {
            kind: (kinds_early[kind], kinds_late[kind]) for kind in kinds_late if kinds_late[kind] != kinds_early[kind]
        }
        for kind, (before, after) in sorted(grown.items(), key=lambda item: item[1][1], reverse=True):
            print(f"      {kind}: {before} → {after}")
        print("      by table: " + ", ".join(f"{kind} ×{count}" for kind, count in kinds_late.most_common()))

    for name, stats in (("list", list_stats), ("report", report_stats)):
        view_name = "trials" if name == "list" else "report"
        _calls, view = profiled(stats, "workbench/trials/trial_views.py", view_name)
        print(
            f"one {name} request under cProfile (which slows small calls most): the view took {view:.0f} ms; cumulative:"
        )
        rows = [
            ("service.trials_of", "workbench/trials/service.py", "trials_of"),
            ("service.latest_calculations", "workbench/trials/service.py", "latest_calculations"),
            ("service.trial_enterprises", "workbench/trials/service.py", "trial_enterprises"),
            ("service.revisions_with_trials", "workbench/trials/service.py", "revisions_with_trials"),
            ("service.report", "workbench/trials/service.py", "report"),
            ("  feasibility.report (pure)", "workbench/trials/feasibility.py", "report"),
            ("json.loads (JSON columns decoded)", "json/__init__.py", "loads"),
            ("flask.render_template (Jinja)", "flask/templating.py", "render_template"),
        ]
        for label, path_end, function in rows:
            calls, cumulative = profiled(stats, path_end, function)
            if calls:
                print(f"  {label:<50} {cumulative:>7.1f} ms {cumulative / view:>4.0%} of the view, {calls} calls")


if __name__ == "__main__":
    main(*[int(argument) for argument in sys.argv[1:3]])
