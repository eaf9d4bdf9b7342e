"""The read models behind the leaderboards.

``MemberTotal`` holds each member's 学时 and 积分 per day, week, month, quarter and
year, folded in from the courses ledgers (``services/totals.py``); the boards read
only these rows. The ledgers stay the truth: the totals can be rebuilt from them
at any time (``manage.py boards_rebuild``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Metric(models.TextChoices):
    HOURS = "hours", _("Study hours")
    POINTS = "points", _("Points")
    EXAM = "exam", _("Exam score")
    TASKS = "tasks", _("Tasks completed")


class MemberTotal(models.Model):
    """One member's totals in one period (``start``: its first day)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    start = models.DateField()
    #: the member's unit path when last folded or re-synced (scopes filter on it)
    unit_path = models.CharField(max_length=255)
    hours = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "start"], name="assessments_one_total"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "start", "-hours"], name="total_hours"),
            models.Index(fields=["kind", "start", "-points"], name="total_points"),
            # A scope is a path prefix (LIKE 'path%'): the pattern operator
            # classes let PostgreSQL range-scan it whatever the database's
            # collation, and the included values make a board's counts
            # index-only (other databases ignore both).
            models.Index(
                fields=["kind", "start", "unit_path"],
                name="total_scope_prefix",
                opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops"],
                include=["user", "hours", "points"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.start}"


class LedgerCursor(models.Model):
    """How far a ledger has been folded into the totals (the last row id)."""

    ledger = models.CharField(max_length=30, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.ledger}: {self.last_id}"


class BoardsRevision(models.Model):
    """A row is added whenever the boards may show something new (a fold that
    folded rows, an exclusion, a repath, a rebuild): the highest id is the
    current revision. Adding rows never waits on another writer's lock, as an
    update of one shared row would (the nightly rebuild holds its transaction
    for minutes); the rebuild prunes the old ones."""

    changed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.pk)


class BoardExclusion(models.Model):
    """A member left off every board: by their own choice (opt-out) or by an
    admin (a test account, say)."""

    class Reason(models.TextChoices):
        OPTED_OUT = "opted_out", _("Opted out")
        EXCLUDED = "excluded", _("Excluded by an administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("board exclusion")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason}"
