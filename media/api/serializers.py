from rest_framework import serializers


class SubtitleSerializer(serializers.Serializer):
    src = serializers.CharField()
    srclang = serializers.CharField()
    label = serializers.CharField()


class LessonMediaSerializer(serializers.Serializer):
    """A playable lesson with everything a client needs to play it."""

    asset_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["video", "audio"])
    title = serializers.CharField()
    master_url = serializers.CharField(help_text="HLS master playlist ('' if none)")
    fallback_url = serializers.CharField(help_text="progressive MP4/M4A")
    poster_url = serializers.CharField()
    subtitles = SubtitleSerializer(many=True)
    resume = serializers.FloatField(help_text="seconds: where the caller stopped")
    duration = serializers.FloatField()
    position_url = serializers.CharField()


class LessonMediaListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField(source="type")
    duration = serializers.FloatField()


class PositionSerializer(serializers.Serializer):
    position = serializers.FloatField(min_value=0)
