"""Member pages under /study/ (the 学习 section)."""

from django.urls import path

from .views import assignments, my_study_view, points, training

urlpatterns = [
    path("", my_study_view, name="section_study"),
    *points.urlpatterns,
    *assignments.urlpatterns,
    *training.urlpatterns,
]
