"""Video and audio assets for micro-lessons (微党课).

``MediaAsset`` is wagtailmedia's media model (``WAGTAILMEDIA["MEDIA_MODEL"]``), so
editors get its admin, collections, tags, chooser and StreamField blocks; we add
the processing state and the renditions the pipeline (``media.services``) writes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtailmedia.models import AbstractMedia


class MediaStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MediaAsset(AbstractMedia):
    description = models.TextField(_("description"), blank=True)
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
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    admin_form_fields = ("title", "description", "file", "collection", "tags")

    class Meta(AbstractMedia.Meta):
        verbose_name = _("media asset")
        verbose_name_plural = _("media assets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="media_progress_0_100"
            )
        ]

    @property
    def is_audio(self) -> bool:
        return self.type == "audio"
