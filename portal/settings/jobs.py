"""Background jobs: the django-q2 cluster and the portal's job records (docs/jobs.md)."""

from urllib.parse import unquote, urlparse

from portal.env import env
from portal.settings.services import REDIS_URL

# --- django-q2 --------------------------------------------------------------------------
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="portal"),
    "workers": env.int("Q_WORKERS", default=2),
    # Finite timeout; retry must exceed it or a slow task is handed out twice.
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=660),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": env.int("Q_SAVE_LIMIT", default=1000),
    "label": "Background queue",
}
if REDIS_URL:
    _redis = urlparse(REDIS_URL)
    Q_CLUSTER["redis"] = {
        "host": _redis.hostname or "127.0.0.1",
        "port": _redis.port or 6379,
        "db": int((_redis.path or "/0").lstrip("/") or 0),
        "password": unquote(_redis.password) if _redis.password else None,
    }
else:
    Q_CLUSTER["orm"] = "default"
# django-q2's own brokers (ORM or Redis, as above), touching WORKER_HEARTBEAT_FILE.
Q_CLUSTER["broker_class"] = "portal.jobs.brokers.broker"
# A file the cluster touches every cycle (portal/jobs/brokers.py), for a health check that does
# not start Django (portal/core/heartbeat.py); empty: none.
WORKER_HEARTBEAT_FILE = env.str("WORKER_HEARTBEAT_FILE", default="")

# --- Job records (portal.jobs) ----------------------------------------------------------
# A running job writes a heartbeat every JOBS_HEARTBEAT_SECONDS; the watchdog (every
# JOBS_WATCHDOG_MINUTES) re-queues a job whose heartbeat is older than JOBS_STALE_SECONDS, or
# that has waited in the queue longer than JOBS_QUEUED_STALE_SECONDS (the broker lost it).
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=10)
JOBS_STALE_SECONDS = env.float("JOBS_STALE_SECONDS", default=60)
JOBS_QUEUED_STALE_SECONDS = env.float("JOBS_QUEUED_STALE_SECONDS", default=600)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
JOBS_MAX_ENQUEUES = env.int("JOBS_MAX_ENQUEUES", default=5)
JOBS_WATCHDOG_MINUTES = env.int("JOBS_WATCHDOG_MINUTES", default=2)
JOBS_RECORD_RETENTION_DAYS = env.int("JOBS_RECORD_RETENTION_DAYS", default=90)
# Dispatched events (the event log, docs/events.md) are deleted by the weekly clean-up after this.
EVENTS_KEEP_DAYS = env.int("EVENTS_KEEP_DAYS", default=90)
# Webhooks (docs/events.md) may go to loopback and private addresses only when this is on (a
# portal whose receivers live on its own network); cloud metadata addresses never.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# A delivery being sent is leased this long (longer than a send can take); a worker that dies
# mid-send leaves it due again after it. A failed attempt is retried after
# WEBHOOKS_FIRST_RETRY_SECONDS, doubled after each failure (an hour at most).
WEBHOOKS_LEASE_SECONDS = env.float("WEBHOOKS_LEASE_SECONDS", default=60)
WEBHOOKS_FIRST_RETRY_SECONDS = env.float("WEBHOOKS_FIRST_RETRY_SECONDS", default=30)
OVERDUE_REMINDER_LOOKBACK_DAYS = env.int("OVERDUE_REMINDER_LOOKBACK_DAYS", default=7)
# Read notifications (docs/events.md, "Notifications") are deleted this many days after reading.
NOTIFICATIONS_KEEP_DAYS = env.int("NOTIFICATIONS_KEEP_DAYS", default=60)
# The local hour the daily digest of notifications is emailed.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
