"""积分: the rules are versioned data and the points are a ledger.

A rule is never edited: a change is a new version of the action's rule, valid from
its ``valid_from``. Each award keeps the version it was made under, so a change
never rewrites past points. ``PointsDay`` is the running total per member, day and
action; an award locks it, which is what keeps the caps under concurrent awards.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointsAction(models.TextChoices):
    DAILY_LOGIN = "daily_login", _("Daily login")
    LESSON_COMPLETED = "lesson_completed", _("Lesson completed")
    STUDY_MINUTES = "study_minutes", _("Study time")
    DAILY_QUIZ = "daily_quiz", _("Daily quiz")
    EXAM_PASSED = "exam_passed", _("Exam passed")


class PointsRule(models.Model):
    """One version of the rule for one action."""

    action = models.CharField(_("action"), max_length=30, choices=PointsAction.choices)
    version = models.PositiveIntegerField(_("version"), editable=False)
    #: points per award; for study time, per ``min_effective_seconds`` studied
    points = models.PositiveIntegerField(_("points"))
    daily_cap = models.PositiveIntegerField(_("daily cap"), null=True, blank=True)
    weekly_cap = models.PositiveIntegerField(_("weekly cap"), null=True, blank=True)
    #: ISO weekdays (1 = Monday) on which the action earns points
    weekdays = models.CharField(_("active weekdays"), max_length=7, default="1234567")
    min_effective_seconds = models.PositiveIntegerField(
        _("minimum effective time (seconds)"), default=0
    )
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["action", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "version"], name="courses_points_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} v{self.version}"


class PointsEntry(models.Model):
    """Points awarded for one event, once: (member, action, event key) is unique."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="points",
        verbose_name=_("member"),
    )
    action = models.CharField(_("action"), max_length=30, choices=PointsAction.choices)
    rule = models.ForeignKey(PointsRule, on_delete=models.PROTECT, related_name="+")
    #: 0 when a cap was reached: the event is still used up
    points = models.IntegerField(_("points"))
    event_key = models.CharField(max_length=100)
    awarded_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "action", "event_key"], name="courses_points_once"
            )
        ]
        indexes = [models.Index(fields=["user", "awarded_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} +{self.points}"


class PointsDay(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    action = models.CharField(max_length=30, choices=PointsAction.choices)
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "action"], name="courses_points_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.action} {self.points}"


__all__ = ["PointsAction", "PointsDay", "PointsEntry", "PointsRule"]
