from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .ranges import ranged_file_response
from .selectors import (
    CONTENT_TYPES,
    access_playable_asset,
    editable_source_file,
    playable_assets,
    playable_file,
    player_context,
)
from .services.processing import protected_root

PAGE_SIZE = 12


def _send(request, path, content_type: str, *, download_name: str = ""):
    """The file itself, or an X-Accel-Redirect for nginx to send it.

    Originals keep their (often Chinese) names: the redirect is percent-encoded
    (nginx decodes it; a raw non-Latin-1 header would be MIME-encoded by Django)
    and the download name goes in ``filename*`` (RFC 6266)."""
    if settings.X_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        relative = path.relative_to(protected_root().resolve()).as_posix()
        response["X-Accel-Redirect"] = quote(
            settings.X_ACCEL_REDIRECT_PREFIX + relative
        )
        if download_name:
            response["Content-Disposition"] = content_disposition_header(
                True, download_name
            )
        return response
    if download_name:
        response = FileResponse(path.open("rb"), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            True, download_name
        )
        return response
    return ranged_file_response(request, path, content_type)


@require_safe
@login_required
def asset_file(request, asset_id: int, name: str):
    """A playlist, segment, fallback, poster or subtitles of a lesson."""
    path = playable_file(viewer=request.user, asset_id=asset_id, name=name)
    if path is None:
        raise Http404
    return _send(request, path, CONTENT_TYPES[path.suffix])


@require_safe
@login_required
def source_file(request, name: str):
    """An uploaded original or subtitle file, for editors of the asset only
    (members get the renditions)."""
    path = editable_source_file(viewer=request.user, name=name)
    if path is None:
        raise Http404
    return _send(request, path, "application/octet-stream", download_name=path.name)


@require_safe
@login_required
def lesson_list(request):
    """微党课: the lessons this member may watch, newest first."""
    assets = playable_assets(viewer=request.user).order_by("-created_at")
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "media/lesson_list.html", {"page_obj": page})


@require_safe
@login_required
def lesson_watch(request, asset_id: int):
    asset = access_playable_asset(viewer=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404
    return render(
        request,
        "media/lesson_watch.html",
        {"asset": asset, "player": player_context(viewer=request.user, asset=asset)},
    )
