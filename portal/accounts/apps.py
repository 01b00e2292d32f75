from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset

        from portal.accounts import checks  # noqa: F401 (registers the username check)
        from portal.accounts.receivers import revoke_api_sessions

        # A new password set on the account pages signs the person's API clients out too
        # (the API's own password endpoints call the same service directly).
        password_changed.connect(revoke_api_sessions, dispatch_uid="portal-revoke-on-change")
        password_reset.connect(revoke_api_sessions, dispatch_uid="portal-revoke-on-reset")
