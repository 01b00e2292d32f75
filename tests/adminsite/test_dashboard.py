"""The admin dashboard counts only the person's teams, with a constant number of queries."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal.reports import selectors
from portal.tasks.models import Status, Task
from portal.tasks.services import task_archive, task_create, task_update


def test_kpis_scoped_and_correct(team, other_team, member, outsider):
    now = timezone.now()
    task_create(actor=member, team=team, title="late", due_date=now - timedelta(days=1))
    task_create(actor=member, team=team, title="soon", due_date=now + timedelta(days=2))
    done = task_create(actor=member, team=team, title="done", assignees=[member])
    task_update(actor=member, task=done, status=Status.DONE)
    task_create(actor=outsider, team=other_team, title="x", due_date=now - timedelta(days=1))
    assert selectors.kpis(fetched_by=member, now=now) == {
        "open": 2,
        "overdue": 1,
        "due_soon": 1,
        "done_recently": 1,
    }
    flow = selectors.created_vs_done(fetched_by=member, days=30, now=now)
    assert sum(flow["created"]) == 3 and sum(flow["done"]) == 1 and len(flow["labels"]) == 30
    assert selectors.open_by_status(fetched_by=member) == {
        "To do": 2,
        "In progress": 0,
        "Blocked": 0,
    }


def test_dashboard_page(client, team, member, lead, django_assert_max_num_queries):
    task_create(actor=member, team=team, title="Mine", assignees=[member])
    client.force_login(member)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("admin:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-kpi="open">1<' in body
    assert "OPS-1" in body  # my tasks
    assert "unfold/js/chart/chart.js" in body  # charts from unfold's own static files


def test_cards_open_lists_that_match_their_numbers(client, team, member):
    now = timezone.now()
    task_create(actor=member, team=team, title="late", due_date=now - timedelta(days=1))
    task_create(actor=member, team=team, title="soon", due_date=now + timedelta(days=2))
    task_create(actor=member, team=team, title="later", due_date=now + timedelta(days=20))
    task_create(actor=member, team=team, title="done now", status=Status.DONE)
    old = task_create(actor=member, team=team, title="done long ago", status=Status.DONE)
    Task.objects.filter(pk=old.pk).update(completed_at=now - timedelta(days=10))
    shelved = task_create(actor=member, team=team, title="done, archived", status=Status.DONE)
    task_archive(actor=member, task=shelved)
    client.force_login(member)
    cards = {c["title"]: c for c in client.get(reverse("admin:index")).context["kpi_cards"]}
    expected = {
        "Open": {"late", "soon", "later"},
        "Overdue": {"late"},
        "Due in 7 days": {"soon"},
        "Done in 7 days": {"done now", "done, archived"},
    }
    assert set(cards) == set(expected)
    # The cards link with the filter set's own words, not a restatement of them.
    assert cards["Open"]["href"].endswith("?open=true")
    assert cards["Due in 7 days"]["href"].endswith("?due_within=7")
    for title, titles in expected.items():
        listing = client.get(cards[title]["href"])
        assert listing.status_code == 200
        rows = {t.title for t in listing.context["cl"].result_list}
        assert rows == titles, title
        assert cards[title]["value"] == len(titles), title


def test_charts_show_axis_values_a_legend_and_bar_values(client, team, member):
    task_create(actor=member, team=team, title="Mine", assignees=[member])
    client.force_login(member)
    context = client.get(reverse("admin:index")).context
    flow, status, workload = (
        json.loads(context[f"{name}_options"]) for name in ("flow", "status", "workload")
    )
    # the two lines are told apart by a legend; the bars carry their numbers
    assert flow["plugins"]["legend"]["display"] is True
    assert status["plugins"]["barValues"]["display"] is True
    assert workload["plugins"]["barValues"]["display"] is True
    # counts on the value axis (whole numbers from zero); workload's bars lie horizontally
    for options, axis in ((flow, "y"), (status, "y"), (workload, "x")):
        ticks = options["scales"][axis]["ticks"]
        assert ticks.get("display", True) and ticks["precision"] == 0
        assert options["scales"][axis]["beginAtZero"] is True
    assert workload["indexAxis"] == "y"
    # every person and status is named; the 30 days show a few dates
    assert workload["scales"]["y"]["ticks"]["autoSkip"] is False
    assert status["scales"]["x"]["ticks"]["autoSkip"] is False
    assert flow["scales"]["x"]["ticks"]["autoSkip"] is True


def test_cards_draw_their_icons_inside(client, team, member):
    client.force_login(member)
    body = client.get(reverse("admin:index")).content.decode()
    kpis = body[body.index('id="kpis"') : body.index("</a>", body.rindex('class="portal-kpi '))]
    assert kpis.count('class="portal-kpi-icon') == 4
    assert "-left-6" not in kpis  # unfold's card icon, hung half outside the card
