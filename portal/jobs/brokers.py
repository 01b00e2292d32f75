"""django-q2's brokers, with the worker's heartbeat file (portal/core/heartbeat.py).

Q_CLUSTER["broker_class"] names `broker` (portal/settings/jobs.py), which picks the ORM or the
Redis broker as django-q2 itself does (by `Conf.ORM`). The cluster's guard
loop saves its status through `set_stat` every cycle; after each save that reached the broker,
WORKER_HEARTBEAT_FILE (when set) is touched. A cluster that hangs, or cannot reach its broker,
stops touching it and the container's health check fails.
"""

from django.conf import settings
from django_q.brokers.orm import ORM
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf

from portal.core.heartbeat import touch


class _Heartbeat:
    def set_stat(self, key: str, value: str, timeout: int):
        super().set_stat(key, value, timeout)
        if settings.WORKER_HEARTBEAT_FILE:
            touch(settings.WORKER_HEARTBEAT_FILE)


class HeartbeatRedis(_Heartbeat, Redis):
    pass


class HeartbeatORM(_Heartbeat, ORM):
    pass


def broker(list_key: str | None = None):
    """django-q2 calls `broker_class(list_key=...)`: the ORM broker when Q_CLUSTER has "orm",
    Redis otherwise, each with the heartbeat."""
    return (HeartbeatORM if Conf.ORM else HeartbeatRedis)(list_key=list_key)
