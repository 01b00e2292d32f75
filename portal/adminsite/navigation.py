"""Callbacks referenced by dotted path from settings.UNFOLD."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

from portal.teams import permissions as perms


def environment_callback(request) -> list[str]:
    """Label shown in the admin header: which environment this is."""
    env = getattr(settings, "ENVIRONMENT", "dev")
    colour = {"prod": "danger", "staging": "warning"}.get(env, "info")
    return [env, colour]


def admin_css(request) -> str:
    """The portal's own admin styles (layouts unfold's stylesheet has no classes for)."""
    return static("portal/admin.css")


def admin_js(request) -> str:
    """The portal's own admin script (chart values, pickers that follow the chosen team)."""
    return static("portal/admin.js")


def is_superuser(request) -> bool:
    return perms.is_superuser(request.user)


def in_a_team(request) -> bool:
    return perms.can_use_portal(request.user)


def leads_a_team(request) -> bool:
    return perms.can_lead_somewhere(request.user)


def _link(name: str):
    def resolve(request):
        try:
            return reverse(name)
        except NoReverseMatch:  # an optional app is not installed
            return "#"

    resolve.url_name = name
    return resolve


def _item(title: str, icon: str, url_name: str, permission: str) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": _link(url_name),
        "permission": f"portal.adminsite.navigation.{permission}",
    }


def place_of(url_name: str) -> tuple[str, str] | None:
    """The sidebar group and entry of a page (`admin:tasks_task_changelist` -> ("Work",
    "Tasks")), so page headers name a page as the sidebar does; None when it has no entry."""
    for group in NAVIGATION:
        for item in group["items"]:
            if item["link"].url_name == url_name:
                return group["title"], item["title"]
    return None


def sidebar_navigation(request) -> list[dict]:
    """The sidebar: grouped, and each entry shown only to people who may open it.

    Entries whose page does not exist in this configuration (the django-q2 queue list exists
    only with the database broker) are left out.
    """
    groups = []
    for group in NAVIGATION:
        items = [item for item in group["items"] if item["link"](request) != "#"]
        if items:
            groups.append({**group, "items": items})
    return groups


NAVIGATION = [
    {
        "title": "Work",
        "items": [
            _item("Team pages", "view_kanban", "pages:teams", "in_a_team"),
            _item("Dashboard", "dashboard", "admin:index", "in_a_team"),
            _item("Tasks", "task_alt", "admin:tasks_task_changelist", "in_a_team"),
            _item("Comments", "chat", "admin:tasks_comment_changelist", "in_a_team"),
            _item("Tags", "sell", "admin:tasks_tag_changelist", "in_a_team"),
            _item("Saved views", "bookmarks", "admin:savedviews_savedview_changelist", "in_a_team"),
        ],
    },
    {
        "title": "People",
        "items": [
            _item("Teams", "groups", "admin:teams_team_changelist", "in_a_team"),
            _item("Users", "person", "admin:accounts_user_changelist", "in_a_team"),
            _item("Invitations", "mail", "admin:teams_invitation_changelist", "leads_a_team"),
        ],
    },
    {
        "title": "Webhooks",
        "items": [
            _item("Endpoints", "webhook", "admin:webhooks_endpoint_changelist", "leads_a_team"),
            _item("Deliveries", "outbox", "admin:webhooks_delivery_changelist", "leads_a_team"),
        ],
    },
    {
        "title": "Reports",
        "items": [
            _item(
                "Daily summaries", "summarize", "admin:jobs_dailysummary_changelist", "in_a_team"
            ),
        ],
    },
    {
        "title": "Operations",
        "items": [
            _item("Jobs", "work_history", "admin:jobs_job_changelist", "is_superuser"),
            _item("Schedules", "schedule", "admin:django_q_schedule_changelist", "is_superuser"),
            _item(
                "Overdue reminders",
                "notifications",
                "admin:jobs_overduereminder_changelist",
                "is_superuser",
            ),
            _item("Queued tasks", "queue", "admin:django_q_ormq_changelist", "is_superuser"),
            _item(
                "Successful tasks",
                "check_circle",
                "admin:django_q_success_changelist",
                "is_superuser",
            ),
            _item("Failed tasks", "error", "admin:django_q_failure_changelist", "is_superuser"),
            _item(
                "Sign-in lockouts", "lock", "admin:axes_accessattempt_changelist", "is_superuser"
            ),
        ],
    },
]
