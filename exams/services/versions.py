"""The question versions that attempts and practice rounds show, kept per process.

A ``QuestionVersion`` never changes once written (an edit, a corrected key or a
regrade's key is a new version) and a question never changes its type, so a
version read once may be kept for the life of the process: on an exam day every
start, save, reload and submit of two thousand candidates reads the same hundred
versions, and the rendered HTML of their stems and options (the allowlist
sanitiser, the costliest step of showing a sheet) is done once per process
instead of on every request (``selectors.attempts.question_face`` keeps it on
the cached version).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import QuestionVersion

#: more versions than any exam shows; past it the cache starts again
MAX_CACHED = 20_000

_versions: dict[int, QuestionVersion] = {}


def versions_by_id(ids: Iterable[int]) -> dict[int, QuestionVersion]:
    """``{id: version}`` with ``version.question`` loaded (for its type); one
    query for those not read before in this process."""
    wanted = list(ids)
    missing = [pk for pk in wanted if pk not in _versions]
    if missing:
        fetched = QuestionVersion.objects.select_related("question").in_bulk(missing)
        if len(_versions) + len(fetched) > MAX_CACHED:
            versions_forget()
        _versions.update(fetched)
    return {pk: _versions[pk] for pk in wanted if pk in _versions}


def versions_forget() -> None:
    """Empty the cache (tests: a rolled-back transaction may reuse an id)."""
    _versions.clear()
