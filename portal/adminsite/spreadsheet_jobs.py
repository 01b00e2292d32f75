"""The admin's job pages for big spreadsheets: imports and exports over
SPREADSHEET_BACKGROUND_ROWS rows are handed to a background job, followed on its page (progress,
the preview's counts and errors, Confirm, Run again, the download). Mixed into the spreadsheet
admins by `portal.adminsite.spreadsheets`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.signals import post_export

from portal.core.spreadsheets import SpreadsheetError
from portal.spreadsheets.registry import sheet_name_of
from portal.spreadsheets.services import (
    FILE_EXPIRED,
    can_confirm,
    sheet_export,
    sheet_file,
    sheet_import,
    sheet_import_confirm,
    sheet_job_for,
    sheet_job_rerun,
)

JOB_STARTED = "The file has {rows} rows: it is being {verb} in the background."
JOB_CONFIRMED = "Importing in the background."
JOB_RERUN = "Started again."


class BackgroundSheets:
    """Hands imports and exports over SPREADSHEET_BACKGROUND_ROWS rows to a job, and shows it."""

    job_template_name = "admin/spreadsheets/job.html"

    def _job_url(self, job) -> str:
        info = self.get_model_info()
        return reverse("admin:{}_{}_sheet_job".format(*info), args=[job.pk])

    def get_urls(self):
        info = self.get_model_info()
        views = [
            path(
                "spreadsheet-job/<int:pk>/",
                self.admin_site.admin_view(self.sheet_job_view),
                name="{}_{}_sheet_job".format(*info),
            ),
            path(
                "spreadsheet-job/<int:pk>/download/",
                self.admin_site.admin_view(self.sheet_job_download),
                name="{}_{}_sheet_job_download".format(*info),
            ),
        ]
        return [*views, *super().get_urls()]

    def _sheet(self, request) -> str:
        return sheet_name_of(self.get_export_resource_classes(request)[0])

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # Selected rows are exported as selected; the whole list again with its filters.
        selected = export_form is not None and "export_items" in export_form.changed_data
        # Imported here: the tasks' admin package registers its admins with the site, whose
        # `register` imports this module.
        from portal.tasks.admin.filters import admin_task_filters

        export = sheet_export(
            user=request.user,
            sheet=self._sheet(request),
            fmt=file_format.get_extension(),
            rows=queryset,
            filters=None if selected else admin_task_filters(request.GET),
            stem=str(self.model._meta.verbose_name_plural),
        )
        if export.job is None:
            response = export.response()
            post_export.send(sender=None, model=self.model)
            return response
        message = JOB_STARTED.format(rows=export.rows, verb="exported")
        self.message_user(request, message, messages.INFO)
        return HttpResponseRedirect(self._job_url(export.job))

    def sheet_job_view(self, request, pk):
        job = sheet_job_for(request.user, pk)
        if job is None:
            raise Http404
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "confirm" and can_confirm(job):
                new = sheet_import_confirm(user=request.user, job=job)
                self.message_user(request, JOB_CONFIRMED, messages.INFO)
                return HttpResponseRedirect(self._job_url(new))
            if action == "rerun" and job.is_finished:
                new = sheet_job_rerun(user=request.user, job=job)
                self.message_user(request, JOB_RERUN, messages.INFO)
                return HttpResponseRedirect(self._job_url(new))
            return HttpResponseRedirect(self._job_url(job))
        result = job.result or {}
        context = {
            **self.admin_site.each_context(request),
            "title": f"{job}",
            "opts": self.model._meta,
            "job": job,
            "result": result,
            "problems": result.get("problems", [])[:1000],
            "more_problems": max(0, len(result.get("problems", [])) - 1000),
            "changes": result.get("changes", [])[:1000],
            "more_changes": max(0, len(result.get("changes", [])) - 1000),
            "can_confirm": can_confirm(job),
            "download": sheet_file(job) is not None,
            "refresh": not job.is_finished,
        }
        return TemplateResponse(request, self.job_template_name, context)

    def sheet_job_download(self, request, pk):
        job = sheet_job_for(request.user, pk)
        path = sheet_file(job) if job else None
        if path is None:
            raise Http404(FILE_EXPIRED.format(days=settings.SPREADSHEET_EXPORT_RETENTION_DAYS))
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("name"))


class _BackgroundImport:
    """The import page hands files over SPREADSHEET_BACKGROUND_ROWS rows to a job."""

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                data = b"".join(upload.chunks())
                upload.seek(0)
                try:
                    outcome = sheet_import(
                        user=request.user,
                        sheet=self._sheet(request),
                        data=data,
                        fmt=form.cleaned_data["detected_format"],
                        name=upload.name,
                        dry_run=True,
                        skip_lookalikes=bool(form.cleaned_data.get("skip_lookalikes")),
                        inline=False,  # the preview below reads small files itself
                    )
                except SpreadsheetError:
                    outcome = None  # the page says what is wrong with the file
                if outcome is not None and outcome.job is not None:
                    message = JOB_STARTED.format(rows=outcome.rows, verb="checked")
                    self.message_user(request, message, messages.INFO)
                    return HttpResponseRedirect(self._job_url(outcome.job))
        response = super().import_action(request, **kwargs)
        if getattr(response, "context_data", None) and "fields_list" in response.context_data:
            # The columns an import reads (export-only columns are ignored on import).
            resource = self.get_import_resource_classes(request)[0]
            response.context_data["fields_list"] = [
                (resource.get_display_name(), resource.template_headers())
            ]
        return response
