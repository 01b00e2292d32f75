"""TRUSTED_PROXIES: forwarded headers are believed only from the proxies it names."""

import runpy

import pytest
from django.test import Client, RequestFactory
from gunicorn.config import ForwardedAllowIPS

from portal.accounts.lockout import client_ip
from portal.core.proxies import (
    ForwardedHeadersMiddleware,
    client_address,
    parse_trusted_proxies,
)

PROXIES = parse_trusted_proxies("10.0.0.5, 172.16.0.0/12, ::1")


def test_parse_addresses_and_networks():
    assert [str(n) for n in PROXIES] == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
    assert parse_trusted_proxies("") == ()
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_trusted_proxies("127.0.0.1,10.0.0.300")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # Not from a proxy: the peer is the client whatever it says.
        ("203.0.113.9", "6.6.6.6", "203.0.113.9"),
        ("10.0.0.6", "6.6.6.6", "10.0.0.6"),
        # One proxy: the hop it added; what the client wrote further left is ignored.
        ("10.0.0.5", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # Two proxies in a row (both trusted): the first hop that is not one of them.
        ("172.18.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        # IPv4 seen as IPv6-mapped, and IPv6 loopback.
        ("::ffff:10.0.0.5", "198.51.100.2", "198.51.100.2"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        # A proxy that forwarded nothing, or only proxies: the leftmost it knows.
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "172.20.0.3", "172.20.0.3"),
    ],
)
def test_client_address(peer, forwarded, client):
    assert client_address(peer, forwarded, PROXIES) == client


def _after_middleware(**meta):
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    ForwardedHeadersMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


def test_forwarded_headers_are_dropped_unless_a_trusted_proxy_sent_them(settings):
    settings.TRUSTED_PROXIES = PROXIES
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}
    from_client = _after_middleware(REMOTE_ADDR="203.0.113.9", HTTP_FORWARDED="for=1", **headers)
    assert not {"HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED"} & set(
        from_client
    )
    from_proxy = _after_middleware(REMOTE_ADDR="10.0.0.5", **headers)
    assert from_proxy["HTTP_X_FORWARDED_PROTO"] == "https"
    assert from_proxy["HTTP_X_FORWARDED_FOR"] == "6.6.6.6"


def test_https_is_believed_only_from_a_trusted_proxy(settings, db):
    """With the production settings (HTTPS redirect behind a TLS proxy), a client talking to
    the published port directly cannot claim HTTPS: it is redirected; the proxy is not."""
    settings.TRUSTED_PROXIES = PROXIES
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tasks.example.com"]
    forged = Client(REMOTE_ADDR="203.0.113.9").get(
        "/accounts/login/", HTTP_HOST="tasks.example.com", HTTP_X_FORWARDED_PROTO="https"
    )
    assert forged.status_code == 301
    assert forged["Location"] == "https://tasks.example.com/accounts/login/"
    proxied = Client(REMOTE_ADDR="10.0.0.5").get(
        "/accounts/login/", HTTP_HOST="tasks.example.com", HTTP_X_FORWARDED_PROTO="https"
    )
    assert proxied.status_code == 200


def test_lockout_and_throttles_read_the_same_address(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.5"
    )
    settings.TRUSTED_PROXIES = ()
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXIES = PROXIES
    assert client_ip(request) == "203.0.113.7"


def test_gunicorn_trusts_the_same_proxies(monkeypatch):
    """gunicorn's own setting accepts the value (its validator, as when it starts)."""
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.5,172.16.0.0/12")
    config = runpy.run_path("portal/gunicorn.conf.py")
    setting = ForwardedAllowIPS()
    setting.set(config["forwarded_allow_ips"])
    assert setting.get() == ["10.0.0.5/32", "172.16.0.0/12"]
    monkeypatch.delenv("TRUSTED_PROXIES")
    config = runpy.run_path("portal/gunicorn.conf.py")
    setting.set(config["forwarded_allow_ips"])
    assert setting.get() == ["127.0.0.1/32", "::1/128"]
