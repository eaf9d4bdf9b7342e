"""积分 for the first visit of the day (每日登录).

The day of the last award is remembered in the session, so a later request of the
same day costs nothing beyond the session the request loads anyway: the user is
not even looked up. Heartbeats are left alone: they carry no login, and loading
the session would add a query to the platform's most frequent request.

The award itself is once per member and day in the ledger (event key
``login:<date>``), so a second browser or a lost session adds nothing.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from .services.points import points_for_login

logger = logging.getLogger(__name__)

SESSION_KEY = "zhixue_points_login_day"


class DailyLoginPointsMiddleware:
    """Place it after AuthenticationMiddleware (and after the forced password
    change, so that an account still on its initial password earns nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = tuple(
            prefix
            for prefix in (
                settings.STATIC_URL,
                settings.MEDIA_URL,
                "/favicon.ico",
                "/api/v1/sessions/",  # heartbeats
            )
            if prefix
        )

    def __call__(self, request):
        if not request.path.startswith(self.skip):
            self._award(request)
        return self.get_response(request)

    def _award(self, request) -> None:
        session = getattr(request, "session", None)
        if session is None:
            return
        today = timezone.localdate()
        if session.get(SESSION_KEY) == today.isoformat():
            return
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        try:
            points_for_login(user=user, day=today)
        except DatabaseError:  # a login bonus must never break a page
            logger.exception("daily login points for user %s failed", user.pk)
            return
        session[SESSION_KEY] = today.isoformat()
