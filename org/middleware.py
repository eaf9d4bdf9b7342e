from django.shortcuts import redirect
from django.urls import reverse

# Paths a user on an initial password may still reach.
_ALLOWED = ("password_change", "logout", "login")


class ForcePasswordChangeMiddleware:
    """Accounts created with an initial password must choose their own first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(("/static/", "/api/")):
            # checked first: the API's heartbeats carry no login to look up
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in {reverse(name) for name in _ALLOWED}
        ):
            return redirect("password_change")
        return self.get_response(request)
