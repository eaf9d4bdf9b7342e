from django.urls import path

from . import views

urlpatterns = [
    path("media/", views.LessonMediaListView.as_view(), name="media-list"),
    path(
        "media/<int:asset_id>/",
        views.LessonMediaDetailView.as_view(),
        name="media-detail",
    ),
    path(
        "media/<int:asset_id>/position/",
        views.PlaybackPositionView.as_view(),
        name="media-position",
    ),
]
