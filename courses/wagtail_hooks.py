from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope

from . import (  # noqa: F401 (each registers its own hooks)
    admin_assignments,
    admin_points,
    admin_training,
    admin_views,
)


@hooks.register("register_admin_urls")
def register_study_hours_urls():
    return [
        path("study-hours/", admin_views.study_hours, name="courses_study_hours"),
    ]


class StudyHoursMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_study_hours_menu_item():
    return StudyHoursMenuItem(
        _("Study hours ledger"),
        reverse("courses_study_hours"),
        icon_name="time",
        order=170,
    )
