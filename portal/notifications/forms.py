"""The email choices form, one line per kind: the team pages' /profile/notifications/ and the
person's page in the admin both use it, then save through `preferences_set`."""

from __future__ import annotations

from django import forms

from portal.notifications.kinds import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice of delivery per kind, starting from `initial_choices` (`preferences_of`).

    `widget` lets a door draw the choices in its own look (radio buttons by default).
    """

    def __init__(self, *args, initial_choices: dict[str, str], widget=forms.RadioSelect, **kw):
        super().__init__(*args, **kw)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                initial=initial_choices[kind],
                widget=widget,
            )
