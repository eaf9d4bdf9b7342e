"""Admin screen 学时台账: a unit's members' hours this year, who is behind, and the
Excel sheet for the inspection. Unit admins see only the units they manage."""

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from org import scope
from org.http import xlsx_response

from .models import StudyKind
from .reports import unit_hours_report
from .selectors import year_param
from .services.exports import ledger_workbook


def study_hours(request):
    scope.require_org_admin(request.user)
    units = list(scope.managed_units(request.user).order_by("path")[:500])
    if not units:
        raise Http404
    unit_id = request.GET.get("unit") or units[0].pk
    this_year = timezone.localdate().year
    year = year_param(request.GET.get("year"))
    report = unit_hours_report(viewer=request.user, unit_id=unit_id, year=year)
    if request.GET.get("export") == "xlsx":
        name = f"学时台账-{report.unit.name}-{year}.xlsx"
        return xlsx_response(ledger_workbook(report=report), name)
    return TemplateResponse(
        request,
        "courses/admin/study_hours.html",
        {
            "report": report,
            "units": units,
            "years": range(this_year, this_year - 5, -1),
            "kinds": list(StudyKind),
        },
    )
