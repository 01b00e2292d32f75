"""HTTPS behind a proxy, cookies, security headers and the Content-Security-Policy.

Production (DEBUG off) defaults are the safe ones; each can be turned off by its variable
(e.g. to try the compose stack over plain HTTP). See docs/operations.md.
"""

from csp.constants import NONCE

from portal.core.proxies import DEFAULT_TRUSTED_PROXIES, parse_trusted_proxies
from portal.env import env
from portal.settings.core import DEBUG

# The proxies whose X-Forwarded-Proto/-For are believed (portal/core/proxies.py): addresses or
# networks, comma-separated. From any other peer those headers are dropped.
TRUSTED_PROXIES = parse_trusted_proxies(env.str("TRUSTED_PROXIES", default=DEFAULT_TRUSTED_PROXIES))
# The TLS proxy in front must set X-Forwarded-Proto (and overwrite any the client sent).
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4). Only this origin; no inline scripts except those
# carrying the per-response nonce (the API docs' start-up scripts, templates/drf_spectacular/).
# The admin's Alpine.js evaluates x-data/@click expressions with `new Function`, which needs
# 'unsafe-eval'; unfold, Swagger UI and ReDoc set inline styles, which need 'unsafe-inline'
# for styles (not scripts). ReDoc runs its search index in a blob: worker; its Redocly logo
# from cdn.redoc.ly is never requested (static/portal/redoc-offline.js), so no third party.
_csp = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
