import pytest

from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory, TeamFactory, UserFactory

# Tests that start servers, clusters or whole stacks as processes run one after another in one
# test process when the suite runs in parallel (`--dist loadgroup`): two of them at once on a
# small machine would only wait for each other's CPU and trip their own deadlines.
PROCESS_MARKERS = {"cluster", "load"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        marked = PROCESS_MARKERS & {mark.name for mark in item.iter_markers()}
        if marked or item.path.parent.name == "deploy":
            item.add_marker(pytest.mark.xdist_group("processes"))


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


@pytest.fixture
def filter_world(team, other_team, lead, member, member2, viewer, outsider):
    """Tasks covering every task filter: the same table is checked at every door."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.tasks.services import task_create

    now = timezone.now()
    billing = TagFactory(name="billing")

    def make(title, **fields):
        return task_create(actor=member, team=team, title=title, **fields)

    rows = {
        "late": make(
            "Late invoice",
            priority="urgent",
            due_date=now - timedelta(days=1),
            assignees=[member],
            tags=[billing],
        ),
        "soon": make(
            "Soon report",
            status="in_progress",
            priority="high",
            due_date=now + timedelta(days=3),
            assignees=[member2],
        ),
        "nodate": make("No date", status="blocked", priority="low"),
        "done": make(
            "Done cleanup", status="done", due_date=now - timedelta(days=2), assignees=[member2]
        ),
        "old": make(
            "Archived thing",
            description="printer",
            due_date=now - timedelta(days=1),
            assignees=[member],
            is_archived=True,
        ),
    }
    rows["child"] = make("Child of late", parent=rows["late"], due_date=now + timedelta(days=10))
    rows["foreign"] = task_create(
        actor=outsider, team=other_team, title="Secret plan", assignees=[outsider]
    )
    rows["now"] = now
    return rows


@pytest.fixture
def sheet_world(team, other_team, lead, member, member2, viewer, outsider):
    """Tasks for the spreadsheet doors: assignees, tags, a parent, a formula-like title."""
    from datetime import datetime
    from decimal import Decimal

    from django.utils import timezone

    from portal.tasks.services import task_create

    infra, billing = TagFactory(name="infra"), TagFactory(name="billing")
    due = timezone.make_aware(datetime(2026, 12, 1, 17, 30))
    parent = task_create(
        actor=lead,
        team=team,
        title="Renew certificates",
        priority="high",
        due_date=due,
        estimated_hours=Decimal("2.5"),
        assignees=[member, member2],
        tags=[infra, billing],
    )
    child = task_create(
        actor=member, team=team, title='=HYPERLINK("x")', parent=parent, description="-1"
    )
    foreign = task_create(actor=outsider, team=other_team, title="Secret plan")
    return {"parent": parent, "child": child, "foreign": foreign, "infra": infra, "due": due}
