from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def libraries_view(request):
    """资料库: the libraries, what each holds, and a search box."""
    return render(
        request,
        "library/libraries.html",
        {"libraries": selectors.libraries_overview(viewer=request.user)},
    )
