"""Papers (试卷): fixed (hand-picked questions and scores) or random (rules);
what one candidate gets is drawn by ``services.papers.paper_draw``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .bank import Difficulty, Question, QuestionBank, QuestionCategory, QuestionType


class PaperKind(models.TextChoices):
    FIXED = "fixed", _("Fixed paper")
    RANDOM = "random", _("Random paper")


class Paper(models.Model):
    """A paper of one bank: hand-picked questions (``PaperItem``) for a fixed
    paper, rules (``PaperRule``) for a random one. What one candidate gets is
    drawn by ``services.papers.paper_draw``; the bank's examiners manage it."""

    title = models.CharField(_("title"), max_length=200)
    bank = models.ForeignKey(
        QuestionBank,
        on_delete=models.PROTECT,
        related_name="papers",
        verbose_name=_("question bank"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaperKind.choices)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PaperItem(models.Model):
    """One hand-picked question of a fixed paper, with its score there."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="paper_items"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["paper", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "question"], name="exams_paper_item_once"
            ),
            models.UniqueConstraint(
                fields=["paper", "order"], name="exams_paper_item_order"
            ),
            models.CheckConstraint(
                condition=Q(score__gt=0), name="exams_paper_item_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.order}: {self.question_id}"


class PaperRule(models.Model):
    """One rule of a random paper: ``count`` live questions of ``type`` from
    ``category`` (with its descendants; none: the whole bank) and difficulty in
    ``difficulty_min``–``difficulty_max`` (either end open), ``score`` each."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="rules")
    type = models.CharField(_("type"), max_length=10, choices=QuestionType.choices)
    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    difficulty_min = models.PositiveSmallIntegerField(
        _("lowest difficulty"), choices=Difficulty.choices, null=True, blank=True
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("highest difficulty"), choices=Difficulty.choices, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("number of questions"))
    score = models.DecimalField(_("score each"), max_digits=5, decimal_places=2)
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["paper", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "order"], name="exams_paper_rule_order"
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1), name="exams_paper_rule_count"
            ),
            models.CheckConstraint(
                condition=Q(score__gt=0), name="exams_paper_rule_score"
            ),
            models.CheckConstraint(
                condition=Q(difficulty_min__isnull=True)
                | Q(difficulty_max__isnull=True)
                | Q(difficulty_min__lte=models.F("difficulty_max")),
                name="exams_paper_rule_difficulty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} rule {self.order}"
