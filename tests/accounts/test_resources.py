"""The people sheet: no passwords out, unusable passwords in, administrators only."""

from portal.accounts.models import EMAIL_TAKEN, User
from portal.accounts.resources import UserResource
from portal.accounts.services import DENIED_USER_ADMIN
from portal.teams.resources import users_for_sheet
from tests.sheets import export_bytes, import_rows, problems


def test_exports_never_contain_passwords(sheet_world, superuser):
    content = export_bytes(UserResource(), users_for_sheet(superuser), "csv").decode()
    assert "password" not in content.lower()
    assert all(u.password not in content for u in User.objects.all())


def test_people_see_only_people_of_their_teams(sheet_world, outsider):
    names = {row[0] for row in UserResource().rows(users_for_sheet(outsider))}
    assert names == {"outsider"}


def test_superuser_adds_people_with_an_unusable_password(sheet_world, superuser):
    rows = [["username", "email", "first_name"], ["newbie", "NEWBIE@example.com", "New"]]
    result = import_rows(UserResource(), superuser, rows)
    assert result.counts()["new"] == 1
    newbie = User.objects.get(username="newbie")
    assert not newbie.has_usable_password()
    assert (newbie.email, newbie.is_active) == ("newbie@example.com", True)


def test_superuser_changes_and_deactivates(sheet_world, superuser, member):
    rows = [["username", "last_name", "is_active"], ["MEMBER", "Smith", "no"]]
    result = import_rows(UserResource(), superuser, rows)
    assert result.counts()["updated"] == 1
    member.refresh_from_db()
    assert (member.last_name, member.is_active) == ("Smith", False)


def test_others_may_not_import_people(sheet_world, lead):
    result = import_rows(UserResource(), lead, [["username", "last_name"], ["member", "X"]])
    assert problems(result) == [(2, "username", DENIED_USER_ADMIN)]


def test_email_taken(sheet_world, superuser):
    result = import_rows(
        UserResource(), superuser, [["username", "email"], ["x", "LEAD@example.com"]]
    )
    assert [p.message for p in result.problems] == [EMAIL_TAKEN]
