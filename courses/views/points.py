"""Member page 我的积分 (/study/points/): today's points against the caps, this
year's total and the history."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from ..selectors.points import points_history, points_today, points_total

HISTORY_PAGE_SIZE = 20


@login_required
def my_points_view(request):
    today = points_today(viewer=request.user)
    history = Paginator(points_history(viewer=request.user), HISTORY_PAGE_SIZE)
    context = {
        **today,
        "year": today["day"].year,
        "total_year": points_total(viewer=request.user, year=today["day"].year),
        "history": history.get_page(request.GET.get("page")),
    }
    return render(request, "courses/points/my_points.html", context)


urlpatterns: list = [
    path("points/", my_points_view, name="study_points"),
]
