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
