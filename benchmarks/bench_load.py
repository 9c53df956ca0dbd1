"""The pages under load: `workbench serve` as deployed, hit by wrk with many connections and no
think time (the issue's target: zero errors and p95 under 100 ms at 50 connections for 60 s; p95
of /standards under 150 ms while a publication runs).

Usage: python benchmarks/bench_load.py   (make bench runs it on SQLite, and on PostgreSQL when
WORKBENCH_TEST_DATABASE_URL names a server: a database of its own, `bench_load`, made afresh)

    BENCH_LOAD_SECONDS=10       seconds per page (default 60)
    BENCH_LOAD_CONNECTIONS=50   concurrent connections (default 50)
    BENCH_LOAD_WORKERS=N        `workbench serve --workers N` (default: serve's own default)

It makes a fresh data folder and database with the demo data (`workbench db upgrade`, `workbench
demo`), starts `workbench serve` on a free port, signs in once as the secretariat and hands the
session cookie to wrk. Pages: the home page, the registry list, the portal page of the published
cement rule, the cement rule's overview signed in, and the registry list again while the cement
rule is published over and over through the command line (each round a new revision by `workbench
rules import`, then `workbench publish`), for as long as wrk runs. Errors are responses other than
2xx/3xx and socket errors (connect, read, write, and requests unanswered within wrk's 2 s).
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_checks import machine  # noqa: E402

BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS") or 60)
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS") or 50)
WORKERS = os.environ.get("BENCH_LOAD_WORKERS")
PASSWORD = "workbench-demo"  # the demo accounts' password (workbench/demo.py)
SIGNED_IN_AS = "secretariat"

# wrk's --latency prints the 50th, 75th, 90th and 99th percentiles only; this prints what the
# table needs, p95 included, as one JSON line at the end of the run.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class Site:
    """A served workbench with the demo data, in a folder of its own."""

    def __init__(self, database_url: str | None, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        data = folder / "data"
        self.env = {
            **os.environ,
            "WORKBENCH_DATA_DIR": str(data),
            "WORKBENCH_DATABASE_URL": database_url or f"sqlite:///{data / 'workbench.sqlite3'}",
            "WORKBENCH_PUBLICATION_REPO": str(folder / "published_rules"),
        }
        self.env.pop("WORKBENCH_TEST_DATABASE_URL", None)
        self.server = None

    def workbench(self, *arguments: str) -> str:
        done = subprocess.run(
            [str(BIN / "workbench"), *arguments], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"workbench {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self) -> None:
        self.workbench("db", "upgrade")
        self.workbench("demo")
        command = [str(BIN / "workbench"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if WORKERS:
            command += ["--workers", WORKERS]
        # The access log goes to a file: a terminal or pipe filling up would slow the server down.
        self.log = open(self.folder / "serve.log", "wb")  # noqa: SIM115 (closed in stop())
        self.server = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        log = (self.folder / "serve.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"workbench serve did not answer on {self.base}:\n{log}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.log.close()

    def sign_in(self) -> tuple[urllib.request.OpenerDirector, str]:
        """An opener holding the secretariat's session, and the Cookie header wrk sends."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(self.base + "/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'<meta name="csrf-token" content="([^"]+)"', page
        )
        form = {"csrf_token": token.group(1), "username": SIGNED_IN_AS, "password": PASSWORD}
        opener.open(self.base + "/login", urllib.parse.urlencode(form).encode()).read()
        cookie = "; ".join(f"{item.name}={item.value}" for item in jar)
        return opener, cookie


def wrk(url: str, *, header: str | None = None, seconds: int = SECONDS) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "-s", script.name]
    if header:
        command += ["-H", header]
    try:
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    found = json.loads(output.split("RESULT ", 1)[1])
    found["rate"] = found["requests"] / (found["duration_us"] / 1e6)
    found["errors"] = sum(found[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return found


def row(page: str, figures: dict, note: str = "") -> str:
    ms = {key: figures[key] / 1000 for key in ("p50", "p95", "p99")}
    detail = ", ".join(
        f"{kind} {figures[kind]}" for kind in ("connect", "read", "write", "status", "timeout") if figures[kind]
    )
    return (
        f"| {page:<34} | {figures['rate']:>8,.0f} | {ms['p50']:>7.1f} | {ms['p95']:>7.1f} | {ms['p99']:>7.1f} | "
        f"{figures['errors']:>6}{' (' + detail + ')' if detail else ''} | {figures['load_before']} → {figures['load_after']}{note} |"
    )


def measure(site: Site, url: str, header: str | None = None) -> dict:
    before = load()
    figures = wrk(url, header=header)
    figures["load_before"], figures["load_after"] = before, load()
    return figures


def publishing_during(site: Site, rule_code: str, stop: threading.Event, durations: list[float]) -> None:
    """Publish the rule again and again (a new revision each time) until told to stop."""
    exported = site.folder / "rule.json"
    round_number = 0
    while not stop.is_set():
        round_number += 1
        document = json.loads(site.workbench("rules", "export", rule_code))
        document["clauses"][-1]["text"] += f"\n\n（负载测试第 {round_number} 轮。）"
        exported.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        site.workbench("--as", SIGNED_IN_AS, "rules", "import", str(exported), "--message", f"load {round_number}")
        started = time.perf_counter()
        site.workbench("--as", SIGNED_IN_AS, "publish", rule_code, "--message", f"负载测试 {round_number}")
        durations.append(time.perf_counter() - started)


def run(label: str, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        site = Site(database_url, Path(folder))
        site.start()
        try:
            opener, cookie = site.sign_in()
            index = urllib.request.urlopen(site.base + "/published/").read().decode()
            slug = re.search(r'href="/published/([^/"]+)/"', index).group(1)
            published = json.loads((Path(folder) / "published_rules" / "index.json").read_text(encoding="utf-8"))
            rule_code = next(entry["rule"] for entry in published if entry["slug"] == slug)
            rules = opener.open(site.base + "/drafting/").read().decode()
            rule_id = re.search(rf'href="/drafting/(\d+)">{re.escape(rule_code)}<', rules).group(1)
            signed_in_url = f"{site.base}/drafting/{rule_id}"
            check = opener.open(signed_in_url)
            assert check.status == 200 and check.url == signed_in_url, "the session cookie does not sign in"

            print(f"\n== load: {label}, {CONNECTIONS} connections, {SECONDS} s per page, no think time ==")
            print(f"{machine()}; nproc {os.cpu_count()}; load average before: {load()}")
            print("| page | requests/s | p50 ms | p95 ms | p99 ms | errors | load 1/5/15 min before → after |")
            print("|---|---:|---:|---:|---:|---|---|")
            pages = [
                ("home page `/`", site.base + "/", None),
                ("registry list `/standards`", site.base + "/standards", None),
                (f"portal rule page `/published/{slug}/`", f"{site.base}/published/{slug}/", None),
                (f"signed-in rule page `/drafting/{rule_id}`", signed_in_url, f"Cookie: {cookie}"),
            ]
            for page, url, header in pages:
                print(row(page, measure(site, url, header)), flush=True)

            stop, durations = threading.Event(), []
            publisher = threading.Thread(target=publishing_during, args=(site, rule_code, stop, durations))
            publisher.start()
            try:
                figures = measure(site, site.base + "/standards")
            finally:
                stop.set()
                publisher.join()
            spans = ", ".join(f"{seconds:.1f}" for seconds in durations)
            print(row("`/standards` while publishing", figures))
            print(f"publications during that run (workbench publish, s): {len(durations)}: {spans}")
            after = opener.open(signed_in_url)
            assert after.status == 200 and after.url == signed_in_url, "the session was lost during the run"
        finally:
            site.stop()


@contextmanager
def postgresql_database(server_url: str):
    """A database of its own on the test server (bench_load), made afresh and dropped after."""
    from sqlalchemy import create_engine, make_url, text

    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "bench_load" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "bench_load"'))
    try:
        yield server.set(database="bench_load").render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "bench_load" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (Debian package wrk)")
    server_url = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if server_url:
        with postgresql_database(server_url) as database_url:
            run("PostgreSQL", database_url)
    else:
        run("SQLite", None)


if __name__ == "__main__":
    main()
