"""The library's contribution to the site search."""

import time

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from search import sources

from .models import CasePage, DocumentPage, LibraryIndexPage
from .selectors import visible_documents

_library_titles: dict[str, str] = {}
_loaded_at = 0.0


def _library_title(page) -> str:
    global _loaded_at
    if time.monotonic() - _loaded_at > 60:
        _library_titles.clear()
        _library_titles.update(LibraryIndexPage.objects.values_list("path", "title"))
        _loaded_at = time.monotonic()
    return _library_titles.get(page.path[: -page.steplen], "")


def _facets(page) -> dict:
    return {
        "library": _library_title(page),
        "category": page.category.name if page.category_id else "",
        "year": page.issued_on.year if page.issued_on else "",
        "status": str(page.get_status_display()),
    }


def _body_text(page) -> str:
    parts = (page.summary, page.body, getattr(page, "highlights", ""))
    return strip_tags(" ".join(str(part) for part in parts if part))


def _own_text(page) -> str:
    return f"{page.title} {_body_text(page)}"


def _text(page) -> str:
    return " ".join(part for part in (_body_text(page), page.attachment_text) if part)


def register_sources() -> None:
    for key, label, model in (
        ("document", _("Document"), DocumentPage),
        ("case", _("Case"), CasePage),
    ):
        sources.register(
            sources.SearchSource(
                key=key,
                label=label,
                queryset=lambda viewer, model=model: visible_documents(
                    viewer=viewer, model=model
                ).select_related("category"),
                snippet_text=_text,
                facets=_facets,
                own_text=_own_text,
            )
        )
