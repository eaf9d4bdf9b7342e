"""The lobby display (大屏): a secret link per unit, shown on a TV without login."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class DisplayLink(models.Model):
    """Anyone holding the link sees the unit's display (boards, participation,
    pass rates, 学习之星); revoking it (or making a new one) ends that at once."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("display link")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or str(self.unit_id)
