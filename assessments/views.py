"""The 排行 pages: member and unit boards for the scopes the viewer may see, the
Excel export of what is shown, and leaving or rejoining the boards."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.http import xlsx_response

from .board_query import board_query
from .models import Metric, PeriodKind
from .periods import KINDS
from .selectors.boards import is_off_boards, member_board, unit_board
from .services.exclusions import board_opt_out
from .services.exports import board_workbook


def _board(request, query):
    if query.view == "units":
        return unit_board(
            viewer=request.user,
            unit=query.unit,
            metric=query.metric,
            period=query.period,
            order=query.order,
        )
    return member_board(
        viewer=request.user,
        unit=query.unit,
        metric=query.metric,
        period=query.period,
        exam_id=query.exam_id,
    )


def _params(query, **changes) -> dict:
    params = {
        "scope": query.unit.pk,
        "metric": query.metric,
        "period": query.period.kind,
        "view": query.view,
        "order": query.order,
    }
    if query.period.kind == "custom":
        params |= {"start": query.period.start, "end": query.period.end}
    params |= changes
    return params


def _links(query) -> dict:
    """The tabs of the page: ``{group: [(label, url, active)]}``."""

    def url(**changes) -> str:
        return "?" + urlencode(_params(query, **changes))

    return {
        "view": [
            (_("Members"), url(view="members"), query.view == "members"),
            (_("Units"), url(view="units"), query.view == "units"),
        ],
        "metric": [
            (label, url(metric=value), query.metric == value)
            for value, label in Metric.choices
        ],
        "period": [
            (PeriodKind(kind).label, url(period=kind), query.period.kind == kind)
            for kind in KINDS
        ],
        "order": [
            (_("Per capita"), url(order="per_capita"), query.order == "per_capita"),
            (
                _("Participation"),
                url(order="participation"),
                query.order == "participation",
            ),
        ],
        "export": reverse("boards_export") + url(),
    }


@login_required
def boards_view(request):
    try:
        query = board_query(viewer=request.user, params=request.GET)
    except ValidationError as exc:
        return render(
            request,
            "assessments/boards.html",
            {"error": exc.messages[0], "section": "ranking"},
            status=400,
        )
    board = _board(request, query)
    context = {
        "query": query,
        "board": board,
        "links": _links(query),
        "metric_label": Metric(query.metric).label,
        "off_boards": is_off_boards(request.user),
        "section": "ranking",
    }
    return render(request, "assessments/boards.html", context)


@login_required
def boards_export_view(request):
    try:
        query = board_query(viewer=request.user, params=request.GET)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("section_ranking")
    board = _board(request, query)
    content = board_workbook(board=board, metric_label=str(Metric(query.metric).label))
    name = f"排行榜-{query.unit.name}-{query.period.label}.xlsx".replace(" ", "")
    return xlsx_response(content, name)


@login_required
@require_POST
def boards_opt_out_view(request):
    off = board_opt_out(user=request.user, opted_out=request.POST.get("off") == "1")
    messages.success(
        request,
        _("You are off the boards.") if off else _("You are on the boards again."),
    )
    return redirect("section_ranking")


urlpatterns = [
    path("", boards_view, name="section_ranking"),
    path("export/", boards_export_view, name="boards_export"),
    path("opt-out/", boards_opt_out_view, name="boards_opt_out"),
]
