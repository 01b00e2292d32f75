"""Measure attachments: upload and download throughput of a file, and the web process's peak
memory, for a small and a 25 MB file (docs/benchmarks.md, "Attachments").

    python tests/load/attachments.py            # 1 MB and 25 MB, local storage, SQLite

Each size gets a fresh gunicorn (one worker, DEBUG off) on 127.0.0.1 over a new SQLite file and
media folder in a temporary directory; curl sends the file through the API (multipart, as a
client would) and fetches it back. The worker's peak resident memory (VmHWM) after both shows
whether it grows with the file: streamed, it should not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.run import Server, free_port  # noqa: E402

SETUP = """
from portal.accounts.models import User
from portal.teams.models import Role, Team
from portal.teams.services import membership_add
from portal.tasks.services import task_create
root = User.objects.create_superuser("bench-root", "root@example.com", "x")
person = User.objects.create_user("bench", "bench@example.com", "bench-password-42")
team = Team.objects.create(name="Bench", slug="bench", key="BEN")
membership_add(actor=root, team=team, user=person, role=Role.MEMBER)
print(task_create(actor=person, team=team, title="Bench").pk)
"""


def peak_kb(pid: int) -> int:
    """The highest resident memory of the process so far (VmHWM), in KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def worker_pid(server: Server) -> int:
    import psutil

    return psutil.Process(server.process.pid).children()[0].pid


def measure(size_mb: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(VAR_DIR=tmp, DEBUG="false", SECRET_KEY="bench-" + "x" * 50)
        env.update(STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage")
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
        )
        task_id = int(out.stdout.split()[-1])
        data = Path(tmp) / "upload.bin"
        data.write_bytes(os.urandom(size_mb * 1024 * 1024))
        saved_environ = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        server = Server(free_port(), 1, Path(tmp) / "gunicorn.log")
        os.environ.clear()
        os.environ.update(saved_environ)
        try:
            server.wait_ready()
            proxy = ["-H", "X-Forwarded-Proto: https", "-H", "X-Forwarded-For: 10.0.0.9"]
            login = subprocess.run(
                [
                    "curl",
                    "-sf",
                    *proxy,
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    json.dumps({"username": "bench", "password": "bench-password-42"}),
                    f"{server.url}/api/auth/login/",
                ],
                check=True,
                capture_output=True,
            )
            auth = ["-H", f"Authorization: Bearer {json.loads(login.stdout)['access']}"]
            pid = worker_pid(server)
            before = peak_kb(pid)
            started = time.perf_counter()
            upload = subprocess.run(
                [
                    "curl",
                    "-sf",
                    *proxy,
                    *auth,
                    "-F",
                    f"file=@{data}",
                    f"{server.url}/api/tasks/{task_id}/attachments/",
                ],
                check=True,
                capture_output=True,
            )
            upload_s = time.perf_counter() - started
            attachment = json.loads(upload.stdout)["id"]
            started = time.perf_counter()
            subprocess.run(
                [
                    "curl",
                    "-sf",
                    *proxy,
                    *auth,
                    "-o",
                    str(Path(tmp) / "back.bin"),
                    f"{server.url}/api/tasks/{task_id}/attachments/{attachment}/download/",
                ],
                check=True,
            )
            download_s = time.perf_counter() - started
            same = (Path(tmp) / "back.bin").read_bytes() == data.read_bytes()
            after = peak_kb(pid)
        finally:
            server.stop()
        return {
            "size_mb": size_mb,
            "upload_s": round(upload_s, 3),
            "upload_mb_s": round(size_mb / upload_s, 1),
            "download_s": round(download_s, 3),
            "download_mb_s": round(size_mb / download_s, 1),
            "peak_rss_before_mb": round(before / 1024, 1),
            "peak_rss_after_mb": round(after / 1024, 1),
            "peak_growth_mb": round((after - before) / 1024, 1),
            "round_trip_identical": same,
        }


if __name__ == "__main__":
    sizes = [int(s) for s in sys.argv[1:]] or [1, 25]
    for size in sizes:
        print(json.dumps(measure(size)))
