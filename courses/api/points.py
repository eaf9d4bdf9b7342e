"""API of 积分: the caller's points today and their history, and the rules."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.points import (
    points_history,
    points_rules_current,
    points_today,
    points_total,
    rule_text,
)

# --- serializers (shape only) ---------------------------------------------------


class PointsActionTodaySerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    points_today = serializers.IntegerField()
    daily_cap = serializers.IntegerField(allow_null=True)
    points_week = serializers.IntegerField()
    weekly_cap = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    rule_text = serializers.CharField()
    rule_version = serializers.IntegerField(allow_null=True)


class PointsSummarySerializer(serializers.Serializer):
    day = serializers.DateField()
    week_start = serializers.DateField()
    year = serializers.IntegerField()
    total_today = serializers.IntegerField()
    total_week = serializers.IntegerField()
    total_year = serializers.IntegerField()
    actions = PointsActionTodaySerializer(many=True)


class PointsEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    points = serializers.IntegerField()
    awarded_on = serializers.DateField()
    source = serializers.CharField()
    rule_version = serializers.IntegerField(source="rule.version")
    created_at = serializers.DateTimeField()


class PointsRuleSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField(source="get_action_display")
    version = serializers.IntegerField()
    points = serializers.IntegerField()
    daily_cap = serializers.IntegerField(allow_null=True)
    weekly_cap = serializers.IntegerField(allow_null=True)
    weekdays = serializers.CharField(help_text="ISO weekdays, 1 = Monday")
    min_effective_seconds = serializers.IntegerField()
    is_active = serializers.BooleanField()
    valid_from = serializers.DateTimeField()
    text = serializers.SerializerMethodField()

    def get_text(self, rule) -> str:
        return " · ".join(rule_text(rule))


# --- views ----------------------------------------------------------------------


class PointsSummaryView(APIView):
    """The caller's points today per action against the caps, and the totals."""

    @extend_schema(
        tags=["courses"], operation_id="me_points", responses=PointsSummarySerializer
    )
    def get(self, request):
        today = points_today(viewer=request.user)
        year = today["day"].year
        data = {
            **today,
            "year": year,
            "total_year": points_total(viewer=request.user, year=year),
        }
        return Response(PointsSummarySerializer(data).data)


class PointsHistoryPagination(PageNumberPagination):
    page_size = 20


class PointsHistoryView(generics.ListAPIView):
    """The caller's points entries, newest day first (0 points: a cap was reached)."""

    serializer_class = PointsEntrySerializer
    pagination_class = PointsHistoryPagination

    def get_queryset(self):
        return points_history(viewer=self.request.user)

    @extend_schema(tags=["courses"], operation_id="me_points_history")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PointsRulesView(APIView):
    """The rules valid now, one per action (read-only)."""

    @extend_schema(
        tags=["courses"],
        operation_id="points_rules",
        responses=PointsRuleSerializer(many=True),
    )
    def get(self, request):
        rules = points_rules_current(viewer=request.user)
        return Response(PointsRuleSerializer(rules, many=True).data)


urlpatterns = [
    path("me/points/", PointsSummaryView.as_view(), name="me-points"),
    path("me/points/history/", PointsHistoryView.as_view(), name="me-points-history"),
    path("points/rules/", PointsRulesView.as_view(), name="points-rules"),
]
