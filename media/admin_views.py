"""Admin screen: where every uploaded lesson stands, with live progress and retry."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .models import MediaAsset
from .selectors import can_manage_media
from .services.processing import media_retry


def _require(user) -> None:
    if not can_manage_media(user):
        raise PermissionDenied


def processing_index(request):
    _require(request.user)
    assets = MediaAsset.objects.order_by("-created_at")
    page = Paginator(assets, 20).get_page(request.GET.get("p"))
    return TemplateResponse(request, "media/admin/processing.html", {"page": page})


def processing_status(request):
    _require(request.user)
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:100]
    rows = MediaAsset.objects.filter(pk__in=ids).values(
        "pk", "status", "progress", "failure_reason"
    )
    return JsonResponse(
        {
            str(row["pk"]): {
                "status": row["status"],
                "progress": row["progress"],
                "failure_reason": row["failure_reason"],
            }
            for row in rows
        }
    )


@require_POST
def processing_retry(request, asset_id: int):
    _require(request.user)
    if not MediaAsset.objects.filter(pk=asset_id).exists():
        raise Http404
    media_retry(asset_id=asset_id)
    return redirect("media_processing")
