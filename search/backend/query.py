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

from search.analysis import (
    Segment,
    autocomplete_query_terms,
    bigrams,
    expand_synonyms,
    query_segments,
    query_words,
)

from .sequence import Adjacent, Sequence

MATCH_NOTHING = wq.NullQuery
#: How much higher a Han run's words score where they stand as typed.
ADJACENT_BONUS = 1.0


@dataclass(frozen=True)
class Column:
    """A Whoosh field to search, and the boost of its SearchField."""

    name: str
    boost: float = 1.0


def combine(queries: list[wq.Query], operator: str) -> wq.Query:
    if len(queries) == 1:
        return queries[0]
    return wq.And(queries) if operator == "and" else wq.Or(queries)


def han_run(name: str, run: str, boost: float) -> wq.Query:
    """Matches where ``run`` (Han characters) occurs as a substring."""
    if len(run) == 1:
        # The pairs the character starts, or itself at the end of a run.
        return wq.Prefix(name, run, boost=boost, constantscore=False)
    if len(run) == 2:
        return wq.Term(name, run, boost=boost)
    # Spread the boost: a long word should not outweigh several short ones.
    return han_sequence(name, run, boost)


def han_sequence(name: str, word: str, boost: float) -> Sequence:
    """A Han word of two or more characters as its pairs, always a Sequence."""
    grams = bigrams(word)
    return Sequence([wq.Term(name, gram, boost=boost / len(grams)) for gram in grams])


def fuzzy_distance(word: str) -> int:
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def phrase_in(name: str, segments: list[Segment], boost: float) -> wq.Query:
    """The segments one after another, as in the text (one position a Han
    character, one a Latin word; two Han runs may be one run in the text)."""
    items: list[wq.Query] = []
    offsets: list[int] = []
    offset = 0
    for segment in segments:
        text = segment.text
        if segment.kind == "han" and len(text) > 1:
            grams = bigrams(text)
            items.extend(wq.Term(name, g, boost=boost / len(grams)) for g in grams)
            offsets.extend(range(offset, offset + len(grams)))
            offset += len(text)
        elif segment.kind == "han":
            items.append(wq.Prefix(name, text, boost=boost, constantscore=False))
            offsets.append(offset)
            offset += 1
        else:
            items.append(wq.Term(name, text, boost=boost))
            offsets.append(offset)
            offset += 1
    if len(items) == 1:
        return items[0]
    return Sequence(items, offsets)


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
        count = sum(len(query_words(s)) for s in segments)
        if not count:
            return None
        units = []
        for segment in segments:
            words = query_words(segment)
            extras = [
                self._synonyms(word, operator, boost, fuzzy)
                if expand and count > 1
                else None
                for word in words
            ]
            if operator == "and" and segment.kind == "han" and len(words) > 1:
                units.append(self._adjacent(words, extras, boost))
                continue
            for word, extra in zip(words, extras, strict=True):
                unit = self._word(word, segment.kind, boost, fuzzy)
                units.append(unit if extra is None else wq.Or([unit, extra]))
        query = combine(units, operator)
        if operator == "and":
            return query
        # Reward the words of a Han run found next to each other, as typed.
        chains = [
            self.across(lambda name, b, run=s.text: han_run(name, run, b * boost))
            for s in segments
            if s.kind == "han" and len(query_words(s)) > 1
        ]
        return wq.Or([query, *chains]) if chains else query

    def _synonyms(self, word, operator, boost, fuzzy) -> wq.Query | None:
        queries = [
            self._chunk(other, operator, boost, fuzzy, expand=False)
            for other in expand_synonyms(word)[1:]
        ]
        queries = [q for q in queries if q is not None]
        if not queries:
            return None
        return queries[0] if len(queries) == 1 else wq.Or(queries)

    def _adjacent(self, words: list[str], extras, boost: float) -> wq.Query:
        """All the words of a Han run, scored higher where they occur as typed."""
        offsets = [sum(len(w) for w in words[:i]) for i in range(len(words))]
        columns = [
            [han_sequence(c.name, word, c.boost * boost) for c in self.columns]
            for word in words
        ]
        return Adjacent(columns, offsets, extras, bonus=ADJACENT_BONUS)

    def _word(self, word: str, kind: str, boost: float, fuzzy: bool) -> wq.Query:
        if kind == "han":
            return self.across(lambda name, b: han_run(name, word, b * boost))
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
