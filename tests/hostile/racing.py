"""Run requests from real threads at the same moment (each thread its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import close_old_connections, connection


def race(calls: Sequence[Callable[[], object]]) -> list:
    """Start every call at once (a barrier), each in its own thread; returns what each returned
    or raised (a 500 raises in the test client: it is kept as the result)."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i):
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def statuses(results) -> list:
    """Each result's status code, or the exception's type and text (which then fails a test)."""
    return [
        r.status_code if hasattr(r, "status_code") else f"{type(r).__name__}: {r}" for r in results
    ]
