from django.urls import path

from . import practice, views

urlpatterns = [
    path("exams/", views.MyExamsView.as_view(), name="exam-list"),
    path(
        "exams/<int:exam_id>/attempts/",
        views.AttemptStartView.as_view(),
        name="exam-attempt-start",
    ),
    path("attempts/<int:attempt_id>/", views.AttemptView.as_view(), name="attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:position>/",
        views.AnswerView.as_view(),
        name="attempt-answer",
    ),
    path(
        "attempts/<int:attempt_id>/events/",
        views.AttemptEventView.as_view(),
        name="attempt-events",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        views.SubmitView.as_view(),
        name="attempt-submit",
    ),
    path("practice/", practice.PracticeHomeView.as_view(), name="practice-home"),
    path("practice/rounds/", practice.RoundListView.as_view(), name="practice-rounds"),
    path(
        "practice/rounds/<int:round_id>/",
        practice.RoundView.as_view(),
        name="practice-round",
    ),
    path(
        "practice/rounds/<int:round_id>/answers/<int:position>/",
        practice.RoundAnswerView.as_view(),
        name="practice-round-answer",
    ),
]
