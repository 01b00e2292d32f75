"""Admin password forms that also end the person's API sessions, like every other door."""

from unfold.forms import AdminOwnPasswordChangeForm, AdminPasswordChangeForm

from portal.accounts.services import refresh_tokens_revoke


class _RevokesTokens:
    def save(self, commit=True):
        user = super().save(commit)
        if commit:
            refresh_tokens_revoke(user=user)
        return user


class OwnPasswordChangeForm(_RevokesTokens, AdminOwnPasswordChangeForm):
    """A person changes their own password in the admin."""


class SetPasswordForm(_RevokesTokens, AdminPasswordChangeForm):
    """An administrator sets someone's password in the admin."""
