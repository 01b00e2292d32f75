"""The worker's heartbeat file: touched by the django-q2 cluster, checked without Django.

The cluster's guard loop saves its status every cycle (half a second); the portal's broker
classes (portal/jobs/brokers.py) touch WORKER_HEARTBEAT_FILE each time that save reached the
broker. The container's health check only looks at the file's age, so it costs a Python
start-up (~20 ms), not a Django one (~2 s):

    python /app/portal/core/heartbeat.py            # WORKER_HEARTBEAT_FILE, WORKER_HEARTBEAT_MAX_AGE

Exit 0 while the file is younger than WORKER_HEARTBEAT_MAX_AGE seconds (default 30), 1 otherwise.
No imports beyond the standard library: it runs as a script, outside the project's packages.
"""

import os
import sys
import time

DEFAULT_MAX_AGE = 30.0


def touch(path: str) -> None:
    with open(path, "a"):
        pass
    os.utime(path, None)


def age(path: str) -> float | None:
    """Seconds since the file was last touched, or None when there is no file."""
    try:
        return time.time() - os.stat(path).st_mtime
    except FileNotFoundError:
        return None


def check(path: str, max_age: float) -> tuple[bool, str]:
    seconds = age(path)
    if seconds is None:
        return False, f"no heartbeat file at {path}"
    if seconds > max_age:
        return False, f"heartbeat {seconds:.0f} s old (more than {max_age:g} s)"
    return True, f"heartbeat {seconds:.1f} s old"


def main() -> int:
    path = os.environ.get("WORKER_HEARTBEAT_FILE", "")
    if not path:
        print("WORKER_HEARTBEAT_FILE is not set", file=sys.stderr)
        return 1
    ok, message = check(path, float(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", DEFAULT_MAX_AGE)))
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
