"""In-site notifications and the pluggable channels (SMS, email) behind them.

``notify`` always writes the in-site rows (``cms.models.Notification``) first, in
one bulk insert. Once the transaction commits, the rows are handed to every
extra channel named in the setting ``ZHIXUE_NOTIFY_BACKENDS`` (dotted paths,
empty by default)::

    ZHIXUE_NOTIFY_BACKENDS = ["cms.notifications.EmailBackend"]

A channel is any class that can be built without arguments and has
``send(notifications: list[Notification]) -> None``. Each notification carries its
``user`` (with ``email`` and ``phone``), ``title``, ``body`` and ``url``. An SMS
channel is a class of that shape in the project that wraps the provider's SDK
(Aliyun, Tencent Cloud …), sends ``title``/``body`` to ``user.phone`` and is
added to the setting. A channel that is slow should queue its own Celery task
with the notification ids rather than talk to the provider inside the request.

A channel that fails is logged and skipped: the in-site notifications are already
committed, so a broken mail server or SMS gateway never loses them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from org.models import User

from .models import Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class NotificationBackend(Protocol):
    """What an extra channel implements (see the module docstring)."""

    def send(self, notifications: list[Notification]) -> None: ...


def configured_backends() -> list[str]:
    return list(getattr(settings, "ZHIXUE_NOTIFY_BACKENDS", []) or [])


def _deliver(notifications: list[Notification]) -> None:
    """Hand committed notifications to each channel; a failure is only logged."""
    for dotted_path in configured_backends():
        try:
            backend = import_string(dotted_path)()
            backend.send(notifications)
        except Exception:
            logger.exception(
                "Notification backend %s failed for %d notifications",
                dotted_path,
                len(notifications),
            )


@transaction.atomic
def notify(
    *, users: Iterable[User], title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """One in-site notification per user (each user once), then, on commit, the
    configured extra channels."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(user=user, title=title[:100], body=body[:500], url=url[:300])
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if configured_backends():
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _deliver_later(ids))
    return created


def _deliver_later(ids: list[int]) -> None:
    """Thousands of emails or texts don't hold up the request that sent them."""
    from .tasks import notifications_deliver_task

    for start in range(0, len(ids), BATCH_SIZE):
        notifications_deliver_task.delay(ids[start : start + BATCH_SIZE])


def notifications_deliver(*, ids: list[int]) -> None:
    """The extra channels for these notifications (the task calls this)."""
    notifications = Notification.objects.select_related("user").filter(pk__in=ids)
    _deliver(list(notifications.order_by("pk")))


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids`` when given); other
    users' ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# --- reads --------------------------------------------------------------------


def notifications_for(*, viewer: User) -> QuerySet[Notification]:
    """The viewer's own notifications, unread first, newest first."""
    if not viewer.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(user=viewer)
        .annotate(
            is_unread=Case(
                When(read_at__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-is_unread", "-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    """For the header's badge."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def access_notification(*, viewer: User, notification_id) -> Notification:
    from django.http import Http404

    try:
        return Notification.objects.get(pk=notification_id, user=viewer)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- channels -----------------------------------------------------------------


def absolute_url(url: str) -> str:
    """A notification's link for outside the site (mail, SMS): relative links are
    joined to ``WAGTAILADMIN_BASE_URL`` when it is set."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    if url.startswith("/") and base:
        return base.rstrip("/") + url
    return url


class EmailBackend:
    """Each notification as an email to its user, if the user has an address, all
    through one connection of Django's configured ``EMAIL_BACKEND``."""

    def send(self, notifications: list[Notification]) -> None:
        messages = []
        for notification in notifications:
            address = (notification.user.email or "").strip()
            if not address:
                continue
            lines = [notification.body] if notification.body else []
            if notification.url:
                lines.append(absolute_url(notification.url))
            messages.append(
                EmailMessage(
                    subject=notification.title,
                    body="\n\n".join(lines),
                    to=[address],
                )
            )
        if messages:
            get_connection().send_messages(messages)
