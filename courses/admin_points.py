"""Admin → 积分规则 (/admin/points-rules/), for platform admins only: each action's
rule valid now with its versions, and "change rule", which adds the next version
(old versions and the points awarded under them never change). For everyone else
the screens do not exist (404) and the menu item is hidden."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope

from .models import PointsRule
from .selectors.points import points_rule_for_change, points_rule_versions
from .services.points import points_rule_change


def _label(name: str):
    return capfirst(PointsRule._meta.get_field(name).verbose_name)


class PointsRuleForm(forms.Form):
    points = forms.IntegerField(label=_label("points"), min_value=0)
    daily_cap = forms.IntegerField(
        label=_label("daily_cap"),
        min_value=0,
        required=False,
        help_text=_("Empty: no daily cap."),
    )
    weekly_cap = forms.IntegerField(
        label=_label("weekly_cap"),
        min_value=0,
        required=False,
        help_text=_("Empty: no weekly cap (a week is Monday to Sunday)."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_label("weekdays"),
        choices=[(str(day + 1), WEEKDAYS[day]) for day in range(7)],
        widget=forms.CheckboxSelectMultiple,
    )
    min_effective_seconds = forms.IntegerField(
        label=_label("min_effective_seconds"),
        min_value=0,
        help_text=_(
            "Study time: points are given per this many seconds studied. Other "
            "actions: the least effective time an event needs (0: none)."
        ),
    )
    is_active = forms.BooleanField(label=_label("is_active"), required=False)
    valid_from = forms.DateTimeField(
        label=_label("valid_from"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("Empty: from now."),
    )
    note = forms.CharField(label=_label("note"), max_length=200, required=False)


def points_rules(request):
    histories = points_rule_versions(viewer=request.user)  # 404 unless platform admin
    return TemplateResponse(
        request, "courses/admin/points_rules.html", {"histories": histories}
    )


def points_rule_edit(request, action: str):
    history = points_rule_for_change(viewer=request.user, action=action)
    latest = history.versions[0] if history.versions else None
    initial = {"weekdays": list("1234567"), "is_active": True}
    if latest is not None:
        initial.update(
            {
                "points": latest.points,
                "daily_cap": latest.daily_cap,
                "weekly_cap": latest.weekly_cap,
                "weekdays": list(latest.weekdays),
                "min_effective_seconds": latest.min_effective_seconds,
                "is_active": latest.is_active,
            }
        )
    form = PointsRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "weekdays": "".join(form.cleaned_data["weekdays"])}
        try:
            rule = points_rule_change(action=action, by=request.user, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                gettext("%(action)s: version %(version)s saved.")
                % {"action": history.label, "version": rule.version},
            )
            return redirect("courses_points_rules")
    return TemplateResponse(
        request,
        "courses/admin/points_rule_change.html",
        {
            "history": history,
            "latest": latest,
            "next_version": (latest.version if latest else 0) + 1,
            "form": form,
        },
    )


@hooks.register("register_admin_urls")
def register_points_rules_urls():
    return [
        path("points-rules/", points_rules, name="courses_points_rules"),
        path(
            "points-rules/<str:action>/change/",
            points_rule_edit,
            name="courses_points_rule_change",
        ),
    ]


class PointsRulesMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.is_platform_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_points_rules_menu_item():
    return PointsRulesMenuItem(
        _("Points rules"),
        reverse("courses_points_rules"),
        icon_name="sliders",
        order=175,
    )
