from django.urls import path

from . import display

urlpatterns = [
    path("display/<str:token>/", display.DisplayView.as_view(), name="display-data"),
    path(
        "members/<int:member_id>/card/",
        display.MemberCardView.as_view(),
        name="member-card",
    ),
]
