"""Synonym groups editable in the admin, cached for the query analyser."""

import re

from django.core.cache import cache

CACHE_KEY = "search:synonym-groups"
_SPLIT = re.compile(r"[,，、\s;；]+")


def parse_terms(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text or "") if t]


def synonym_groups() -> list[list[str]]:
    """The provider named by ZHIXUE_SEARCH_SYNONYMS_PROVIDER."""
    groups = cache.get(CACHE_KEY)
    if groups is None:
        from .models import SynonymGroup

        groups = [parse_terms(g.terms) for g in SynonymGroup.objects.all()]
        groups = [g for g in groups if len(g) > 1]
        cache.set(CACHE_KEY, groups, timeout=300)
    return groups


def synonyms_changed() -> None:
    cache.delete(CACHE_KEY)
