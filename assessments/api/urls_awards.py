from django.urls import path

from . import awards

urlpatterns = [
    path("awards/", awards.AwardListView.as_view(), name="award-list"),
    path(
        "awards/<int:award_id>/", awards.AwardDetailView.as_view(), name="award-detail"
    ),
    path("awards/verify/<str:code>/", awards.VerifyView.as_view(), name="award-verify"),
    path(
        "me/certificates/",
        awards.MyCertificatesView.as_view(),
        name="me-certificates",
    ),
    path(
        "me/certificates/<int:winner_id>/download/",
        awards.CertificateDownloadView.as_view(),
        name="me-certificate-download",
    ),
]
