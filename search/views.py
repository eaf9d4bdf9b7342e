from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import FACET_KEYS, site_search


@login_required
def search_view(request):
    selected = {key: request.GET.get(key, "") for key in FACET_KEYS}
    outcome = site_search(
        viewer=request.user,
        query=request.GET.get("q", ""),
        selected=selected,
        page_number=request.GET.get("page", 1),
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/search.html",
        {"outcome": outcome, "query_string": params.urlencode()},
    )
