from rest_framework import serializers


class CourseListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField()
    category = serializers.CharField(source="category.name", default="")
    credit_hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    required = serializers.BooleanField()
    lesson_total = serializers.IntegerField()
    lesson_done = serializers.IntegerField()


class OutlineLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="lesson.pk")
    title = serializers.CharField(source="lesson.title")
    kind = serializers.CharField(source="lesson.kind")
    url = serializers.CharField(source="lesson.url")
    coverage = serializers.FloatField()
    completed = serializers.BooleanField()


class ChapterSerializer(serializers.Serializer):
    title = serializers.CharField()
    lessons = OutlineLessonSerializer(many=True)


class CourseDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    credit_hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    required = serializers.BooleanField()
    author = serializers.CharField()
    lesson_total = serializers.IntegerField()
    lesson_done = serializers.IntegerField()
    chapters = ChapterSerializer(many=True)


class SessionStartSerializer(serializers.Serializer):
    session_id = serializers.UUIDField()
    token = serializers.CharField(help_text="send with the first heartbeat (seq 1)")
    seek_limit = serializers.FloatField(
        allow_null=True, help_text="seconds the player may seek to; null: anywhere"
    )
    max_rate = serializers.FloatField()
    idle_seconds = serializers.IntegerField()
    heartbeat_seconds = serializers.IntegerField()


class HeartbeatSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=1)
    token = serializers.CharField(max_length=32)
    position = serializers.FloatField(min_value=0, default=0)
    rate = serializers.FloatField(min_value=0, max_value=16, default=1)
    paused = serializers.BooleanField(default=False)
    hidden = serializers.BooleanField(default=False)
    present = serializers.BooleanField(default=False)
    event = serializers.ChoiceField(
        choices=["tick", "play", "pause", "seeked", "ended", "hidden", "visible",
                 "close", "ratechange", "heartbeat"],
        default="tick",
    )  # fmt: skip


class HeartbeatResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["ok", "duplicate", "replayed", "forged", "closed", "idle",
                 "seek_blocked"]
    )  # fmt: skip
    token = serializers.CharField(help_text="the token for the next heartbeat")
    credited = serializers.FloatField(help_text="seconds this heartbeat earned")
    session_seconds = serializers.FloatField()
    coverage = serializers.FloatField()
    completed = serializers.BooleanField()
    seek_to = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    hours = serializers.DecimalField(max_digits=7, decimal_places=3)
    studied_on = serializers.DateField()
    source = serializers.CharField()
    note = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)


class StudySummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=3)
    target = serializers.DecimalField(max_digits=6, decimal_places=1)
    share = serializers.FloatField()
    completed_count = serializers.IntegerField()
    entries = LedgerEntrySerializer(many=True)
