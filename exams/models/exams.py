"""Exams (考试) and attempts (答卷).

An ``Exam`` puts a paper in front of the members of some units (whole subtrees)
and named members, inside a window, for a fixed duration. An ``Attempt`` is one
sitting: it keeps the questions drawn for the candidate (versions and option
order, ``DrawnQuestion.as_dict``) and the deadline the server fixed at the start;
its answers are ``AttemptAnswer`` rows, one per question, saved as the candidate
goes.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .papers import Paper


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of attempts")


class MultiplePolicy(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    #: a correct subset with no wrong option earns ``Exam.partial_credit``
    PARTIAL = "partial", _("Partial credit for a correct subset")


class ResultsRelease(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately after submitting")
    AFTER_CLOSE = "after_close", _("After the exam closes")
    MANUAL = "manual", _("When the examiner releases them")


class ReviewAnswers(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_SUBMIT = "after_submit", _("After submitting")
    AFTER_CLOSE = "after_close", _("After the exam closes")


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    paper = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="exams", verbose_name=_("paper")
    )
    #: the organising unit: examiners of its subtree manage the exam
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organising unit"),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    #: 0: as many as the window allows
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    pass_mark = models.DecimalField(_("pass mark"), max_digits=6, decimal_places=2)
    multiple_policy = models.CharField(
        _("multiple choice grading"),
        max_length=10,
        choices=MultiplePolicy.choices,
        default=MultiplePolicy.ALL_OR_NOTHING,
    )
    partial_credit = models.DecimalField(
        _("partial credit"), max_digits=3, decimal_places=2, default=0.5
    )
    results_release = models.CharField(
        _("results released"),
        max_length=12,
        choices=ResultsRelease.choices,
        default=ResultsRelease.IMMEDIATELY,
    )
    results_released_at = models.DateTimeField(null=True, blank=True)
    review_answers = models.CharField(
        _("correct answers shown"),
        max_length=12,
        choices=ReviewAnswers.choices,
        default=ReviewAnswers.AFTER_CLOSE,
    )
    review_explanations = models.BooleanField(_("explanations shown"), default=True)
    #: members of these units' subtrees may sit the exam …
    target_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("units")
    )
    #: … and these members too
    target_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("members"),
    )
    #: drafts are seen by examiners only
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="exams_exam_window"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="exams_exam_duration"
            ),
            models.CheckConstraint(
                condition=Q(partial_credit__gte=0, partial_credit__lte=1),
                name="exams_exam_partial_credit",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ExamOverride(models.Model):
    """More time, a later close or more attempts for one member (e.g. a site
    without network on the exam day)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    extra_minutes = models.PositiveIntegerField(_("extra minutes"), default=0)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exam override")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user"], name="exams_one_override_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.user_id}"


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    #: fixed by the server at the start: min(start + duration, close), overrides in
    deadline = models.DateTimeField()
    #: [DrawnQuestion.as_dict(), …] in the order shown
    draw = models.JSONField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: closed by the deadline (sweeper or next access), not by the candidate
    timed_out = models.BooleanField(default=False)
    max_score = models.DecimalField(max_digits=7, decimal_places=2)
    #: set at submit; changes when essays are marked or a key is corrected
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    #: essays still waiting for a mark
    pending_marks = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("attempt")
        ordering = ["exam", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user", "number"], name="exams_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["exam", "user"],
                condition=Q(submitted_at__isnull=True),
                name="exams_one_open_attempt",
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(submitted_at__isnull=True),
                name="exams_attempt_open_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.user_id}#{self.number}"


class AttemptAnswer(models.Model):
    """The candidate's answer to one drawn question (``position`` in the draw).

    ``response`` is in stored keys, not the letters the candidate saw: ``["A",
    "C"]`` for choices, ``true``/``false``, ``["…", "…"]`` per blank, text for an
    essay. ``revision`` is the client's counter: a late retry of an older save
    never overwrites a newer one."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    position = models.PositiveSmallIntegerField()
    response = models.JSONField(null=True)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()
    #: 0…1 of the question's score (None: not graded yet)
    fraction = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    comment = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="exams_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}@{self.position}"


class AttemptEvent(models.Model):
    """The candidate left the answer sheet (tab hidden, app switched) or came
    back, as the page reports it: shown to the examiner, never graded."""

    class Kind(models.TextChoices):
        HIDDEN = "hidden", _("Left the page")
        VISIBLE = "visible", _("Came back")

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("attempt event")
        ordering = ["attempt", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind} {self.at:%H:%M:%S}"
