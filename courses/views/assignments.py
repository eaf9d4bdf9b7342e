"""Member pages for assignments."""

urlpatterns: list = []
