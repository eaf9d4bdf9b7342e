"""Admin screens 线下培训: sessions of the units an admin manages, their attendance
(Excel import, QR check-in, by hand), booking the hours, and the conversion rules
(platform admins). URLs and the menu item are registered here as Wagtail hooks
(imported by courses/wagtail_hooks.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope
from org.http import xlsx_response

from .models import StudyKind, TrainingLength
from .selectors import training as selectors
from .services import training as services
from .services import training_excel


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (StudyKind.TRAINING.value, StudyKind.TRAINING.label),
            (StudyKind.GROUP.value, StudyKind.GROUP.label),
        ],
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Organising unit"),
        queryset=None,
        help_text=gettext_lazy("Members of this unit and the units below it attend."),
    )
    held_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    length = forms.ChoiceField(
        label=gettext_lazy("Length"), choices=TrainingLength.choices
    )
    clock_hours = forms.DecimalField(
        label=gettext_lazy("Clock hours"),
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=gettext_lazy("Only for a session counted by the hour."),
    )
    location = forms.CharField(
        label=gettext_lazy("Location"), max_length=100, required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ConversionForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    per_hour = forms.DecimalField(
        label=gettext_lazy("Hours per clock hour"), max_digits=5, decimal_places=2
    )
    half_day = forms.DecimalField(
        label=gettext_lazy("Hours per half day"), max_digits=5, decimal_places=2
    )
    day = forms.DecimalField(
        label=gettext_lazy("Hours per day"), max_digits=5, decimal_places=2
    )
    daily_max = forms.DecimalField(
        label=gettext_lazy("Daily maximum"), max_digits=5, decimal_places=2
    )


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _managed_session(request, session_id: int):
    scope.require_org_admin(request.user)
    return selectors.access_session(viewer=request.user, session_id=session_id)


def _to_detail(session):
    return redirect("courses_training_detail", session_id=session.pk)


def checkin_url(request, session) -> str:
    return request.build_absolute_uri(
        reverse("study_checkin", kwargs={"code": session.checkin_code})
    )


def checkin_qr_svg(url: str) -> str:
    """The check-in link as an inline SVG QR code (no image library needed)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(url, image_factory=SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


# --- sessions -----------------------------------------------------------------


def session_list(request):
    scope.require_org_admin(request.user)
    page = selectors.session_page(
        viewer=request.user, page_number=request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "courses/admin/training_list.html",
        {"sessions": page, "is_platform_admin": scope.is_platform_admin(request.user)},
    )


def session_create(request):
    scope.require_org_admin(request.user)
    units = scope.managed_units(request.user).order_by("path")
    form = SessionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.training_session_create(
                by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The session was created."))
            return _to_detail(session)
    return TemplateResponse(request, "courses/admin/training_form.html", {"form": form})


def session_detail(request, session_id: int):
    session = _managed_session(request, session_id)
    context = selectors.session_detail(
        session=session, page_number=request.GET.get("page")
    )
    url = checkin_url(request, session)
    context.update(
        {
            "checkin_url": url,
            "qr_svg": mark_safe(checkin_qr_svg(url)),  # noqa: S308 (generated SVG)
            "import_form": AttendanceImportForm(),
        }
    )
    return TemplateResponse(request, "courses/admin/training_detail.html", context)


def session_qr(request, session_id: int):
    """A page with only the QR code, for a projector or a printout."""
    session = _managed_session(request, session_id)
    url = checkin_url(request, session)
    return TemplateResponse(
        request,
        "courses/admin/training_qr.html",
        {
            "session": session,
            "checkin_url": url,
            "qr_svg": mark_safe(checkin_qr_svg(url)),  # noqa: S308 (generated SVG)
        },
    )


@require_POST
def session_checkin_toggle(request, session_id: int):
    session = _managed_session(request, session_id)
    is_open = request.POST.get("open") == "1"
    services.training_checkin_set(session=session, by=request.user, is_open=is_open)
    messages.success(
        request, _("Check-in is open.") if is_open else _("Check-in is closed.")
    )
    return _to_detail(session)


def session_post(request, session_id: int):
    """Book the hours: first a confirmation listing each attendee's hours."""
    session = _managed_session(request, session_id)
    if request.method == "POST":
        try:
            report = services.training_session_post(session=session, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "%(booked)s attendees booked (%(hours)s hours); %(capped)s "
                    "limited by the daily maximum, %(skipped)s had no hours left "
                    "that day."
                )
                % {
                    "booked": report.booked,
                    "hours": report.hours.normalize(),
                    "capped": report.capped,
                    "skipped": report.skipped,
                },
            )
        return _to_detail(session)
    plan = selectors.session_booking_plan(session=session)
    return TemplateResponse(
        request,
        "courses/admin/training_post.html",
        {"session": session, "plan": plan},
    )


# --- attendance -----------------------------------------------------------------


def attendance_import(request, session_id: int):
    session = _managed_session(request, session_id)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = training_excel.attendance_import_xlsx(
            session=session, file=form.cleaned_data["file"], by=request.user
        )
        if report.ok:
            messages.success(
                request,
                _("%(created)s attendees added; %(already)s were on the list already.")
                % {"created": report.created, "already": report.already},
            )
            return _to_detail(session)
    return TemplateResponse(
        request,
        "courses/admin/training_import.html",
        {"session": session, "form": form, "report": report},
    )


def attendance_template(request):
    scope.require_org_admin(request.user)
    return xlsx_response(training_excel.attendance_template_xlsx(), "签到名单模板.xlsx")


def attendance_export(request, session_id: int):
    session = _managed_session(request, session_id)
    rows = selectors.session_attendance(session=session)
    content = training_excel.attendance_export_xlsx(session=session, rows=rows)
    return xlsx_response(content, f"签到名单-{session.held_on}-{session.pk}.xlsx")


def attendance_add(request, session_id: int):
    session = _managed_session(request, session_id)
    if request.method == "POST":
        member = selectors.access_candidate(
            viewer=request.user, session=session, member_id=request.POST.get("member")
        )
        try:
            services.attendance_add(session=session, member=member, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(name)s was added.") % {"name": member.user.display_name}
            )
        back = reverse("courses_training_add", kwargs={"session_id": session.pk})
        return redirect(f"{back}?{urlencode({'q': request.POST.get('q', '')[:50]})}")
    query = request.GET.get("q", "")
    return TemplateResponse(
        request,
        "courses/admin/training_add.html",
        {
            "session": session,
            "query": query,
            "candidates": selectors.attendance_candidates(
                viewer=request.user, session=session, query=query
            ),
        },
    )


def attendance_remove(request, session_id: int, attendance_id: int):
    session = _managed_session(request, session_id)
    attendance = selectors.access_attendance(
        session=session, attendance_id=attendance_id
    )
    if request.method == "POST":
        try:
            services.attendance_remove(attendance=attendance, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s was removed.") % {"name": attendance.user.display_name},
            )
        return _to_detail(session)
    return TemplateResponse(
        request,
        "courses/admin/training_remove.html",
        {"session": session, "attendance": attendance},
    )


# --- the conversion rules ----------------------------------------------------------


def conversion_rules(request):
    if not scope.is_platform_admin(request.user):
        raise Http404
    history = selectors.conversion_history()
    current = history["current"]
    form = ConversionForm(
        request.POST or None,
        initial={
            "per_hour": current.per_hour,
            "half_day": current.half_day,
            "day": current.day,
            "daily_max": current.daily_max,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.conversion_change(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The new version of the rules was saved."))
            return redirect("courses_training_rules")
    return TemplateResponse(
        request, "courses/admin/training_rules.html", {**history, "form": form}
    )


@hooks.register("register_admin_urls")
def register_training_urls():
    return [
        path("training/", session_list, name="courses_training_list"),
        path("training/new/", session_create, name="courses_training_create"),
        path("training/rules/", conversion_rules, name="courses_training_rules"),
        path(
            "training/template/", attendance_template, name="courses_training_template"
        ),
        path(
            "training/<int:session_id>/", session_detail, name="courses_training_detail"
        ),
        path("training/<int:session_id>/qr/", session_qr, name="courses_training_qr"),
        path(
            "training/<int:session_id>/checkin/",
            session_checkin_toggle,
            name="courses_training_checkin",
        ),
        path(
            "training/<int:session_id>/post/",
            session_post,
            name="courses_training_post",
        ),
        path(
            "training/<int:session_id>/import/",
            attendance_import,
            name="courses_training_import",
        ),
        path(
            "training/<int:session_id>/export/",
            attendance_export,
            name="courses_training_export",
        ),
        path(
            "training/<int:session_id>/add/",
            attendance_add,
            name="courses_training_add",
        ),
        path(
            "training/<int:session_id>/remove/<int:attendance_id>/",
            attendance_remove,
            name="courses_training_remove",
        ),
    ]


class TrainingMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_training_menu_item():
    return TrainingMenuItem(
        gettext_lazy("Offline training"),
        reverse("courses_training_list"),
        icon_name="group",
        order=175,
    )
