from allauth.account import app_settings
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from axes.backends import AxesStandaloneBackend

from portal.accounts.usernames import user_by_username


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login door that passes the request.

    Logins without a request (the test client's `login()`, the shell) do not come from a
    network client, so there is nothing to count or lock; the next backend decides.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AuthenticationBackend(AllauthBackend):
    """allauth's login by username or email, where one login string names one account.

    A login with "@" is an email address and is checked against emails only; anything else
    against usernames only, under the username rule (no "@" in usernames, look-alike names
    are one name). allauth itself tries a username that looks like an email both ways.
    """

    def _authenticate(self, request, **credentials):
        login = credentials.pop("username", None)
        if login:
            password = credentials.get("password") or ""
            if "@" in login:
                return self._authenticate_by_email(login, password)
            return self._authenticate_by_username(login, password)
        return super()._authenticate(request, **credentials)

    def _authenticate_by_username(self, username, password):
        if app_settings.LoginMethod.USERNAME not in app_settings.LOGIN_METHODS:
            return None
        return self._check_password(user_by_username(username), password)
