"""The outbox and webhooks in the benchmark: dispatching events, delivering them over HTTP.

`events_dispatch` times the dispatcher (portal.events.services.events_dispatch, with the
portal's listeners: notifications and webhooks) over a batch of recorded events. Its floor is
the dispatcher's own bookkeeping without listeners: lock the same rows and mark them
dispatched, in one transaction.

`webhook_delivery` delivers a batch of events to a receiver on 127.0.0.1 in this process by
running the delivery job (portal.webhooks.jobs.deliver_due) as the cluster runs it, and times
each delivery (`deliver_one`: load, sign, POST, record the attempt). Its floor is the same
number of plain POSTs of the same body with http.client to the same receiver, a new connection
each (as a delivery makes).
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from django.db import transaction
from django.utils import timezone

from portal.devtools.timing import Row, counted, percentile
from portal.events.kinds import TASK_UPDATED
from portal.events.models import Event
from portal.events.services import NewEvent, record_events
from portal.events.services import events_dispatch as dispatch
from portal.tasks.models import Task
from portal.teams.models import Membership, Role
from portal.webhooks import jobs as webhook_jobs
from portal.webhooks.models import Delivery, DeliveryStatus, Endpoint
from portal.webhooks.services import endpoint_create
from portal.webhooks.signing import event_body, request_headers

NOT_ALL_DELIVERED = "{sent} of {count} deliveries were sent ({failed} not succeeded)."


class Receiver:
    """A webhook receiver on 127.0.0.1: reads each request and answers 200."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class OutboxMeasures:
    """The measures of `Bench` for the outbox and webhooks (a mixin: `self` is the bench)."""

    def _record(self, count: int) -> list[int]:
        """`count` task.updated events of the measuring team's tasks, as task_update records."""
        tasks = list(
            Task.objects.filter(team=self.team).order_by("pk").values_list("pk", "number")[:count]
        )
        key = self.team.key
        events = [
            NewEvent(
                TASK_UPDATED,
                team_id=self.team.pk,
                task_id=pk,
                payload={
                    "key": f"{key}-{number}",
                    "title": "Deploy the benchmark's change",
                    "changes": {"priority": ["low", "high"]},
                },
            )
            for pk, number in (tasks[i % len(tasks)] for i in range(count))
        ]
        with transaction.atomic():
            return [e.pk for e in record_events(events, actor=self.data.runner)]

    def _endpoint(self) -> Endpoint:
        """The measuring team's webhook endpoint (made by one of its leads), on the receiver."""
        if self.webhook_endpoint is None:
            self.receiver = Receiver()
            lead = (
                Membership.objects.filter(team=self.team, role=Role.LEAD)
                .select_related("user")
                .order_by("pk")
                .first()
                .user
            )
            self.webhook_endpoint = endpoint_create(
                actor=lead, team=self.team, url=self.receiver.url
            )
        return self.webhook_endpoint

    def events_dispatch(self) -> Row:
        count = self.events
        endpoint = self._endpoint()  # a team with webhooks: the dispatch makes their deliveries
        dispatch()  # what earlier measures recorded (the created tasks), untimed
        runs = max(1, min(self.iterations, 3))
        samples, floor_samples = [], []

        def floor():
            with transaction.atomic():
                ids = list(
                    Event.objects.select_for_update(skip_locked=True)
                    .filter(dispatched_at__isnull=True)
                    .order_by("id")
                    .values_list("pk", flat=True)[:count]
                )
                Event.objects.filter(pk__in=ids).update(dispatched_at=timezone.now())

        for _ in range(runs):
            self._record(count)
            started = time.perf_counter()
            dispatch()
            samples.append((time.perf_counter() - started) * 1000)
            # The next run (and the delivery measure) starts without these deliveries.
            Delivery.objects.filter(endpoint=endpoint).delete()
            self._record(count)
            started = time.perf_counter()
            floor()
            floor_samples.append((time.perf_counter() - started) * 1000)
        self._record(count)
        queries, _ = counted(dispatch)
        Delivery.objects.filter(endpoint=endpoint).delete()
        row = Row(
            name="events_dispatch",
            p50_ms=percentile(samples, 0.5),
            p95_ms=percentile(samples, 0.95),
            queries=queries,
            floor_ms=percentile(floor_samples, 0.5),
            samples=runs,
        )
        row.ratio = row.p50_ms / row.floor_ms
        per_second = count / row.p50_ms * 1000
        row.extra = {"events": count, "events_per_s": round(per_second, 1)}
        row.note = (
            f"{count:,} task.updated events, one webhook endpoint: {per_second:,.0f} events/s; "
            "floor: lock the events and mark them dispatched"
        )
        self.rows[row.name] = row
        return row

    def webhook_delivery(self) -> Row:
        count = self.events
        endpoint = self._endpoint()
        dispatch()  # anything left undispatched, untimed
        Delivery.objects.filter(endpoint=endpoint).delete()
        # One delivery first: the query count of a run that sends one (two reads of what is due).
        self._record(1)
        dispatch()
        queries, _ = counted(webhook_jobs.deliver_due)
        Delivery.objects.filter(endpoint=endpoint).delete()

        self._record(count)
        dispatch()
        sample = Delivery.objects.select_related("endpoint__team", "event").filter(
            endpoint=endpoint
        )[0]
        body = event_body(sample)
        headers = request_headers(sample, body)
        samples: list[float] = []
        deliver_one = webhook_jobs.deliver_one

        def timed_one(delivery_id: int):
            started = time.perf_counter()
            try:
                return deliver_one(delivery_id)
            finally:
                samples.append((time.perf_counter() - started) * 1000)

        with mock.patch.object(webhook_jobs, "deliver_one", timed_one):
            started = time.perf_counter()
            sent = webhook_jobs.deliver_due()
            total = time.perf_counter() - started
        failed = (
            Delivery.objects.filter(endpoint=endpoint)
            .exclude(status=DeliveryStatus.SUCCEEDED)
            .count()
        )
        if sent != count or failed:
            from portal.devtools.measures import BenchmarkError

            raise BenchmarkError(NOT_ALL_DELIVERED.format(sent=sent, count=count, failed=failed))

        floor_samples: list[float] = []
        floor_started = time.perf_counter()
        for _ in range(count):
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", self.receiver.port, timeout=5)
            try:
                conn.request("POST", "/hook", body=body, headers=headers)
                conn.getresponse().read()
            finally:
                conn.close()
            floor_samples.append((time.perf_counter() - started) * 1000)
        floor_total = time.perf_counter() - floor_started

        row = Row(
            name="webhook_delivery",
            p50_ms=percentile(samples, 0.5),
            p95_ms=percentile(samples, 0.95),
            queries=queries,
            floor_ms=percentile(floor_samples, 0.5),
            samples=len(samples),
        )
        row.ratio = row.p50_ms / row.floor_ms
        per_second, floor_per_second = count / total, count / floor_total
        row.extra = {
            "deliveries": count,
            "deliveries_per_s": round(per_second, 1),
            "floor_posts_per_s": round(floor_per_second, 1),
            "floor_p95_ms": round(percentile(floor_samples, 0.95), 2),
        }
        row.note = (
            f"{count:,} deliveries to 127.0.0.1 by the delivery job: {per_second:,.0f}/s "
            f"(floor {floor_per_second:,.0f} POSTs/s); p50/p95 per delivery; queries: a run "
            "sending one; floor: a plain http.client POST of the same body"
        )
        self.rows[row.name] = row
        return row

    def close_outbox(self) -> None:
        # The receiver goes with the run: a kept data set must not keep an endpoint aimed at it.
        if self.webhook_endpoint is not None:
            self.webhook_endpoint.delete()
            self.webhook_endpoint = None
        if self.receiver is not None:
            self.receiver.close()
            self.receiver = None
