"""The lobby display (大屏) at /display/<token>/: no login, the secret link is the
gate. The page polls ``data.json`` (every 30 s; ``?refresh=N`` seconds, 1–3600)
and redraws in place; a revoked or unknown token is 404 for both at once."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors.display import display_data, display_for_token

REFRESH = 30


def _refresh(text) -> int:
    text = str(text or "")
    if not (text.isascii() and text.isdigit()):  # "²" is a digit to isdigit()
        return REFRESH
    return min(max(int(text), 1), 3600)


@require_GET
@never_cache
def display_page(request, token: str):
    link = display_for_token(token)
    return render(
        request,
        "assessments/display/display.html",
        {
            "data": display_data(link=link),
            "data_url": reverse("display_data", kwargs={"token": link.token}),
            "refresh": _refresh(request.GET.get("refresh")),
        },
    )


@require_GET
@never_cache
def display_data_json(request, token: str):
    link = display_for_token(token)
    return JsonResponse(
        display_data(link=link), json_dumps_params={"ensure_ascii": False}
    )
