"""Where a webhook may be sent: address checks (SSRF guard) and the pinned HTTP POST.

A webhook URL is typed by a team lead, and the portal's workers then send requests to it from
inside the portal's network. So the host is resolved and every address it resolves to must be
a public one: loopback, private, link-local, multicast, reserved and unspecified addresses are
refused unless WEBHOOKS_ALLOW_PRIVATE is on (a portal whose receivers live on its own network),
and the cloud metadata addresses are refused always. The check runs when an endpoint is saved
and again when each request is sent; the request then connects to the very address that was
checked (the TLS certificate is still checked against the host name), so a name that resolves
to a public address for the check and a private one for the connection (DNS rebinding) gets
nowhere. Redirects are not followed: an answer 3xx is a failure like any other.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

URL_MAX_LENGTH = 2000
TIMEOUT = 5.0  # seconds for the whole request: connecting, sending and reading the answer
READ_LIMIT = 64 * 1024  # bytes of an answer read at most

URL_INVALID = "Enter an http:// or https:// address with a host name."
URL_USERINFO = "Do not put a user name or password in the address; the secret signs requests."
URL_CONTROL = "The address contains spaces or control characters."
URL_UNRESOLVED = "The host name {host} could not be resolved."
ADDRESS_REFUSED = (
    "{host} resolves to {address}, a {what} address: webhooks go to public addresses only."
)

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class AddressRefused(Exception):
    """The URL is not one the portal sends to; the message says why."""


def _parts(url: str) -> SplitResult:
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise AddressRefused(URL_CONTROL)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port out of range or not a number raises here)
    except ValueError:
        raise AddressRefused(URL_INVALID) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(URL_INVALID)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise AddressRefused(URL_USERINFO)
    return parts


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What kind of refused address this is, or None for one webhooks may reach."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA:
        return "cloud metadata"
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return None
    for what in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{what}"):
            return what.replace("_", "-")
    if not address.is_global:
        return "private"  # shared (100.64/10), documentation and the like
    return None


def resolve(url: str) -> tuple[SplitResult, list[str]]:
    """The URL's parts and the addresses its host resolves to, all allowed; AddressRefused else."""
    parts = _parts(url)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused(URL_UNRESOLVED.format(host=host)) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        problem = address_problem(address)
        if problem:
            raise AddressRefused(ADDRESS_REFUSED.format(host=host, address=text, what=problem))
    if not addresses:
        raise AddressRefused(URL_UNRESOLVED.format(host=host))
    return parts, addresses


def validate_webhook_url(url: str) -> None:
    """Model field validator: the address's form and where its host resolves to now."""
    try:
        resolve(url)
    except AddressRefused as exc:
        raise ValidationError(str(exc), code="address") from None


# --- sending ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: bytes
    duration_ms: int
    error: str = ""


class _Deadline:
    """Each socket operation gets the time left until the request's deadline as its timeout,
    so a receiver trickling its answer a byte at a time cannot hold a worker past it."""

    deadline: float | None = None

    def _arm(self) -> None:
        if self.deadline is None:
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.settimeout(left)

    def recv(self, *args, **kwargs):
        self._arm()
        return super().recv(*args, **kwargs)

    def recv_into(self, *args, **kwargs):
        self._arm()
        return super().recv_into(*args, **kwargs)

    def send(self, *args, **kwargs):
        self._arm()
        return super().send(*args, **kwargs)

    def sendall(self, *args, **kwargs):
        self._arm()
        return super().sendall(*args, **kwargs)


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


def _connect(address: str, port: int, deadline: float) -> _DeadlineSocket:
    """A TCP connection to this very address (no second name look-up), bound by `deadline`."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = _DeadlineSocket(family, socket.SOCK_STREAM)
    sock.deadline = deadline
    try:
        sock._arm()
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with the URL's host in the Host header."""

    def __init__(self, host, port, address, deadline):
        super().__init__(host, port)
        self.address = address
        self.deadline = deadline

    def connect(self):
        self.sock = _connect(self.address, self.port, self.deadline)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, over TLS; the certificate is checked against the URL's host name."""

    def __init__(self, host, port, address, deadline):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, context=context)
        self.address = address
        self.deadline = deadline

    def connect(self):
        sock = _connect(self.address, self.port, self.deadline)
        sock._arm()  # the handshake gets what is left
        tls = self._context.wrap_socket(sock, server_hostname=self.host)
        tls.deadline = self.deadline
        self.sock = tls


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT) -> Answer:
    """POST `body` to `url` after checking where it goes; never raises for network trouble.

    `timeout` bounds the whole request (connecting, sending, the answer's head and body), not
    each read. AddressRefused is raised (and not retried by the caller) when the URL's host now
    resolves to a refused address.
    """
    parts, addresses = resolve(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    started = time.monotonic()
    conn = connection_class(parts.hostname, port, addresses[0], started + timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read(READ_LIMIT)
        return Answer(answer.status, data, _ms(started))
    except TimeoutError:
        return Answer(None, b"", _ms(started), "timed out")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, b"", _ms(started), f"{type(exc).__name__}: {exc}"[:300])
    finally:
        conn.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
