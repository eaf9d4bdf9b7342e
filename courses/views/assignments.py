"""Member pages for 学习任务: the list of the member's tasks (/study/tasks/) and one
task with its courses (/study/tasks/<id>/, 404 if not given to the member)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from ..selectors.assignments import task_detail, tasks_for


@login_required
def tasks_view(request):
    return render(
        request,
        "courses/assignments/tasks.html",
        {"tasks": tasks_for(viewer=request.user)},
    )


@login_required
def task_view(request, assignment_id: int):
    task = task_detail(viewer=request.user, assignment_id=assignment_id)
    return render(request, "courses/assignments/task.html", {"task": task})


urlpatterns: list = [
    path("tasks/", tasks_view, name="study_tasks"),
    path("tasks/<int:assignment_id>/", task_view, name="study_task_detail"),
]
