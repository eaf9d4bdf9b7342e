"""API views for training."""

urlpatterns: list = []
