"""django-q2's brokers, with the worker's heartbeat file (portal/core/heartbeat.py).

Q_CLUSTER["broker_class"] names one of these (portal/settings/jobs.py). The cluster's guard
loop saves its status through `set_stat` every cycle; after each save that reached the broker,
WORKER_HEARTBEAT_FILE (when set) is touched. A cluster that hangs, or cannot reach its broker,
stops touching it and the container's health check fails.
"""

from django.conf import settings
from django_q.brokers.orm import ORM
from django_q.brokers.redis_broker import Redis

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
