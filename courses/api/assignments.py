"""API views for assignments."""

urlpatterns: list = []
