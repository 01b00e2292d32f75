"""Where a queued job's message is: waiting in the broker, held by a live cluster, or nowhere.

The watchdog asks before it hands a job that has waited long to the broker again. A job waiting
behind busy workers is not lost: its message is still in the broker's queue, or a live cluster
has taken it and holds it for its next free worker. Only a message that is in neither place
(Redis restarted empty, the cluster holding it was killed, the broker could not be reached) is
sent again, so a backlog never fills the queue with duplicates nor fails jobs that never ran.

- ORM broker: a message stays in django-q2's `OrmQ` table until its run is done; a cluster that
  takes it only locks it (and the broker hands it out again when the lock runs out), so a
  message in the table is waiting, wherever it is.
- Redis broker: a message leaves the list when a cluster's pusher takes it and waits in that
  cluster's memory (its task queue) for a free worker. The list is read; each live cluster
  publishes its task queue's size every half second (django-q2's cluster stats), and while one
  holds messages not yet started, a message missing from the list may be one of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django_q.brokers import Broker, get_broker
from django_q.brokers.orm import ORM
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import BadSignature, SignedPackage
from django_q.status import Stat

from portal.jobs.models import Job
from portal.jobs.schedules import RUN_SCHEDULED
from portal.jobs.services import RUN_JOB, slot_dedupe_key

logger = logging.getLogger(__name__)

SCAN_CHUNK = 1000  # Redis list entries read per round trip


@dataclass(frozen=True)
class QueueView:
    """The jobs with a message in the broker's queue, and the live clusters holding messages."""

    job_ids: frozenset[int]
    slot_keys: frozenset[str]  # dedupe keys of schedule slots whose message is in the queue
    clusters_holding: int  # live clusters with messages taken from the broker, not yet started

    def in_queue(self, job: Job) -> bool:
        return job.pk in self.job_ids or (job.dedupe_key or "") in self.slot_keys


def queue_view(broker: Broker | None = None) -> QueueView | None:
    """What the broker's queue holds now; None for a broker this module cannot look into."""
    broker = broker or get_broker()
    if isinstance(broker, ORM):
        rows = OrmQ.objects.using(Conf.ORM).filter(key=broker.list_key)
        # Locked rows are held by a cluster and come back by themselves if it dies.
        return _view(rows.values_list("payload", flat=True).iterator(), clusters_holding=0)
    if isinstance(broker, Redis):
        holding = sum(1 for stat in Stat.get_all(broker) if stat.task_q_size > 0)
        return _view(_redis_messages(broker), clusters_holding=holding)
    return None


def _redis_messages(broker: Redis):
    start = 0
    while chunk := broker.connection.lrange(broker.list_key, start, start + SCAN_CHUNK - 1):
        yield from chunk
        start += len(chunk)


def _view(payloads, *, clusters_holding: int) -> QueueView:
    job_ids, slot_keys = set(), set()
    for payload in payloads:
        try:
            task = SignedPackage.loads(payload)
        except (BadSignature, TypeError, ValueError):  # not ours to read: not a job's message
            continue
        args, kwargs = task.get("args") or (), task.get("kwargs") or {}
        if task.get("func") == RUN_JOB and args:
            job_ids.add(args[0])
        elif task.get("func") == RUN_SCHEDULED and args and kwargs.get("slot"):
            slot_keys.add(slot_dedupe_key(args[0], datetime.fromisoformat(kwargs["slot"])))
    return QueueView(frozenset(job_ids), frozenset(slot_keys), clusters_holding)
