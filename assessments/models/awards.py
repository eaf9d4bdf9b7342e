"""学习之星: award rules (data, edited by unit admins), the awards proposed from
them each period, their winners with a verifiable certificate, and the history
of every decision.

A rule names a root unit and which units under it get one award each
(``Scope``); the beat job proposes an award per unit and period, an admin of
the unit approves it (or replaces a winner) and publishes it, and publishing
makes the certificates. The scoring lives in ``services/awards.py``.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from media.storage import protected_storage
from org.models import UnitType

from .boards import PeriodKind


def new_certificate_code() -> str:
    return secrets.token_urlsafe(18)


class AwardPeriod(models.TextChoices):
    MONTH = PeriodKind.MONTH.value, _("Monthly")
    QUARTER = PeriodKind.QUARTER.value, _("Quarterly")
    YEAR = PeriodKind.YEAR.value, _("Yearly")


class AwardScope(models.TextChoices):
    ROOT = "root", _("The root unit itself")
    BRANCHES = "branches", _("Every Party branch under the root unit")
    UNIT_TYPE = "unit_type", _("Every unit of a type under the root unit")
    DEPTH = "depth", _("Every unit some levels below the root unit")


#: the unit types a "Party branch" (支部) scope takes in
BRANCH_TYPES = (UnitType.BRANCH, UnitType.JOINT_BRANCH, UnitType.MOBILE_BRANCH)


class TieBreak(models.TextChoices):
    HOURS_POINTS_EXAM = "hours,points,exam", _("Study hours, points, exam score")
    HOURS_EXAM_POINTS = "hours,exam,points", _("Study hours, exam score, points")
    POINTS_HOURS_EXAM = "points,hours,exam", _("Points, study hours, exam score")
    POINTS_EXAM_HOURS = "points,exam,hours", _("Points, exam score, study hours")
    EXAM_HOURS_POINTS = "exam,hours,points", _("Exam score, study hours, points")
    EXAM_POINTS_HOURS = "exam,points,hours", _("Exam score, points, study hours")


def _weight(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )


class AwardRule(models.Model):
    """How one award is chosen: who competes (the scope), who may win
    (eligibility), how they are scored and how many win."""

    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(
        pgettext_lazy("award", "title"),
        max_length=30,
        default="学习之星",
        help_text=_("What the winners are called on the page and the certificate."),
    )
    root = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("root unit"),
        help_text=_("The rule belongs to this unit; its admins manage it."),
    )
    period = models.CharField(_("period"), max_length=10, choices=AwardPeriod.choices)
    scope = models.CharField(
        _("one award per"),
        max_length=12,
        choices=AwardScope.choices,
        default=AwardScope.BRANCHES,
    )
    scope_unit_type = models.CharField(
        _("unit type"),
        max_length=20,
        choices=UnitType.choices,
        blank=True,
        help_text=_("For “every unit of a type”."),
    )
    scope_depth = models.PositiveSmallIntegerField(
        _("levels below the root"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("For “every unit some levels below”: 1 means its direct children."),
    )
    require_pace = models.BooleanField(
        _("study-hour target pace met"),
        default=True,
        help_text=_(
            "Only members whose study hours this year, up to the end of the "
            "period, reach their annual target pro rata may win."
        ),
    )
    min_hours = models.DecimalField(
        _("minimum study hours"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In the period; empty: no minimum."),
    )
    min_points = models.PositiveIntegerField(
        _("minimum points"),
        null=True,
        blank=True,
        help_text=_("In the period; empty: no minimum."),
    )
    min_exam = models.DecimalField(
        _("minimum exam score (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Average of the exams closed in the period; empty: no minimum."),
    )
    weight_hours = _weight(_("weight of study hours"))
    weight_points = _weight(_("weight of points"))
    weight_exam = _weight(_("weight of exam score"))
    winners = models.PositiveSmallIntegerField(
        _("number of winners"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    tie_break = models.CharField(
        _("tie-break order"),
        max_length=20,
        choices=TieBreak.choices,
        default=TieBreak.HOURS_POINTS_EXAM,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        ordering = ["root__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_hours__gte=0)
                & models.Q(weight_points__gte=0)
                & models.Q(weight_exam__gte=0),
                name="assessments_rule_weights_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.scope == AwardScope.UNIT_TYPE and not self.scope_unit_type:
            errors["scope_unit_type"] = _("Choose the unit type.")
        if self.scope == AwardScope.DEPTH and not self.scope_depth:
            errors["scope_depth"] = _("Say how many levels below the root.")
        if not (self.weight_hours or self.weight_points or self.weight_exam):
            errors["weight_hours"] = _("Give at least one metric a weight.")
        if errors:
            raise ValidationError(errors)

    @property
    def weights(self) -> dict[str, object]:
        return {
            "hours": self.weight_hours,
            "points": self.weight_points,
            "exam": self.weight_exam,
        }


class AwardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Award(models.Model):
    """One rule's award for one unit and period. ``scores`` keeps the ranking
    the proposal was made from (the top candidates with their values), so the
    decision can be explained later even if the ledgers change."""

    rule = models.ForeignKey(AwardRule, on_delete=models.PROTECT, related_name="awards")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period_kind = models.CharField(max_length=10, choices=AwardPeriod.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    #: the rule's title when proposed (a renamed rule leaves old awards alone)
    title = models.CharField(pgettext_lazy("award", "title"), max_length=30)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AwardStatus.choices,
        default=AwardStatus.PROPOSED,
    )
    scores = models.JSONField(default=list, blank=True)
    proposed_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit", "period_kind", "period_start"],
                name="assessments_one_award_per_period",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="award_published")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.unit_id} {self.period_start}"


class AwardWinner(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="winners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveSmallIntegerField()
    #: the score (0–100) and the metric values it was computed from
    score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    values = models.JSONField(default=dict, blank=True)
    code = models.CharField(max_length=40, unique=True, default=new_certificate_code)
    certificate = models.FileField(
        upload_to="awards/certificates", storage=protected_storage, blank=True
    )
    certificate_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("award winner")
        ordering = ["award", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "user"], name="assessments_one_win_per_award"
            )
        ]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.user_id}"


class AwardEvent(models.Model):
    """The history of an award: who did what, when and why."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REPLACED = "replaced", _("Winner replaced")
        PUBLISHED = "published", _("Published")
        CERTIFICATES = "certificates", _("Certificates made")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    #: empty for what the system did (the proposal, the certificates)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("award event")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.award_id} {self.action}"
