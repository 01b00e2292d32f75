"""Admin pieces of the teams app that every app's admin may use (the teams' own pages are in
the admin door, `portal.adminsite.teams`, since they show task counts)."""

from unfold.contrib.filters.admin import RadioFilter

from portal.core.validators import as_id
from portal.teams.selectors import teams_visible_to


class TeamFilter(RadioFilter):
    """Filter any list with a `team` by the teams the person can see (never all team names)."""

    title = "team"
    parameter_name = "team"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in teams_visible_to(fetched_by=request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        team_id = as_id(value)  # a value no team can have shows no rows (and reaches no query)
        return queryset.filter(team_id=team_id) if team_id else queryset.none()
