"""Member pages for points."""

urlpatterns: list = []
