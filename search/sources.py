"""What the site search looks through. Apps register their searchable content here
(the search app depends on nobody; library and, later, courses plug into it)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class SearchSource:
    key: str  # "document", "case", "lesson", …
    label: str
    #: live objects of one model that this viewer may see (scope already applied)
    queryset: Callable[..., QuerySet]
    #: the text a snippet is cut from
    snippet_text: Callable[[object], str]
    #: the facets of one hit: {"library": "制度库", "year": 2024, "status": "现行有效"}
    facets: Callable[[object], dict]
    #: the hit's own text, without attachments: a hit whose query is found only
    #: in its attachments gets the type "attachment" (None: the source has none)
    own_text: Callable[[object], str] | None = None


_SOURCES: dict[str, SearchSource] = {}


def register(source: SearchSource) -> None:
    _SOURCES[source.key] = source


def all_sources() -> list[SearchSource]:
    return list(_SOURCES.values())


def get(key: str) -> SearchSource | None:
    return _SOURCES.get(key)
