from django import template
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "type": _("Type"),
    "library": _("Library"),
    "category": _("Category"),
    "year": _("Year"),
    "status": _("Status"),
}


@register.simple_tag
def facet_label(key: str) -> str:
    return LABELS.get(key, key)


@register.simple_tag(takes_context=True)
def facet_link(context, key: str, value: str, selected: dict) -> dict:
    """The query string that toggles one facet value, keeping the others."""
    params = QueryDict(mutable=True)
    params["q"] = context["outcome"].query
    for k, v in selected.items():
        if k != key:
            params[k] = v
    active = selected.get(key) == value
    if not active:
        params[key] = value
    return {"query": params.urlencode(), "active": active}
