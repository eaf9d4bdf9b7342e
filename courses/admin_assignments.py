"""Admin screens 学习任务: the tasks whose owner unit an admin manages, the form
to give courses to units, posts or members, cancelling, and the report per task
(completion per unit, who is behind, reminders, Excel). URLs and the menu item are
registered here as Wagtail hooks (imported by courses/wagtail_hooks.py)."""

import datetime
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope
from org.http import xlsx_response
from org.models import Member

from .selectors import assignments as selectors
from .services import assignments as services

BEHIND_PAGE_SIZE = 50


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return "　" * max(unit.depth - 1, 0) + unit.name


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return "　" * max(unit.depth - 1, 0) + unit.name


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return f"{member.user.display_name}（{member.unit.name}，{member.employee_no}）"


class AssignmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    courses = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Courses"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("One course, or several for a study plan."),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    required_hours = forms.DecimalField(
        label=gettext_lazy("Study hours required"),
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy(
            "Hours to earn in these courses between the two dates. Leave empty to "
            "require every lesson to be completed."
        ),
    )
    owner_unit = UnitChoice(
        label=gettext_lazy("Organising unit"),
        queryset=None,
        help_text=gettext_lazy(
            "Its admins manage the task; every unit and member below belongs to it."
        ),
    )
    units = UnitChoices(
        label=gettext_lazy("Units"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "Every member of these units and of the units below them, including "
            "members who join later."
        ),
    )
    posts = forms.CharField(
        label=gettext_lazy("Party posts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line, e.g. 支部书记: the members of the organising unit whose "
            "post contains it."
        ),
    )
    members = MemberChoices(
        label=gettext_lazy("Individual members"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10, "data-zx-filterable": ""}),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        units = scope.managed_units(viewer).order_by("path")
        self.fields["courses"].queryset = selectors.form_courses()
        self.fields["owner_unit"].queryset = units
        self.fields["units"].queryset = units
        self.fields["members"].queryset = selectors.form_members(viewer=viewer)

    def clean_posts(self):
        return [p for p in re.split(r"[\n,，、;；]+", self.cleaned_data["posts"]) if p]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["users"] = [member.user for member in data.pop("members")]
        data.pop("announce", None)
        return data


class NewAssignmentForm(AssignmentForm):
    announce = forms.BooleanField(
        label=gettext_lazy("Notify the assigned members now"),
        required=False,
        initial=True,
    )


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        field = {"users": "members"}.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def _initial(assignment) -> dict:
    targets = list(assignment.targets.all())
    return {
        "title": assignment.title,
        "description": assignment.description,
        "courses": list(assignment.courses.all()),
        "starts_on": assignment.starts_on,
        "due_on": assignment.due_on,
        "required_hours": assignment.required_hours,
        "owner_unit": assignment.owner_unit,
        "units": [t.unit for t in targets if t.unit_id],
        "posts": "\n".join(t.post for t in targets if t.post),
        "members": list(
            Member.objects.filter(user_id__in=[t.user_id for t in targets if t.user_id])
        ),
    }


def _managed(request, assignment_id: int):
    scope.require_org_admin(request.user)
    return selectors.access_assignment(viewer=request.user, assignment_id=assignment_id)


def _to_report(assignment):
    return redirect("courses_assignment_report", assignment_id=assignment.pk)


# --- views --------------------------------------------------------------------


def assignment_list(request):
    scope.require_org_admin(request.user)
    page = selectors.assignment_page(
        viewer=request.user, page_number=request.GET.get("page")
    )
    return TemplateResponse(
        request, "courses/admin/assignment_list.html", {"assignments": page}
    )


def assignment_create(request):
    scope.require_org_admin(request.user)
    today = timezone.localdate()
    form = NewAssignmentForm(
        request.POST or None,
        viewer=request.user,
        initial={
            "starts_on": today,
            "due_on": today + datetime.timedelta(days=30),
            "owner_unit": scope.managed_units(request.user).order_by("path").first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                by=request.user,
                announce=form.cleaned_data["announce"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The study task was created."))
            return _to_report(assignment)
    return TemplateResponse(
        request,
        "courses/admin/assignment_form.html",
        {"form": form, "assignment": None},
    )


def assignment_edit(request, assignment_id: int):
    assignment = _managed(request, assignment_id)
    if assignment.cancelled_at:
        messages.error(request, _("A cancelled task cannot be changed."))
        return _to_report(assignment)
    form = AssignmentForm(
        request.POST or None, viewer=request.user, initial=_initial(assignment)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(
                assignment=assignment, by=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The study task was saved."))
            return _to_report(assignment)
    return TemplateResponse(
        request,
        "courses/admin/assignment_form.html",
        {"form": form, "assignment": assignment},
    )


def assignment_cancel(request, assignment_id: int):
    assignment = _managed(request, assignment_id)
    if request.method == "POST":
        services.assignment_cancel(assignment=assignment, by=request.user)
        messages.success(
            request,
            _("The study task “%(title)s” was cancelled.")
            % {"title": assignment.title},
        )
        return redirect("courses_assignments")
    return TemplateResponse(
        request, "courses/admin/assignment_cancel.html", {"assignment": assignment}
    )


def assignment_report(request, assignment_id: int):
    assignment = _managed(request, assignment_id)
    report = selectors.assignment_report(
        viewer=request.user, assignment=assignment, unit=request.GET.get("unit")
    )
    behind = Paginator(report.behind, BEHIND_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "courses/admin/assignment_report.html",
        {
            "assignment": assignment,
            "report": report,
            "behind": behind,
            "query_string": urlencode({"unit": report.unit.pk}),
            "status": selectors.assignment_status(assignment, timezone.localdate()),
            "targets": list(assignment.targets.all()),
        },
    )


def assignment_export(request, assignment_id: int):
    assignment = _managed(request, assignment_id)
    report = selectors.assignment_report(
        viewer=request.user, assignment=assignment, unit=request.GET.get("unit")
    )
    title = re.sub(r'[\\/:*?"<>|;\s]+', "_", assignment.title)[:40]
    name = f"学习任务-{title}-{report.unit.name}.xlsx"
    return xlsx_response(services.assignment_workbook(report=report), name)


def assignment_remind(request, assignment_id: int):
    """A confirmation naming how many will be notified, then the reminder."""
    assignment = _managed(request, assignment_id)
    if request.method == "POST":
        try:
            sent = services.assignment_remind(assignment=assignment, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(count)s members who have not finished were notified.")
                % {"count": sent},
            )
        return _to_report(assignment)
    return TemplateResponse(
        request,
        "courses/admin/assignment_remind.html",
        {
            "assignment": assignment,
            "behind_count": len(selectors.members_behind(assignment=assignment)),
        },
    )


@hooks.register("register_admin_urls")
def register_assignment_urls():
    return [
        path("study-tasks/", assignment_list, name="courses_assignments"),
        path("study-tasks/new/", assignment_create, name="courses_assignment_create"),
        path(
            "study-tasks/<int:assignment_id>/",
            assignment_report,
            name="courses_assignment_report",
        ),
        path(
            "study-tasks/<int:assignment_id>/edit/",
            assignment_edit,
            name="courses_assignment_edit",
        ),
        path(
            "study-tasks/<int:assignment_id>/cancel/",
            assignment_cancel,
            name="courses_assignment_cancel",
        ),
        path(
            "study-tasks/<int:assignment_id>/remind/",
            assignment_remind,
            name="courses_assignment_remind",
        ),
        path(
            "study-tasks/<int:assignment_id>/export/",
            assignment_export,
            name="courses_assignment_export",
        ),
    ]


class AssignmentsMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_assignments_menu_item():
    return AssignmentsMenuItem(
        gettext_lazy("Study tasks"),
        reverse("courses_assignments"),
        icon_name="tasks",
        order=172,
    )
