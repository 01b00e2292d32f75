from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from portal.accounts.lockout import client_ip

NO_CLIENT_ADDRESS = "Unable to determine the client's address."


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up can be switched off with ACCOUNT_ALLOW_SIGNUP=false."""

    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_client_ip(self, request) -> str:
        # allauth's rate limits count per address: the same address the lockout uses, so
        # behind TRUSTED_PROXY_COUNT proxies every client is not the proxy's one address.
        address = client_ip(request)
        if not address:
            raise PermissionDenied(NO_CLIENT_ADDRESS)
        return address
