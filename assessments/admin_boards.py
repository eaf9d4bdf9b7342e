"""Admin → 排行榜排除 (/admin/boards/exclusions/): unit admins leave members of
their units off every board (a test account, a member on long leave) and take
them back. Members' own opt-outs are listed too, read-only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from org import scope

from .selectors.boards import exclusions_managed, find_managed_member
from .services.exclusions import board_exclude, board_include


class ExcludeForm(forms.Form):
    who = forms.CharField(
        label=_("Member"),
        max_length=50,
        help_text=_("Employee number, mobile phone or login name."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def _require_admin(request) -> None:
    if not scope.can_manage_org(request.user):
        raise Http404


def exclusions_view(request):
    _require_admin(request)
    form = ExcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = find_managed_member(viewer=request.user, who=form.cleaned_data["who"])
        if member is None:
            form.add_error("who", gettext("No member of your units has this number."))
        else:
            try:
                board_exclude(
                    by=request.user, user=member.user, note=form.cleaned_data["note"]
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            messages.success(
                request,
                gettext("%(name)s is off the boards.") % {"name": member.user},
            )
            return redirect("assessments_exclusions")
    entries = exclusions_managed(viewer=request.user)
    return TemplateResponse(
        request,
        "assessments/admin/exclusions.html",
        {"form": form, "entries": entries},
    )


@require_POST
def exclusion_remove_view(request, user_id: int):
    _require_admin(request)
    entry = next(
        (e for e in exclusions_managed(viewer=request.user) if e.user_id == user_id),
        None,
    )
    if entry is None:
        raise Http404
    board_include(by=request.user, user=entry.user)
    messages.success(
        request, gettext("%(name)s is on the boards again.") % {"name": entry.user}
    )
    return redirect("assessments_exclusions")
