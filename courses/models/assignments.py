"""学习任务: one or more courses (a study plan) given to org units with all their
descendants, to posts (e.g. every 支部书记) or to individual members, with a
window and the 学时 required. Who is assigned is worked out when asked, so a member
who joins a unit later has the unit's tasks too."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    courses = models.ManyToManyField(
        "courses.CoursePage", related_name="assignments", verbose_name=_("courses")
    )
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    #: 学时 to earn in these courses within the window; empty: finish every lesson
    required_hours = models.DecimalField(
        _("required hours"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    #: whose admins manage the task; every target lies in its subtree
    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organising unit"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("study task")
        verbose_name_plural = _("study tasks")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")),
                name="courses_assignment_window",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentTarget(models.Model):
    """Exactly one of: a unit (with its subtree), a post, a member."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    post = models.CharField(_("Party post"), max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit__isnull=False, post="", user__isnull=True)
                    | Q(unit__isnull=True, user__isnull=True) & ~Q(post="")
                    | Q(unit__isnull=True, post="", user__isnull=False)
                ),
                name="courses_assignment_target_one_kind",
            )
        ]

    def __str__(self) -> str:
        return str(self.unit_id or self.post or self.user_id)


class AssignmentReminder(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.sent_at:%Y-%m-%d}"


__all__ = ["Assignment", "AssignmentReminder", "AssignmentTarget"]
