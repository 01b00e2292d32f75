"""Saving a page's filters as a view, and renaming, sharing, making default and deleting views
(the forms of `teams/_saved_views.html`; the rules are the saved views' services)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from portal.savedviews import services
from portal.savedviews.models import NAME_MAX, PageKind
from portal.savedviews.selectors import saved_view_for

from ..saved_views import page_url, view_url
from .base import NOT_FOUND, page_view, safe_next, team_or_404

# The longest page address a view is saved from (the filters are a few hundred characters).
QUERY_MAX = 8000
QUERY_TOO_LONG = f"The page's address is too long to save (at most {QUERY_MAX} characters)."
SAVED_VIEW = "Saved the view “{name}”."
RENAMED = "Renamed the view to “{name}”."
DELETED = "Deleted the view “{name}”."
SHARED = "“{name}” is now shared with the team."
UNSHARED = "“{name}” is now yours alone."
DEFAULT = "“{name}” now opens when someone opens this page without filters."
NOT_DEFAULT = "“{name}” is no longer the team's default."
NOT_SAVED = "The view was not saved: {reason}"
NOT_CHANGED = "The view was not changed: {reason}"


class SaveViewForm(forms.Form):
    kind = forms.ChoiceField(choices=PageKind.choices)
    name = forms.CharField(max_length=NAME_MAX, strip=True)
    query = forms.CharField(required=False, max_length=QUERY_MAX, strip=False)
    shared = forms.BooleanField(required=False)
    default = forms.BooleanField(required=False)

    def clean_query(self):
        # Parsed as the page parsed its address; NUL and the like are judged by the service.
        return QueryDict(self.cleaned_data["query"] or "", mutable=False)


class ChangeViewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("rename", "delete", "share", "unshare", "default", "undefault")]
    )
    name = forms.CharField(max_length=NAME_MAX, strip=True, required=False)


def _reason(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_reason(form: forms.Form) -> str:
    return " ".join(
        f"{'Name' if name == 'name' else name.capitalize()}: {message}"
        if name != "__all__"
        else message
        for name, errors in form.errors.items()
        for message in errors
    )


@page_view
@require_POST
def create(request, slug: str | None = None):
    """Save the page's filters (`query`, the page's address after "?") under a name."""
    user = request.user
    team = team_or_404(user, slug) if slug else None
    form = SaveViewForm(request.POST)
    back = safe_next(request, page_url(PageKind.LIST, team))
    if not form.is_valid():
        messages.error(request, NOT_SAVED.format(reason=_form_reason(form)))
        return redirect(back)
    data = form.cleaned_data
    try:
        view = services.saved_view_create(
            actor=user,
            team=team,
            kind=data["kind"],
            name=data["name"],
            params=data["query"],
            shared=data["shared"],
            is_default=data["default"],
        )
    except ValidationError as exc:
        messages.error(request, NOT_SAVED.format(reason=_reason(exc)))
        return redirect(back)
    messages.success(request, SAVED_VIEW.format(name=view.name))
    return redirect(view_url(view))


@page_view
@require_POST
def change(request, view_id: int):
    """Rename, share or stop sharing, make or stop being the default, delete."""
    user = request.user
    view = saved_view_for(fetched_by=user, view_id=view_id)
    if view is None:
        raise Http404(NOT_FOUND)
    form = ChangeViewForm(request.POST)
    back = safe_next(request, view_url(view))
    if not form.is_valid():
        messages.error(request, NOT_CHANGED.format(reason=_form_reason(form)))
        return redirect(back)
    action, name = form.cleaned_data["action"], form.cleaned_data["name"]
    try:
        if action == "delete":
            services.saved_view_delete(actor=user, view=view)
            messages.success(request, DELETED.format(name=view.name))
            return redirect(page_url(view.kind, view.team) + "?saved=none")
        if action == "rename":
            view = services.saved_view_rename(actor=user, view=view, name=name)
            done = RENAMED
        elif action in ("share", "unshare"):
            view = services.saved_view_share(actor=user, view=view, shared=action == "share")
            done = SHARED if action == "share" else UNSHARED
        else:
            view = services.saved_view_make_default(
                actor=user, view=view, default=action == "default"
            )
            done = DEFAULT if action == "default" else NOT_DEFAULT
    except ValidationError as exc:
        messages.error(request, NOT_CHANGED.format(reason=_reason(exc)))
        return redirect(back)
    messages.success(request, done.format(name=view.name))
    return redirect(view_url(view))
