"""Shapes of the candidate API (they document ``attempt_sheet`` and ``exams_for``
for the OpenAPI schema; the data comes from the selectors)."""

from rest_framework import serializers


class ExamRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="exam.pk")
    title = serializers.CharField(source="exam.title")
    description = serializers.CharField(source="exam.description")
    state = serializers.ChoiceField(choices=["upcoming", "open", "closed"])
    opens_at = serializers.DateTimeField(source="exam.opens_at")
    closes_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(source="exam.duration_minutes")
    pass_mark = serializers.DecimalField(
        source="exam.pass_mark", max_digits=6, decimal_places=2
    )
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(
        allow_null=True, help_text="null: as many as the window allows"
    )
    open_attempt = serializers.IntegerField(
        source="open_attempt.pk", allow_null=True, default=None
    )
    grade = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="null until released"
    )
    passed = serializers.BooleanField(allow_null=True)


class SheetOptionSerializer(serializers.Serializer):
    letter = serializers.CharField()
    text = serializers.CharField(help_text="sanitised HTML")


class SheetQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.ChoiceField(
        choices=["single", "multiple", "truefalse", "blank", "essay"]
    )
    stem = serializers.CharField(help_text="sanitised HTML")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    options = SheetOptionSerializer(many=True)
    blanks = serializers.IntegerField(help_text="number of blanks (填空)")
    response = serializers.JSONField(
        allow_null=True, help_text="in the letters shown; true/false; texts; text"
    )
    revision = serializers.IntegerField(help_text="send a higher one with a change")
    correct = serializers.JSONField(required=False, help_text="only in review")
    explanation = serializers.CharField(required=False, help_text="only in review")
    earned = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )
    comment = serializers.CharField(required=False)


class SheetResultSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2)
    passed = serializers.BooleanField(allow_null=True, help_text="null: marks pending")
    pending_marks = serializers.IntegerField()
    rank = serializers.IntegerField(help_text="among everyone who sat")
    time_used_seconds = serializers.IntegerField()


class SheetSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    exam = serializers.IntegerField()
    title = serializers.CharField()
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(help_text="fixed by the server")
    server_now = serializers.DateTimeField(help_text="sync the countdown to this")
    submitted = serializers.BooleanField()
    time_up = serializers.BooleanField()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    review = serializers.BooleanField(help_text="answers and explanations included")
    questions = SheetQuestionSerializer(many=True)
    result = SheetResultSerializer(allow_null=True, help_text="null until released")


class AnswerSaveSerializer(serializers.Serializer):
    response = serializers.JSONField(allow_null=True)
    revision = serializers.IntegerField(min_value=1)


class AnswerSavedSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="the revision kept (may be newer)")
    saved_at = serializers.DateTimeField()
    answered = serializers.IntegerField()


class AttemptEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["hidden", "visible"])
