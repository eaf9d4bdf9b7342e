from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from . import admin_io_views, scope
from .admin_viewsets import OrgViewSetGroup
from .models import Member, RoleAssignment, Unit
from .permissions import MemberPermissionPolicy, ScopedPermissionPolicy

register_permission_policy(Unit, ScopedPermissionPolicy(Unit, scope.managed_units))
register_permission_policy(Member, MemberPermissionPolicy())
register_permission_policy(
    RoleAssignment,
    ScopedPermissionPolicy(RoleAssignment, scope.managed_role_assignments),
)


@hooks.register("register_admin_viewset")
def register_org_viewsets():
    return OrgViewSetGroup()


@hooks.register("register_admin_urls")
def register_io_urls():
    return [
        path("org/io/", admin_io_views.io_index, name="org_io"),
        path("org/io/jobs/<int:job_id>/", admin_io_views.job_detail, name="org_io_job"),
        path(
            "org/io/jobs/<int:job_id>/status/",
            admin_io_views.job_status,
            name="org_io_job_status",
        ),
        path(
            "org/io/template/<str:kind>/",
            admin_io_views.template_download,
            name="org_io_template",
        ),
        path(
            "org/io/export/<str:kind>/",
            admin_io_views.export_download,
            name="org_io_export",
        ),
    ]


class OrgMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_io_menu_item():
    return OrgMenuItem(
        _("Excel import/export"), reverse("org_io"), icon_name="table", order=160
    )
