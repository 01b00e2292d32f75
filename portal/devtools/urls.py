"""The floor of the API's task list as a URL, so that a load tool can measure it beside the list.

Mounted only when DEVTOOLS_FLOOR_VIEW is on (it is off unless asked for, and needs DEVTOOLS):
the view answers without sign-in, for the person whose id the query names, so it must never
run where anyone but the person measuring can reach it. See docs/load-test.md.
"""

from django.urls import path

from portal.devtools import views

app_name = "devtools"
urlpatterns = [
    path("floor/tasks/", views.floor_task_list, name="floor-task-list"),
]
