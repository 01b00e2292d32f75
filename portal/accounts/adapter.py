from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from portal.accounts.lockout import client_ip
from portal.accounts.usernames import normalize_username, username_ensure_free

NO_CLIENT_ADDRESS = "Unable to determine the client's address."


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up can be switched off with ACCOUNT_ALLOW_SIGNUP=false."""

    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """The username rule (portal/accounts/usernames.py) for the sign-up page and the API's
        registration; the name comes back in the form it is stored in."""
        # allauth's own checks: the model field's validators and ACCOUNT_USERNAME_BLACKLIST.
        username = super().clean_username(normalize_username(username), shallow=True)
        if not shallow:
            username_ensure_free(username)
        return username

    def get_client_ip(self, request) -> str:
        # allauth's rate limits count per address: the same address the lockout uses, so
        # behind TRUSTED_PROXIES every client is not the proxy's one address.
        address = client_ip(request)
        if not address:
            raise PermissionDenied(NO_CLIENT_ADDRESS)
        return address
