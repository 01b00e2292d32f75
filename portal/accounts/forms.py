"""Account forms: admin password forms that also end the person's API sessions, and the
sign-up page's form that answers a lost race for a name with the form, not a 500."""

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.response import TemplateResponse
from unfold.forms import AdminOwnPasswordChangeForm, AdminPasswordChangeForm

from portal.accounts.models import EMAIL_TAKEN
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


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form. Two people signing up for one name (or one email) at the same
    moment both pass the checks; the database refuses the second, who gets the form back with
    the username rule's message instead of a server error."""

    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            field, messages = self._lost_race()
            self.add_error(field, messages)
            template = f"account/signup.{app_settings.TEMPLATE_EXTENSION}"
            return None, TemplateResponse(request, template, {"form": self}, status=200)

    def _lost_race(self) -> tuple[str, list[str]]:
        # The checks now see the winner's row and say which value was taken.
        try:
            get_adapter().clean_username(self.cleaned_data.get("username") or "")
        except ValidationError as exc:
            return "username", exc.messages
        return "email", [EMAIL_TAKEN]
