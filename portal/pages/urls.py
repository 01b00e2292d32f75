"""The team pages' addresses: /, /teams/ and /teams/<slug>/... (see docs/team-pages.md)."""

from django.urls import path, register_converter

from portal.pages.converters import RowIdConverter, TaskNumberConverter
from portal.pages.views import home

register_converter(TaskNumberConverter, "number")
register_converter(RowIdConverter, "rowid")

app_name = "pages"

urlpatterns = [
    path("", home.front_door, name="front_door"),
    path("teams/", home.team_index, name="teams"),
]
