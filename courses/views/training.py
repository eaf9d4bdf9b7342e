"""Member pages for training."""

urlpatterns: list = []
