from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from portal.core.validators import stored_value_problem


class CheckedInputMixin:
    """full_clean() also refuses values the database cannot store.

    NUL characters in any text and JSON nested deeper than the limit become field errors
    (portal.core.validators), checked before Django's own field cleaning, which would encode
    the JSON recursively. Every service calls full_clean(), so every door gets the check.
    """

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        errors: dict[str, list] = {}
        for field in self._meta.concrete_fields:
            if field.name not in exclude:
                problem = stored_value_problem(field, getattr(self, field.attname))
                if problem:
                    errors[field.name] = [ValidationError(problem, code="unstorable")]
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class TimeStampedModel(CheckedInputMixin, models.Model):
    """Abstract base: every portal row knows when it was created and last changed."""

    created_at = models.DateTimeField("created", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        abstract = True


def save_checked(instance: models.Model, **save_kwargs) -> None:
    """Save in a savepoint; a unique rule lost to a concurrent writer is a ValidationError.

    full_clean() checks unique fields and constraints before the save, but two requests can
    pass that check at the same moment (PostgreSQL). The loser's INSERT or UPDATE then fails;
    the savepoint keeps the transaction usable, and checking again now sees the winner's row,
    so the loser gets the same message full_clean() gives when the row was already there.
    """
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        instance.validate_unique()
        instance.validate_constraints()
        raise
