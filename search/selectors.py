"""The site search: every registered source, filtered by the viewer's scope, merged by
relevance, with facets and highlighted snippets."""

from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from org.models import User

from . import sources
from .highlighting import contains_query, highlight

MAX_HITS_PER_SOURCE = 300
FACET_KEYS = ("type", "library", "category", "year", "status")
ATTACHMENT_TYPE = _("Attachment")


@dataclass
class Hit:
    obj: object
    source: sources.SearchSource
    score: float
    facets: dict
    snippet: str = ""

    @property
    def title(self) -> str:
        return str(getattr(self.obj, "title", self.obj))

    @property
    def url(self) -> str:
        return self.obj.get_url() if hasattr(self.obj, "get_url") else ""


@dataclass
class SearchOutcome:
    query: str
    page: PaginatorPage | None
    count: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    selected: dict[str, str] = field(default_factory=dict)


def _matches(hit_facets: dict, selected: dict[str, str]) -> bool:
    return all(str(hit_facets.get(k, "")) == v for k, v in selected.items() if v)


def site_search(
    *,
    viewer: User,
    query: str,
    selected: dict[str, str] | None = None,
    page_number: int | str = 1,
    per_page: int = 20,
) -> SearchOutcome:
    query = (query or "").strip()[:200]
    selected = {k: v for k, v in (selected or {}).items() if k in FACET_KEYS and v}
    if not query:
        return SearchOutcome(query="", page=None, count=0, selected=selected)
    hits: list[Hit] = []
    for source in sources.all_sources():
        queryset = source.queryset(viewer=viewer)
        results = queryset.search(query, operator="and").annotate_score("_score")
        for obj in results[:MAX_HITS_PER_SOURCE]:
            facets = {"type": _hit_type(source, obj, query), **source.facets(obj)}
            hits.append(
                Hit(obj=obj, source=source, score=obj._score or 0.0, facets=facets)
            )
    facets = _count_facets(hits, selected)
    hits = [h for h in hits if _matches(h.facets, selected)]
    hits.sort(key=lambda h: h.score, reverse=True)
    paginator = Paginator(hits, per_page)
    page = paginator.get_page(page_number)
    for hit in page.object_list:
        hit.snippet = highlight(hit.source.snippet_text(hit.obj), query, length=160)
    return SearchOutcome(
        query=query, page=page, count=paginator.count, facets=facets, selected=selected
    )


def _hit_type(source: sources.SearchSource, obj, query: str) -> str:
    """The source's label, or 附件 when the query is found only in attachments."""
    if source.own_text is not None and not contains_query(source.own_text(obj), query):
        return str(ATTACHMENT_TYPE)
    return str(source.label)


def _count_facets(hits: list[Hit], selected: dict[str, str]) -> dict:
    """Counts per facet value, each facet counted under the other facets' filters."""
    counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
    for key in FACET_KEYS:
        others = {k: v for k, v in selected.items() if k != key}
        for hit in hits:
            value = hit.facets.get(key)
            if value in (None, "") or not _matches(hit.facets, others):
                continue
            counts[key][str(value)] = counts[key].get(str(value), 0) + 1
    return {
        key: sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        for key, values in counts.items()
        if values
    }


def autocomplete(*, viewer: User, prefix: str, limit: int = 8) -> list[dict]:
    prefix = (prefix or "").strip()[:50]
    if not prefix:
        return []
    suggestions: list[dict] = []
    for source in sources.all_sources():
        for obj in source.queryset(viewer=viewer).autocomplete(prefix)[:limit]:
            suggestions.append(
                {"title": obj.title, "url": obj.get_url(), "type": str(source.label)}
            )
    return suggestions[:limit]
