"""The practice API: the practice home, starting a round, its sheet, answering."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.practice import access_round, practice_home, round_sheet
from ..services import practice as services


class PracticeHomeSerializer(serializers.Serializer):
    daily_round = serializers.IntegerField(
        source="today.pk", allow_null=True, default=None
    )
    daily_completed = serializers.SerializerMethodField()
    daily_answered = serializers.IntegerField(source="today_answered")
    daily_total = serializers.IntegerField(source="today_total")
    wrong_book = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    def get_daily_completed(self, home) -> bool:
        return bool(home["today"] and home["today"].completed_at)

    def get_wrong_book(self, home) -> int:
        return len(home["wrong_book"])

    def get_categories(self, home) -> list[dict]:
        return [
            {"id": c.pk, "bank": c.bank.name, "name": c.name, "questions": n}
            for c, n in home["categories"]
        ]


class RoundStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["daily", "category", "wrong_book"])
    category = serializers.IntegerField(required=False)


class RoundQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.DictField())
    blanks = serializers.IntegerField()
    answered = serializers.BooleanField()
    response = serializers.JSONField(required=False)
    correct = serializers.JSONField(required=False, help_text="once answered")
    right = serializers.BooleanField(required=False)
    explanation = serializers.CharField(required=False)


class RoundSheetSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    kind = serializers.CharField()
    day = serializers.DateField(allow_null=True)
    completed = serializers.BooleanField()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    right = serializers.IntegerField()
    questions = RoundQuestionSerializer(many=True)


class RoundAnswerSerializer(serializers.Serializer):
    response = serializers.JSONField(allow_null=True)


class PracticeHomeView(APIView):
    @extend_schema(tags=["practice"], responses=PracticeHomeSerializer)
    def get(self, request):
        return Response(PracticeHomeSerializer(practice_home(viewer=request.user)).data)


class RoundListView(APIView):
    """Start a round: today's quiz (the same all day), a category, or 错题本."""

    @extend_schema(
        tags=["practice"],
        request=RoundStartSerializer,
        responses={201: RoundSheetSerializer},
    )
    def post(self, request):
        body = RoundStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        round = services.round_start(
            user=request.user,
            kind=body.validated_data["kind"],
            category_id=body.validated_data.get("category"),
        )
        return Response(RoundSheetSerializer(round_sheet(round=round)).data, status=201)


class RoundView(APIView):
    @extend_schema(tags=["practice"], responses=RoundSheetSerializer)
    def get(self, request, round_id: int):
        round = access_round(viewer=request.user, round_id=round_id)
        return Response(RoundSheetSerializer(round_sheet(round=round)).data)


class RoundAnswerView(APIView):
    """Answer one question: graded at once; the answer and 解析 come back."""

    @extend_schema(
        tags=["practice"],
        request=RoundAnswerSerializer,
        responses=RoundQuestionSerializer,
    )
    def post(self, request, round_id: int, position: int):
        round = access_round(viewer=request.user, round_id=round_id)
        body = RoundAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.round_answer(
            round=round, position=position, response=body.validated_data["response"]
        )
        round.refresh_from_db()
        question = round_sheet(round=round)["questions"][position - 1]
        return Response(RoundQuestionSerializer(question).data)
