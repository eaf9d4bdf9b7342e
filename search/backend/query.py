"""modelsearch query objects (PlainText, Phrase, …) → Whoosh queries over columns.

Independent of models and querysets: give it the text columns to search.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelsearch.query import (
    And,
    Boost,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
)
from whoosh import query as wq
from whoosh.query.spans import Span, SpanNear2

from search.analysis import (
    Segment,
    autocomplete_query_terms,
    bigrams,
    expand_synonyms,
    query_segments,
)

MATCH_NOTHING = wq.NullQuery


@dataclass(frozen=True)
class Column:
    """A Whoosh field to search, and the boost of its SearchField."""

    name: str
    boost: float = 1.0


def combine(queries: list[wq.Query], operator: str) -> wq.Query:
    if len(queries) == 1:
        return queries[0]
    return wq.And(queries) if operator == "and" else wq.Or(queries)


class BigramChain(SpanNear2):
    """Character pairs each at the same position as the previous one or the next.

    The pairs of a Han word are indexed at the position of the word holding their
    first character, so a run of text has its pairs at steady or increasing
    positions, one step at a time. Whoosh's SpanNear2 would test this with span
    objects; plain sets of positions are an order of magnitude faster.
    """

    def __init__(self, qs, slop=1, ordered=True, mindist=0):
        super().__init__(qs, slop=1, ordered=True, mindist=0)

    def matcher(self, searcher, context=None):
        return self.ChainMatcher([q.matcher(searcher, context) for q in self.qs])

    class ChainMatcher(SpanNear2.SpanNear2Matcher):
        def __init__(self, ms, slop=1, ordered=True, mindist=0):
            super().__init__(ms, slop=1, ordered=True, mindist=0)

        def copy(self):
            return self.__class__([m.copy() for m in self.ms])

        def _get_spans(self):
            # position of the latest pair → start of the chain ending there
            reach: dict[int, int] = {}
            for i, matcher in enumerate(self.ms):
                positions = matcher.value_as("positions")
                if i == 0:
                    reach = {p: p for p in positions}
                    continue
                following = {}
                get = reach.get
                for p in positions:
                    same, before = get(p), get(p - 1)
                    if same is None:
                        if before is not None:
                            following[p] = before
                    else:
                        following[p] = same if before is None else max(same, before)
                if not following:
                    return []
                reach = following
            return sorted(Span(start, end) for end, start in reach.items())


def bigram_chain(name: str, run: str, boost: float) -> wq.Query:
    """Matches where ``run`` (Han characters) occurs as a substring."""
    grams = bigrams(run)
    if not grams:
        return wq.Term(name, run, boost=boost)
    if len(grams) == 1:
        return wq.Term(name, grams[0], boost=boost)
    # Spread the boost: a long word should not outweigh several short ones.
    each = boost / len(grams)
    return BigramChain([wq.Term(name, gram, boost=each) for gram in grams])


def han_word(name: str, word: str, boost: float) -> wq.Query:
    """A Han word as jieba cut it, or anywhere as a substring of other words."""
    if len(word) <= 2:
        return wq.Term(name, word, boost=boost)
    return wq.Or([wq.Term(name, word, boost=boost), bigram_chain(name, word, boost)])


def fuzzy_distance(word: str) -> int:
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def phrase_in(name: str, segments: list[Segment], boost: float) -> wq.Query:
    """The segments one after another, as in the text."""
    query = None
    previous = None
    for segment in segments:
        text = segment.text
        if segment.kind == "han" and len(text) > 1:
            part = bigram_chain(name, text, boost)
        else:
            part = wq.Term(name, text, boost=boost)
        if query is None:
            query = part
        else:
            if segment.kind == "han" and previous.kind == "han":
                # Two Han runs may be one word in the text, or two.
                slop, mindist = 1, 0
            elif previous.kind == "han" and len(previous.text) > 1:
                # A Han run's span ends at its last pair, one word early or not.
                slop, mindist = 2, 1
            else:
                slop, mindist = 1, 1
            query = SpanNear2([query, part], slop=slop, ordered=True, mindist=mindist)
        previous = segment
    return query


class QueryBuilder:
    """Builds the Whoosh query for a search over ``columns``."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns

    def across(self, build) -> wq.Query:
        """``build(field name, boost)`` in every column, any of them matching."""
        queries = [build(column.name, column.boost) for column in self.columns]
        if not queries:
            return MATCH_NOTHING
        return queries[0] if len(queries) == 1 else wq.Or(queries)

    def compile(self, node, boost: float = 1.0) -> wq.Query:
        if isinstance(node, str):
            node = PlainText(node)
        if isinstance(node, MatchAll):
            return wq.Every()
        if isinstance(node, Not):
            return wq.Not(self.compile(node.subquery, boost))
        if isinstance(node, And):
            return wq.And([self.compile(sub, boost) for sub in node.subqueries])
        if isinstance(node, Or):
            return wq.Or([self.compile(sub, boost) for sub in node.subqueries])
        if isinstance(node, Boost):
            return self.compile(node.subquery, boost * node.boost)
        if isinstance(node, PlainText):
            return self.plain_text(node.query_string, node.operator, boost * node.boost)
        if isinstance(node, Fuzzy):
            return self.plain_text(node.query_string, node.operator, boost, fuzzy=True)
        if isinstance(node, Phrase):
            return self.phrase(node.query_string, boost)
        raise NotImplementedError(
            f"`{type(node).__name__}` is not supported by the Whoosh search backend."
        )

    def phrase(self, text: str, boost: float = 1.0) -> wq.Query:
        segments = query_segments(text)
        if not segments:
            return MATCH_NOTHING
        return self.across(lambda name, b: phrase_in(name, segments, b * boost))

    def plain_text(
        self, text: str, operator: str = "and", boost: float = 1.0, fuzzy=False
    ) -> wq.Query:
        units = []
        for chunk in text.split():
            alternatives = [
                self._chunk(other, operator, boost, fuzzy, expand=other == chunk)
                for other in expand_synonyms(chunk)
            ]
            alternatives = [a for a in alternatives if a is not None]
            if alternatives:
                units.append(
                    alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)
                )
        if not units:
            return MATCH_NOTHING
        return combine(units, operator)

    def _chunk(self, chunk, operator, boost, fuzzy, expand) -> wq.Query | None:
        segments = query_segments(chunk)
        words = [(word, s.kind) for s in segments for word in s.words]
        if not words:
            return None
        units = []
        for word, kind in words:
            unit = self._word(word, kind, boost, fuzzy)
            if expand and len(words) > 1:
                synonyms = [
                    self._chunk(other, operator, boost, fuzzy, expand=False)
                    for other in expand_synonyms(word)[1:]
                ]
                unit = wq.Or([unit, *[s for s in synonyms if s is not None]])
            units.append(unit)
        query = combine(units, operator)
        # Reward the words of a Han run found next to each other, as typed.
        chains = [
            self.across(lambda name, b, run=s.text: bigram_chain(name, run, b * boost))
            for s in segments
            if s.kind == "han" and len(s.words) > 1
        ]
        if not chains:
            return query
        if operator == "and":
            return wq.AndMaybe(query, chains[0] if len(chains) == 1 else wq.Or(chains))
        return wq.Or([query, *chains])

    def _word(self, word: str, kind: str, boost: float, fuzzy: bool) -> wq.Query:
        if kind == "han":
            return self.across(lambda name, b: han_word(name, word, b * boost))
        distance = fuzzy_distance(word) if fuzzy else 0
        if distance:
            return self.across(
                lambda name, b: wq.FuzzyTerm(
                    name, word, boost=b * boost, maxdist=distance, prefixlength=1
                )
            )
        return self.across(lambda name, b: wq.Term(name, word, boost=b * boost))


class AutocompleteQueryBuilder(QueryBuilder):
    """Partial words: every typed term must be a prefix / Han substring."""

    def compile(self, node, boost: float = 1.0) -> wq.Query:
        if isinstance(node, str):
            node = PlainText(node)
        if isinstance(node, MatchAll):
            return wq.Every()
        if not isinstance(node, PlainText):
            raise NotImplementedError(
                f"`{type(node).__name__}` is not supported for autocomplete queries."
            )
        terms = autocomplete_query_terms(node.query_string)
        if not terms:
            return MATCH_NOTHING
        units = [
            self.across(lambda name, b, term=term: wq.Term(name, term, boost=b))
            for term in terms
        ]
        return combine(units, node.operator)
