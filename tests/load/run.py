"""Run the load test: gunicorn (2 workers, DEBUG off) on 127.0.0.1, then locust headless.

    python tests/load/run.py --users 50 --duration 60        # what `make loadtest` runs

The server runs portal/gunicorn.conf.py on the database and Redis that DATABASE_URL and
REDIS_URL name (the data must be there: `manage.py migrate` and `manage.py demo`, or the
benchmark's data set with LOAD_PEOPLE / LOAD_PASSWORD pointing at its people). It runs as
in production behind a TLS proxy, and the load test plays that proxy (see locustfile.py):
TRUSTED_PROXIES=127.0.0.1 is the only setting that differs from the production defaults, and
only so that each simulated person has an address of their own. Pages render with plain
static file URLs, so no `collectstatic` is needed (static files are not part of the test).

Prints requests per second, p50 and p95 per request name, and every error; exits 1 if any
request failed or the mix did not run, 0 otherwise. The server is stopped in every case.
`--json FILE` also writes the figures as data.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load import mix  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(port: int, workers: int, base: dict | None = None) -> dict[str, str]:
    """The caller's environment (DATABASE_URL, REDIS_URL, ...), or `base`, with production
    defaults."""
    env = dict(os.environ if base is None else base)
    # Tests run this script with the test settings in the environment; the server must not.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DEBUG="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        # Stop quickly at the end: nothing is still running by then.
        GUNICORN_GRACEFUL_TIMEOUT="5",
        TRUSTED_PROXIES="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    # The production default (the manifest storage) needs `collectstatic` first.
    env.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    return env


class Server:
    """gunicorn with the project's config, in its own process group."""

    def __init__(self, port: int, workers: int, log: Path, env: dict | None = None):
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py"],
            cwd=ROOT,
            env=server_environment(port, workers, env),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /readyz says the database, the cache and Redis answer. No background worker
        runs during the load test, so a missing cluster heartbeat does not count."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.tail()}")
            if set(self._down()) <= {"cluster"}:
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready after {timeout:g} s:\n{self.tail()}")

    def _down(self) -> list[str]:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                return json.loads(response.read())["down"]
        except urllib.error.HTTPError as error:
            if error.code == 503:
                return json.loads(error.read())["down"]
            return ["web"]
        except (OSError, ValueError, KeyError):
            return ["web"]

    def cpu_seconds(self) -> float:
        """CPU time of gunicorn and its workers so far (on a shared machine, how much of it
        the server really got is what turns its figures into a cost per request)."""
        import psutil

        try:
            master = psutil.Process(self.process.pid)
            processes = [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        return total

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def check_sign_in(url: str) -> None:
    """Fail early, in words, when the configured people cannot sign in (no data loaded)."""
    username = mix.people(os.environ.get("LOAD_PEOPLE", mix.DEMO_PEOPLE))[0]
    body = json.dumps(
        {"username": username, "password": os.environ.get("LOAD_PASSWORD", mix.DEMO_PASSWORD)}
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/auth/login/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "10.76.0.1",
        },
    )
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"{username!r} cannot sign in ({error.code}: {error.read()[:200]!r}). Load the demo "
            "data (`manage.py migrate && manage.py demo`) or set LOAD_PEOPLE and LOAD_PASSWORD."
        ) from None


def run_locust(url: str, users: int, spawn_rate: float, duration: int, prefix: Path) -> int:
    """locust headless; its own summary goes to PREFIX.out (the runner prints its figures)."""
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
        *("--host", url, "--users", str(users), "--spawn-rate", str(spawn_rate)),
        *("--run-time", f"{duration}s", "--stop-timeout", "10", "--loglevel", "WARNING"),
        *("--csv", str(prefix), "--json-file", str(prefix), "--only-summary"),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with open(f"{prefix}.out", "w") as out:
        return subprocess.run(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=duration + 120
        ).returncode


def percentile(response_times: dict[str, int], fraction: float) -> float | None:
    """The response time (ms, as locust rounds it) below which `fraction` of requests fall."""
    counts = sorted((float(ms), n) for ms, n in response_times.items())
    total = sum(n for _, n in counts)
    if not total:
        return None
    seen = 0
    for ms, n in counts:
        seen += n
        if seen >= fraction * total:
            return ms
    return counts[-1][0]


def figures(name: str, entries: list[dict], seconds: float) -> dict:
    times: dict[str, int] = {}
    for entry in entries:
        for ms, n in entry["response_times"].items():
            times[ms] = times.get(ms, 0) + n
    requests = sum(e["num_requests"] for e in entries)
    return {
        "name": name,
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "rps": requests / seconds if seconds else 0.0,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": max((e["max_response_time"] or 0 for e in entries), default=0),
    }


def read_stats(prefix: Path) -> dict:
    """locust's final figures per request name (times in milliseconds) and its errors."""
    entries = json.loads(Path(f"{prefix}.json").read_text())
    starts = [e["start_time"] for e in entries if e["num_requests"]]
    ends = [e["last_request_timestamp"] for e in entries if e["num_requests"]]
    seconds = max(ends) - min(starts) if starts else 0.0
    order = {name: i for i, name in enumerate(mix.ALL_NAMES)}
    rows = [figures(e["name"], [e], seconds) for e in entries]
    rows.sort(key=lambda r: order.get(r["name"], len(order)))
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = [
            {"name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]
    with open(f"{prefix}_exceptions.csv", newline="") as f:
        exceptions = [
            {"count": int(r["Count"]), "message": r["Message"]} for r in csv.DictReader(f)
        ]
    return {
        "endpoints": rows,
        "total": figures("all requests", entries, seconds),
        "seconds": round(seconds, 1),
        "failures": failures,
        "exceptions": exceptions,
    }


def report(stats: dict) -> str:
    def ms(value):
        return "-" if value is None else f"{value:.0f}"

    lines = [f"{'request':<38} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"]
    for r in [*stats["endpoints"], stats["total"]]:
        if r is None:
            continue
        lines.append(
            f"{r['name']:<38} {r['requests']:>6} {r['failures']:>5} {r['rps']:>7.1f} "
            f"{ms(r['p50']):>7} {ms(r['p95']):>7}"
        )
    lines.append(
        f"{stats['seconds']:.0f} s; server CPU {stats['server_cpu_s']} s "
        f"({stats['server_cpu_s'] / max(stats['seconds'], 1):.2f} cores, "
        f"{stats['server_cpu_ms_per_request']} ms per request); locust CPU {stats['locust_cpu_s']} s"
    )
    missing = stats["missing"]
    lines.append(f"not exercised: {', '.join(missing)}" if missing else "every request ran")
    for failure in stats["failures"]:
        lines.append(f"error {failure['occurrences']}x {failure['name']}: {failure['error']}")
    for exception in stats["exceptions"]:
        lines.append(f"exception {exception['count']}x: {exception['message']}")
    return "\n".join(lines)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--log", type=Path, help="gunicorn's log (default: a temporary file)")
    args = parser.parse_args(argv)
    try:
        mix.weights(os.environ.get("LOAD_MIX"))
    except ValueError as error:
        parser.error(str(error))

    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        log = args.log or Path(tmp) / "gunicorn.log"
        prefix = Path(tmp) / "locust"
        server = Server(args.port or free_port(), args.workers, log)
        try:
            server.wait_ready()
            check_sign_in(server.url)
            started = time.time()
            server_cpu = server.cpu_seconds()
            locust_cpu = _children_cpu_seconds()
            code = run_locust(server.url, args.users, args.spawn_rate, args.duration, prefix)
            server_cpu = server.cpu_seconds() - server_cpu
            locust_cpu = _children_cpu_seconds() - locust_cpu
            stats = read_stats(prefix)
        except (RuntimeError, OSError, ValueError) as error:
            output = Path(f"{prefix}.out")
            tail = output.read_text(errors="replace")[-3000:] if output.exists() else ""
            print(f"load test not run: {error}\n{tail}", file=sys.stderr)
            return 2
        finally:
            server.stop()
        # Server errors say why in the server's log: show them with the figures.
        errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "ERROR" in line and "/readyz" not in line
        ]
    exercised = {r["name"] for r in stats["endpoints"] if r["requests"]}
    expected = mix.expected_names(mix.weights(os.environ.get("LOAD_MIX")))
    stats["missing"] = [name for name in expected if name not in exercised]
    stats.update(
        users=args.users,
        duration_s=args.duration,
        workers=args.workers,
        started=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        locust_exit_code=code,
        server_cpu_s=round(server_cpu, 1),
        locust_cpu_s=round(locust_cpu, 1),
        server_cpu_ms_per_request=round(1000 * server_cpu / max(stats["total"]["requests"], 1), 1),
    )
    print(report(stats))
    for line in errors[:5]:
        print(f"server: {line[:2000]}")
    if args.json:
        args.json.write_text(json.dumps(stats, indent=2))
    total = stats["total"] or {"failures": 1}
    ok = code == 0 and total["failures"] == 0 and not stats["exceptions"] and not stats["missing"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
