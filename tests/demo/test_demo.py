from django.core.management import call_command
from django.utils import timezone

from portal.accounts.models import User
from portal.tasks.models import Task
from portal.teams.models import Membership, Team


def test_demo_loads_once_and_is_realistic(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "admin / Admin-pass-2026!" in out
    counts = (Team.objects.count(), User.objects.count(), Task.objects.count())
    call_command("demo")
    assert "already present" in capsys.readouterr().out
    assert (Team.objects.count(), User.objects.count(), Task.objects.count()) == counts
    assert counts[0] == 3 and counts[2] >= 150

    assert User.objects.get(username="admin").is_superuser
    assert set(Task.objects.values_list("status", flat=True)) == {
        "todo",
        "in_progress",
        "blocked",
        "done",
    }
    assert set(Membership.objects.values_list("role", flat=True)) == {"lead", "member", "viewer"}
    assert Membership.objects.filter(user__username="priya").count() == 2
    assert Task.objects.overdue().exists()
    assert Task.objects.filter(due_date__gt=timezone.now()).exists()
    assert Task.objects.filter(is_archived=True).exists()
    assert Task.objects.exclude(parent=None).exists()
    # every demo task has a "created" history record and the numbers continue after the demo
    assert Task.history.filter(history_type="+").count() == Task.objects.count()
    ops = Team.objects.get(key="OPS")
    assert ops.last_task_number == ops.tasks.order_by("-number").first().number
    assert User.objects.get(username="olivia").check_password("Demo-pass-2026!")


def test_demo_names_the_address_the_portal_is_started_on(db, capsys):
    from tests.factories import TeamFactory

    TeamFactory()  # demo data "present": only the logins are printed
    call_command("demo", url="http://127.0.0.1:9123/")
    out = capsys.readouterr().out
    # The team pages first, then the admin.
    assert out.index("Team pages  -> http://127.0.0.1:9123/\n") < out.index(
        "Admin       -> http://127.0.0.1:9123/admin/\n"
    )
    assert ":8000" not in out


def test_a_demo_persons_first_sign_in_has_no_hash_to_upgrade(db, settings):
    """The fixtures' PBKDF2 hashes are made again with the first hasher, so a first sign-in
    writes no new hash, which would end the person's other sessions (two browsers, or the
    load test's users signing the same person in at once)."""
    from django.contrib.auth.hashers import get_hasher, identify_hasher

    settings.PASSWORD_HASHERS = [
        "portal.accounts.hashers.PortalArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    call_command("demo")
    people = User.objects.exclude(username="admin")
    assert people.count() == 12
    first = get_hasher()
    for person in people:
        hasher = identify_hasher(person.password)
        assert hasher.algorithm == first.algorithm, person.username
        assert not hasher.must_update(person.password), person.username
        before = person.password
        assert person.check_password("Demo-pass-2026!")
        person.refresh_from_db()
        assert person.password == before, person.username  # nothing was upgraded
