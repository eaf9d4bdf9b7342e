"""The boards API: the scopes I may see, member and unit boards, and leaving or
rejoining the boards. Query parameters as the page (assessments.board_query)."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from ..board_query import board_query
from ..selectors.boards import board_units, is_off_boards, member_board, unit_board
from ..services.exclusions import board_opt_out
from .serializers import (
    BoardPreferenceSerializer,
    MemberBoardSerializer,
    ScopeSerializer,
    UnitBoardSerializer,
)

BOARD_PARAMETERS = [
    OpenApiParameter("scope", OpenApiTypes.INT, description="unit id (default: mine)"),
    OpenApiParameter("metric", OpenApiTypes.STR, enum=["hours", "points", "exam"]),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=["week", "month", "quarter", "year", "custom"],
    ),
    OpenApiParameter("day", OpenApiTypes.DATE, description="a day in the period"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="custom: first day"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="custom: last day"),
    OpenApiParameter("exam", OpenApiTypes.INT, description="metric exam: one exam"),
]


def _query(request, **extra):
    try:
        return board_query(viewer=request.user, params={**request.GET.dict(), **extra})
    except ValidationError as exc:
        raise BadRequest(exc.message_dict) from exc


class BoardScopesView(APIView):
    """The units whose boards I may see: my unit and those above it, then the
    units I administer."""

    @extend_schema(tags=["boards"], responses=ScopeSerializer(many=True))
    def get(self, request):
        units = board_units(viewer=request.user)
        return Response(ScopeSerializer(units, many=True).data)


class MemberBoardView(APIView):
    """Top 50 members of the scope and my own rank (competition ranking)."""

    @extend_schema(
        tags=["boards"], parameters=BOARD_PARAMETERS, responses=MemberBoardSerializer
    )
    def get(self, request):
        query = _query(request, view="members")
        board = member_board(
            viewer=request.user,
            unit=query.unit,
            metric=query.metric,
            period=query.period,
            exam_id=query.exam_id,
        )
        return Response(MemberBoardSerializer(board).data)


class UnitBoardView(APIView):
    """The units below the scope by per-capita value or participation rate."""

    @extend_schema(
        tags=["boards"],
        parameters=[
            *BOARD_PARAMETERS[:-1],
            OpenApiParameter(
                "order", OpenApiTypes.STR, enum=["per_capita", "participation"]
            ),
        ],
        responses=UnitBoardSerializer,
    )
    def get(self, request):
        query = _query(request, view="units")
        board = unit_board(
            viewer=request.user,
            unit=query.unit,
            metric=query.metric,
            period=query.period,
            order=query.order,
        )
        return Response(UnitBoardSerializer(board).data)


class BoardPreferenceView(APIView):
    """Whether I am left off the boards (by my choice or an admin's)."""

    @extend_schema(tags=["boards"], responses=BoardPreferenceSerializer)
    def get(self, request):
        return Response({"off_boards": is_off_boards(request.user)})

    @extend_schema(
        tags=["boards"],
        request=BoardPreferenceSerializer,
        responses=BoardPreferenceSerializer,
    )
    def put(self, request):
        body = BoardPreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        off = board_opt_out(
            user=request.user, opted_out=body.validated_data["off_boards"]
        )
        return Response({"off_boards": off})
