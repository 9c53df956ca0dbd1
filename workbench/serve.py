"""The production server: gunicorn with several worker processes, each with its own app.

The app keeps nothing in process memory that another worker needs (sessions are signed cookies,
everything else is in the database), so any number of workers or machines sharing one database
and one WORKBENCH_SECRET_KEY behave as one application.
"""

import gc
import os
import socket

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """One process per core and one more, for the moments a worker waits on the database. A request
    is about a millisecond of Python (pages are cached, documents are laid out by the job runner),
    so more processes would only spread the same keep-alive connections more unevenly (wrk at 50
    connections: a longer p95 with 2 × cores + 1, see docs/benchmarks.md) and switch more."""
    return min((os.cpu_count() or 1) + 1, 8)


class WorkbenchServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported in each worker so that no database connection crosses a fork.
        from workbench import create_app

        app = create_app()
        # The app's objects live as long as the worker: keeping them out of the garbage
        # collector's full passes spares requests pauses of tens of milliseconds.
        gc.collect()
        gc.freeze()
        return app


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def run(host: str, port: int, workers: int) -> None:
    WorkbenchServer(
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 120,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "workbench",
            # gunicorn's control socket has one fixed path per user, which two servers on a machine
            # would fight over; process control belongs to the service manager.
            "control_socket_disable": True,
        }
    ).run()
