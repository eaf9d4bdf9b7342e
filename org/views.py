from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from wagtail import hooks

from . import selectors
from .forms import LoginForm, ZhixuePasswordChangeForm
from .services.accounts import password_change


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        if form.user.must_change_password:
            return redirect("password_change")
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters()
@login_required
def password_change_view(request):
    form = ZhixuePasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_change(
            user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("me")
    return render(
        request,
        "registration/password_change_form.html",
        {"form": form, "forced": request.user.must_change_password},
    )


def _profile_panels(request) -> list[SafeString]:
    """Panels other apps add to the profile page (``zhixue_profile_panels``: each
    ``fn(request) -> safe HTML or None``), so that org imports none of them."""
    panels = (fn(request) for fn in hooks.get_hooks("zhixue_profile_panels"))
    return [mark_safe(panel) for panel in panels if panel]  # noqa: S308


@login_required
def me_view(request):
    context = selectors.profile_for(user=request.user)
    context["panels"] = _profile_panels(request)
    return render(request, "org/me.html", context)
