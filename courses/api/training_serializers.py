from rest_framework import serializers

from ..models import StudyKind


class TrainingSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    held_on = serializers.DateField()
    length = serializers.CharField()
    length_label = serializers.CharField(source="get_length_display")
    clock_hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True
    )
    location = serializers.CharField()
    unit = serializers.CharField(source="unit.name")

    def get_kind_label(self, session) -> str:
        return str(StudyKind(session.kind).label)


class CheckinRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="from the session's QR code")


class CheckinResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["checked_in", "already"],
        help_text="already: the member had checked in before (nothing changed)",
    )
    checked_in_at = serializers.DateTimeField(source="attendance.checked_in_at")
    session = TrainingSessionSerializer()


class CheckinRefusedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["outsider", "too_early", "too_late", "closed"]
    )
    detail = serializers.CharField()


class MyAttendanceSerializer(serializers.Serializer):
    session = TrainingSessionSerializer()
    method = serializers.CharField()
    checked_in_at = serializers.DateTimeField()
    booked = serializers.SerializerMethodField()
    hours = serializers.DecimalField(
        source="entry.hours",
        max_digits=7,
        decimal_places=3,
        allow_null=True,
        default=None,
        help_text="the 学时 booked; null until the session's hours are booked",
    )

    def get_booked(self, attendance) -> bool:
        return attendance.entry_id is not None


class MyTrainingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=3)
    attendance = MyAttendanceSerializer(many=True)
