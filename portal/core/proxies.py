"""Which peers may speak for the client: the one rule for X-Forwarded-Proto and -For.

`TRUSTED_PROXIES` (addresses or networks, comma-separated; default loopback) names the proxies
in front of the portal. A request from one of them may say, in X-Forwarded-Proto, that the
client used HTTPS and, in X-Forwarded-For, who the client is; a request from anywhere else
may not, so its forwarded headers are dropped before anything reads them
(`ForwardedHeadersMiddleware`). gunicorn's `forwarded_allow_ips` reads the same variable
(portal/gunicorn.conf.py), and the sign-in lockout, allauth's limits and the API throttles
all take the client's address from `client_address`.

No Django import here: gunicorn's configuration reads this module before the application.
"""

import ipaddress
import os

DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The headers only a trusted proxy may set (Django reads X-Forwarded-Proto through
# SECURE_PROXY_SSL_HEADER, and Host/Port when USE_X_FORWARDED_HOST/PORT are on).
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """`10.0.0.5, 172.16.0.0/12` -> networks; an invalid entry raises ValueError (naming it)."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from error
    return tuple(networks)


def trusted_proxies_from_environment() -> tuple[Network, ...]:
    return parse_trusted_proxies(os.environ.get("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES))


def is_trusted(address: str | None, networks: tuple[Network, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address(
    remote_addr: str | None, forwarded_for: str, networks: tuple[Network, ...]
) -> str | None:
    """The client: the peer, or behind trusted proxies the nearest X-Forwarded-For hop that
    is not one of them. Hops further left were written by the client and could be forged."""
    if not is_trusted(remote_addr, networks):
        return remote_addr
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote_addr


def drop_untrusted_forwarded_headers(meta: dict, networks: tuple[Network, ...]) -> None:
    if not is_trusted(meta.get("REMOTE_ADDR"), networks):
        for header in FORWARDED_HEADERS:
            meta.pop(header, None)


class ForwardedHeadersMiddleware:
    """First in MIDDLEWARE: forwarded headers from a peer that is not a trusted proxy are
    removed, so SECURE_PROXY_SSL_HEADER and the client address cannot be forged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        drop_untrusted_forwarded_headers(request.META, settings.TRUSTED_PROXIES)
        return self.get_response(request)
