"""学习之星 pages: the announcements of my units (/awards/), one award, my
certificate's download, the public verification page a certificate's QR code
opens (/awards/verify/<code>/), and the badge on my profile (/me/, through the
``zhixue_profile_panels`` hook: org does not import assessments)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from wagtail import hooks

from .selectors.awards import (
    access_award,
    access_certificate,
    my_wins,
    period_label,
    verify_certificate,
    visible_awards,
)

PAGE_SIZE = 20


def _labelled(awards):
    for award in awards:
        award.period_label = period_label(award)
    return awards


@login_required
def awards_view(request):
    page = Paginator(visible_awards(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _labelled(page.object_list)
    return render(
        request,
        "assessments/awards/list.html",
        {"page": page, "section": "ranking"},
    )


@login_required
def award_detail_view(request, award_id: int):
    award = access_award(viewer=request.user, award_id=award_id)
    award.period_label = period_label(award)
    mine = {w.pk for w in award.winners.all() if w.user_id == request.user.pk}
    return render(
        request,
        "assessments/awards/detail.html",
        {"award": award, "mine": mine, "section": "ranking"},
    )


@login_required
def certificate_download_view(request, winner_id: int):
    winner = access_certificate(viewer=request.user, winner_id=winner_id)
    return certificate_response(winner)


def certificate_response(winner) -> FileResponse:
    name = f"{winner.award.title}-{winner.user.display_name}.pdf"
    try:
        pdf = winner.certificate.open("rb")
    except FileNotFoundError as exc:  # the file is gone from storage
        raise Http404 from exc
    response = FileResponse(
        pdf,
        content_type="application/pdf",
        as_attachment=True,
        filename=name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def verify_view(request, code: str):
    """Public: anyone scanning a certificate sees whether it is genuine."""
    try:
        winner = verify_certificate(code=code)
    except Http404:
        return render(request, "assessments/awards/verify.html", {}, status=404)
    winner.award.period_label = period_label(winner.award)
    return render(request, "assessments/awards/verify.html", {"winner": winner})


@hooks.register("zhixue_profile_panels")
def awards_profile_panel(request) -> str | None:
    """A 学习之星 badge per published award the member won (their newest five)."""
    wins = list(my_wins(viewer=request.user)[:5])
    if not wins:
        return None
    for win in wins:
        win.award.period_label = period_label(win.award)
    return render_to_string(
        "assessments/awards/profile_badge.html", {"wins": wins}, request=request
    )
