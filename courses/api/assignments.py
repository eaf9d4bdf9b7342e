"""API for 学习任务: the caller's tasks and one of them with its courses."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.assignments import task_detail, tasks_for
from .assignments_serializers import TaskDetailSerializer, TaskSerializer


class MyTasksView(APIView):
    """The caller's active study tasks with progress, unfinished first."""

    @extend_schema(
        tags=["courses"],
        operation_id="me_tasks_list",
        responses=TaskSerializer(many=True),
    )
    def get(self, request):
        return Response(TaskSerializer(tasks_for(viewer=request.user), many=True).data)


class MyTaskDetailView(APIView):
    """One of the caller's tasks with its courses (404 if not given to them)."""

    @extend_schema(tags=["courses"], responses=TaskDetailSerializer)
    def get(self, request, assignment_id: int):
        task = task_detail(viewer=request.user, assignment_id=assignment_id)
        return Response(TaskDetailSerializer(task).data)


urlpatterns: list = [
    path("me/tasks/", MyTasksView.as_view(), name="me-tasks"),
    path(
        "me/tasks/<int:assignment_id>/",
        MyTaskDetailView.as_view(),
        name="me-task-detail",
    ),
]
