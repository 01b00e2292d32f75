from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base: every portal row knows when it was created and last changed."""

    created_at = models.DateTimeField("created", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        abstract = True
