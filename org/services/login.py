"""Logging in: one path for pages and the API, with failed attempts throttled per
account and per client IP (counted in the shared cache)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from org.models import User
from org.text import clean


@dataclass(frozen=True)
class ThrottleState:
    blocked: bool
    retry_after_seconds: int = 0


def _account_key(identifier: str) -> str:
    """One counter per account, whether it is named by username or by phone."""
    text = clean(identifier)
    from .members import normalise_phone

    user_id = (
        User.objects.filter(Q(username=text) | Q(phone=normalise_phone(text)))
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is not None:
        return f"user-{user_id}"
    return hashlib.sha256(text.lower().encode()).hexdigest()


def _keys(identifier: str, ip: str) -> tuple[str, str]:
    return (
        f"login-fail:account:{_account_key(identifier)}",
        f"login-fail:ip:{ip or 'unknown'}",
    )


def login_throttle_check(*, identifier: str, ip: str) -> ThrottleState:
    conf = settings.LOGIN_THROTTLE
    account_key, ip_key = _keys(identifier, ip)
    account_fails = cache.get(account_key, 0)
    ip_fails = cache.get(ip_key, 0)
    if account_fails >= conf["per_account"] or ip_fails >= conf["per_ip"]:
        return ThrottleState(blocked=True, retry_after_seconds=conf["window_seconds"])
    return ThrottleState(blocked=False)


def login_failure_record(*, identifier: str, ip: str) -> None:
    window = settings.LOGIN_THROTTLE["window_seconds"]
    for key in _keys(identifier, ip):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def login_success_record(*, identifier: str) -> None:
    account_key, _ = _keys(identifier, "")
    cache.delete(account_key)


def client_ip(request) -> str:
    """The client address; behind nginx set USE_X_FORWARDED_FOR=true."""
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class LoginRefused(Exception):
    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        self.message, self.throttled = message, throttled


def login_authenticate(*, request, identifier: str, password: str) -> User:
    """The one login path for pages and the API: throttle, authenticate, count."""
    ip = client_ip(request)
    state = login_throttle_check(identifier=identifier, ip=ip)
    if state.blocked:
        raise LoginRefused(
            _("Too many failed logins. Try again in %(minutes)s minutes.")
            % {"minutes": max(1, state.retry_after_seconds // 60)},
            throttled=True,
        )
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        login_failure_record(identifier=identifier, ip=ip)
        raise LoginRefused(_("Wrong username/phone or password."))
    login_success_record(identifier=identifier)
    return user
