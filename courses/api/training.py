"""API for offline training: QR check-in for the mini-program, and the caller's
attended sessions."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import TrainingSession
from ..selectors import year_param
from ..selectors.training import member_trainings
from ..services.training import CheckinRefused, attendance_checkin
from .training_serializers import (
    CheckinRefusedSerializer,
    CheckinRequestSerializer,
    CheckinResultSerializer,
    MyTrainingSerializer,
)


class TrainingCheckinView(APIView):
    """Check in to a session with the code of its QR code (on the day, while
    check-in is open, members of the organising unit and below only). A second
    check-in changes nothing and answers ``already``."""

    @extend_schema(
        tags=["courses"],
        request=CheckinRequestSerializer,
        responses={
            201: CheckinResultSerializer,
            200: CheckinResultSerializer,
            400: OpenApiResponse(CheckinRefusedSerializer, description="refused"),
            404: OpenApiResponse(description="unknown code"),
        },
    )
    def post(self, request):
        serializer = CheckinRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = attendance_checkin(
                session_code=serializer.validated_data["code"], user=request.user
            )
        except TrainingSession.DoesNotExist as exc:
            raise Http404 from exc
        except CheckinRefused as exc:
            data = {"code": exc.code, "detail": " ".join(exc.messages)}
            return Response(CheckinRefusedSerializer(data).data, status=400)
        data = {
            "status": "checked_in" if result.created else "already",
            "attendance": result.attendance,
            "session": result.session,
        }
        return Response(
            CheckinResultSerializer(data).data, status=201 if result.created else 200
        )


class MyTrainingView(APIView):
    """The sessions the caller attended in a year, with the hours booked."""

    @extend_schema(
        tags=["courses"],
        parameters=[OpenApiParameter("year", int)],
        responses=MyTrainingSerializer,
    )
    def get(self, request):
        year = year_param(request.query_params.get("year"))
        data = member_trainings(viewer=request.user, year=year)
        return Response(MyTrainingSerializer(data).data)


urlpatterns = [
    path("training/checkin/", TrainingCheckinView.as_view(), name="training-checkin"),
    path("me/training/", MyTrainingView.as_view(), name="me-training"),
]
