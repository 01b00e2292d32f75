"""Test settings: only what tests must change. DATABASE_URL / REDIS_URL still apply."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import STORAGES

# Fast hashing for users made in tests; PBKDF2 still checks the demo fixtures' hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The manifest storage needs collectstatic; tests use plain storage.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
