"""API views for points."""

urlpatterns: list = []
