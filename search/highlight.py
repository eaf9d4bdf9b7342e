"""Snippets of Chinese text with the matched words marked."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 160


def query_terms(query: str) -> list[str]:
    """The words of a query worth marking: each typed word and its jieba pieces."""
    import jieba

    terms = []
    for word in (query or "").split():
        word = word.strip("\"'“”")
        if not word:
            continue
        terms.append(word)
        terms.extend(piece for piece in jieba.cut_for_search(word) if len(piece) > 1)
    return terms


def snippet(text: str, query: str, *, length: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around the first match, matches wrapped in <mark>."""
    plain = re.sub(r"<[^>]+>", " ", text or "")
    plain = re.sub(r"\s+", " ", plain).strip()
    terms = sorted({t for t in query_terms(query) if t.strip()}, key=len, reverse=True)
    if not plain:
        return mark_safe("")
    if not terms:
        return mark_safe(escape(plain[:length]))  # noqa: S308 (escaped)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    first = pattern.search(plain)
    start = max(0, (first.start() if first else 0) - length // 4)
    window = plain[start : start + length]
    parts, last = [], 0
    for match in pattern.finditer(window):
        parts.append(escape(window[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(window[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(plain) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 (parts escaped)
