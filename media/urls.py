from django.urls import path

from . import views

urlpatterns = [
    path("<int:asset_id>/<path:name>", views.asset_file, name="media-asset-file"),
]
