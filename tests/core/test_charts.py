"""The charts' data and options come from one module, whichever door draws them."""

import json

from django.urls import reverse

from portal.core.charts import chart_data, compact_options, series, titled_options
from portal.tasks.services import task_create


def test_series_and_data():
    data = json.loads(chart_data(["a", "b"], series("Open", [1, 2], "#000", line=True)))
    assert data == {
        "labels": ["a", "b"],
        "datasets": [
            {
                "label": "Open",
                "data": [1, 2],
                "backgroundColor": "#000",
                "borderColor": "#000",
                "fill": False,
                "tension": 0.2,
                "spanGaps": True,
            }
        ],
    }
    assert "borderColor" not in series("Open", [1], "#000", border=False)


def test_a_horizontal_chart_swaps_its_axes():
    compact = json.loads(compact_options(horizontal=True))
    assert compact["indexAxis"] == "y" and compact["scales"]["x"]["beginAtZero"]
    titled = json.loads(titled_options("Person", "Tasks", horizontal=True))
    assert titled["indexAxis"] == "y"
    assert titled["scales"]["x"]["title"]["text"] == "Tasks"
    assert titled["scales"]["y"]["title"]["text"] == "Person"


def test_both_doors_draw_with_these_looks(client, team, member):
    task_create(actor=member, team=team, title="Mine", assignees=[member])
    client.force_login(member)
    dashboard = client.get(reverse("admin:index")).context
    assert dashboard["flow_options"] == compact_options(legend=True, days=True)
    assert dashboard["workload_options"] == compact_options(values=True, horizontal=True)
    report = client.get(f"/teams/{team.slug}/reports/").context
    workload = next(s for s in report["sections"] if s.slug == "workload")
    assert workload.chart.options_json == titled_options("Person", "Tasks", horizontal=True)
