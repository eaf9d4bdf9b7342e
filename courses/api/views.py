from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import (
    access_course_id,
    access_lesson,
    course_catalogue,
    course_outline,
    ledger_entries,
    study_settings,
    study_summary,
    year_param,
)
from ..services.tracking import watch_session_start
from .intake import heartbeat_answer
from .serializers import (
    CourseDetailSerializer,
    CourseListItemSerializer,
    HeartbeatResultSerializer,
    HeartbeatSerializer,
    SessionStartSerializer,
    StudySummarySerializer,
)


class CourseListView(generics.GenericAPIView):
    """The courses the caller may take, with their progress in each."""

    serializer_class = CourseListItemSerializer

    @extend_schema(
        tags=["courses"],
        operation_id="courses_list",
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("category", int),
            OpenApiParameter("required", str, enum=["1", "0"]),
        ],
    )
    def get(self, request):
        catalogue = course_catalogue(viewer=request.user, params=request.query_params)
        page = catalogue["courses"]
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "num_pages": page.paginator.num_pages,
                "results": CourseListItemSerializer(page.object_list, many=True).data,
            }
        )


class CourseDetailView(APIView):
    @extend_schema(tags=["courses"], responses=CourseDetailSerializer)
    def get(self, request, course_id: int):
        course = access_course_id(viewer=request.user, course_id=course_id)
        outline = course_outline(viewer=request.user, course=course)
        data = {
            "id": course.pk,
            "title": course.title,
            "summary": course.summary,
            "credit_hours": course.credit_hours,
            "required": course.required,
            "author": course.author,
            "lesson_total": outline["lesson_total"],
            "lesson_done": outline["lesson_done"],
            "chapters": [
                {"title": chapter.title, "lessons": lessons}
                for chapter, lessons in outline["outline"]
            ],
        }
        return Response(CourseDetailSerializer(data).data)


class SessionStartView(APIView):
    """Start studying a lesson: closes the caller's other open sessions."""

    @extend_schema(tags=["courses"], request=None, responses=SessionStartSerializer)
    def post(self, request, lesson_id: int):
        lesson = access_lesson(viewer=request.user, lesson_id=lesson_id)
        session = watch_session_start(viewer=request.user, lesson=lesson)
        progress = lesson.progress.filter(user=request.user).first()
        settings = study_settings(viewer=request.user, lesson=lesson, progress=progress)
        data = {"session_id": session.pk, "token": session.token, **settings}
        return Response(SessionStartSerializer(data).data, status=201)


class HeartbeatView(APIView):
    """One heartbeat: seq = previous + 1, token = the previous answer's token.

    The session id and the token chain are the credential (see
    ``heartbeat_record``): no login is needed, so the most frequent request of the
    platform costs no session or token lookup. Served in production by
    ``intake.HeartbeatIntake`` in front of Django, with the same answers."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # JSON only, no browsable renderer to choose between: the cheapest DRF path
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        tags=["courses"],
        request=HeartbeatSerializer,
        responses=HeartbeatResultSerializer,
        auth=[],
    )
    def post(self, request, session_id):
        status, payload = heartbeat_answer(session_id, request.data)
        return Response(payload, status=status)


class StudySummaryView(APIView):
    """The caller's 学时 this year against the target, with the ledger."""

    @extend_schema(
        tags=["courses"],
        parameters=[OpenApiParameter("year", int)],
        responses=StudySummarySerializer,
    )
    def get(self, request):
        summary = study_summary(viewer=request.user)
        year = year_param(request.query_params.get("year"))
        entries = ledger_entries(viewer=request.user, year=year)
        data = {**summary, "entries": entries}
        return Response(StudySummarySerializer(data).data)
