from django.urls import path

from . import views

urlpatterns = [
    path("", views.lesson_list, name="media-lessons"),
    path("source/<path:name>", views.source_file, name="media-source-file"),
    path("<int:asset_id>/", views.lesson_watch, name="media-lesson"),
    path("<int:asset_id>/<path:name>", views.asset_file, name="media-asset-file"),
]
