"""Shapes of the study-task API (read-only; no business rules here)."""

from rest_framework import serializers


class TaskProgressSerializer(serializers.Serializer):
    share = serializers.FloatField(help_text="0 … 1")
    done = serializers.BooleanField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=3)
    lessons_done = serializers.IntegerField()
    lessons_total = serializers.IntegerField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assignment.pk")
    title = serializers.CharField(source="assignment.title")
    starts_on = serializers.DateField(source="assignment.starts_on")
    due_on = serializers.DateField()
    required_hours = serializers.DecimalField(
        source="assignment.required_hours",
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="学时 to earn in the courses; null: complete every lesson",
    )
    days_left = serializers.IntegerField(help_text="negative once past due")
    overdue = serializers.BooleanField()
    progress = TaskProgressSerializer()
    course_count = serializers.SerializerMethodField()

    def get_course_count(self, task) -> int:
        return len(task.courses)


class TaskCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    url = serializers.SerializerMethodField()
    lessons_total = serializers.IntegerField()
    lessons_done = serializers.IntegerField()
    openable = serializers.BooleanField(
        help_text="false: the course is limited to members of another unit"
    )

    def get_url(self, item) -> str:
        return item.course.url if item.openable else ""


class TaskDetailSerializer(TaskSerializer):
    description = serializers.CharField(source="assignment.description")
    courses = TaskCourseSerializer(many=True)
