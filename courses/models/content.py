"""Courses (课程) → chapters (章) → lessons (课时) as Wagtail pages, and the plain
models that record what members really studied: watch sessions, per-lesson
progress (the union of watched intervals) and the append-only 学时 ledger.

Why pages: editors get drafts, moderation, scheduling, revisions and the page
tree's ordering for free (docs/courses.md). Who may see a course is decided in
courses/selectors.py (``audience_unit``, the rule library documents follow).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class CourseCategory(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("course category")
        verbose_name_plural = _("course categories")

    def __str__(self) -> str:
        return self.name


class CourseIndexPage(Page):
    """课程中心: the catalogue of the courses a member may take."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["section"] = "study"  # the 学习 tab
        context.update(course_catalogue(viewer=request.user, params=request.GET))
        return context


class CoursePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CoursePage(Page):
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover"),
    )
    summary = models.TextField(_("summary"), blank=True)
    category = models.ForeignKey(
        CourseCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    tags = ClusterTaggableManager(
        through=CoursePageTag, blank=True, verbose_name=_("tags")
    )
    credit_hours = models.DecimalField(
        _("credit hours"), max_digits=5, decimal_places=1, default=1
    )
    required = models.BooleanField(_("required course"), default=False)
    author = models.CharField(_("author"), max_length=100, blank=True)
    audience_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visible only to"),
        help_text=_("Leave empty for everyone; otherwise only this unit's subtree."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("author"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("category"),
        index.FilterField("required"),
        index.FilterField("audience_unit"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("tags"),
                FieldPanel("credit_hours"),
                FieldPanel("required"),
                FieldPanel("author"),
            ],
            heading=_("Course facts"),
        ),
        FieldPanel("cover"),
        FieldPanel("summary"),
        FieldPanel("audience_unit"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ChapterPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["section"] = "study"  # the 学习 tab
        context.update(course_outline(viewer=request.user, course=self))
        return context


class ChapterPage(Page):
    """A chapter only groups lessons; visiting it shows its course."""

    summary = models.TextField(_("summary"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("chapter")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect(self.get_parent().url)


class LessonKind(models.TextChoices):
    MEDIA = "media", _("Video or audio")
    ARTICLE = "article", _("Article")
    DOCUMENT = "document", _("Document (PDF)")
    LINK = "link", _("External link")


class LessonPage(Page):
    kind = models.CharField(
        _("kind"), max_length=10, choices=LessonKind.choices, default=LessonKind.MEDIA
    )
    media = models.ForeignKey(
        "media.MediaAsset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video or audio"),
    )
    body = RichTextField(_("text"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    link_url = models.URLField(_("link"), blank=True)
    reading_minutes = models.PositiveSmallIntegerField(
        _("reading time (minutes)"),
        default=10,
        help_text=_("Articles and documents credit at most this much reading time."),
    )

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("media"),
        FieldPanel("body"),
        FieldPanel("document"),
        FieldPanel("link_url"),
        FieldPanel("reading_minutes"),
    ]
    parent_page_types = ["courses.ChapterPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        needs = {
            LessonKind.MEDIA: ("media", self.media_id),
            LessonKind.DOCUMENT: ("document", self.document_id),
            LessonKind.LINK: ("link_url", self.link_url),
        }
        if self.kind in needs and not needs[self.kind][1]:
            raise ValidationError(
                {needs[self.kind][0]: _("This lesson kind needs it.")}
            )

    @property
    def course(self) -> "CoursePage":
        return CoursePage.objects.ancestor_of(self).first()

    def get_context(self, request, *args, **kwargs):
        from ..selectors import lesson_view

        context = super().get_context(request, *args, **kwargs)
        context["section"] = "study"  # the 学习 tab
        context.update(lesson_view(viewer=request.user, lesson=self))
        return context


# --- what members studied ---------------------------------------------------


class LessonProgress(models.Model):
    """One member's progress in one lesson: the watched parts of its timeline."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="progress"
    )
    #: [[start, end], …] seconds, sorted and disjoint
    intervals = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0)
    coverage = models.FloatField(default=0)  # 0…1 of the lesson's duration
    credited_seconds = models.FloatField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="courses_one_progress_per_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.lesson_id}: {self.coverage:.0%}"


class WatchSession(models.Model):
    """One sitting with one lesson. Each heartbeat carries the next sequence
    number and the one-time token the previous answer gave (a chain only this
    session's page holds), so replayed or forged heartbeats earn nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="sessions"
    )
    #: what the heartbeats need of the lesson, copied at the start so that the
    #: locked query of a heartbeat joins nothing but the progress row
    progress = models.ForeignKey(
        LessonProgress,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(max_length=10, blank=True, editable=False)
    #: the media's length, or the reading cap (seconds)
    duration = models.FloatField(default=0, editable=False)
    token = models.CharField(max_length=32, editable=False)
    #: the token of the last accepted heartbeat: its retry is answered again
    previous_token = models.CharField(max_length=32, blank=True, editable=False)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveIntegerField(default=0)
    last_beat_at = models.DateTimeField(null=True, blank=True)
    last_position = models.FloatField(default=0)
    last_presence_at = models.DateTimeField(null=True, blank=True)
    credited_seconds = models.FloatField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("watch session")
        indexes = [models.Index(fields=["user", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.lesson_id} {self.started_at:%Y-%m-%d %H:%M}"


class StudyKind(models.TextChoices):
    ONLINE = "online", _("Online study")
    TRAINING = "training", _("Centralised training")
    GROUP = "group", _("Collective study")
    SELF = "self", _("Self-study")


class StudyHourEntry(models.Model):
    """The 学时 ledger: append-only. A correction is a new entry (negative hours
    allowed) pointing at the one it corrects; entries are never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="study_hours",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StudyKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=3)
    studied_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)
    session = models.OneToOneField(
        WatchSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entry",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study hours entry")
        verbose_name_plural = _("study hours ledger")
        ordering = ["-studied_on", "-created_at"]
        indexes = [models.Index(fields=["user", "studied_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.studied_on} {self.kind} {self.hours}"


__all__ = [
    "ChapterPage",
    "CourseCategory",
    "CourseIndexPage",
    "CoursePage",
    "CoursePageTag",
    "LessonKind",
    "LessonPage",
    "LessonProgress",
    "StudyHourEntry",
    "StudyKind",
    "WatchSession",
]
