"""考核评比 in the Wagtail admin: menu items and admin URLs of each screen."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from org import scope

from . import (  # noqa: F401 (the admin_* and views_* register their own hooks)
    admin_awards,
    admin_boards,
    admin_display,
    views_awards,
    views_card,
)


class UnitAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can_manage_org(request.user)


@hooks.register("register_admin_urls")
def register_board_admin_urls():
    return [
        path(
            "boards/exclusions/",
            admin_boards.exclusions_view,
            name="assessments_exclusions",
        ),
        path(
            "boards/exclusions/<int:user_id>/remove/",
            admin_boards.exclusion_remove_view,
            name="assessments_exclusion_remove",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_board_exclusions_menu_item():
    return UnitAdminMenuItem(
        _("Leaderboard exclusions"),
        reverse("assessments_exclusions"),
        icon_name="user",
        order=190,
    )
