"""A person's email choices in the admin: the team pages' form and service, for
administrators (anyone) and for the person themselves."""

import pytest
from django.urls import reverse

from portal.adminsite.users import PREFERENCES_SAVED
from portal.notifications.kinds import DEFAULT_DELIVERY, Delivery, Kind
from portal.notifications.models import Preference
from portal.notifications.selectors import preferences_of

pytestmark = pytest.mark.django_db


def url(user):
    return reverse("admin:accounts_user_email_preferences", args=[user.pk])


def choices(**changes):
    return {**{k: v for k, v in DEFAULT_DELIVERY.items()}, **changes}


def test_an_administrator_sets_someones_choices(client, superuser, member):
    client.force_login(superuser)
    change = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert f'href="{url(member)}"' in change
    assert "You were mentioned: email at once" in change  # the choices, read-only
    page = client.get(url(member))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="commented" value="digest"' in html and "checked" in html
    response = client.post(
        url(member), choices(commented=Delivery.NEVER, assigned=Delivery.DIGEST), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:accounts_user_change", args=[member.pk])
    assert PREFERENCES_SAVED.format(name="member") in response.content.decode()
    assert preferences_of(member)[Kind.COMMENTED] == Delivery.NEVER
    assert preferences_of(member)[Kind.ASSIGNED] == Delivery.DIGEST
    assert "A comment on a task you watch: no email" in response.content.decode()


def test_a_bad_choice_is_a_form_error_not_a_save(client, superuser, member):
    client.force_login(superuser)
    response = client.post(url(member), choices(commented="sometimes"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()


def test_people_choose_for_themselves_only(client, member, member2):
    client.force_login(member)
    assert client.get(url(member)).status_code == 200
    client.post(url(member), choices(status=Delivery.IMMEDIATELY))
    assert preferences_of(member)[Kind.STATUS] == Delivery.IMMEDIATELY
    assert client.get(url(member2)).status_code == 403
    assert client.post(url(member2), choices(status=Delivery.NEVER)).status_code == 403
    assert not Preference.objects.filter(user=member2).exists()


def test_unknown_people_are_404(client, superuser):
    client.force_login(superuser)
    assert (
        client.get(reverse("admin:accounts_user_email_preferences", args=[99999])).status_code
        == 404
    )
    assert client.get("/admin/accounts/user/12x/email_preferences/").status_code in (403, 404)
