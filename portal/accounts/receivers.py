from portal.accounts.services import refresh_tokens_revoke


def revoke_api_sessions(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        refresh_tokens_revoke(user=user)
