from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .models import MediaStatus
from .selectors import can_manage_media
from .upload_handlers import MB, UPLOAD_HEADER, max_upload_mb, too_large_message


@hooks.register("register_admin_urls")
def register_processing_urls():
    return [
        path("lesson-media/", admin_views.processing_index, name="media_processing"),
        path(
            "lesson-media/status/",
            admin_views.processing_status,
            name="media_processing_status",
        ),
        path(
            "lesson-media/<int:asset_id>/retry/",
            admin_views.processing_retry,
            name="media_processing_retry",
        ),
    ]


class ProcessingMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_media(request.user)


@hooks.register("register_admin_menu_item")
def register_processing_menu_item():
    return ProcessingMenuItem(
        _("Lesson processing"),
        reverse("media_processing"),
        icon_name="media",
        order=310,
    )


def admin_script_config() -> dict:
    """What media/static/media/admin_upload.js needs: the limit, wagtailmedia's
    upload URLs, the status endpoint and its texts in the editor's language."""
    return {
        "maxBytes": max_upload_mb() * MB,
        "uploadHeader": UPLOAD_HEADER,
        "addUrls": [
            reverse("wagtailmedia:add", args=(kind,))
            for kind in ("audio", "video", "media")
        ],
        "editUrl": reverse("wagtailmedia:edit", args=(0,)),
        "chooserUploadUrls": [
            reverse("wagtailmedia:chooser_upload", args=(kind,))
            for kind in ("audio", "video")
        ],
        "statusUrl": reverse("media_processing_status"),
        "statuses": dict(MediaStatus.choices),
        "text": {
            "tooLarge": too_large_message(),
            "uploading": _("Uploading %(name)s"),
            "progressLabel": _("Upload progress"),
            "sent": _("%(sent)s MB of %(total)s MB"),
            "speed": _("%(speed)s MB/s"),
            "left": _("About %(time)s left"),
            "hours": _("%(hours)s h %(minutes)s min"),
            "minutes": _("%(minutes)s min %(seconds)s s"),
            "seconds": _("%(seconds)s s"),
            "saving": _("Upload complete; saving…"),
            "cancel": _("Cancel upload"),
            "cancelled": _("Upload cancelled."),
            "failedNetwork": _(
                "The upload was interrupted. Check the connection and try again."
            ),
            "failedStatus": _("The upload failed (HTTP %(status)s). Try again."),
            "leave": _("A file is still uploading. Leave the page and cancel it?"),
            "finished": _(
                "Processing has finished: reload the page to see the details."
            ),
            "retryFailed": _("The retry could not be started (HTTP %(status)s)."),
        },
    }


@hooks.register("insert_global_admin_js")
def media_admin_js():
    # Global, not only on wagtailmedia's pages: its chooser modal opens on any
    # editing screen. The script does nothing where it finds no upload form or
    # status element.
    return json_script(
        admin_script_config(), "zhixue-media-admin-config"
    ) + format_html('<script src="{}" defer></script>', static("media/admin_upload.js"))


@hooks.register("insert_global_admin_css")
def media_admin_css():
    return format_html(
        '<link rel="stylesheet" href="{}">', static("media/admin_media.css")
    )
