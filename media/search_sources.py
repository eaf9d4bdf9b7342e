"""Micro-lessons in the site search: title, description and subtitles' words."""

from django.utils.translation import gettext_lazy as _

from search import sources

from .selectors import playable_assets


def _text(asset) -> str:
    return " ".join(part for part in (asset.description, asset.subtitle_text) if part)


def _facets(asset) -> dict:
    return {"year": asset.created_at.year if asset.created_at else ""}


def register_sources() -> None:
    sources.register(
        sources.SearchSource(
            key="video",
            label=_("Micro-lesson"),
            queryset=lambda viewer: playable_assets(viewer=viewer),
            snippet_text=_text,
            facets=_facets,
        )
    )
