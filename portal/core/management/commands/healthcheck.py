"""Container health check for processes that serve no HTTP (the django-q2 worker).

`manage.py healthcheck --worker` succeeds while a cluster started on this host (container)
keeps its heartbeat fresh; `manage.py healthcheck` runs the same checks as /readyz.
"""

import json
import socket

from django.core.management.base import BaseCommand, CommandError

from portal.core.health import cluster_stats, run_checks

NO_LOCAL_CLUSTER = "no django-q2 cluster heartbeat from host {host}"


class Command(BaseCommand):
    help = "Exit 0 when healthy: the readiness checks, or with --worker this host's cluster."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--worker", action="store_true", help="check only this host's django-q2 cluster"
        )

    def handle(self, *args, worker: bool, **options):
        if worker:
            host = socket.gethostname()
            stats = cluster_stats(host=host)
            if not stats:
                raise CommandError(NO_LOCAL_CLUSTER.format(host=host))
            self.stdout.write(f"cluster ok: {len(stats)} on {host}")
            return
        report = run_checks()
        self.stdout.write(json.dumps(report))
        if report["down"]:
            raise CommandError("not ready: " + ", ".join(report["down"]))
