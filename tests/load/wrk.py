"""Throughput of the API's task list under wrk, beside its floor, against one gunicorn.

    python tests/load/wrk.py --connections 16 --duration 20      # what `make wrk` runs

Starts gunicorn with portal/gunicorn.conf.py on 127.0.0.1 (as tests/load/run.py does: DEBUG
off, production settings; the workers and threads given here), signs in the people LOAD_PEOPLE
names with LOAD_PASSWORD (the benchmark's kept data set: `manage.py benchmark --keep`), then runs
wrk against two URLs in turn, each for --duration seconds, --rounds times:

- list:  GET /api/tasks/?page_size=10 with a person's JWT (the requests go round the people, so
  the per-person throttle of 1000 a minute is not what is measured);
- floor: GET /devtools/floor/tasks/?user=<id>&page_size=10, the same page for the same people
  from one hand-written SQL query (portal/devtools/floors.py), through the same server and
  middleware, without authentication or DRF.

Prints requests per second, latency (p50, p90, p99) and the server's CPU per request for each run,
and the list's throughput as a share of the floor's. Exits 1 on any error or non-2xx answer,
2 when it could not run (no wrk, no data, the server did not start).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load import mix, run  # noqa: E402

NO_WRK = (
    "wrk is not installed. Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`; "
    "or build it from https://github.com/wg/wrk. See docs/load-test.md."
)
LIST_PATH = "/api/tasks/?page_size={size}"
FLOOR_PATH = "/devtools/floor/tasks/?user={user}&page_size={size}"

# wrk's Lua side: each request takes the next person (threads start at different places), and
# the summary comes back as one JSON line.
SCRIPT = """
local people = {people}
local mode, size, thread_count = nil, nil, 0
local n = 0

function setup(thread)
  thread:set("start", thread_count * 7)
  thread_count = thread_count + 1
end

function init(args)
  mode, size = args[1], args[2]
  n = start or 0
end

function request()
  n = n % #people + 1
  local person = people[n]
  if mode == "floor" then
    return wrk.format("GET", "/devtools/floor/tasks/?user=" .. person[1] .. "&page_size=" .. size,
      {{["X-Forwarded-Proto"] = "https"}})
  end
  return wrk.format("GET", "/api/tasks/?page_size=" .. size,
    {{["X-Forwarded-Proto"] = "https", ["Authorization"] = "Bearer " .. person[2]}})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
    .. '"timeout": %d}}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""


def sign_in(url: str, username: str, password: str, number: int) -> tuple[int, str]:
    """A person's id and access token, signed in from an address of their own (as the
    load test's users do: the sign-in throttle counts per address)."""
    request = urllib.request.Request(
        f"{url}/api/auth/login/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.78.{number // 250}.{number % 250 + 1}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"{username!r} cannot sign in ({error.code}: {error.read()[:200]!r}). Keep the "
            "benchmark's data set (`manage.py benchmark --keep --password ...`) and set "
            "LOAD_PEOPLE and LOAD_PASSWORD as it prints them."
        ) from None
    return body["user"]["id"], body["access"]


def lua_people(people: list[tuple[int, str]]) -> str:
    return "{" + ", ".join(f'{{{user_id}, "{token}"}}' for user_id, token in people) + "}"


def run_wrk(url: str, script: Path, mode: str, size: int, args) -> dict:
    command = [
        *("wrk", "-t", str(args.wrk_threads), "-c", str(args.connections)),
        *("-d", f"{args.duration}s", "--timeout", "10s", "-s", str(script), url),
        *("--", mode, str(size)),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("WRK-JSON "):
            figures = json.loads(line.removeprefix("WRK-JSON "))
            seconds = figures["duration_us"] / 1e6
            figures["rps"] = figures["requests"] / seconds if seconds else 0.0
            figures["errors"] = sum(
                figures[k] for k in ("connect", "read", "write", "status", "timeout")
            )
            return figures
    raise RuntimeError(f"wrk gave no figures (exit {result.returncode}):\n{result.stderr}")


def report_line(name: str, f: dict) -> str:
    return (
        f"{name:<22} {f['requests']:>7} {f['rps']:>8.1f} {f['p50_us'] / 1000:>7.1f} "
        f"{f['p90_us'] / 1000:>7.1f} {f['p99_us'] / 1000:>7.1f} {f['cpu_ms']:>8.2f} "
        f"{f['server_cores']:>5.2f} {f['errors']:>6}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2, help="list and floor runs, in turn")
    parser.add_argument("--size", type=int, default=10, help="rows per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(NO_WRK, file=sys.stderr)
        return 2

    env = {
        **os.environ,
        "DEVTOOLS": "true",
        "DEVTOOLS_FLOOR_VIEW": "true",
        "GUNICORN_THREADS": str(args.threads),
        # No worker recycling during the runs: a new worker's start (about 2 s of CPU) would
        # land in whichever 20-second run it falls in and swamp that run's cost per request.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    names = mix.people(os.environ.get("LOAD_PEOPLE", mix.DEMO_PEOPLE))
    password = os.environ.get("LOAD_PASSWORD", mix.DEMO_PASSWORD)
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        server = run.Server(args.port or run.free_port(), args.workers, Path(tmp) / "web.log", env)
        try:
            server.wait_ready()
            people = [sign_in(server.url, name, password, n) for n, name in enumerate(names)]
            script = Path(tmp) / "people.lua"
            script.write_text(SCRIPT.format(people=lua_people(people)))
            # A short warm-up of both (the workers' first requests load code and plans).
            warm = argparse.Namespace(**{**vars(args), "duration": 3})
            for mode in ("list", "floor"):
                run_wrk(server.url, script, mode, args.size, warm)
            for number in range(args.rounds):
                for mode in ("list", "floor"):
                    cpu = server.cpu_seconds()
                    figures = run_wrk(server.url, script, mode, args.size, args)
                    cpu = server.cpu_seconds() - cpu
                    figures.update(
                        mode=mode,
                        round=number + 1,
                        cpu_ms=1000 * cpu / max(figures["requests"], 1),
                        server_cores=cpu / (figures["duration_us"] / 1e6),
                    )
                    runs.append(figures)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            print(f"wrk run not done: {error}\n{server.tail()}", file=sys.stderr)
            return 2
        finally:
            server.stop()

    kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads each"
    print(
        f"gunicorn: {args.workers} workers ({kind}); wrk: {args.connections} connections, "
        f"{args.wrk_threads} threads, {args.duration} s per run; {len(people)} people; "
        f"{args.size} rows a page"
    )
    print(
        f"{'run':<22} {'requests':>7} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'CPU ms/r':>8} {'cores':>5} {'errors':>6}"
    )
    for figures in runs:
        print(report_line(f"{figures['mode']} (round {figures['round']})", figures))
    best = {mode: max(r["rps"] for r in runs if r["mode"] == mode) for mode in ("list", "floor")}
    print(
        f"best: list {best['list']:.1f} req/s, floor {best['floor']:.1f} req/s; "
        f"the list serves {best['list'] / best['floor']:.0%} of the floor's rate "
        f"(floor / list = {best['floor'] / best['list']:.1f}x)"
    )
    cpu = {mode: min(r["cpu_ms"] for r in runs if r["mode"] == mode) for mode in ("list", "floor")}
    cores = os.cpu_count() or 1
    print(
        f"server CPU per request: list {cpu['list']:.1f} ms, floor {cpu['floor']:.1f} ms "
        f"({cpu['list'] / cpu['floor']:.1f}x); on this machine's {cores} cores, if the server had "
        f"them to itself, the list's ceiling is about {1000 * cores / cpu['list']:.0f} req/s and "
        f"the floor's {1000 * cores / cpu['floor']:.0f} (less the database's share)"
    )
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": None}, "runs": runs}))
    return 1 if any(r["errors"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
