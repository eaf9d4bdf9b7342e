"""Admin → 学习之星: award rules (a scoped ModelViewSet: a unit admin sees and
edits the rules rooted in their subtrees), and the awards of their units —
proposed, approved, published — with the recorded scores, the history, and the
approve / replace a winner / publish actions (the same services the beat job
and the API use). URLs, viewset and menu items are registered here as Wagtail
hooks (imported by assessments/wagtail_hooks.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.permissions import register_permission_policy

from org import scope
from org.admin_forms import UnitChoiceField
from org.admin_viewsets import ScopedModelViewSet
from org.models import Member, Unit
from org.permissions import ScopedPermissionPolicy

from .models import AwardRule, AwardStatus
from .periods import period_of
from .selectors.awards import (
    access_managed_award,
    award_candidates,
    managed_awards,
    managed_rules,
    period_label,
    replacement_candidates,
    rule_units,
)
from .services.awards import award_approve, award_publish, award_replace, awards_propose

register_permission_policy(
    AwardRule,
    ScopedPermissionPolicy(AwardRule, lambda user: managed_rules(viewer=user)),
)


# --- rules ------------------------------------------------------------------------


class AwardRuleForm(WagtailAdminModelForm):
    root = UnitChoiceField(queryset=Unit.objects.none(), label=_("Root unit"))

    class Meta:
        model = AwardRule
        fields = [
            "name",
            "title",
            "root",
            "period",
            "scope",
            "scope_unit_type",
            "scope_depth",
            "require_pace",
            "min_hours",
            "min_points",
            "min_exam",
            "weight_hours",
            "weight_points",
            "weight_exam",
            "winners",
            "tie_break",
            "is_active",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["root"].queryset = scope.managed_units(for_user).order_by("path")
        self.fields["root"].help_text = AwardRule._meta.get_field("root").help_text


class RuleIndexView(generic.IndexView):
    def get_base_queryset(self):
        return managed_rules(viewer=self.request.user).select_related("root")

    @property
    def columns(self):
        title_class = self._get_title_column_class(TitleColumn)
        return [
            title_class("name", label=_("Name"), get_url=self.get_edit_url),
            Column("title", label=pgettext_lazy("award", "Title")),
            Column("root", label=_("Root unit"), accessor="root.name"),
            Column(
                "period",
                label=pgettext_lazy("award", "Period"),
                accessor="get_period_display",
            ),
            Column("scope", label=_("One award per"), accessor="get_scope_display"),
            Column("winners", label=_("Winners")),
            Column(
                "is_active",
                label=_("Active"),
                accessor=lambda r: _("Yes") if r.is_active else _("No"),
            ),
        ]


class RuleCreateView(generic.CreateView):
    def save_instance(self):
        rule = self.form.save(commit=False)
        rule.created_by = self.request.user
        rule.save()
        return rule


class RuleDeleteView(generic.DeleteView):
    def post(self, request, *args, **kwargs):
        if self.object.awards.exists():
            # the awards made under it keep pointing at it: switch it off instead
            messages.error(
                request,
                gettext("This rule has awards; deactivate it instead of deleting it."),
            )
            return redirect(self.edit_url_name, self.object.pk)
        return super().post(request, *args, **kwargs)


class AwardRuleViewSet(ScopedModelViewSet):
    model = AwardRule
    form_class = AwardRuleForm
    icon = "pick"
    menu_label = _("Study star rules")
    menu_order = 192
    add_to_admin_menu = True
    index_view_class = RuleIndexView
    add_view_class = RuleCreateView
    delete_view_class = RuleDeleteView
    search_fields = ["name", "title"]
    search_backend_name = None
    ordering = ["root__path", "name"]

    def managed_queryset(self, user):
        return managed_rules(viewer=user)


# --- awards -----------------------------------------------------------------------


class ProposeForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("Rule"), queryset=AwardRule.objects.none())

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.user.display_name}（{member.employee_no}，{member.unit.name}）"


class ReplaceForm(forms.Form):
    old_user = forms.ChoiceField(label=_("Winner to replace"))
    new_member = MemberChoiceField(
        label=_("New winner"), queryset=Member.objects.none()
    )
    note = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_user"].choices = [
            (w.user_id, w.user.display_name) for w in award.winners.all()
        ]
        self.fields["new_member"].queryset = replacement_candidates(award=award)


def awards_list_view(request):
    scope.require_org_admin(request.user)
    status = request.GET.get("status") or ""
    if status not in AwardStatus.values:
        status = ""
    rules = managed_rules(viewer=request.user).filter(is_active=True)
    form = ProposeForm(request.POST or None, rules=rules)
    if request.method == "POST" and form.is_valid():
        rule = form.cleaned_data["rule"]
        period = period_of(rule.period).previous()
        try:
            made = awards_propose(rule=rule, period=period)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("%(count)d award(s) proposed for %(period)s.")
                % {"count": len(made), "period": period.label},
            )
        return redirect("assessments_awards")
    awards = list(managed_awards(viewer=request.user, status=status or None)[:200])
    for award in awards:
        award.period_label = period_label(award)
    return TemplateResponse(
        request,
        "assessments/awards/admin/list.html",
        {
            "awards": awards,
            "form": form,
            "status": status,
            "statuses": AwardStatus.choices,
        },
    )


def award_admin_view(request, award_id: int):
    scope.require_org_admin(request.user)
    award = access_managed_award(viewer=request.user, award_id=award_id)
    award.period_label = period_label(award)
    replace_form = ReplaceForm(
        request.POST if request.POST.get("action") == "replace" else None, award=award
    )
    if request.method == "POST" and replace_form.is_valid():
        data = replace_form.cleaned_data
        old = next(
            w.user for w in award.winners.all() if str(w.user_id) == data["old_user"]
        )
        try:
            award_replace(
                by=request.user,
                award=award,
                old_user=old,
                new_user=data["new_member"].user,
                note=data["note"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The winner was replaced."))
            return redirect("assessments_award", award.pk)
    return TemplateResponse(
        request,
        "assessments/awards/admin/detail.html",
        {
            "award": award,
            "candidates": award_candidates(award=award),
            "events": award.events.all(),
            "replace_form": replace_form,
            "rule_units": rule_units(rule=award.rule).count(),
        },
    )


@require_POST
def award_decide_view(request, award_id: int, action: str):
    scope.require_org_admin(request.user)
    award = access_managed_award(viewer=request.user, award_id=award_id)
    service = {"approve": award_approve, "publish": award_publish}.get(action)
    if service is None:
        raise Http404
    try:
        service(by=request.user, award=award, note=request.POST.get("note", ""))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {
            "approve": gettext("The award is approved."),
            "publish": gettext("The award is published; certificates are being made."),
        }
        messages.success(request, done[action])
    return redirect("assessments_award", award.pk)


@hooks.register("register_admin_viewset")
def register_award_rules_viewset():
    return AwardRuleViewSet("award_rules")


@hooks.register("register_admin_urls")
def register_award_admin_urls():
    return [
        path("awards/", awards_list_view, name="assessments_awards"),
        path("awards/<int:award_id>/", award_admin_view, name="assessments_award"),
        path(
            "awards/<int:award_id>/<str:action>/",
            award_decide_view,
            name="assessments_award_decide",
        ),
    ]


class UnitAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_awards_menu_item():
    return UnitAdminMenuItem(
        _("Study stars"), reverse("assessments_awards"), icon_name="pick", order=191
    )
