from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: `manage.py benchmark`, `benchmark_spreadsheets` and
    `build_demo_fixtures`. Installed while DEBUG is on (or with DEVTOOLS=true), never needed
    by the running portal."""

    name = "portal.devtools"
    label = "devtools"
    verbose_name = "Development tools"
