"""The StreamField block that embeds a lesson's player in any Wagtail page."""

from django.utils.translation import gettext_lazy as _
from wagtailmedia.blocks import AbstractMediaChooserBlock


class LessonMediaBlock(AbstractMediaChooserBlock):
    """A micro-lesson (video or audio) chosen with wagtailmedia's chooser and shown
    in our player to those who may watch it; to anyone else, a short notice."""

    def get_context(self, value, parent_context=None):
        from .selectors import access_playable_asset, player_context

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        viewer = getattr(request, "user", None)
        asset = None
        if value is not None and viewer is not None:
            asset = access_playable_asset(viewer=viewer, asset_id=value.pk)
        context["asset"] = asset
        context["player"] = (
            player_context(viewer=viewer, asset=asset) if asset is not None else None
        )
        return context

    def render_basic(self, value, context=None):  # only used without a template
        return self.render(value, context)

    class Meta:
        icon = "media"
        label = _("Micro-lesson")
        template = "media/blocks/lesson_media.html"
