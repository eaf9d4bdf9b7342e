from django.urls import path

from . import views_display

urlpatterns = [
    path("<str:token>/", views_display.display_page, name="display"),
    path("<str:token>/data.json", views_display.display_data_json, name="display_data"),
]
