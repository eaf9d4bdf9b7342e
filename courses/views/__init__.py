"""Member pages of the courses app that are not Wagtail pages: 我的学习."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..models import CourseIndexPage, StudyKind
from ..selectors import study_summary
from ..selectors.assignments import tasks_for
from ..selectors.points import points_today, points_total


@login_required
def my_study_view(request):
    summary = study_summary(viewer=request.user)
    hours_by_kind = summary["by_kind"]
    context = {
        **summary,
        # labelled, in the order of StudyKind; kinds without hours left out
        "by_kind": [
            (label, hours_by_kind[kind])
            for kind, label in StudyKind.choices
            if hours_by_kind.get(kind)
        ],
        "remaining": max(summary["target"] - summary["hours"], 0),
        "catalogue": CourseIndexPage.objects.live().first(),
        "points_today": points_today(viewer=request.user)["total_today"],
        "points_year": points_total(viewer=request.user),
        "tasks_due": [t for t in tasks_for(viewer=request.user) if not t.progress.done],
    }
    return render(request, "courses/my_study.html", context)
