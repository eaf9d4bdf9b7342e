from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Libraries")

    def ready(self):
        from . import signal_handlers  # noqa: F401
        from .search_sources import register_sources

        register_sources()
