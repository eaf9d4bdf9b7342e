from django.urls import path

from . import views_awards

urlpatterns = [
    path("", views_awards.awards_view, name="awards"),
    path("<int:award_id>/", views_awards.award_detail_view, name="award_detail"),
    path(
        "certificates/<int:winner_id>/",
        views_awards.certificate_download_view,
        name="award_certificate",
    ),
    path("verify/<str:code>/", views_awards.verify_view, name="award_verify"),
]
