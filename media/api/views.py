from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import (
    access_playable_asset,
    playable_assets,
    player_context,
    resume_position,
)
from ..services.positions import playback_position_save
from .serializers import (
    LessonMediaListItemSerializer,
    LessonMediaSerializer,
    PositionSerializer,
)


def _asset_or_404(request, asset_id):
    asset = access_playable_asset(viewer=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404
    return asset


@extend_schema(tags=["media"])
class LessonMediaListView(generics.ListAPIView):
    """Ready micro-lessons the caller may watch, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = LessonMediaListItemSerializer

    def get_queryset(self):
        return playable_assets(viewer=self.request.user).order_by("-created_at")


class LessonMediaDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["media"], responses=LessonMediaSerializer)
    def get(self, request, asset_id: int):
        asset = _asset_or_404(request, asset_id)
        context = player_context(viewer=request.user, asset=asset)
        return Response(LessonMediaSerializer(context).data)


class PlaybackPositionView(APIView):
    """The caller's resume position in a lesson."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["media"], responses=PositionSerializer)
    def get(self, request, asset_id: int):
        asset = _asset_or_404(request, asset_id)
        position = resume_position(viewer=request.user, asset=asset)
        return Response({"position": position})

    @extend_schema(tags=["media"], request=PositionSerializer, responses={204: None})
    def post(self, request, asset_id: int):
        asset = _asset_or_404(request, asset_id)
        serializer = PositionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        playback_position_save(
            viewer=request.user,
            asset=asset,
            position=serializer.validated_data["position"],
        )
        return Response(status=204)
