from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = _("Micro-lesson media")

    def ready(self):
        from .search_sources import register_sources

        register_sources()
