"""Selectors never return other teams' data, and list queries stay constant as rows grow."""

import threading

import pytest
from django.db import close_old_connections, connection

from portal.tasks import selectors as sel
from portal.tasks.services import comment_add, task_create
from portal.teams.selectors import teams_visible_to, users_visible_to
from tests.factories import TagFactory, TaskFactory


@pytest.fixture
def two_teams(team, other_team, lead, member, outsider, superuser):
    mine = task_create(actor=member, team=team, title="ours", assignees=[member])
    theirs = task_create(actor=outsider, team=other_team, title="theirs", assignees=[outsider])
    comment_add(actor=member, task=mine, body="ours")
    comment_add(actor=outsider, task=theirs, body="theirs")
    return mine, theirs


def test_tasks_scoped_to_teams(two_teams, member, viewer, outsider, superuser, db):
    mine, theirs = two_teams
    assert list(sel.tasks_visible_to(fetched_by=member)) == [mine]
    assert list(sel.tasks_visible_to(fetched_by=viewer)) == [mine]
    assert list(sel.tasks_visible_to(fetched_by=outsider)) == [theirs]
    assert set(sel.tasks_visible_to(fetched_by=superuser)) == {mine, theirs}
    assert [c.body for c in sel.comments_visible_to(fetched_by=member)] == ["ours"]


def test_people_and_teams_scoped(two_teams, member, lead, outsider, team):
    assert set(users_visible_to(fetched_by=member).values_list("username", flat=True)) == {
        "member",
        "lead",
    }
    assert list(teams_visible_to(fetched_by=member)) == [team]
    assert "outsider" not in set(
        users_visible_to(fetched_by=lead).values_list("username", flat=True)
    )


def test_anonymous_and_inactive_see_nothing(two_teams, member, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not sel.tasks_visible_to(fetched_by=AnonymousUser()).exists()
    member.is_active = False
    member.save()
    fresh = django_user_model.objects.get(pk=member.pk)
    assert not sel.tasks_visible_to(fetched_by=fresh).exists()


def test_tags_scoped(two_teams, member, outsider):
    _mine, theirs = two_teams
    secret = TagFactory(name="secret-project")
    theirs.tags.add(secret)
    unused = TagFactory(name="unused")
    visible = set(sel.tags_visible_to(fetched_by=member))
    assert unused in visible and secret not in visible


def test_search_by_key(two_teams, member):
    mine, _ = two_teams
    assert list(sel.tasks_visible_to(fetched_by=member).search("ops-1")) == [mine]
    assert list(sel.tasks_visible_to(fetched_by=member).search("DES-1")) == []


def _grow(team, member, n):
    tags = [TagFactory() for _ in range(3)]
    start = team.tasks.count()
    for i in range(n):
        task = TaskFactory(team=team, number=start + i + 1000, created_by=member)
        task.assignees.add(member)
        task.tags.add(*tags)


def test_list_query_count_constant(team, member, django_assert_num_queries):
    def count_queries():
        # user + roles + tasks + assignees and tags prefetches
        with django_assert_num_queries(5):
            fresh = type(member).objects.get(pk=member.pk)
            rows = list(sel.tasks_visible_to(fetched_by=fresh)[:100])
            for t in rows:
                _ = (
                    t.key,
                    t.team.name,
                    [a.username for a in t.assignees.all()],
                    list(t.tags.all()),
                )
                _ = t.created_by and t.created_by.username
        return len(rows)

    _grow(team, member, 5)
    assert count_queries() == 5
    _grow(team, member, 60)
    assert count_queries() == 65


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so there is no race to test",
)
@pytest.mark.django_db(transaction=True)
def test_numbers_unique_under_concurrency(team, member):
    errors, barrier = [], threading.Barrier(8)

    def worker(i):
        try:
            barrier.wait()
            for j in range(5):
                task_create(actor=member, team=team, title=f"t{i}-{j}")
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(team.tasks.values_list("number", flat=True))
    assert numbers == list(range(1, 41))


def test_task_ids_by_key_finds_only_tasks_the_person_may_see(team, other_team, member, outsider):
    mine = task_create(actor=member, team=team, title="mine")
    theirs = task_create(actor=outsider, team=other_team, title="theirs")
    found = sel.task_ids_by_key(
        fetched_by=member, keys={"OPS-1", "DES-1", "OPS-99", "nonsense", "ops-1"}
    )
    assert found == {"OPS-1": mine.pk}
    assert sel.task_ids_by_key(fetched_by=outsider, keys={"DES-1"}) == {"DES-1": theirs.pk}
    assert sel.task_ids_by_key(fetched_by=member, keys=set()) == {}


def test_task_comments_are_the_visible_ones_oldest_first(team, lead, member, outsider):
    from portal.tasks.selectors import task_comments
    from portal.tasks.services import comment_add, task_create

    task = task_create(actor=lead, team=team, title="Talked about")
    first = comment_add(actor=member, task=task, body="first")
    second = comment_add(actor=lead, task=task, body="second")
    # Same moment: the id keeps the order stable.
    type(first).objects.filter(pk=second.pk).update(created_at=first.created_at)

    assert list(task_comments(fetched_by=member, task=task)) == [first, second]
    assert list(task_comments(fetched_by=outsider, task=task)) == []
