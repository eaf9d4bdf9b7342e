"""Search results: Whoosh finds and ranks, the database supplies the objects."""

from __future__ import annotations

from collections import Counter, OrderedDict

from django.db.models import Count
from modelsearch.backends.base import BaseSearchResults, FilterFieldError

from . import schema

#: Largest ``pk__in`` list sent to the database in one query.
IN_LIMIT = 500


def _chunks(items: list, size: int = IN_LIMIT):
    for i in range(0, len(items), size):
        yield items[i : i + size]


#: Filters remembered per searcher (a searcher lives until the next commit).
FILTER_CACHE_SIZE = 64


def filter_docs(searcher, query) -> set[int]:
    """The document numbers ``query`` keeps, remembered for this searcher.

    Whoosh would compute the set again for every search, and nearly every search
    has the same filter (the content type, often the same scope).
    """
    try:
        hash(query)
    except TypeError:
        return set(searcher.docs_for_query(query))
    cache = searcher.__dict__.setdefault("_zhixue_filters", {})
    docs = cache.get(query)
    if docs is None:
        if len(cache) >= FILTER_CACHE_SIZE:
            cache.clear()
        docs = cache[query] = set(searcher.docs_for_query(query))
    return docs


class WhooshSearchResults(BaseSearchResults):
    supports_facet = True

    @property
    def compiler(self):
        return self.query_compiler

    def _index(self):
        return self.backend.get_index_for_model(self.compiler.queryset.model)

    def _hits(
        self, limit: int | None, count: bool = False
    ) -> tuple[list[tuple[str, float]], int | None]:
        """(key, score) in relevance order, and with ``count`` the total number of
        matches (a second pass over the postings, so only when asked)."""
        compiler = self.compiler
        with self._index().searching() as searcher:
            results = searcher.search(
                compiler.whoosh_query,
                filter=filter_docs(searcher, compiler.whoosh_filter),
                limit=limit,
            )
            hits = [(hit[schema.PK], float(hit.score or 0.0)) for hit in results]
            return hits, len(results) if count else None

    def _to_python(self, keys: list[str]) -> list:
        pk_field = self.compiler.queryset.model._meta.pk
        return [pk_field.to_python(key) for key in keys]

    def _database_order(self) -> tuple[list[str], dict[str, float]]:
        """All matching keys the database queryset keeps, in their final order."""
        hits, _ = self._hits(None)
        scores = dict(hits)
        if not scores:
            return [], scores
        queryset = self.compiler.queryset
        if not self.compiler.order_by_relevance and not queryset.ordered:
            queryset = queryset.order_by("-pk")  # stable pages, as the other backends
        if len(scores) <= IN_LIMIT:
            queryset = queryset.filter(pk__in=self._to_python(list(scores)))
        # Larger candidate sets: stream the queryset's keys instead of a huge IN list.
        kept = dict.fromkeys(
            key
            for key in map(str, queryset.values_list("pk", flat=True).iterator())
            if key in scores
        )
        if self.compiler.order_by_relevance:
            return [key for key in scores if key in kept], scores
        return list(kept), scores

    def _page(self) -> tuple[list[str], dict[str, float]]:
        if self.compiler.needs_database:
            keys, scores = self._database_order()
            return keys[self.start : self.stop], scores
        hits, _ = self._hits(self.stop)
        return [key for key, _ in hits][self.start : self.stop], dict(hits)

    def _fetch(self, keys: list[str]) -> dict[str, object]:
        queryset = self.compiler.queryset
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        found = {}
        for chunk in _chunks(keys):
            for obj in queryset.filter(pk__in=self._to_python(chunk)):
                found[str(obj.pk)] = obj
        return found

    def _do_search(self):
        keys, scores = self._page()
        if not keys:
            return []
        objects = self._fetch(keys)
        results = []
        for key in keys:
            obj = objects.get(key)
            if obj is None:
                continue  # deleted from the database since it was indexed
            if self._score_field:
                setattr(obj, self._score_field, scores.get(key, 0.0))
            results.append(obj)
        return results

    def _do_count(self):
        if self.compiler.needs_database:
            total = len(self._database_order()[0])
        else:
            total = self._hits(1, count=True)[1]
        count = max(total - self.start, 0)
        if self.stop is not None:
            count = min(count, self.stop - self.start)
        return count

    def _all_keys(self) -> list[str]:
        if self.compiler.needs_database:
            return self._database_order()[0]
        return [key for key, _ in self._hits(None)[0]]

    def facet(self, field_name):
        field = self.compiler._get_filterable_field(field_name)
        if field is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to '
                f"{self.compiler.queryset.model.__name__}.search_fields.",
                field_name=field_name,
            )
        queryset = self.compiler.queryset.order_by()
        counts: Counter = Counter()
        for chunk in _chunks(self._all_keys()):
            rows = (
                queryset.filter(pk__in=self._to_python(chunk))
                .values(field_name)
                .annotate(count=Count("pk", distinct=True))
            )
            for row in rows:
                counts[row[field_name]] += row["count"]
        return OrderedDict(sorted(counts.items(), key=lambda item: -item[1]))
