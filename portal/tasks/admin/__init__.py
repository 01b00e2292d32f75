"""Admin for tasks, tags and comments: a thin door onto selectors, permissions and services."""

from portal.tasks.admin import comment, tag, task  # noqa: F401  (registers the model admins)
