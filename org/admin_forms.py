"""Wagtail admin forms for units and members: shape only, saving goes to services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import scope
from .models import Member, Role, RoleAssignment, Unit, User


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return "　" * (unit.depth - 1) + unit.name


class UnitForm(WagtailAdminModelForm):
    parent = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Parent unit")
    )

    class Meta:
        model = Unit
        fields = ["parent", "name", "code", "unit_type", "sort_order", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        platform_admin = scope.is_platform_admin(for_user)
        choices = scope.managed_units(for_user).order_by("path")
        if self.instance.pk:
            given = {u.pk for u in scope.role_units(for_user, "unit_admin")}
            if not platform_admin and self.instance.pk in given:
                # The unit an admin was given stays where it is (for that admin).
                del self.fields["parent"]
                return
            choices = choices.exclude(path__startswith=self.instance.path)
            self.initial["parent"] = self.instance.get_parent()
        self.fields["parent"].queryset = choices
        self.fields["parent"].required = not platform_admin


class MemberForm(WagtailAdminModelForm):
    real_name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit"))

    class Meta:
        model = Member
        fields = [
            "real_name",
            "phone",
            "employee_no",
            "unit",
            "gender",
            "birth_date",
            "joined_party_on",
            "status",
            "post",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["unit"].queryset = scope.managed_units(for_user).order_by("path")
        if self.instance.pk:
            self.initial["real_name"] = self.instance.user.real_name
            self.initial["phone"] = self.instance.user.phone or ""

    def service_kwargs(self) -> dict:
        return {key: self.cleaned_data[key] for key in self.Meta.fields}


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        member = getattr(user, "member", None)
        return (
            f"{user.display_name}（{member.employee_no}）" if member else user.username
        )


class RoleAssignmentForm(WagtailAdminModelForm):
    user = AccountChoiceField(queryset=User.objects.none(), label=_("Account"))
    unit = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Unit")
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "unit"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["user"].queryset = (
            scope.managed_users(for_user)
            .select_related("member")
            .order_by("member__name_pinyin", "username")
        )
        self.fields["unit"].queryset = scope.managed_units(for_user).order_by("path")
        allowed = scope.grantable_roles(for_user)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in allowed]
        if self.instance.pk:
            self.fields["user"].disabled = True
