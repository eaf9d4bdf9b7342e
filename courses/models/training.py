"""Offline study: 集中培训 and 集体学习 sessions with their attendance (imported from
Excel or checked in by QR code on a phone), and the rules that convert a session's
length into 学时. The rules are data: the version valid on a session's date applies,
so changing them never changes hours already booked."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingLength(models.TextChoices):
    HOURS = "hours", _("By the hour")
    HALF_DAY = "half_day", _("Half a day")
    DAY = "day", _("A full day")


class TrainingConversion(models.Model):
    valid_from = models.DateField(_("valid from"), unique=True)
    per_hour = models.DecimalField(
        _("hours per clock hour"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    half_day = models.DecimalField(
        _("hours per half day"), max_digits=5, decimal_places=2, default=Decimal(4)
    )
    day = models.DecimalField(
        _("hours per day"), max_digits=5, decimal_places=2, default=Decimal(8)
    )
    #: a member's offline 学时 on one date never exceed this
    daily_max = models.DecimalField(
        _("daily maximum"), max_digits=5, decimal_places=2, default=Decimal(8)
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training conversion rule")
        verbose_name_plural = _("training conversion rules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from}"


def _checkin_code() -> str:
    return secrets.token_urlsafe(16)


class TrainingSession(models.Model):
    title = models.CharField(_("title"), max_length=100)
    #: StudyKind.TRAINING (集中培训) or StudyKind.GROUP (集体学习)
    kind = models.CharField(_("kind"), max_length=10, default="training")
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organising unit"),
    )
    held_on = models.DateField(_("date"))
    length = models.CharField(
        _("length"), max_length=10, choices=TrainingLength.choices
    )
    clock_hours = models.DecimalField(
        _("clock hours"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    checkin_code = models.CharField(
        max_length=32, unique=True, default=_checkin_code, editable=False
    )
    checkin_open = models.BooleanField(_("QR check-in open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(_("hours booked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class AttendanceMethod(models.TextChoices):
    EXCEL = "excel", _("Excel import")
    QR = "qr", _("QR check-in")
    MANUAL = "manual", _("Added by an admin")


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    method = models.CharField(max_length=10, choices=AttendanceMethod.choices)
    checked_in_at = models.DateTimeField(auto_now_add=True)
    #: the 学时 booked for it (empty until the session's hours are booked)
    entry = models.OneToOneField(
        "courses.StudyHourEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )

    class Meta:
        verbose_name = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="courses_attend_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"


__all__ = [
    "Attendance",
    "AttendanceMethod",
    "TrainingConversion",
    "TrainingLength",
    "TrainingSession",
]
