"""A due date given as a day keeps the day (`due_day`) and becomes overdue at the end of it.

Before, a day without a time was stored as midnight in the portal's time zone, so the task was
overdue for its whole due day. Every stored due date at exactly midnight (portal time) is read as
such a day: `due_day` takes the date and `due_date` moves to the last moment of that day in the
team's time zone (the portal's, for every team at this point). History records are converted
the same way, so old entries read as days too. Going back leaves the values as they are.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def _days_from_midnights(model, zone_of_team) -> None:
    portal = ZoneInfo(settings.TIME_ZONE)
    rows = model.objects.filter(due_date__isnull=False, due_day__isnull=True).only(
        "pk", "due_date", "team_id"
    )
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        local = row.due_date.astimezone(portal)
        if local.time() != time(0, 0):
            continue
        row.due_day = local.date()
        row.due_date = datetime.combine(row.due_day, time.max, tzinfo=zone_of_team(row.team_id))
        changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, ["due_day", "due_date"])
            changed = []
    if changed:
        model.objects.bulk_update(changed, ["due_day", "due_date"])


def forwards(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    zones = {pk: ZoneInfo(name) for pk, name in Team.objects.values_list("pk", "time_zone")}
    portal = ZoneInfo(settings.TIME_ZONE)

    def zone_of_team(team_id):
        return zones.get(team_id, portal)

    _days_from_midnights(apps.get_model("tasks", "Task"), zone_of_team)
    _days_from_midnights(apps.get_model("tasks", "HistoricalTask"), zone_of_team)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0005_hours_in_words"),
        ("teams", "0003_team_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltask",
            name="due_day",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="due day"),
        ),
        migrations.AddField(
            model_name="task",
            name="due_day",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="due day"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
