"""Member pages for offline training: QR check-in (/study/checkin/<code>/).

The QR code on the projector links here; a member who is not logged in goes to
the login page and comes back (``login_required``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from ..models import TrainingSession
from ..selectors.training import checkin_state
from ..services.training import CheckinRefused, attendance_checkin


@login_required
def checkin_view(request, code: str):
    if request.method == "POST":
        try:
            result = attendance_checkin(session_code=code, user=request.user)
        except TrainingSession.DoesNotExist as exc:
            raise Http404 from exc
        except CheckinRefused as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if result.created:
                messages.success(request, _("You are checked in."))
            else:
                messages.info(request, _("You had already checked in."))
        return redirect("study_checkin", code=code)
    return render(
        request,
        "courses/training/checkin.html",
        checkin_state(code=code, user=request.user),
    )


urlpatterns: list = [
    path("checkin/<str:code>/", checkin_view, name="study_checkin"),
]
