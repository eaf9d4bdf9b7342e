"""Wagtail admin screens for the organisation tree and members, behind org.scope.

Every URL of these viewsets that names an object is checked against the caller's
scope before Wagtail's view runs; outside it, the answer is 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import scope
from .admin_forms import MemberForm, RoleAssignmentForm, UnitForm
from .models import Member, RoleAssignment, Unit
from .services import members as member_services
from .services import roles as role_services
from .services import units as unit_services


class ScopedModelViewSet(ModelViewSet):
    inspect_view_enabled = False
    copy_view_enabled = False
    form_class = None

    def get_form_class(self, for_update=False):
        return self.form_class

    def managed_queryset(self, user):
        raise NotImplementedError

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)
        viewset = self

        @wraps(view)
        def scoped_view(request, *args, **view_kwargs):
            if not scope.can_manage_org(request.user):
                raise Http404
            pk = view_kwargs.get("pk")
            if (
                pk is not None
                and not viewset.managed_queryset(request.user)
                .filter(pk=unquote(str(pk)))
                .exists()
            ):
                raise Http404
            return view(request, *args, **view_kwargs)

        return scoped_view


class ServiceSaveMixin:
    """Show a service's ValidationError on the form instead of failing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


# --- Units -------------------------------------------------------------------


class UnitIndexView(generic.IndexView):
    default_ordering = "path"

    def get_base_queryset(self):
        return scope.managed_units(self.request.user).annotate(
            member_count=Count("members")
        )

    @property
    def columns(self):
        title_class = self._get_title_column_class(TitleColumn)
        return [
            title_class(
                "name",
                label=_("Unit name"),
                accessor=lambda u: (
                    "　" * (u.depth - 1) + ("└ " if u.depth > 1 else "") + u.name
                ),
                get_url=self.get_edit_url,
                sort_key="path",
            ),
            Column("code", label=_("Code")),
            Column("unit_type", label=_("Type"), accessor="get_unit_type_display"),
            Column("member_count", label=_("Members")),
            Column(
                "is_active",
                label=_("Active"),
                accessor=lambda u: _("Yes") if u.is_active else _("No"),
            ),
        ]


class UnitCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_services.unit_create(
            parent=data["parent"],
            name=data["name"],
            code=data["code"],
            unit_type=data["unit_type"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            by=self.request.user,
        )


class UnitEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_services.unit_update(
            unit=self.object,
            parent=data.get("parent"),
            name=data["name"],
            code=data["code"],
            unit_type=data["unit_type"],
            sort_order=data["sort_order"],
            is_active=data["is_active"],
            by=self.request.user,
        )


class UnitDeleteView(generic.DeleteView):
    def post(self, request, *args, **kwargs):
        try:
            unit_services.unit_delete(unit=self.object, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.edit_url_name, self.object.pk)
        messages.success(request, _("Unit “%(name)s” deleted.") % {"name": self.object})
        return redirect(self.index_url_name)


class UnitViewSet(ScopedModelViewSet):
    model = Unit
    form_class = UnitForm
    icon = "group"
    menu_label = _("Organisation units")
    index_view_class = UnitIndexView
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["path"]
    list_per_page = 100

    def managed_queryset(self, user):
        return scope.managed_units(user)


# --- Members -------------------------------------------------------------------


class MemberFilterSet(WagtailFilterSet):
    unit = ModelChoiceFilter(
        label=_("Unit (with sub-units)"),
        queryset=lambda request: scope.managed_units(request.user).order_by("path"),
        method="filter_subtree",
    )

    class Meta:
        model = Member
        fields = ["unit", "status"]

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


class MemberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope.managed_members(self.request.user).select_related("user", "unit")

    @property
    def columns(self):
        title_class = self._get_title_column_class(TitleColumn)
        return [
            title_class(
                "name",
                label=_("Name"),
                accessor="user.real_name",
                get_url=self.get_edit_url,
                sort_key="name_pinyin",
            ),
            Column("employee_no", label=_("Employee number"), sort_key="employee_no"),
            Column("unit", label=_("Unit"), accessor="unit.name"),
            Column(
                "status", label=_("Political status"), accessor="get_status_display"
            ),
            Column("post", label=_("Party post")),
            Column("phone", label=_("Mobile phone"), accessor="user.phone"),
        ]


class MemberCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        return member_services.member_create(
            **self.form.service_kwargs(), by=self.request.user
        )


class MemberEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        # A different unit is recorded as a transfer (组织关系转接).
        return member_services.member_update(
            member=self.object, **self.form.service_kwargs(), by=self.request.user
        )


class MemberViewSet(ScopedModelViewSet):
    model = Member
    form_class = MemberForm
    icon = "user"
    menu_label = _("Members")
    index_view_class = MemberIndexView
    add_view_class = MemberCreateView
    edit_view_class = MemberEditView
    filterset_class = MemberFilterSet
    search_fields = ["user__real_name", "employee_no", "user__phone", "name_pinyin"]
    search_backend_name = None
    ordering = ["name_pinyin"]
    list_per_page = 50

    def managed_queryset(self, user):
        return scope.managed_members(user)


# --- Roles ---------------------------------------------------------------------


class RoleIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope.managed_role_assignments(self.request.user).select_related(
            "user", "unit"
        )

    @property
    def columns(self):
        title_class = self._get_title_column_class(TitleColumn)
        return [
            title_class(
                "user",
                label=_("Account"),
                accessor=lambda a: a.user.display_name,
                get_url=self.get_edit_url,
            ),
            Column("role", label=_("Role"), accessor="get_role_display"),
            Column(
                "unit",
                label=_("Unit"),
                accessor=lambda a: a.unit.name if a.unit else _("All units"),
            ),
            Column(
                "granted_at",
                label=_("Granted"),
                accessor=lambda a: a.granted_at.strftime("%Y-%m-%d"),
            ),
        ]


class RoleCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return role_services.role_grant(
            user=data["user"],
            role=data["role"],
            unit=data["unit"],
            by=self.request.user,
        )


class RoleEditView(ServiceSaveMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return role_services.role_change(
            assignment=self.object,
            role=data["role"],
            unit=data["unit"],
            by=self.request.user,
        )


class RoleDeleteView(generic.DeleteView):
    def delete_action(self):
        role_services.role_revoke(
            user=self.object.user, role=self.object.role, unit=self.object.unit
        )


class RoleViewSet(ScopedModelViewSet):
    model = RoleAssignment
    form_class = RoleAssignmentForm
    icon = "key"
    menu_label = _("Roles")
    index_view_class = RoleIndexView
    add_view_class = RoleCreateView
    edit_view_class = RoleEditView
    delete_view_class = RoleDeleteView
    search_fields = ["user__real_name", "user__username"]
    search_backend_name = None
    ordering = ["unit__path", "role"]

    def managed_queryset(self, user):
        return scope.managed_role_assignments(user)


class OrgViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "site"
    menu_order = 150
    items = (UnitViewSet("units"), MemberViewSet("members"), RoleViewSet("roles"))
