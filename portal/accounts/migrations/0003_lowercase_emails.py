from django.db import migrations
from django.db.models.functions import Lower, Trim


def lowercase_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.exclude(email="").update(email=Lower(Trim("email")))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(lowercase_emails, migrations.RunPython.noop)]
