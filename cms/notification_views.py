"""The member's notifications page and API."""

urlpatterns: list = []
api_urlpatterns: list = []
