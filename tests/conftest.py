import pytest

from portal.teams.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Operations", slug="operations", key="OPS")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Design", slug="design", key="DES")


def _person(team, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def lead(team):
    return _person(team, Role.LEAD, "lead")


@pytest.fixture
def member(team):
    return _person(team, Role.MEMBER, "member")


@pytest.fixture
def member2(team):
    return _person(team, Role.MEMBER, "member2")


@pytest.fixture
def viewer(team):
    return _person(team, Role.VIEWER, "viewer")


@pytest.fixture
def outsider(other_team):
    return _person(other_team, Role.LEAD, "outsider")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def people(lead, member, member2, viewer, outsider, superuser):
    return {
        "lead": lead,
        "member": member,
        "member2": member2,
        "viewer": viewer,
        "outsider": outsider,
        "superuser": superuser,
    }
