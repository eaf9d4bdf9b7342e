"""The question bank (题库): banks owned by a unit, a category tree per bank, and
questions whose content is versioned.

A ``Question`` is the identity (bank, category, type, tags, difficulty …); what a
candidate sees and is graded against is a ``QuestionVersion``, which is never
edited: a change makes the next version and the question points at it. Attempts
keep the version they showed, so editing a question never changes
what past attempts showed or scored.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True or false")
    BLANK = "blank", _("Fill in the blanks")
    ESSAY = "essay", _("Short answer")


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    #: examiners of this unit's subtree manage the bank
    owner_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning unit"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: members of the owning unit's subtree may practise with it (练习, 每日答题)
    practice = models.BooleanField(_("open for practice"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionCategory(MP_Node):
    """One node of a bank's category tree (each bank has its own roots)."""

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=100)
    info = models.TextField(_("description"), blank=True)
    #: Moodle's category idnumber, kept for round trips
    idnumber = models.CharField(max_length=100, blank=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self) -> str:
        return self.name


class Difficulty(models.IntegerChoices):
    VERY_EASY = 1, _("Very easy")
    EASY = 2, _("Easy")
    MEDIUM = 3, _("Medium")
    HARD = 4, _("Hard")
    VERY_HARD = 5, _("Very hard")


class Question(models.Model):
    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="questions"
    )
    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("category"),
    )
    type = models.CharField(_("type"), max_length=10, choices=QuestionType.choices)
    #: the version shown from now on
    current = models.OneToOneField(
        "QuestionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    default_score = models.DecimalField(
        _("default score"), max_digits=5, decimal_places=2, default=1
    )
    knowledge_point = models.CharField(_("knowledge point"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    #: where it came from: "xlsx 题库.xlsx row 12", "gift line 40" …
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["bank", "type", "difficulty"])]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class QuestionVersion(models.Model):
    """What a candidate sees and is graded against; never edited.

    - ``choices``: ``[{"key": "A", "text": …, "fraction": "0.5", "feedback": …}]``
      for single/multiple choice (fractions as Moodle gives them: 1 = the whole
      mark, negatives for wrong options);
    - ``answer``: single/multiple → the correct keys ``["A", "C"]``; true/false →
      ``true``/``false``; blanks → ``{"blanks": [[{"text": …, "fraction": "1"},
      …], …], "case_sensitive": false}`` (the accepted alternatives of each
      blank); essay → ``{"reference": …, "keywords": […]}``.
    """

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    stem = models.TextField(_("stem"))
    #: html, plain, markdown or moodle (Moodle's own text formats)
    stem_format = models.CharField(max_length=10, default="html")
    choices = models.JSONField(default=list, blank=True)
    answer = models.JSONField(default=list, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    #: feedback for true and false answers (判断) as Moodle keeps them
    feedback = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question version")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="exams_one_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


class QuestionImport(models.Model):
    """One import of a file into a bank: what it held and what became of it."""

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="imports"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10)
    counts = models.JSONField(default=dict, blank=True)  # {type: n}
    errors = models.JSONField(default=list, blank=True)
    unsupported = models.JSONField(default=list, blank=True)
    imported = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.bank_id}"
