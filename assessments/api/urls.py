from django.urls import path

from . import views

urlpatterns = [
    path("boards/scopes/", views.BoardScopesView.as_view(), name="board-scopes"),
    path("boards/members/", views.MemberBoardView.as_view(), name="board-members"),
    path("boards/units/", views.UnitBoardView.as_view(), name="board-units"),
    path("boards/me/", views.BoardPreferenceView.as_view(), name="board-me"),
]
