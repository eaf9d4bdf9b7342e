from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET

from .selectors import CONTENT_TYPES, playable_file
from .services.processing import protected_root


@require_GET
@login_required
def asset_file(request, asset_id: int, name: str):
    """A playlist, segment, fallback or poster of a lesson, for logged-in members."""
    path = playable_file(viewer=request.user, asset_id=asset_id, name=name)
    if path is None:
        raise Http404
    content_type = CONTENT_TYPES[path.suffix]
    if settings.X_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        relative = path.relative_to(protected_root().resolve()).as_posix()
        response["X-Accel-Redirect"] = settings.X_ACCEL_REDIRECT_PREFIX + relative
        return response
    return FileResponse(path.open("rb"), content_type=content_type)
