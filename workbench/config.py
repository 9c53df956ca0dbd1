"""Settings from the environment (WORKBENCH_*), with defaults that are safe on a single machine.

Precedence, lowest first: built-in defaults, environment variables, the `config` mapping given
to `create_app`. Only what an operator may need to change is read from the environment.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SECRET_KEY_FILE = "secret_key"


def default_data_dir() -> Path:
    return PROJECT_ROOT / "instance"


def load_settings(environ: os._Environ | dict, overrides: dict | None = None) -> dict:
    """The Flask configuration for one app instance."""
    overrides = dict(overrides or {})
    data_dir = Path(
        overrides.pop("DATA_DIR", None) or environ.get("WORKBENCH_DATA_DIR") or default_data_dir()
    ).resolve()

    settings = {
        "DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": environ.get("WORKBENCH_DATABASE_URL")
        or f"sqlite:///{data_dir / 'workbench.sqlite3'}",
        "PUBLICATION_REPOSITORY": str(
            Path(environ.get("WORKBENCH_PUBLICATION_REPO") or PROJECT_ROOT / "published_rules").resolve()
        ),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": environ.get("WORKBENCH_TIMEZONE") or "Asia/Shanghai",
        # Uploads (datasets, factor tables, CSV imports) are small documents, never media.
        "MAX_CONTENT_LENGTH": int(environ.get("WORKBENCH_MAX_UPLOAD_MB") or 16) * 1024 * 1024,
        # Background jobs (workbench.jobs): "thread" runs them in a thread of each app process,
        # needing nothing more; "procrastinate" queues them in PostgreSQL for `workbench worker`.
        "JOB_QUEUE": environ.get("WORKBENCH_JOB_QUEUE") or "thread",
        # How many documents one account may have queued or in layout at once.
        "RENDER_LIMIT": int(environ.get("WORKBENCH_RENDER_LIMIT") or 3),
        # How many trial calculations with Monte Carlo draws one account may have queued or running.
        "CALCULATION_LIMIT": int(environ.get("WORKBENCH_CALCULATION_LIMIT") or 2),
        # "child": each PDF or Word layout in a process of its own that ends with it, so no
        # long-lived process keeps WeasyPrint's memory; "inline": in the job runner itself.
        "LAYOUT_PROCESS": environ.get("WORKBENCH_LAYOUT_PROCESS") or "child",
        # Which levels count toward 100 by 2027 and 200 by 2030 (workbench.catalogue.coverage):
        # comma-separated Level values; unset, national and industry standards.
        "COVERAGE_TARGET_LEVELS": environ.get("WORKBENCH_TARGET_LEVELS") or None,
        # The department code ending a national plan number (计划号 2025xxxx-T-469): the one the
        # approval form suggests (workbench.catalogue.proposals.suggest_plan_number).
        "PLAN_NUMBER_DEPARTMENT": environ.get("WORKBENCH_PLAN_NUMBER_DEPARTMENT") or "469",
        # 指引（十五）: "cited several times by factor databases"; no text fixes the number.
        "ADOPTION_CITATION_THRESHOLD": int(environ.get("WORKBENCH_ADOPTION_CITATIONS") or 3),
        # Attachments of adoption applications: outside the web root, each at most this size.
        "ATTACHMENT_DIR": environ.get("WORKBENCH_ATTACHMENT_DIR") or str(data_dir / "attachments"),
        "ATTACHMENT_MAX_MB": int(environ.get("WORKBENCH_ATTACHMENT_MAX_MB") or 10),
        # The address the public reaches the workbench at (https://cfp.example.org): absolute links
        # that leave the request (QR codes printed on labels, PACT's paging links) are built on it,
        # never on the request's Host header. Unset: the request's own address (development).
        "PUBLIC_URL": (environ.get("WORKBENCH_PUBLIC_URL") or "").rstrip("/"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # "Keep me signed in" lasts this long unused; without it a sign-in ends after a working
        # day unused. Either ends at once on signing out (workbench.auth.models.SignIn).
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(environ.get("WORKBENCH_REMEMBER_DAYS") or 30)),
        "SIGN_IN_IDLE_LIMIT": timedelta(hours=int(environ.get("WORKBENCH_SIGN_IN_IDLE_HOURS") or 12)),
        # How many reverse proxies in front of the app may be believed about the client's
        # address and scheme (X-Forwarded-*): 1 behind one nginx, 0 when clients connect directly.
        "TRUSTED_PROXIES": int(environ.get("WORKBENCH_TRUSTED_PROXIES") or 0),
        # Where rate-limit counters live: "database" (the app's own, shared by every server) or
        # a `limits` storage URI such as redis://host:6379/0.
        "RATE_LIMIT_STORAGE": environ.get("WORKBENCH_RATE_LIMIT_STORAGE") or "database",
        # Each API caller's allowance, in the `limits` notation ("600 per minute").
        "API_RATE_LIMIT": environ.get("WORKBENCH_API_RATE_LIMIT") or "600 per minute",
        # Behind HTTPS (any real deployment) cookies must never travel over plain HTTP.
        "SESSION_COOKIE_SECURE": environ.get("WORKBENCH_SECURE_COOKIES") == "1",
        "REMEMBER_COOKIE_SECURE": environ.get("WORKBENCH_SECURE_COOKIES") == "1",
        # CSRF is checked in one before-request hook so that API calls with a personal token can
        # skip it (see workbench.auth.access); forms and session-authenticated calls never do.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead of a clock: long drafting sessions
        "PASSWORD_HASH_METHOD": "scrypt",
        # JSON columns keep Chinese text readable to anyone querying the database directly.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
        },
    }
    secret = environ.get("WORKBENCH_SECRET_KEY")
    if secret:
        settings["SECRET_KEY"] = secret
    settings.update(overrides)
    return settings


def stored_secret_key(data_dir: Path) -> str:
    """The secret key kept in the data folder, created on first use.

    Every worker process and every app instance sharing the folder must sign sessions with the same
    key, so the file is created atomically (link fails if another process won the race) and then read.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        candidate = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
