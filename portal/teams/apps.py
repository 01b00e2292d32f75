from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "portal.teams"
    label = "teams"

    def ready(self) -> None:
        from portal.accounts.resources import UserResource
        from portal.core.spreadsheets import register_sheet
        from portal.teams.resources import TeamResource, teams_for_sheet, users_for_sheet

        # People are listed by team (who may see whom is a rule of teams), so the people's
        # sheet is registered here with the teams' own.
        register_sheet("teams", TeamResource, teams_for_sheet)
        register_sheet("users", UserResource, users_for_sheet)
