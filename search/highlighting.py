"""Search-result snippets with the matched terms marked, for Chinese text.

Matching mirrors the index: text and query are normalised the same way
(full-width, traditional characters, case), a Han query word is found wherever it
occurs as a substring, a Latin word where it stands as a whole word.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import expand_synonyms, normalize_with_offsets, query_segments

_SPACES = re.compile(r"\s+")


def highlight_terms(query: str) -> list[str]:
    """Normalised terms to mark for ``query``: Han runs and their words, Latin words."""
    terms: list[str] = []
    for chunk in query.split():
        for alternative in expand_synonyms(chunk):
            for segment in query_segments(alternative):
                terms.append(segment.text)
                if segment.kind == "han":
                    terms.extend(w for w in segment.words if w != segment.text)
    return list(dict.fromkeys(t for t in terms if t))


def _matches(normalized: str, terms: list[str]) -> list[tuple[int, int]]:
    spans = []
    for term in terms:
        if term.isascii():
            pattern = rf"(?<![0-9a-z]){re.escape(term)}(?![0-9a-z])"
            spans.extend(m.span() for m in re.finditer(pattern, normalized))
        else:
            start = normalized.find(term)
            while start != -1:
                spans.append((start, start + len(term)))
                start = normalized.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def contains_query(text: str, query: str) -> bool:
    """Whether every whitespace-separated part of ``query`` (or one of its
    synonyms) occurs in ``text``, compared as the index compares them."""
    normalized, _ = normalize_with_offsets(text or "")
    parts = query.split()
    return bool(parts) and all(
        _matches(normalized, highlight_terms(part)) for part in parts
    )


def _to_original(spans, offsets, length: int) -> list[tuple[int, int]]:
    if offsets is None:
        return spans
    result = []
    for start, end in spans:
        original_end = offsets[end - 1] + 1 if end - 1 < len(offsets) else length
        result.append((offsets[start], original_end))
    return result


def _window(spans, text_length: int, length: int) -> tuple[int, int]:
    """The ``length``-character window holding the most marked characters."""
    lead = length // 5
    best, best_score = (0, min(length, text_length)), -1
    for anchor, _ in spans:
        start = max(0, min(anchor - lead, text_length - length))
        end = min(text_length, start + length)
        score = sum(
            min(e, end) - max(s, start) for s, e in spans if s < end and e > start
        )
        if score > best_score:
            best, best_score = (start, end), score
    return best


def _clean(text: str) -> str:
    return escape(_SPACES.sub(" ", text))


def highlight(
    text: str, query: str, *, length: int = 120, ellipsis: str = "…"
) -> SafeString:
    """An HTML snippet of ``text`` (about ``length`` characters) around the best
    matches of ``query``, each wrapped in ``<mark>``. Text is HTML-escaped."""
    text = text or ""
    normalized, offsets = normalize_with_offsets(text)
    spans = _to_original(
        _matches(normalized, highlight_terms(query)), offsets, len(text)
    )
    start, end = _window(spans, len(text), length)
    pieces = [ellipsis if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        pieces.append(_clean(text[position:span_start]))
        pieces.append(f"<mark>{_clean(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(_clean(text[position:end]))
    pieces.append(ellipsis if end < len(text) else "")
    return mark_safe("".join(pieces).strip())  # noqa: S308 (every piece is escaped)
