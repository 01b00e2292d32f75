"""Template tags of the admin door: the error pages in the admin's look, the page header."""

from django import template
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from unfold.settings import get_config
from unfold.templatetags import unfold_list
from unfold.utils import convert_color

from portal.adminkit.rows import lean_results
from portal.adminsite.errors import PAGES
from portal.adminsite.navigation import place_of
from portal.adminsite.site import may_use_admin
from portal.notifications.selectors import UNREAD_CAP, unread_count

register = template.Library()


@register.inclusion_tag("admin/error_page.html", takes_context=True)
def error_page(context, status: int):
    """A 403 or 404 page in the admin's layout; the sidebar only for people who use the admin.

    Django's error views render 403.html / 404.html with the request but without the admin's
    context (title, colours, sidebar), which this adds.
    """
    request = context.get("request")
    page = PAGES[status]
    data = {
        "status": status,
        "title": page.title,
        "message": page.message,
        "error_icon": page.icon,
        # PermissionDenied("...") from a service says why; a bare one says nothing more.
        "detail": str(context.get("exception") or "") if status == 403 else "",
    }
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {**data, "with_sidebar": False}
    return {
        **admin.site.each_context(request),
        **data,
        # The inclusion tag starts a fresh context: what the admin's templates read.
        "request": request,
        "user": user,
        "with_sidebar": may_use_admin(user),
    }


@register.inclusion_tag("admin/error_standalone.html")
def standalone_error_page(status: int):
    """An error page that needs no request, user or database (the 500 page): unfold's
    stylesheet and the portal's colours, from the settings alone."""
    page = PAGES[status]
    config = get_config()
    rows = (
        (name, weight, convert_color(value))
        for name, weights in config["COLORS"].items()
        for weight, value in weights.items()
    )
    return {
        "status": status,
        "title": page.title,
        "message": page.message,
        "error_icon": page.icon,
        "site_title": config["SITE_TITLE"],
        "site_symbol": config["SITE_SYMBOL"],
        "colours": format_html_join(" ", "--color-{}-{}: {};", rows),
    }


def _reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def page_header(context) -> str:
    """The header's trail of a page, named as the sidebar names it: "Work > Tasks > OPS-42"
    rather than the app and model ("Tasks > Tasks"). Pages of models without a sidebar entry
    start with their app's name; other pages show their title."""
    obj = context.get("original") or context.get("object")
    obj = obj if getattr(obj, "_meta", None) else None
    opts = context.get("opts") or (obj._meta if obj is not None else None)
    model_admin = context.get("model_admin")
    if opts is None and getattr(model_admin, "model", None) is not None:
        opts = model_admin.model._meta
    parts = []
    if opts is not None:
        changelist = f"admin:{opts.app_label}_{opts.model_name}_changelist"
        group, entry = place_of(changelist) or (
            opts.app_config.verbose_name,
            opts.verbose_name_plural,
        )
        if group.lower() != str(entry).lower():
            parts.append({"title": group, "group": True})
        parts.append({"title": entry, "link": _reverse(changelist)})
        if obj is not None and obj.pk is not None:
            change = f"admin:{opts.app_label}_{opts.model_name}_change"
            parts.append({"title": str(obj), "link": _reverse(change, obj.pk)})
        elif context.get("add"):
            parts.append({"title": context.get("title", "")})
    elif context.get("content_title") or context.get("title"):
        parts.append({"title": context.get("content_title") or context.get("title")})
    return render_to_string(
        "admin/page_header.html", {"parts": parts}, request=context.get("request")
    )


@register.inclusion_tag("admin/lean_change_list_results.html")
def lean_result_list(cl):
    """unfold's header above rows built by Django's own cell builder (see adminkit/lean.py)."""
    headers = list(unfold_list.result_headers(cl))
    return {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": lean_results(cl) or list(admin_list.results(cl)),
    }


@register.inclusion_tag("admin/bell.html", takes_context=True)
def admin_bell(context):
    """The header's bell: the signed-in person's unread notifications, linking to the inbox.

    One COUNT (capped, `unread_count`), only for someone who may use the admin.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_use_admin(user):
        return {"show": False}
    count = unread_count(user)
    return {"show": True, "count": count, "over": count > UNREAD_CAP, "cap": UNREAD_CAP}
