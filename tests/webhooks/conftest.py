import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.webhooks.services import endpoint_create


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request and answers what `answers` says.

    `answers` is a list of status codes used one per request (the last one repeats). The
    request numbered `hold_at` (0-based) is recorded, then not answered until `release` is set
    (or 30 s pass): `held` tells the test that its sender is waiting for the answer.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.answers = [200]
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    index = len(receiver.requests)
                    code = receiver.answers[min(index, len(receiver.answers) - 1)]
                    receiver.requests.append(
                        {"headers": dict(self.headers), "body": body, "status": code}
                    )
                if index == receiver.hold_at:
                    receiver.held.set()
                    receiver.release.wait(30)
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(f"answer {code}".encode())
                except OSError:  # the sender is gone (killed while it waited)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def events(self, *, ok_only: bool = False) -> list[dict]:
        return [
            json.loads(r["body"]) for r in self.requests if not ok_only or 200 <= r["status"] < 300
        ]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def endpoint(team, lead, receiver):
    return endpoint_create(actor=lead, team=team, url=receiver.url)
