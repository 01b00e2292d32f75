"""Account changes go through the services, whichever door they come from."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from portal.accounts import services


def _revoked(user) -> int:
    return BlacklistedToken.objects.filter(token__user=user).count()


def test_deactivating_revokes_refresh_tokens(superuser, member):
    RefreshToken.for_user(member)
    RefreshToken.for_user(member)
    services.user_deactivate(actor=superuser, user=member)
    member.refresh_from_db()
    assert member.is_active is False
    assert _revoked(member) == 2


def test_other_changes_keep_the_sessions(superuser, member):
    RefreshToken.for_user(member)
    services.user_update(actor=superuser, user=member, first_name="Marcus")
    assert _revoked(member) == 0
    member.refresh_from_db()
    assert member.first_name == "Marcus"


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_administrators_change_other_accounts(people, member2, role):
    with pytest.raises(PermissionDenied) as exc:
        services.user_deactivate(actor=people[role], user=member2)
    assert str(exc.value) == services.DENIED_USER_ADMIN
    member2.refresh_from_db()
    assert member2.is_active is True
