"""The task admin page's "Attachments" section: the files with links to download them (through
the team pages' download view, which checks the person may see the task), files to attach and
files to delete, all through `portal.attachments.services` when the task is saved.

A section of the form, not an inline: attachments are files, not rows to edit.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from unfold.decorators import display

from portal.attachments import permissions as attachment_perms
from portal.attachments.names import readable_name
from portal.attachments.selectors import task_attachments
from portal.attachments.services import attachment_delete, attachment_upload, megabytes

NO_ATTACHMENTS = "No files attached."
ATTACHED = "{name} attached."
DELETED = "{name} deleted."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class TaskAttachmentsAdminMixin:
    def _attachments(self, request, obj):
        """Read once per request and kept on the task the form shows (the read-only column
        is handed only the task)."""
        if getattr(obj, "_portal_attachments", None) is None:
            obj._portal_attachments = list(task_attachments(fetched_by=request.user, task=obj))
        return obj._portal_attachments

    @display(description="files")
    def attachments_display(self, obj):
        items = getattr(obj, "_portal_attachments", None)
        if items is None:
            return "-"
        if not items:
            return NO_ATTACHMENTS
        rows = []
        for item in items:
            address = reverse("pages:attachment", args=[obj.team.slug, obj.number, item.pk])
            state = "" if item.scan_state == "clean" else f" ({item.get_scan_state_display()})"
            rows.append((address, readable_name(item.name), megabytes(item.size), state))
        return format_html(
            '<ul class="flex flex-col gap-1">{}</ul>',
            format_html_join(
                "",
                '<li><a class="text-primary-600" href="{}">{}</a> <span class="opacity-70">'
                "{}{}</span></li>",
                rows,
            ),
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fields = ["attachments_display"]
            if attachment_perms.can_upload(request.user, obj):
                fields.append("attach_files")
            if any(
                attachment_perms.can_delete(request.user, a, obj.team_id)
                for a in self._attachments(request, obj)
            ):
                fields.append("remove_attachments")
            fieldsets.append(("Attachments", {"fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("attachments_display")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            deletable = [
                (a.pk, readable_name(a.name))
                for a in self._attachments(request, obj)
                if attachment_perms.can_delete(request.user, a, obj.team_id)
            ]
            extra = {
                "attach_files": MultipleFileField(
                    required=False,
                    label="Attach files",
                    help_text="Several files at once; they are checked and stored when you save.",
                ),
                "remove_attachments": forms.TypedMultipleChoiceField(
                    required=False,
                    coerce=int,
                    choices=deletable,
                    widget=forms.CheckboxSelectMultiple,
                    label="Delete files",
                ),
            }
            kwargs["form"] = type("TaskAttachmentsForm", (kwargs.get("form", self.form),), extra)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        task = form.instance
        if not change or task.pk is None:
            return
        by_id = {a.pk: a for a in self._attachments(request, task)}
        for pk in form.cleaned_data.get("remove_attachments") or []:
            if pk in by_id:
                try:
                    attachment_delete(actor=request.user, attachment=by_id[pk])
                except PermissionDenied as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, DELETED.format(name=readable_name(by_id[pk].name)))
        for upload in form.cleaned_data.get("attach_files") or []:
            try:
                item = attachment_upload(actor=request.user, task=task, file=upload)
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    messages.error(request, message)
            else:
                messages.success(request, ATTACHED.format(name=readable_name(item.name)))
