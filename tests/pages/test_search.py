"""Search from the header: a key jumps to its task, words list matches grouped by team."""

import pytest
from django.core.exceptions import ValidationError

from portal.core.middleware import QUERY_NUL
from portal.pages.views.search import (
    NO_KEY,
    NOTHING_FOUND,
    SEARCH_EMPTY,
    SEARCH_TOO_LONG,
)
from portal.tasks.selectors import SEARCH_MAX_LENGTH, SEARCH_PER_TEAM, task_search_by_team
from portal.tasks.services import task_create, task_update
from portal.teams.models import Role
from tests.factories import MembershipFactory
from tests.pages.conftest import count_queries, make_tasks

pytestmark = pytest.mark.django_db
SEARCH = "/search/"


@pytest.fixture
def found(team, other_team, member, outsider):
    MembershipFactory(user=member, team=other_team, role=Role.VIEWER)
    return {
        "ops": task_create(actor=member, team=team, title="Rotate the backup keys"),
        "ops2": task_create(
            actor=member, team=team, title="Plan", description="Check the backup first"
        ),
        "des": task_create(actor=outsider, team=other_team, title="Backup of the logo files"),
        "other": task_create(actor=member, team=team, title="Unrelated"),
    }


def test_the_header_of_every_team_page_has_the_search_box(client, team, member):
    client.force_login(member)
    for path in ("/teams/", "/teams/operations/", "/teams/operations/activity/", SEARCH):
        html = client.get(path).content.decode()
        assert 'role="search"' in html and 'id="site-search"' in html, path
        assert f'maxlength="{SEARCH_MAX_LENGTH}"' in html and 'aria-keyshortcuts="/"' in html


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(f"{SEARCH}?q=OPS-1")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("typed", ["OPS-1", "ops-1", "  Ops-1 "])
def test_a_key_in_any_case_jumps_to_the_task(client, found, member, typed):
    client.force_login(member)
    response = client.get(SEARCH, {"q": typed})
    assert response.status_code == 302 and response["Location"] == "/teams/operations/tasks/1/"


def test_a_key_jumps_to_an_archived_task_too(client, found, member):
    task_update(actor=member, task=found["other"], is_archived=True)
    client.force_login(member)
    response = client.get(SEARCH, {"q": "OPS-3"})
    assert response["Location"] == "/teams/operations/tasks/3/"


def test_words_find_titles_and_descriptions_grouped_by_team(client, found, member):
    client.force_login(member)
    response = client.get(SEARCH, {"q": "BACKUP"})
    assert response.status_code == 200
    groups = response.context["groups"]
    # Teams in name order (Design, Operations); the latest changed first inside a team.
    assert [g["team"]["key"] for g in groups] == ["DES", "OPS"]
    assert [row["title"] for row in groups[1]["tasks"]] == ["Plan", "Rotate the backup keys"]
    assert [g["total"] for g in groups] == [1, 2]
    html = response.content.decode()
    assert 'href="/teams/operations/tasks/2/"' in html and "Unrelated" not in html
    assert 'href="/teams/operations/tasks/?search=BACKUP"' in html
    assert 'value="BACKUP"' in html  # the header's box keeps the search


def test_each_team_shows_a_few_and_links_to_all_in_its_list(client, team, member):
    make_tasks(team, member, SEARCH_PER_TEAM + 3, status="todo")
    client.force_login(member)
    response = client.get(SEARCH, {"q": "bulk"})
    (group,) = response.context["groups"]
    assert len(group["tasks"]) == SEARCH_PER_TEAM and group["total"] == SEARCH_PER_TEAM + 3
    assert f"Show all {SEARCH_PER_TEAM + 3} in Operations" in response.content.decode()


def test_an_outsider_finds_nothing_of_other_teams(client, found, outsider):
    client.force_login(outsider)
    response = client.get(SEARCH, {"q": "OPS-1"})
    # Not a redirect: the key is answered like a key that does not exist.
    assert response.status_code == 200
    assert NO_KEY.format(key="OPS-1") in response.content.decode()
    response = client.get(SEARCH, {"q": "backup"})
    assert [g["team"]["key"] for g in response.context["groups"]] == ["DES"]
    html = response.content.decode()
    assert "Rotate the backup keys" not in html and "/teams/operations/" not in html


def test_a_key_of_no_task_says_so_and_lists_tasks_that_mention_it(client, found, member):
    task_create(actor=member, team=found["ops"].team, title="Follow up on OPS-99")
    client.force_login(member)
    response = client.get(SEARCH, {"q": "ops-99"})
    html = response.content.decode()
    assert NO_KEY.format(key="OPS-99") in html and "Follow up on OPS-99" in html


def test_archived_tasks_are_left_out_of_word_results(client, found, member):
    task_update(actor=member, task=found["ops"], is_archived=True)
    client.force_login(member)
    response = client.get(SEARCH, {"q": "rotate"})
    assert response.context["groups"] == []
    assert NOTHING_FOUND in response.content.decode()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({}, 200, SEARCH_EMPTY),
        ({"q": ""}, 200, SEARCH_EMPTY),
        ({"q": "   "}, 200, SEARCH_EMPTY),
        ({"q": "x" * (SEARCH_MAX_LENGTH + 1)}, 400, SEARCH_TOO_LONG),
        ({"q": "x" * 100_000}, 400, SEARCH_TOO_LONG),
        # The portal refuses NUL in any address before the page is asked.
        ({"q": "back\x00up"}, 400, QUERY_NUL),
        ({"q": "\x00"}, 400, QUERY_NUL),
    ],
)
def test_hostile_or_empty_searches_get_a_message_never_an_error(
    client, found, member, query, status, message
):
    client.force_login(member)
    response = client.get(SEARCH, query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_selector_refuses_what_the_filter_set_refuses(found, member):
    with pytest.raises(ValidationError):
        task_search_by_team(fetched_by=member, text="back\x00up")


@pytest.mark.parametrize(
    "query", ["%", "_", "'; DROP TABLE tasks_task; --", "<script>alert(1)</script>", "🙂", "\\"]
)
def test_odd_characters_are_searched_for_as_text(client, found, member, query):
    client.force_login(member)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_needs_get(client, member):
    client.force_login(member)
    assert client.post(SEARCH, {"q": "x"}).status_code == 405


def test_search_queries_do_not_grow_with_matches(
    client, team, other_team, member, django_assert_max_num_queries
):
    MembershipFactory(user=member, team=other_team, role=Role.MEMBER)
    client.force_login(member)
    make_tasks(team, member, 10)
    make_tasks(other_team, member, 10)
    url = f"{SEARCH}?q=bulk"
    # session, person, roles, header teams, admin permissions (2), the header bell's unread
    # count, the search itself.
    small, response = count_queries(client, url, django_assert_max_num_queries, limit=8)
    assert [g["total"] for g in response.context["groups"]] == [10, 10]
    make_tasks(team, member, 10_000)
    large, response = count_queries(client, url, django_assert_max_num_queries, limit=8)
    assert [g["total"] for g in response.context["groups"]] == [10, 10_010]
    assert small == large
