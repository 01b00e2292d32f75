"""People and signing in: the user model, password rules, allauth, and django-axes' lockout."""

from datetime import timedelta

from portal.env import env

AUTH_USER_MODEL = "accounts.User"
# Argon2id first (portal/accounts/hashers.py); the others verify older hashes, which are
# upgraded to Argon2id when their owner next signs in.
PASSWORD_HASHERS = [
    "portal.accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses logins while a client or account is cooling off.
    "portal.accounts.backends.LockoutBackend",
    # allauth's backend logs in by username or email (admin and API too); the portal's
    # subclass lets one login string name one account (portal/accounts/usernames.py).
    "portal.accounts.backends.AuthenticationBackend",
]
# One set of password rules for every door (admin, allauth, API).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.CharacterClassValidator"},
    {"NAME": "portal.accounts.validators.NotContainingUsernameValidator"},
]
LOGIN_URL = "/accounts/login/"
# After signing in (allauth): where `next` says, otherwise the front door, which sends people to
# their teams and an administrator without a team to the admin (portal/pages/views/home.py), so
# signing in and opening / land on the same page.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- allauth ----------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="none")
# Closed by default: people join by invitation from a team lead (docs/team-pages.md).
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
# A sign-up that loses a race for its name gets the form back (portal/accounts/forms.py).
ACCOUNT_FORMS = {"signup": "portal.accounts.forms.SignupForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Failed logins are limited by django-axes for every door (below); allauth keeps its other limits.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# --- Brute-force protection (django-axes): admin, allauth and API logins ------------------
# A right password is refused only because of failures that could be the person's own
# (portal/accounts/lockout.py, docs/api.md):
# - AXES_FAILURE_LIMIT failures for one account from one address lock that pair;
# - LOCKOUT_ADDRESS_FAILURE_LIMIT failures from one address (any accounts) lock that address;
# - from LOCKOUT_ACCOUNT_DELAY_AFTER failures of an account (all addresses), an address that
#   failed on it waits 1 s, 2 s, 4 s, ... (at most LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS) after
#   each failure before trying that account again. The account itself is never locked.
# Locks last AXES_COOLOFF_MINUTES; failures older than that no longer count.
AXES_HANDLER = "portal.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOCKOUT_ADDRESS_FAILURE_LIMIT = env.int("LOCKOUT_ADDRESS_FAILURE_LIMIT", default=100)
LOCKOUT_ACCOUNT_DELAY_AFTER = env.int("LOCKOUT_ACCOUNT_DELAY_AFTER", default=10)
LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS = env.int(
    "LOCKOUT_ACCOUNT_DELAY_MAX_SECONDS", default=int(AXES_COOLOFF_TIME.total_seconds())
)
# Attempts during a lockout do not extend it, so nobody can keep an account locked for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success clears that account's failures at that address (not the address's other ones).
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.username_for_lockout"
# No start-up banner (it was printed once per process: web, reloader, each worker).
AXES_VERBOSE = False
# The page doors' 429 answer says which rule refused and for how long (the API's says the same).
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
# The client's address (behind TRUSTED_PROXIES, from X-Forwarded-For): portal/core/proxies.py.
AXES_CLIENT_IP_CALLABLE = "portal.accounts.lockout.client_ip"

# --- invitations (portal/teams/invitations.py) ---------------------------------------------
# Invitations a lead may send (or send again) per hour; administrators are not limited.
INVITATIONS_PER_HOUR = env.int("INVITATIONS_PER_HOUR", default=20)
