from tests.api.conftest import _fresh_rate_counters, anon, client_for, other_task, task  # noqa: F401
