from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "portal.spreadsheets"
    label = "spreadsheets"
    verbose_name = "Spreadsheets"

    def ready(self) -> None:
        from portal.spreadsheets.registry import discover_sheets

        # Every app's resources module declares its sheets (`SHEETS`); the job kinds that
        # import and export big files are in this app's jobs module, which the job runner
        # finds as it finds every app's (portal.jobs.registry).
        discover_sheets()
