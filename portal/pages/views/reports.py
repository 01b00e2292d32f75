"""The team's reports page and its CSV and XLSX exports (plain GET links with the session)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.views.decorators.http import require_GET

from portal.core.spreadsheets import csv_text, download, export_name, xlsx_bytes
from portal.pages.reports import PRESETS, RangeForm, build_report

from .base import bad_request, page_view, render_page, team_context, team_or_404

TABLE_UNKNOWN = "No such table in the report."


@page_view
@require_GET
def reports(request, slug: str):
    user = request.user
    team = team_or_404(user, slug)
    form = RangeForm(request.GET)
    context = team_context(user, team)
    context.update({"section": "reports", "title": f"{team.name} reports", "form": form})
    if form.is_valid():
        span = form.span(team)
        context.update(
            {
                "span": span,
                "preset": form.preset(),
                "presets": PRESETS,
                "sections": build_report(user, team, span),
                "range_query": _range_query(form),
            }
        )
    else:
        context["presets"] = PRESETS
    return render_page(request, "reports/team.html", context)


def _range_query(form: RangeForm) -> str:
    if form.cleaned_data.get("start"):
        return urlencode(
            {
                "start": form.cleaned_data["start"].isoformat(),
                "end": form.cleaned_data["end"].isoformat(),
            }
        )
    return urlencode({"days": form.preset()})


@page_view
@require_GET
def export(request, slug: str, fmt: str):
    """The report's tables as CSV (all, or `?table=<name>`) or XLSX (a sheet each)."""
    user = request.user
    team = team_or_404(user, slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    form = RangeForm(request.GET)
    if not form.is_valid():
        messages = [m for errors in form.errors.values() for m in errors]
        return bad_request(" ".join(messages))
    span = form.span(team)
    sections = build_report(user, team, span)
    wanted = request.GET.get("table")
    if wanted:
        sections = [s for s in sections if s.slug == wanted]
        if not sections:
            raise Http404(TABLE_UNKNOWN)
    name = f"{team.slug}-report-{span.first:%Y-%m-%d}-{span.last:%Y-%m-%d}"
    if wanted:
        name += f"-{wanted}"
    sheets = [s.sheet for s in sections]
    body = csv_text(sheets, titles=not wanted) if fmt == "csv" else xlsx_bytes(sheets)
    return download(body, fmt, export_name(name, fmt, dated=False))
