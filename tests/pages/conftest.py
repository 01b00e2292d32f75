from datetime import timedelta

import pytest
from django.utils import timezone

from portal.tasks.models import Status, Task

STATUSES = [Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE]


def make_tasks(team, creator, count, *, tags=(), assignees=(), **fields):
    """Many tasks quickly (bulk, no history), spread over the four statuses; done ones were
    completed within the board's window, and every third is due yesterday."""
    now = timezone.now()
    start = Task.objects.filter(team=team).count()
    rows = []
    for i in range(count):
        status = STATUSES[i % 4]
        values = {
            "status": status,
            "completed_at": now - timedelta(hours=i % 48 + 1) if status == Status.DONE else None,
            "due_date": now - timedelta(days=1) if i % 3 == 0 else None,
            **fields,
        }
        rows.append(
            Task(team=team, number=start + i + 1, title=f"Bulk {i}", created_by=creator, **values)
        )
    rows = Task.objects.bulk_create(rows, batch_size=2000)
    Task.assignees.through.objects.bulk_create(
        [Task.assignees.through(task_id=t.pk, user_id=u.pk) for t in rows for u in assignees],
        batch_size=4000,
    )
    Task.tags.through.objects.bulk_create(
        [Task.tags.through(task_id=t.pk, tag_id=tag.pk) for t in rows for tag in tags],
        batch_size=4000,
    )
    team.last_task_number = start + count
    team.save(update_fields=["last_task_number"])
    return rows


def count_queries(client, url, django_assert_max_num_queries, limit=40, **extra):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return len(captured), response


@pytest.fixture
def htmx():
    """Headers of a request made by htmx (django-htmx reads them)."""
    return {"HTTP_HX_REQUEST": "true"}
