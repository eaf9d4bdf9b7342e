from django.urls import path

from cms.api import router

from . import views

router.register("units", views.UnitViewSet, basename="unit")
router.register("members", views.MemberViewSet, basename="member")
router.register("imports", views.ImportJobViewSet, basename="import")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/password/", views.PasswordChangeView.as_view(), name="api-password"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
