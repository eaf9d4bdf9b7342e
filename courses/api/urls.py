from django.urls import path

from . import assignments, points, training, views

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path(
        "courses/<int:course_id>/",
        views.CourseDetailView.as_view(),
        name="course-detail",
    ),
    path(
        "lessons/<int:lesson_id>/sessions/",
        views.SessionStartView.as_view(),
        name="lesson-session-start",
    ),
    path(
        "sessions/<uuid:session_id>/heartbeats/",
        views.HeartbeatView.as_view(),
        name="session-heartbeat",
    ),
    path("me/study/", views.StudySummaryView.as_view(), name="me-study"),
    *points.urlpatterns,
    *assignments.urlpatterns,
    *training.urlpatterns,
]
