"""Request rates per client, read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at call time.

The client address comes from the same helper as the login lockout, so a forged
X-Forwarded-For header does not give an attacker a fresh allowance.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from portal.accounts.lockout import client_ip


class _RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    pass


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    pass


class _PerClientThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Counted per client address whether or not the caller is signed in."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(_PerClientThrottle):
    scope = "login"


class RegistrationThrottle(_PerClientThrottle):
    scope = "registration"


class PasswordResetThrottle(_PerClientThrottle):
    scope = "password_reset"
