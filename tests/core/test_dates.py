"""One date format everywhere: the year is written when it is not the current one."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.formats import date_format

from portal.core import dates
from portal.tasks.models import Task
from portal.tasks.services import task_create

NOW = timezone.make_aware(datetime(2026, 11, 24, 15, 35))


def test_moment_drops_the_year_only_for_the_current_year():
    assert dates.moment(NOW, NOW) == "Nov 24, 15:35"
    assert dates.moment(timezone.make_aware(datetime(2001, 1, 1)), NOW) == "Jan 1, 2001, 00:00"
    assert dates.moment(NOW + timedelta(days=60), NOW) == "Jan 23, 2027, 15:35"
    assert dates.moment(None) == dates.EMPTY


def test_day_drops_the_year_only_for_the_current_year():
    assert dates.day(date(2026, 3, 2), NOW) == "Mar 2"
    assert dates.day(date(2025, 12, 31), NOW) == "Dec 31, 2025"
    assert dates.day(NOW, NOW) == "Nov 24"


def test_moment_html_keeps_the_full_date_in_the_tooltip():
    html = dates.moment_html(NOW, NOW)
    assert ">Nov 24, 15:35</time>" in html and 'title="Nov 24, 2026, 15:35"' in html


def test_template_filters_and_django_formats_agree():
    old = timezone.make_aware(datetime(2001, 1, 1))
    rendered = Template("{% load portal_dates %}{{ when|moment }} / {{ when|day }}").render(
        Context({"when": old})
    )
    assert rendered == "Jan 1, 2001, 00:00 / Jan 1, 2001"
    # What Django writes itself (third-party admin pages) has the same shape.
    assert date_format(timezone.localtime(old), "DATETIME_FORMAT") == "Jan 1, 2001, 00:00"
    assert date_format(old.date(), "DATE_FORMAT") == "Jan 1, 2001"


def test_task_list_and_page_show_the_year_of_an_old_due_date(client, team, member):
    old = timezone.make_aware(datetime(2020, 1, 1))
    task = task_create(actor=member, team=team, title="Old", due_date=old)
    Task.objects.filter(pk=task.pk).update(created_at=old)
    client.force_login(member)
    listing = client.get(reverse("admin:tasks_task_changelist")).content.decode()
    assert ">Overdue (due Jan 1, 2020, 00:00)</time>" in listing
    assert "Jan 01, 00:00" not in listing
    page = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert ">Jan 1, 2020, 00:00</time>" in page  # created, a read-only field


def test_dashboard_writes_due_dates_the_same_way(client, team, member):
    old = timezone.make_aware(datetime(2020, 1, 1))
    task_create(actor=member, team=team, title="Old", due_date=old, assignees=[member])
    client.force_login(member)
    body = client.get(reverse("admin:index")).content.decode()
    assert "Jan 1, 2020, 00:00" in body


@pytest.mark.parametrize(
    "pattern", ["M j", "M j, Y", "M j, Y, H:i", "M j, H:i", "D, M j", r"H\:i", "N j, Y"]
)
@pytest.mark.parametrize(
    "value",
    [
        datetime(1901, 1, 5, 3, 7),
        datetime(2026, 9, 1, 23, 59),
        datetime(2026, 12, 31, 0, 0, tzinfo=UTC),
        date(2026, 5, 9),
        date(999, 11, 30),
    ],
)
def test_date_format_writes_what_djangos_formatter_writes(value, pattern):
    try:
        expected = django_format(value, pattern)
    except TypeError:  # time codes for a day: Django refuses, and so does the fast path
        with pytest.raises(TypeError):
            dates.date_format(value, pattern)
    else:
        assert dates.date_format(value, pattern) == expected
