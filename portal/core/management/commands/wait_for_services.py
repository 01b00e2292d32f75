"""Wait until the database (and Redis, when configured) accept connections.

The container entrypoint runs this before the real command, so web, worker and the one-shot
migration do not crash-loop while PostgreSQL is still starting. It speaks through the log
(JSON lines in production), like the processes it starts.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import connections
from django.db.utils import OperationalError

from portal.core.health import check_database, check_redis

logger = logging.getLogger("portal.entrypoint")
TIMED_OUT = "gave up after {timeout:g} s: {waiting} not reachable ({error})"


class Command(BaseCommand):
    help = "Wait until the database and Redis answer (used by the container entrypoint)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between tries")

    def handle(self, *args, timeout: float, interval: float, **options):
        deadline = time.monotonic() + timeout
        checks = {"database": check_database, "redis": check_redis}
        while True:
            waiting, error = None, None
            for name, check in checks.items():
                try:
                    check()
                except Exception as exc:  # any failure means "not yet"
                    waiting, error = name, exc
                    break
            if waiting is None:
                logger.info("database and redis are reachable")
                return
            if isinstance(error, OperationalError):
                # A half-open connection from a failed try must not be reused.
                connections["default"].close()
            if time.monotonic() >= deadline:
                # A log line like every other (JSON in production), then exit 1.
                logger.error(TIMED_OUT.format(timeout=timeout, waiting=waiting, error=error))
                raise SystemExit(1)
            logger.warning("waiting for %s: %s", waiting, error)
            time.sleep(interval)
