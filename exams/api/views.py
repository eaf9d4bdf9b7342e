"""The candidate API: my exams, start, the answer sheet, save, submit."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.attempts import (
    access_attempt,
    access_exam,
    answered_count,
    attempt_sheet,
    exams_for,
)
from ..services.attempts import (
    AttemptClosed,
    answer_save,
    attempt_event_log,
    attempt_start,
    attempt_submit,
)
from .serializers import (
    AnswerSavedSerializer,
    AnswerSaveSerializer,
    AttemptEventSerializer,
    ExamRowSerializer,
    SheetSerializer,
)


def _sheet(request, attempt) -> Response:
    sheet = attempt_sheet(attempt=attempt, viewer=request.user)
    return Response(SheetSerializer(sheet).data)


class MyExamsView(APIView):
    """The published exams the caller may sit, open ones first."""

    @extend_schema(tags=["exams"], responses=ExamRowSerializer(many=True))
    def get(self, request):
        rows = exams_for(viewer=request.user)
        return Response(ExamRowSerializer(rows, many=True).data)


class AttemptStartView(APIView):
    """Start (or resume: the open attempt) an exam; the deadline is the server's."""

    @extend_schema(tags=["exams"], request=None, responses={201: SheetSerializer})
    def post(self, request, exam_id: int):
        row = access_exam(viewer=request.user, exam_id=exam_id)
        attempt = attempt_start(user=request.user, exam=row["exam"])
        sheet = attempt_sheet(attempt=attempt, viewer=request.user)
        return Response(SheetSerializer(sheet).data, status=201)


class AttemptView(APIView):
    """The answer sheet; the key only when the review policy allows."""

    @extend_schema(tags=["exams"], responses=SheetSerializer)
    def get(self, request, attempt_id: int):
        return _sheet(
            request, access_attempt(viewer=request.user, attempt_id=attempt_id)
        )


class AnswerView(APIView):
    """Save one answer. 409 once the attempt is submitted or its time is up."""

    @extend_schema(
        tags=["exams"],
        request=AnswerSaveSerializer,
        responses={200: AnswerSavedSerializer, 409: None},
    )
    def put(self, request, attempt_id: int, position: int):
        attempt = access_attempt(viewer=request.user, attempt_id=attempt_id)
        body = AnswerSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            answer = answer_save(
                attempt=attempt,
                position=position,
                response=body.validated_data["response"],
                revision=body.validated_data["revision"],
            )
        except AttemptClosed as exc:
            return Response({"detail": exc.messages[0], "code": exc.code}, status=409)
        data = {
            "position": answer.position,
            "revision": answer.revision,
            "saved_at": answer.saved_at,
            "answered": answered_count(attempt),
        }
        return Response(AnswerSavedSerializer(data).data)


class AttemptEventView(APIView):
    """The candidate left the sheet or came back (logged for the examiner)."""

    @extend_schema(
        tags=["exams"], request=AttemptEventSerializer, responses={204: None}
    )
    def post(self, request, attempt_id: int):
        attempt = access_attempt(viewer=request.user, attempt_id=attempt_id)
        body = AttemptEventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt_event_log(attempt=attempt, kind=body.validated_data["kind"])
        return Response(status=204)


class SubmitView(APIView):
    """Submit; a second submit answers the same as the first."""

    @extend_schema(tags=["exams"], request=None, responses=SheetSerializer)
    def post(self, request, attempt_id: int):
        attempt = access_attempt(viewer=request.user, attempt_id=attempt_id)
        return _sheet(request, attempt_submit(attempt=attempt))
