"""Admin screens for Excel templates, imports (run by Celery) and exports."""

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import scope
from .http import xlsx_response
from .models import ImportKind, ImportStatus, Unit
from .services import exports, import_jobs


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the sheet holds"), choices=ImportKind.choices
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def io_index(request):
    scope.require_org_admin(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_job_create(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except import_jobs.UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("org_io_job", job_id=job.pk)
    return TemplateResponse(
        request,
        "org/admin/io_index.html",
        {
            "form": form,
            "units": scope.managed_units(request.user).order_by("path"),
            "jobs": scope.visible_import_jobs(request.user)[:10],
        },
    )


def job_detail(request, job_id: int):
    scope.require_org_admin(request.user)
    job = scope.access_import_job(user=request.user, job_id=job_id)
    return TemplateResponse(request, "org/admin/io_job.html", {"job": job})


def job_status(request, job_id: int):
    scope.require_org_admin(request.user)
    job = scope.access_import_job(user=request.user, job_id=job_id)
    status, progress = import_jobs.import_job_progress(job)
    return JsonResponse(
        {
            "status": status,
            "status_display": str(ImportStatus(status).label),
            "progress": progress,
            "finished": job.finished_at is not None,
        }
    )


def template_download(request, kind: str):
    scope.require_org_admin(request.user)
    builders = {
        "members": exports.members_template_xlsx,
        "units": exports.units_template_xlsx,
    }
    if kind not in builders:
        raise Http404
    return xlsx_response(builders[kind](), f"{kind}-template.xlsx")


def export_download(request, kind: str):
    scope.require_org_admin(request.user)
    if kind == "units":
        content = exports.units_export_xlsx(units=scope.managed_units(request.user))
        return xlsx_response(content, "units.xlsx")
    if kind != "members":
        raise Http404
    members = scope.managed_members(request.user)
    unit_id = request.GET.get("unit")
    if unit_id:
        unit: Unit = scope.access_unit(
            user=request.user, unit_id=unit_id, for_change=True
        )
        members = members.filter(unit__path__startswith=unit.path)
    if not members.exists():
        messages.warning(request, _("There are no members to export."))
        return redirect("org_io")
    return xlsx_response(exports.members_export_xlsx(members=members), "members.xlsx")
