"""Practice (练习): rounds of questions a member answers for themselves, with the
answer and 解析 shown after each one, and the wrong-answer book (错题本)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .bank import Question


class RoundKind(models.TextChoices):
    DAILY = "daily", _("Daily quiz")
    CATEGORY = "category", _("Practice by category")
    WRONG_BOOK = "wrong_book", _("Wrong-answer book")


class PracticeRound(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=RoundKind.choices)
    #: the day of a daily quiz (one per member and day)
    day = models.DateField(null=True, blank=True)
    #: [DrawnQuestion.as_dict(), …]
    draw = models.JSONField()
    #: {"<position>": {"response": …, "fraction": "…"}}
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("practice round")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                condition=Q(kind="daily"),
                name="exams_one_daily_quiz",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.started_at:%Y-%m-%d}"


class WrongAnswer(models.Model):
    """A question the member got wrong (in an exam or in practice), until they
    answer it right in practice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    times = models.PositiveIntegerField(default=1)
    last_wrong_at = models.DateTimeField()
    #: where it was last got wrong: "exam:<id>" or "practice"
    source = models.CharField(max_length=40)
    #: the exam attempt it was last got wrong in: the entry (and its key) shows
    #: only once that attempt's review shows answers
    attempt = models.ForeignKey(
        "Attempt", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wrong answer")
        ordering = ["-last_wrong_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="exams_one_wrong_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.question_id}"
