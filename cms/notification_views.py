"""The member's notifications: the page /notifications/ and the API under
/api/v1/me/notifications/. Each viewer sees only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .notifications import (
    access_notification,
    notifications_for,
    notifications_mark_read,
    unread_count,
)

PAGE_SIZE = 20


# --- pages --------------------------------------------------------------------


@login_required
def notifications_view(request):
    page = Paginator(notifications_for(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cms/notifications.html",
        {"notifications": page, "unread": unread_count(request.user)},
    )


@login_required
def notification_open_view(request, notification_id: int):
    """Follow a notification's link, marking it read on the way."""
    notification = access_notification(
        viewer=request.user, notification_id=notification_id
    )
    notifications_mark_read(user=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(
        notification.url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    )
    return redirect(notification.url if notification.url and safe else "notifications")


@login_required
@require_POST
def notifications_read_all_view(request):
    marked = notifications_mark_read(user=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


urlpatterns = [
    path("", notifications_view, name="notifications"),
    path("read/", notifications_read_all_view, name="notifications_read_all"),
    path(
        "<int:notification_id>/open/",
        notification_open_view,
        name="notification_open",
    ),
]


# --- API ----------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    unread = serializers.SerializerMethodField()

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    unread = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = NotificationSerializer(many=True)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="the notifications to mark read; leave out to mark all",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class MyNotificationsView(APIView):
    """The caller's notifications, unread first, with the unread count."""

    @extend_schema(
        tags=["notifications"],
        operation_id="me_notifications_list",
        parameters=[OpenApiParameter("page", int)],
        responses=NotificationPageSerializer,
    )
    def get(self, request):
        page = Paginator(notifications_for(viewer=request.user), PAGE_SIZE).get_page(
            request.query_params.get("page")
        )
        data = {
            "count": page.paginator.count,
            "unread": unread_count(request.user),
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "results": page.object_list,
        }
        return Response(NotificationPageSerializer(data).data)


class MarkReadView(APIView):
    """Mark some (``ids``) or all of the caller's notifications read."""

    @extend_schema(
        tags=["notifications"],
        request=MarkReadSerializer,
        responses=MarkReadResultSerializer,
    )
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notifications_mark_read(
            user=request.user, ids=serializer.validated_data.get("ids")
        )
        data = {"marked": marked, "unread": unread_count(request.user)}
        return Response(MarkReadResultSerializer(data).data)


api_urlpatterns = [
    path("me/notifications/", MyNotificationsView.as_view(), name="me-notifications"),
    path(
        "me/notifications/read/",
        MarkReadView.as_view(),
        name="me-notifications-read",
    ),
]
