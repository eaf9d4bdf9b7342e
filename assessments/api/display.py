"""The lobby display and member card in the API: ``GET /api/v1/display/<token>/``
(no login: the token is the gate; the very dict of the page's data.json) and
``GET /api/v1/members/<id>/card/`` (the member and the admins of their units)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.cards import member_card
from ..selectors.display import display_data, display_for_token


class LearnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    hours = serializers.FloatField()


class DisplayUnitSerializer(serializers.Serializer):
    name = serializers.CharField()
    members = serializers.IntegerField()
    participants = serializers.IntegerField()
    participation = serializers.FloatField(help_text="percent")
    per_capita = serializers.FloatField(help_text="study hours per member")


class PassRateSerializer(serializers.Serializer):
    title = serializers.CharField()
    members = serializers.IntegerField()
    sat = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.FloatField(help_text="percent of those who sat")


class StarSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    title = serializers.CharField()
    period = serializers.CharField()


class DisplaySerializer(serializers.Serializer):
    title = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    updated_at = serializers.DateTimeField()
    learners = LearnerSerializer(many=True)
    units = DisplayUnitSerializer(many=True)
    exams = PassRateSerializer(many=True)
    stars = StarSerializer(many=True)


class DisplayView(APIView):
    """What the unit's lobby display shows (names, unit names and aggregates)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["display"], auth=[], responses=DisplaySerializer)
    def get(self, request, token: str):
        return Response(display_data(link=display_for_token(token)))


class CardExamSerializer(serializers.Serializer):
    title = serializers.CharField()
    closes_at = serializers.DateTimeField()
    grade = serializers.DecimalField(max_digits=7, decimal_places=2)
    pass_mark = serializers.DecimalField(max_digits=6, decimal_places=2)
    passed = serializers.BooleanField()


class CardAwardSerializer(serializers.Serializer):
    title = serializers.CharField()
    period = serializers.CharField()
    unit = serializers.CharField(required=False)


class MemberCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.user.display_name")
    units = serializers.ListField(child=serializers.CharField())
    post = serializers.CharField(source="member.post")
    joined_party_on = serializers.DateField(
        source="member.joined_party_on", allow_null=True
    )
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=3)
    points = serializers.IntegerField()
    exams = CardExamSerializer(many=True)
    awards = CardAwardSerializer(many=True)


class MemberCardView(APIView):
    """A member's card: basic facts, this year's study hours and points,
    released exam results and awards."""

    @extend_schema(tags=["cards"], responses=MemberCardSerializer)
    def get(self, request, member_id: int):
        card = member_card(viewer=request.user, member_id=member_id)
        return Response(MemberCardSerializer(card).data)
