"""Admin → 大屏 (/admin/display/): unit admins make a secret display link for a
unit they manage, show its URL and QR (to open on the lobby TV), revoke it or
replace it with a new one. URLs and the menu item are registered here as Wagtail
hooks (imported by assessments/wagtail_hooks.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope

from .qr import qr_svg
from .selectors.display import access_display_link, display_links
from .services.display import (
    display_link_create,
    display_link_regenerate,
    display_link_revoke,
)


class DisplayLinkForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    name = forms.CharField(
        label=_("Location"),
        max_length=100,
        required=False,
        help_text=_("Where the screen is, e.g. “Lobby, 1st floor”."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


def _require_admin(request) -> None:
    if not scope.can_manage_org(request.user):
        raise Http404


def display_url(request, link) -> str:
    return request.build_absolute_uri(reverse("display", kwargs={"token": link.token}))


def links_view(request):
    _require_admin(request)
    form = DisplayLinkForm(
        request.POST or None, units=scope.managed_units(request.user).order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        try:
            link = display_link_create(
                by=request.user,
                unit=form.cleaned_data["unit"],
                name=form.cleaned_data["name"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(
            request,
            gettext("The display link for %(unit)s is ready.") % {"unit": link.unit},
        )
        return redirect("assessments_display_links")
    links = list(display_links(viewer=request.user))
    for link in links:
        if link.revoked_at is None:
            link.url = display_url(request, link)
            link.qr = qr_svg(link.url)
    return TemplateResponse(
        request,
        "assessments/admin/display_links.html",
        {"form": form, "links": links},
    )


def _confirm(request, link_id: int, action: str):
    _require_admin(request)
    link = access_display_link(viewer=request.user, link_id=link_id)
    if request.method == "POST":
        if action == "revoke":
            display_link_revoke(by=request.user, link=link)
            messages.success(request, gettext("The display link is revoked."))
        else:
            display_link_regenerate(by=request.user, link=link)
            messages.success(
                request,
                gettext("A new display link replaces the old one: open it on the TV."),
            )
        return redirect("assessments_display_links")
    return TemplateResponse(
        request,
        "assessments/admin/display_confirm.html",
        {"link": link, "action": action},
    )


def revoke_view(request, link_id: int):
    return _confirm(request, link_id, "revoke")


def regenerate_view(request, link_id: int):
    return _confirm(request, link_id, "regenerate")


@hooks.register("register_admin_urls")
def register_display_admin_urls():
    return [
        path("display/", links_view, name="assessments_display_links"),
        path(
            "display/<int:link_id>/revoke/",
            revoke_view,
            name="assessments_display_revoke",
        ),
        path(
            "display/<int:link_id>/regenerate/",
            regenerate_view,
            name="assessments_display_regenerate",
        ),
    ]


class DisplayMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_menu_item")
def register_display_menu_item():
    return DisplayMenuItem(
        _("Lobby display"),
        reverse("assessments_display_links"),
        icon_name="desktop",
        order=195,
    )
