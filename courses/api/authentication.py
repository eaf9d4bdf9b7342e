"""Token authentication that also gives the daily-login 积分 (每日登录).

Mobile and mini-program clients call the API with a token and never load a
session, so ``DailyLoginPointsMiddleware`` cannot see them; this class gives the
same award on their first authenticated request of the day. A cache key per
member and day keeps it to one ledger lookup a day (the ledger's event key
``login:<date>`` keeps it once even when the cache is cleared). Accounts still on
their initial password earn nothing, as in the middleware; heartbeats never get
here (their view authenticates by the session's own token, not the member's).
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication

from ..services.points import points_for_login

logger = logging.getLogger(__name__)

DAY_SECONDS = 26 * 3600


def _marker(user_id: int, day) -> str:
    return f"courses:login-points:{user_id}:{day.isoformat()}"


class DailyPointsTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _award(result[0])
        return result


#: user id -> the day this process last saw them awarded (no cache round trip
#: for the rest of the day)
_seen: dict[int, str] = {}


def _award(user) -> None:
    if user.must_change_password:
        return
    today = timezone.localdate()
    if _seen.get(user.pk) == today.isoformat():
        return
    key = _marker(user.pk, today)
    if cache.add(key, 1, timeout=DAY_SECONDS):
        try:
            points_for_login(user=user, day=today)
        except DatabaseError:  # a login bonus must never break a request
            cache.delete(key)
            logger.exception("daily login points for user %s failed", user.pk)
            return
    _seen[user.pk] = today.isoformat()


def login_points_forget() -> None:
    """Forget who was seen today (tests roll the database back under it)."""
    _seen.clear()
