from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front page: a greeting, notices and the member's shortcuts."""

    intro = RichTextField(_("introduction"), blank=True)
    notice = models.CharField(_("notice"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("notice"), FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from org.selectors import profile_for

        context = super().get_context(request, *args, **kwargs)
        context.update(profile_for(user=request.user))
        return context


class Notification(models.Model):
    """An in-site message to one member (a reminder, a result, an award). Other
    channels (SMS, email) are backends in ``cms/notifications.py``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.CharField(_("message"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
