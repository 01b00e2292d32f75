"""Imports read as floors: each package imports only from the floors below it.

base (core, env) < accounts < admin kit < teams < tasks < jobs, reports, spreadsheets < doors
(admin door, API, team pages, demo, URL conf, settings). An app's own admin module is on its app's
floor: it may import its app, the floors below it and the admin kit, never an app above it nor the
admin door (pages that span apps live in the admin door). Imports inside functions and for type
checking count too.
"""

import ast
import re
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
REAL_PORTAL = PORTAL
FLOORS = {
    "core": 0,
    "env": 0,
    "accounts": 1,
    # The admin kit (the pieces every app's admin is built from) sits between the people and
    # the domain apps: it imports only core and accounts, and every app's admin may use it.
    "adminkit": 1.5,
    # The outbox: every service records its events there, so it sits below the domain apps
    # (it names teams and tasks by id and knows nothing of them).
    "events": 1.7,
    "teams": 2,
    "tasks": 3,
    # Watchers and notifications: made from the outbox's events (it listens to their dispatch)
    # about tasks, so it sits above tasks and below the jobs and the doors that show it.
    "notifications": 3.5,
    # Webhooks hear of events from the outbox and belong to teams; the job runner's schedule
    # starts their delivery job, so they sit below it.
    "webhooks": 3.5,
    # Saved views: a person's named task filters of a team's pages, judged by the task filter
    # set; the team pages and the API apply them.
    "savedviews": 3.5,
    "jobs": 4,
    "reports": 4,
    "spreadsheets": 4,
    # Attachments: files on tasks and comments; beside the job runner, whose jobs scan them,
    # make thumbnails and delete stored files (through the runner's entrances, as spreadsheets).
    "attachments": 4,
}
DOOR = 5
# The doors, named one by one: a new package that is on no floor and is not a door fails.
DOORS = {"adminsite", "api", "pages", "demo", "devtools", "urls", "settings", "wsgi", "asgi"}
# Configuration read by programs, not imported by the portal (gunicorn.conf.py; locale formats).
NOT_CODE = {"gunicorn", "formats"}
# Only these may import the API, the job runner and the team pages (wired in, not called).
WIRING = {"urls", "settings"}
WIRED_ONLY = ("api", "jobs", "pages")
# The benchmark command measures those doors and jobs through their public entrances.
MEASURES = {"devtools"}
# The team pages' reports show the daily summaries, which the job runner writes: the pages may
# read them through the jobs' selectors (and nothing else of the jobs). See docs/decisions.md.
ALLOWED = {("pages", "portal.jobs.selectors")}
# The spreadsheets app, beside the job runner, hands big imports and exports to it: it registers
# its job kinds, starts, finds and re-runs jobs and uses a job's work folder, through these
# modules and nothing else of the runner; the runner never imports it (docs/decisions.md).
JOB_ENTRANCES = {
    f"portal.jobs.{name}"
    for name in ("files", "models", "registry", "runner", "selectors", "services")
}
ALLOWED |= {("spreadsheets", module) for module in JOB_ENTRANCES}
ALLOWED |= {("attachments", module) for module in JOB_ENTRANCES}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# A dotted path to a portal module or object in a string: settings, import_string(), registries.
DOTTED = re.compile(r"^portal(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _imports(path: Path) -> set[str]:
    """Every portal module `path` names: imports (absolute and relative, in functions too) and
    dotted paths in strings."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # `from portal import x` (or `from . import x`) imports the module portal.x.
            found.update(
                f"{module}.{alias.name}"
                for alias in node.names
                if _is_module(f"{module}.{alias.name}")
            )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and DOTTED.match(node.value)
            # A logger's or a signal's name is not a module (portal.request).
            and _known_module(node.value) != "portal"
        ):
            found.add(node.value)
    return {_known_module(name) for name in found if name.startswith("portal.")}


def _is_module(name: str) -> bool:
    """Whether `name` is a module of the tree being checked (or of the real portal)."""
    for root in {PORTAL.parent, REAL_PORTAL.parent}:
        path = root.joinpath(*name.split("."))
        if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
            return True
    return False


def _known_module(name: str) -> str:
    """The module a dotted path names (`portal.spreadsheets.jobs.sheet_export` ->
    `portal.spreadsheets.jobs`); `portal` when no part of it is a module."""
    parts = name.split(".")
    while len(parts) > 1 and not _is_module(".".join(parts)):
        parts.pop()
    return ".".join(parts)


def _app(module: str) -> str:
    return module.split(".")[1]


def _floor(module: str) -> float:
    return FLOORS.get(_app(module), DOOR)


def _violations() -> list[str]:
    problems = []
    for path in sorted(PORTAL.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        if module == "portal":
            continue
        app = _app(module)
        if app in NOT_CODE:
            continue
        if app not in FLOORS and app not in DOORS:
            problems.append(f"{module} is in {app}, which is on no floor and is not a door")
            continue
        for target in sorted(_imports(path)):
            target_app = _app(target)
            if target_app == app:
                continue
            if (app, target) in ALLOWED:
                continue
            if target_app in WIRED_ONLY and app not in WIRING | MEASURES:
                problems.append(f"{module} imports {target} (only the URL conf and settings may)")
            elif _floor(module) < DOOR and _floor(target) >= _floor(module):
                problems.append(f"{module} imports {target}: not on a lower floor")
    return problems


def _fake_tree(tmp_path, monkeypatch, module: str, source: str) -> None:
    """Check a made-up portal of one module (a control) instead of the real one."""
    fake = tmp_path / "portal"
    (fake / module).parent.mkdir(parents=True)
    (fake / module).write_text(source + "\n")
    monkeypatch.setitem(globals(), "PORTAL", fake)


def test_no_import_runs_back_up():
    assert _violations() == []


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        # a relative import upwards, at module level and inside a function
        ("teams/x.py", "from ..tasks.models import Task", "portal.teams.x imports portal.tasks"),
        (
            "teams/sub/x.py",
            "def f():\n    from ...jobs import runner",
            "portal.teams.sub.x imports",
        ),
        # a dotted module path in a string (import_string, settings, a registry)
        (
            "core/x.py",
            'import_string("portal.tasks.resources.TaskResource")',
            "portal.core.x imports portal.tasks.resources",
        ),
        ("core/x.py", 'SHEETS = {"t": "portal.api.views"}', "portal.core.x imports portal.api"),
        # a package on no floor
        ("newapp/x.py", "x = 1", "portal.newapp.x is in newapp, which is on no floor"),
    ],
)
def test_the_check_sees_what_plain_imports_hide(tmp_path, monkeypatch, name, source, expected):
    _fake_tree(tmp_path, monkeypatch, name, source)
    problems = _violations()
    assert any(p.startswith(expected) for p in problems), problems


def test_names_that_only_look_like_modules_are_not_imports(tmp_path, monkeypatch):
    _fake_tree(tmp_path, monkeypatch, "core/x.py", 'LOGGER = "portal.request"')
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from portal.tasks.models import Task", "portal.teams.x imports portal.tasks.models"),
        ("import portal.adminsite.site", "portal.teams.x imports portal.adminsite.site"),
        ("def f():\n    from portal.api import views", "portal.teams.x imports portal.api"),
        ("from portal.pages.views import home", "portal.teams.x imports portal.pages"),
        ("from portal.jobs.selectors import x", "portal.teams.x imports portal.jobs.selectors"),
    ],
)
def test_the_check_sees_an_upward_import(tmp_path, monkeypatch, source, expected):
    # A positive control: a module that imports upwards is reported.
    _fake_tree(tmp_path, monkeypatch, "teams/x.py", source)
    assert any(p.startswith(expected) for p in _violations())


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        # an app's admin is built from the kit and its own app, never from the admin door
        ("tasks/admin/x.py", "from portal.adminkit.bases import PortalModelAdmin", True),
        ("tasks/admin/x.py", "from portal.teams.admin import TeamFilter", True),
        ("tasks/admin/x.py", "from portal.adminsite.spreadsheets import SpreadsheetAdmin", False),
        ("jobs/admin.py", "from portal.tasks.admin.markup import markdown_with_task_links", True),
        ("teams/admin.py", "from portal.tasks.admin.markup import markdown_with_task_links", False),
        # the kit itself knows no domain app
        ("adminkit/x.py", "from portal.accounts.permissions import is_superuser", True),
        ("adminkit/x.py", "from portal.teams import permissions", False),
        ("adminkit/x.py", "from portal.tasks.services import BulkResult", False),
    ],
)
def test_the_apps_admins_stand_on_the_kit(tmp_path, monkeypatch, module, source, allowed):
    _fake_tree(tmp_path, monkeypatch, module, source)
    assert (_violations() == []) is allowed


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from portal.jobs.selectors import summaries_visible_to", False),
        ("from portal.jobs.models import DailySummary", True),
        ("from portal.jobs import runner", True),
        ("from portal.api import views", True),
    ],
)
def test_the_team_pages_may_read_only_the_jobs_selectors(tmp_path, monkeypatch, source, caught):
    _fake_tree(tmp_path, monkeypatch, "pages/x.py", source)
    assert bool(_violations()) is caught


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        (
            "adminsite/spreadsheets.py",
            "from portal.spreadsheets.services import sheet_export",
            True,
        ),
        ("api/spreadsheets.py", "from portal.spreadsheets.services import sheet_job_for", True),
        ("adminsite/spreadsheets.py", "from portal.jobs.services import job_start", False),
        ("api/views.py", "from portal.jobs.models import Job", False),
        ("spreadsheets/jobs.py", "from portal.jobs.registry import register_job", True),
        ("spreadsheets/services.py", "from portal.jobs.services import job_start", True),
        ("spreadsheets/x.py", "from portal.jobs.admin import JobAdmin", False),
        ("spreadsheets/x.py", "from portal.reports.selectors import team_counts", False),
        ("spreadsheets/x.py", "from portal.api import views", False),
        ("jobs/jobs.py", "from portal.spreadsheets.services import sheet_file", False),
        ("tasks/x.py", "from portal.spreadsheets.registry import register_sheet", False),
        ("core/x.py", "from portal.spreadsheets import registry", False),
    ],
)
def test_only_the_spreadsheets_app_starts_jobs(tmp_path, monkeypatch, module, source, allowed):
    _fake_tree(tmp_path, monkeypatch, module, source)
    assert (_violations() == []) is allowed


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        ("devtools/measures.py", "from portal.jobs.jobs import daily_summary", True),
        ("devtools/measures.py", "from portal.api import views", True),
        ("devtools/measures.py", "from portal.pages.views import home", True),
        ("adminsite/other.py", "from portal.jobs.jobs import daily_summary", False),
        ("tasks/x.py", "from portal.devtools import measures", False),
    ],
)
def test_only_the_benchmark_measures_jobs_and_doors(tmp_path, monkeypatch, module, source, allowed):
    _fake_tree(tmp_path, monkeypatch, module, source)
    assert (_violations() == []) is allowed
