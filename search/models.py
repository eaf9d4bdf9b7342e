from django.db import models
from django.utils.translation import gettext_lazy as _


class SynonymGroup(models.Model):
    """Terms that find each other, e.g. 三会一课 / 支部党员大会 / 支委会 / 党课."""

    terms = models.CharField(
        _("terms"),
        max_length=500,
        help_text=_("Separate the terms with commas or spaces."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonyms")

    def __str__(self) -> str:
        return self.terms
