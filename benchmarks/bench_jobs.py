"""Documents as background jobs: what the first PDF of a revision costs (laid out by a job), what
every later request for it costs (served from the store of documents), and how much memory
`workbench serve --workers 4` holds after renders (the issue's target: under 1 GiB PSS in all).

Usage: python benchmarks/bench_jobs.py   (make bench runs it on SQLite, and on PostgreSQL when
WORKBENCH_TEST_DATABASE_URL names a server: databases of their own, made afresh and dropped)

The rule is bench_publishing's "prose" rule (about 40 pages), saved as revisions of the cement
rule. Render figures: an app with the production settings of its database's mode (jobs in the
app's thread, each layout in a child process), through the test client: from the request that
asks for the PDF (or Word file) until its job is done, then the download of the stored document
(median of 5). Memory: `workbench serve --workers 4` in a subprocess; on SQLite in the default
mode (jobs in a thread of each app worker), on PostgreSQL with WORKBENCH_JOB_QUEUE=procrastinate
and one `workbench worker`. Eight documents (PDF and Word of four revisions) are asked for over
HTTP; once all are done, the PSS of every process (/proc/<pid>/smaps_rollup: the gunicorn master,
its workers, any child, and the worker) is summed, and compared with the sum before the renders.
"""

import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_checks import machine  # noqa: E402
from benchmarks.bench_publishing import prose_rule  # noqa: E402
from tests.conftest import ADMIN, PASSWORD, free_port, fresh_database, make_app  # noqa: E402
from workbench.auth import service as accounts  # noqa: E402
from workbench.auth.permissions import Role  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.drafting import service as drafting  # noqa: E402
from workbench.jobs.models import Job  # noqa: E402
from workbench.jobs.runner import wait_for  # noqa: E402
from workbench.registry import service as registry  # noqa: E402

REVISIONS = 4
ON_POSTGRESQL = bool(os.environ.get("WORKBENCH_TEST_DATABASE_URL"))
MODE = "procrastinate" if ON_POSTGRESQL else "thread"


def seed(app) -> int:
    """A secretariat account and the cement rule with REVISIONS revisions of the long text."""
    with app.app_context():
        accounts.create_user(
            db.session,
            by=ADMIN,
            username="secretariat",
            display_name="秘书处",
            password=PASSWORD,
            role=Role.SECRETARIAT,
        )
        product = registry.create_product(
            db.session,
            registry.ProductInput(name="水泥", name_en="Cement", side="production", end_use="intermediate"),
            by=ADMIN,
        )
        rule = drafting.create_rule(db.session, product=product, working_group=None, by=ADMIN, today=date.today())
        document = prose_rule()
        for number in range(1, REVISIONS + 1):
            document["parameters"]["cut_off"]["per_item_percent"] = 0.1 * number
            drafting.save_revision(
                db.session, rule, document, message="bench", based_on=rule.current_revision, by=ADMIN
            )
        db.session.commit()
        rule_id = rule.id
        db.engine.dispose()
    return rule_id


def render_figures(folder: Path) -> None:
    with fresh_database(folder, "bench_jobs") as url:
        import flask_migrate

        app = make_app(url, folder / "render-data", JOB_QUEUE="thread", LAYOUT_PROCESS="child", RENDER_LIMIT=10)
        with app.app_context():
            flask_migrate.upgrade()
        rule_id = seed(app)
        client = app.test_client()
        client.post_form("/login", {"username": "secretariat", "password": PASSWORD})
        for name, label in (("rule.pdf", "PDF"), ("rule.docx", "Word")):
            path = f"/drafting/{rule_id}/revisions/2/{name}"
            started = time.perf_counter()
            asked = client.post_form(f"{path}/render")
            job_id = int(asked.headers["Location"].rsplit("/", 1)[1])
            job = wait_for(app, job_id, timeout=600, interval=0.05)
            first = time.perf_counter() - started
            assert job is not None and job.status.value == "done", job and job.message
            seconds = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.headers["Content-Disposition"]
            print(
                f"  {label:<5} first request → job done (layout in a child process): {first:6.2f} s; "
                f"stored, each later download ({len(response.data) / 1024:,.0f} KiB): median "
                f"{statistics.median(seconds) * 1000:.1f} ms, slowest {max(seconds) * 1000:.1f} ms"
            )
        with app.app_context():
            db.engine.dispose()


def pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return int(re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE).group(1))


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += tree(int(child))
    return found


def memory(processes: list[subprocess.Popen]) -> tuple[int, int]:
    pids = [pid for process in processes for pid in tree(process.pid)]
    return sum(pss_kib(pid) for pid in pids), len(pids)


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def get(self, path: str):
        try:
            return self.opener.open(self.base + path, timeout=30)
        except urllib.error.HTTPError as answer:  # redirects arrive here (NoRedirect)
            return answer

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.get(path).read().decode()).group(1)

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode({"csrf_token": self.csrf("/"), **data})
        try:
            answer = self.opener.open(self.base + path, data=body.encode(), timeout=30)
        except urllib.error.HTTPError as redirect:
            answer = redirect
        return answer.headers.get("Location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def memory_figures(folder: Path) -> None:
    with fresh_database(folder, "bench_jobs_memory") as url:
        env = {
            **os.environ,
            "WORKBENCH_DATABASE_URL": url,
            "WORKBENCH_DATA_DIR": str(folder / "serve-data"),
            "WORKBENCH_SECRET_KEY": "bench",
            "WORKBENCH_PUBLICATION_REPO": str(folder / "published"),
            "WORKBENCH_JOB_QUEUE": MODE,
            "WORKBENCH_RENDER_LIMIT": "10",
        }
        env.pop("WORKBENCH_LAYOUT_PROCESS", None)  # the default: a child process per layout
        subprocess.run([sys.executable, "-m", "workbench", "db", "upgrade"], env=env, check=True, capture_output=True)
        rule_id = seed(make_app(url, folder / "seed-data"))
        port = free_port()
        log = open(folder / "serve.log", "w")  # noqa: SIM115  (open for the servers' lifetime)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "workbench", "serve", "--port", str(port), "--workers", "4"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ]
        if MODE == "procrastinate":
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "workbench", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        try:
            browser = Browser(f"http://127.0.0.1:{port}")
            deadline = time.monotonic() + 60
            while True:
                try:
                    browser.get("/")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            browser.post("/login", {"username": "secretariat", "password": PASSWORD})
            for _ in range(8):  # every worker has served pages
                browser.get(f"/drafting/{rule_id}")
            time.sleep(2)  # let start-up settle before the first reading
            before, count_before = memory(processes)
            started = time.perf_counter()
            jobs = []
            for number in range(1, REVISIONS + 1):
                for name in ("rule.pdf", "rule.docx"):
                    location = browser.post(f"/drafting/{rule_id}/revisions/{number}/{name}/render", {})
                    jobs.append(int(location.rsplit("/", 1)[1]))
            app = make_app(url, folder / "seed-data")
            while True:
                with app.app_context():
                    open_jobs = [job.status.value for job in db.session.scalars(db.select(Job).where(Job.id.in_(jobs)))]
                    db.session.remove()
                if all(state in ("done", "failed") for state in open_jobs):
                    break
                if time.monotonic() - started > 900:
                    raise TimeoutError("renders did not finish in 15 minutes")
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            failed = open_jobs.count("failed")
            time.sleep(1)
            after, count_after = memory(processes)
            with app.app_context():
                db.engine.dispose()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
            log.close()
        worker = " and one `workbench worker`" if MODE == "procrastinate" else " (jobs in the app workers' threads)"
        print(
            f"  serve --workers 4{worker}: PSS before renders {before / 1024:,.0f} MiB in {count_before} processes; "
            f"after {len(jobs)} documents ({REVISIONS} PDF + {REVISIONS} Word, {elapsed:.0f} s, {failed} failed) "
            f"{after / 1024:,.0f} MiB in {count_after} processes"
        )


def main() -> None:
    backend = "PostgreSQL" if ON_POSTGRESQL else "SQLite"
    print(f"== documents as jobs ({backend}, WORKBENCH_JOB_QUEUE={MODE} for the server) ==")
    print(machine())
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        render_figures(Path(folder))
        memory_figures(Path(folder))


if __name__ == "__main__":
    main()
