from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .services.login import LoginRefused, login_authenticate


class LoginForm(forms.Form):
    """Username or phone + password, through the throttled login service."""

    identifier = forms.CharField(
        label=_("Username or mobile phone"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.user = login_authenticate(
                request=self.request,
                identifier=cleaned["identifier"],
                password=cleaned["password"],
            )
        except LoginRefused as exc:
            raise forms.ValidationError(exc.message, code="login_refused") from exc
        return cleaned


class ZhixuePasswordChangeForm(PasswordChangeForm):
    """Accounts still on their initial password have no old password to type."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        if not user.has_usable_password():
            del self.fields["old_password"]
