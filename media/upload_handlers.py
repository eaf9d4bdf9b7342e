"""The upload limit for lesson media (``ZHIXUE_MEDIA_MAX_UPLOAD_MB``, default 2048).

Django parses a multipart body the first time something reads ``request.POST`` or
``request.FILES``, passing each file's bytes through the request's upload handlers
(memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then a temporary file). On
wagtailmedia's upload views, ``MediaUploadMiddleware`` puts
``MediaUploadLimitHandler`` first in that chain. Once it knows a file is too large —
from the request's Content-Length before the first byte is parsed, or from the bytes
streamed so far — it stops passing the file's bytes on, so they never reach memory,
a temporary file or storage (the rest of the body is read and dropped, so the browser
gets a response rather than a reset connection). The file then stands in
``request.FILES`` as a ``RefusedUpload``, which the form reports on its file field.

``CsrfViewMiddleware`` reads ``request.POST`` before the view runs, which is why the
handler is installed by a middleware listed before it, not by a view decorator.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpResponse
from django.utils.translation import gettext as _

#: wagtailmedia's views that receive a media file.
MEDIA_UPLOAD_VIEWS = frozenset(
    {"wagtailmedia:add", "wagtailmedia:edit", "wagtailmedia:chooser_upload"}
)
#: Room in the Content-Length for the form's other fields and the multipart framing,
#: so a file just under the limit is not refused for its title.
FORM_OVERHEAD = 1024 * 1024
#: Sent by media/static/media/admin_upload.js on its upload; see ``__call__``.
UPLOAD_HEADER = "X-Zhixue-Upload"

MB = 1024 * 1024


def max_upload_mb() -> int:
    return int(getattr(settings, "ZHIXUE_MEDIA_MAX_UPLOAD_MB", 2048))


def too_large_message() -> str:
    # Also in the admin script's configuration (media/wagtail_hooks.py): one text.
    return _("File exceeds the upload limit (%(limit)s MB)") % {
        "limit": max_upload_mb()
    }


class RefusedUpload(UploadedFile):
    """A file refused for its size: its name, no content.

    Form validation reads ``size`` before anything else, so a ModelForm's FileField
    turns this into a field error with the limit message and the view re-renders
    the form, saving nothing.
    """

    def __init__(self, *, name: str, content_type: str | None):
        super().__init__(io.BytesIO(), name=name, content_type=content_type)

    @property
    def size(self):
        raise ValidationError(too_large_message(), code="file_too_large")

    @size.setter
    def size(self, value):
        """``UploadedFile.__init__`` assigns a size; there is none to keep."""


class MediaUploadLimitHandler(FileUploadHandler):
    """First in the chain: passes a file's bytes on only while it is under the
    limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_mb() * MB
        self.body_too_large = False
        self.refusing = False
        self.received = 0

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        self.body_too_large = content_length > self.limit + FORM_OVERHEAD
        return None  # parse as usual: the other fields (CSRF token, title) count

    def new_file(self, field_name, file_name, content_type, content_length, *args):
        super().new_file(field_name, file_name, content_type, content_length, *args)
        self.received = 0
        self.refusing = self.body_too_large or (content_length or 0) > self.limit
        if self.refusing:
            raise StopFutureHandlers  # nobody else opens a buffer or temp file

    def receive_data_chunk(self, raw_data, start):
        if not self.refusing:
            self.received += len(raw_data)
            if self.received > self.limit:
                self.refusing = True
                self._drop_partial_files()
        return None if self.refusing else raw_data

    def file_complete(self, file_size):
        if self.refusing:
            return RefusedUpload(name=self.file_name, content_type=self.content_type)
        return None  # the next handler returns the file it wrote

    def _drop_partial_files(self) -> None:
        """The limit was passed mid-file: the next handlers hold its first bytes
        (a temporary file deletes itself on close)."""
        for handler in self.request.upload_handlers:
            partial = getattr(handler, "file", None)
            if handler is not self and partial is not None:
                partial.close()
                handler.file = None


class MediaUploadMiddleware:
    """Installs the limit on wagtailmedia's upload views.

    List it before ``django.middleware.csrf.CsrfViewMiddleware``: the handler chain
    is fixed once the body is parsed.

    It also answers the admin script's redirect hop. The script posts the form with
    XMLHttpRequest, which follows wagtailmedia's redirect after a save by itself,
    still carrying ``X-Zhixue-Upload``; rendering that page would spend the success
    message ("Media file … added") on a response nobody sees. So such a GET gets an
    empty 204, and the script sends the browser to the URL (``responseURL``) itself.
    A custom header cannot be sent cross-site without CORS, and the 204 shows
    nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and UPLOAD_HEADER in request.headers:
            return HttpResponse(status=204)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        if match.view_name not in MEDIA_UPLOAD_VIEWS:
            return None
        if hasattr(request, "_files"):
            raise ImproperlyConfigured(
                "media.upload_handlers.MediaUploadMiddleware must come before "
                "CsrfViewMiddleware (or anything else reading request.POST)."
            )
        request.upload_handlers = [
            MediaUploadLimitHandler(request),
            *request.upload_handlers,
        ]
        return None
