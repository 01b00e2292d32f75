"""gunicorn settings, read from the environment (see docs/operations.md).

Used by the container (`gunicorn -c portal/gunicorn.conf.py portal.wsgi`) and by the stack
test, so both run the web process the same way.
"""

import os
import sys
from pathlib import Path

# gunicorn loads this file before the application; make the project importable from it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.core.capacity import GUNICORN_THREADS, GUNICORN_WORKERS
from portal.core.logging import gunicorn_logger_class
from portal.core.proxies import trusted_proxies_from_environment


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


wsgi_app = "portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The settings read the same two (`manage.py migrate` warns when they could hold more database
# connections than PostgreSQL allows: portal/core/capacity.py).
workers = _int("GUNICORN_WORKERS", GUNICORN_WORKERS)
threads = _int("GUNICORN_THREADS", GUNICORN_THREADS)
worker_class = "gthread" if threads > 1 else "sync"
# A request running longer than this is killed and its worker replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# X-Forwarded-Proto sets the request's scheme only from these peers: the same TRUSTED_PROXIES
# the portal believes (portal/core/proxies.py), never gunicorn's own FORWARDED_ALLOW_IPS.
# gunicorn takes them as one comma-separated string (addresses or networks).
forwarded_allow_ips = ",".join(str(network) for network in trusted_proxies_from_environment())
# Recycle workers now and then so a slow leak cannot grow without bound. A new worker imports
# the portal again (about 2 s of CPU), so not too often: at 1,000 requests a busy 2-core server
# spent a tenth of its CPU on restarts (docs/decisions.md).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)
# Heartbeat files on a tmpfs: a container's overlay filesystem can stall them.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# No runtime control socket in a container (nothing to connect to it).
control_socket_disable = True

# Logs: JSON lines on stdout. The portal writes one line per request itself (with the user id),
# so gunicorn's own access log is off unless GUNICORN_ACCESS_LOG is set; it is JSON too.
logger_class = gunicorn_logger_class()
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
accesslog = "-" if _bool("GUNICORN_ACCESS_LOG", False) else None
