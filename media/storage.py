"""Where lesson files live: outside MEDIA_ROOT, under PROTECTED_MEDIA_ROOT."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class ProtectedStorage(FileSystemStorage):
    """Files fetched only through permission-checked views: the "URL" of a stored
    original is the editors' download view (media.views.source_file). The folder
    is read from settings on every use, so tests may move it."""

    @property
    def base_location(self):
        return str(settings.PROTECTED_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return "/lesson-media/source/"


_protected = ProtectedStorage()


def protected_storage() -> ProtectedStorage:
    """A callable, so migrations do not freeze a path from settings."""
    return _protected
