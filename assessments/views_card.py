"""The member card at /members/<member_id>/card/ (the QR on a member's profile
opens it), and the QR panel on the profile page (/me/, through the
``zhixue_profile_panels`` hook: org does not import assessments)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail import hooks

from org import scope
from org.models import Member

from .qr import qr_svg
from .selectors.cards import member_card


@login_required
def card_view(request, member_id: int):
    card = member_card(viewer=request.user, member_id=member_id)
    return render(request, "assessments/card.html", {"card": card})


def card_url(request, member: Member) -> str:
    return request.build_absolute_uri(
        reverse("member_card", kwargs={"member_id": member.pk})
    )


@hooks.register("zhixue_profile_panels")
def card_profile_panel(request) -> str | None:
    """My card's QR code, for me or an admin of my units to scan (扫一扫)."""
    member = scope.visible_members(request.user).filter(user=request.user).first()
    if member is None:
        return None
    url = card_url(request, member)
    return render_to_string(
        "assessments/card_panel.html",
        {"url": url, "qr": qr_svg(url)},
        request=request,
    )
