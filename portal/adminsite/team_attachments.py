"""The team admin page's attachments choice: show each task's first image on its board card.
Saved through `portal.attachments.services.card_images_set` (the team's leads)."""

from __future__ import annotations

from django import forms

from portal.attachments.selectors import team_shows_card_images
from portal.attachments.services import card_images_set

CARD_IMAGES_HELP = "Show each task's first attached image on its board card."


class TeamAttachmentsAdminMixin:
    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and "card_images" not in fields:
            fields.append("card_images")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            field = forms.BooleanField(
                required=False,
                label="Images on board cards",
                help_text=CARD_IMAGES_HELP,
                initial=team_shows_card_images(obj),
            )
            base = kwargs.get("form", self.form)
            kwargs["form"] = type("TeamAttachmentsForm", (base,), {"card_images": field})
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        # The choice is the attachments app's: the team's own fields go to team_update.
        form.card_images_changed = "card_images" in form.changed_data
        if form.card_images_changed:
            form.changed_data.remove("card_images")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and getattr(form, "card_images_changed", False):
            card_images_set(
                actor=request.user, team=form.instance, enabled=form.cleaned_data["card_images"]
            )
