"""Video and audio assets for micro-lessons (微党课).

``MediaAsset`` is wagtailmedia's media model (``WAGTAILMEDIA["MEDIA_MODEL"]``), so
editors get its admin, collections, tags, chooser and StreamField blocks; we add
the processing state and the renditions the pipeline (``media.services``) writes.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index
from wagtailmedia.models import AbstractMedia

from .storage import protected_storage

#: Subtitle formats editors may attach (converted to WebVTT for the player).
SUBTITLE_EXTENSIONS = ("srt", "vtt")


class MediaStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MediaAsset(AbstractMedia):
    # The uploaded original stays out of MEDIA_ROOT (which a web server may serve
    # to anyone): members only ever get the renditions, editors the original
    # through media.views.source_file.
    file = models.FileField(
        _("file"), upload_to="lessons/sources", storage=protected_storage
    )
    description = models.TextField(_("description"), blank=True)
    subtitles = models.FileField(
        _("subtitles"),
        upload_to="lessons/subtitles",
        storage=protected_storage,
        blank=True,
        validators=[FileExtensionValidator(SUBTITLE_EXTENSIONS)],
        help_text=_("Chinese subtitles as an .srt or .vtt file (optional)."),
    )
    #: the subtitles' words, for the site search
    subtitle_text = models.TextField(blank=True, editable=False)
    audience_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visible only to"),
        help_text=_("Leave empty for everyone; otherwise only this unit's subtree."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MediaStatus.choices,
        default=MediaStatus.UPLOADED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    warning = models.CharField(_("warning"), max_length=255, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=32, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=32, blank=True)
    audio_channels = models.PositiveSmallIntegerField(_("audio channels"), default=0)
    #: [{"name": "720p", "width": 1280, "height": 720, "bandwidth": 3220800,
    #:   "playlist": "720p/index.m3u8"}, …] relative to ``output_dir``
    renditions = models.JSONField(_("renditions"), default=list, blank=True)
    #: folder under MEDIA_ROOT holding master.m3u8, the variants, fallback, poster
    output_dir = models.CharField(_("output folder"), max_length=255, blank=True)
    #: file name in output_dir of the MP4 (video) or M4A (audio) fallback
    fallback = models.CharField(_("fallback file"), max_length=64, blank=True)
    #: when it last went (back) to ``uploaded`` and its task was queued
    queued_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    #: the running job's last sign of life (its progress reports)
    progress_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    admin_form_fields = (
        "title",
        "description",
        "file",
        "subtitles",
        "audience_unit",
        "collection",
        "tags",
    )

    search_fields = [
        *AbstractMedia.search_fields,
        index.SearchField("description"),
        index.SearchField("subtitle_text"),
        index.FilterField("status"),
        index.FilterField("audience_unit"),
    ]

    class Meta(AbstractMedia.Meta):
        verbose_name = _("media asset")
        verbose_name_plural = _("media assets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="media_progress_0_100"
            )
        ]

    def get_url(self) -> str:
        """The member's watch page (a search hit links here)."""
        from django.urls import reverse

        return reverse("media-lesson", args=[self.pk])

    @property
    def is_audio(self) -> bool:
        return self.type == "audio"


class PlaybackPosition(models.Model):
    """Where a member stopped in a lesson, so any device resumes there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    asset = models.ForeignKey(
        MediaAsset, on_delete=models.CASCADE, related_name="positions"
    )
    position = models.FloatField(_("position (s)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("playback position")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "asset"], name="media_one_position_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=0), name="media_position_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.asset_id}: {self.position:.0f}s"
