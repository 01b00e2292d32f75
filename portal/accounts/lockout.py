"""Who a failed login was aimed at, for django-axes' per-account lockout."""

from django.contrib.auth import get_user_model

# Field names the login doors post: allauth ("login"), admin and API ("username", "email").
LOGIN_FIELDS = ("username", "email", "login")
LOCKOUT_KEY_LENGTH = 255  # axes' AccessAttempt.username


def username_for_lockout(request, credentials: dict | None) -> str | None:
    """One lower-case key per account, whether the person typed the username or the email.

    Without this, alternating "Olivia", "olivia" and "olivia@example.com" would spread the
    failures over three counters.
    """
    value = None
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for name in LOGIN_FIELDS:
            if source.get(name):
                value = source[name]
                break
        if value:
            break
    if not isinstance(value, str) or not value.strip():
        return None
    # axes stores the key in a 255-character column; PostgreSQL refuses longer text and NUL.
    value = value.replace("\x00", "").strip().lower()[:LOCKOUT_KEY_LENGTH]
    if "@" in value:
        username = (
            get_user_model()
            .objects.filter(email__iexact=value)
            .values_list("username", flat=True)
            .first()
        )
        if username:
            return username.lower()
    return value


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies.

    Only the hops added by our own proxies are trusted; anything further left was written by
    the client and could be forged to dodge the per-address lockout.
    """
    from django.conf import settings

    meta = request.META
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return meta.get("REMOTE_ADDR")
