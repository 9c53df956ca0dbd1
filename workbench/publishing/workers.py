"""The processes a long rule's PDF is laid out in (render.to_pdf): three workers, two for the
pieces of the body and one for the front matter, kept for the life of this process.

They are started from a forkserver that imported workbench.publishing.warm first, so WeasyPrint
is loaded and the fonts are warm in every worker forked from it. A pool that breaks (no second
process to be had) is discarded; the caller then lays the PDF out in one process, and the next
long PDF starts a new pool."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

WORKERS = 3
WARM_UP_MODULE = "workbench.publishing.warm"

_executor: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([WARM_UP_MODULE])
        _executor = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context)
    return _executor


def discard() -> None:
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None
