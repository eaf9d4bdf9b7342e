"""Shapes of the boards API (the data comes from assessments.selectors.boards)."""

from rest_framework import serializers

from ..models import Metric


class ScopeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    unit_type = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=3)
    is_me = serializers.BooleanField()


class MemberBoardSerializer(serializers.Serializer):
    scope = ScopeSerializer(source="unit")
    metric = serializers.ChoiceField(choices=Metric.choices)
    period = PeriodSerializer()
    rows = BoardRowSerializer(many=True)
    ranked = serializers.IntegerField(help_text="members with a value in the scope")
    my_rank = serializers.IntegerField(allow_null=True)
    my_value = serializers.DecimalField(
        max_digits=12, decimal_places=3, allow_null=True
    )
    me_on_board = serializers.BooleanField()


class UnitRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    unit = ScopeSerializer()
    members = serializers.IntegerField()
    participants = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=3)
    per_capita = serializers.DecimalField(max_digits=12, decimal_places=2)
    participation = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="percent"
    )
    is_mine = serializers.BooleanField()


class UnitBoardSerializer(serializers.Serializer):
    scope = ScopeSerializer(source="unit")
    metric = serializers.ChoiceField(choices=Metric.choices)
    period = PeriodSerializer()
    order = serializers.ChoiceField(choices=["per_capita", "participation"])
    rows = UnitRowSerializer(many=True)


class BoardPreferenceSerializer(serializers.Serializer):
    off_boards = serializers.BooleanField()
