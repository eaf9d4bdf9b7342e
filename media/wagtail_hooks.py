from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


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
        return admin_views.can_manage_media(request.user)


@hooks.register("register_admin_menu_item")
def register_processing_menu_item():
    return ProcessingMenuItem(
        _("Lesson processing"),
        reverse("media_processing"),
        icon_name="media",
        order=310,
    )
