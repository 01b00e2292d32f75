"""The SSRF guard: where a webhook may go, checked on save and again when sending."""

import time

import pytest
from django.core.exceptions import ValidationError

from portal.webhooks import addresses
from portal.webhooks.addresses import (
    URL_CONTROL,
    URL_INVALID,
    URL_USERINFO,
    AddressRefused,
    validate_webhook_url,
)

PUBLIC = "http://93.184.215.14/hook"

REFUSED = [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://127.0.0.1:8000/hook", "loopback"),
    ("http://10.0.0.1/hook", "private"),
    ("http://192.168.1.20/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://[::1]/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://100.64.0.1/", "private"),
    ("http://localhost/hook", "loopback"),
    ("https://localhost:8443/hook", "loopback"),
]


@pytest.mark.parametrize(("url", "what"), REFUSED)
def test_private_and_special_addresses_are_refused(url, what):
    with pytest.raises(ValidationError) as caught:
        validate_webhook_url(url)
    assert f"a {what} address" in caught.value.messages[0]


def test_a_public_address_is_taken():
    validate_webhook_url(PUBLIC)
    validate_webhook_url("https://93.184.215.14:8443/path?x=1")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:secret@93.184.215.14/", URL_USERINFO),
        ("http://user@93.184.215.14/", URL_USERINFO),
        ("ftp://93.184.215.14/", URL_INVALID),
        ("file:///etc/passwd", URL_INVALID),
        ("gopher://93.184.215.14/", URL_INVALID),
        ("93.184.215.14/hook", URL_INVALID),
        ("http:///nohost", URL_INVALID),
        ("http://93.184.215.14:99999/", URL_INVALID),
        ("http://93.184.215.14/\x00", URL_CONTROL),
        ("http://93.184.215.14/a b", URL_CONTROL),
        ("http://93.184.215.14/\r\nX-Injected: 1", URL_CONTROL),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(ValidationError) as caught:
        validate_webhook_url(url)
    assert caught.value.messages == [message]


def test_an_unknown_host_is_refused():
    with pytest.raises(ValidationError, match="could not be resolved"):
        validate_webhook_url("http://no-such-host.invalid/hook")


def test_allow_private_opens_private_addresses_but_never_metadata(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    for url in ("http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/", "http://localhost/"):
        validate_webhook_url(url)
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/"):
        with pytest.raises(ValidationError, match="cloud metadata"):
            validate_webhook_url(url)


def test_sending_checks_again_and_connects_to_the_checked_address(receiver, settings, monkeypatch):
    # The name resolves to the receiver's address for the check; the connection goes to that
    # same address, whatever a second look-up would say.
    port = receiver.server.server_port
    calls = []
    real = addresses.socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        calls.append(host)
        target = "127.0.0.1" if len(calls) == 1 else "10.9.9.9"
        return real(target, *args, **kwargs)

    monkeypatch.setattr(addresses.socket, "getaddrinfo", rebinding)
    answer = addresses.post(f"http://hooks.test:{port}/x", b"{}", {"X-A": "1"})
    assert answer.status_code == 200 and len(calls) == 1
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.test:{port}"
    # With private addresses off, the same name is refused before any connection.
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    calls.clear()
    with pytest.raises(AddressRefused, match="loopback"):
        addresses.post(f"http://hooks.test:{port}/x", b"{}", {})
    assert len(receiver.requests) == 1


def test_no_redirect_is_followed_and_the_answer_read_is_capped(settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 200_000)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert addresses.post(f"{base}/redirect", b"{}", {}).status_code == 302
        big = addresses.post(f"{base}/big", b"{}", {})
        assert big.status_code == 200 and len(big.body) == addresses.READ_LIMIT
        assert hits == ["/redirect", "/big"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_silent_receiver_times_out(settings):
    import socket

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        answer = addresses.post(
            f"http://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {}, timeout=0.3
        )
        assert (answer.status_code, answer.error) == (None, "timed out")
    finally:
        listener.close()


def _trickler(head: bytes, body: bytes, step: float):
    """A receiver on 127.0.0.1 that reads the request, sends `head` at once, then `body` a
    byte every `step` seconds."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(head)
            for i in range(len(body)):
                if stop.is_set():
                    return
                try:
                    conn.sendall(body[i : i + 1])
                except OSError:  # the sender gave up: what the test wants
                    return
                time.sleep(step)

    threading.Thread(target=serve, daemon=True).start()
    return listener, stop


@pytest.mark.parametrize("part", ["head", "body"])
def test_the_timeout_bounds_the_whole_request_not_each_read(settings, part):
    """A receiver trickling its answer (every read well within the timeout) is cut off."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    body = b"x" * 200
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    if part == "body":  # the head at once, then the body a byte every 50 ms
        listener, stop = _trickler(head, body, 0.05)
    else:  # the status line and headers themselves, a byte every 50 ms
        listener, stop = _trickler(b"", head + body, 0.05)
    started = time.monotonic()
    try:
        answer = addresses.post(
            f"http://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {}, timeout=0.6
        )
    finally:
        stop.set()
        listener.close()
    took = time.monotonic() - started
    assert (answer.status_code, answer.error) == (None, "timed out")
    assert took < 1.5  # 0.6 s and a step, not the 10 s the trickle takes
    assert 550 <= answer.duration_ms < 1500


def test_a_prompt_answer_within_the_deadline_is_read_whole(settings, receiver):
    answer = addresses.post(receiver.url, b"{}", {}, timeout=2)
    assert (answer.status_code, answer.body, answer.error) == (200, b"answer 200", "")


def test_a_tls_handshake_that_never_ends_is_bounded_too(settings):
    import socket

    settings.WEBHOOKS_ALLOW_PRIVATE = True
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never says a word of TLS
    started = time.monotonic()
    try:
        answer = addresses.post(
            f"https://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {}, timeout=0.4
        )
    finally:
        listener.close()
    assert (answer.status_code, answer.error) == (None, "timed out")
    assert time.monotonic() - started < 1.5
