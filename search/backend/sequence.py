"""``Sequence``: sub-queries at fixed position offsets from a common start.

The index keeps one position per Han character (see ``search.analysis``), so a Han
word of *n* characters is its *n − 1* character pairs at offsets 0 … n − 2, and a
phrase is its words' pairs and Latin terms at their offsets in the typed text.
Whoosh's ``SpanNear2`` would test this with span objects document by document
through its matcher tree; :func:`evaluate` leads with the rarest posting list,
jumps the others to its documents and decodes positions only where every term is
present. ``Adjacent`` holds the words of one Han run: all required, scored higher
where they stand as typed (read from the words' own positions).

A sub-query may be a ``Prefix`` (a single Han character: the pairs it starts, or
itself at the end of a run); its terms are expanded here so that their positions
can be read.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from itertools import accumulate
from pickle import loads

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching import ListMatcher, NullMatcher, WrappingMatcher, binary
from whoosh.query.spans import SpanNear2
from whoosh.scoring import WeightLengthScorer
from whoosh.system import _INT_SIZE
from whoosh.util import make_binary_tree


class Sequence(SpanNear2):
    """Matches documents where every ``qs[i]`` occurs at ``start + offsets[i]``."""

    def __init__(self, qs, offsets=None, slop=1, ordered=True, mindist=0):
        super().__init__(list(qs), slop=1, ordered=True, mindist=0)
        if offsets is None:
            offsets = range(len(self.qs))
        self.offsets = tuple(offsets)
        if len(self.offsets) != len(self.qs):
            raise ValueError("one offset per sub-query")

    def __repr__(self) -> str:
        return f"Sequence({self.qs!r}, offsets={self.offsets!r})"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Sequence)
            and self.qs == other.qs
            and self.offsets == other.offsets
        )

    def __hash__(self) -> int:
        return hash((tuple(self.qs), self.offsets))

    def apply(self, fn):
        return self.__class__([fn(q) for q in self.qs], self.offsets)

    def matcher(self, searcher, context=None):
        matchers = self.term_matchers(searcher, context)
        if matchers is None:
            return NullMatcher()
        return evaluate(matchers, self.offsets)

    def term_matchers(self, searcher, context=None) -> list | None:
        """The sub-queries' matchers, or None when one of them matches nothing."""
        matchers = [_matcher(q, searcher, context) for q in self.qs]
        if any(not m.is_active() for m in matchers):
            return None
        return matchers


def _matcher(query, searcher, context):
    if not isinstance(query, wq.Prefix):
        return query.matcher(searcher, context)
    terms = [
        wq.Term(query.fieldname, text, boost=query.boost)
        for text in query._btexts(searcher.reader())
    ]
    if not terms:
        return NullMatcher()
    return make_binary_tree(
        binary.UnionMatcher, [t.matcher(searcher, context) for t in terms]
    )


def _positions(matcher, docnum: int) -> list[int]:
    """Positions of the current document in a term matcher or a union of them."""
    if isinstance(matcher, binary.UnionMatcher):
        found: list[int] = []
        for side in (matcher.a, matcher.b):
            if side.is_active() and side.id() == docnum:
                found.extend(_positions(side, docnum))
        return found
    leaf = _leaf(matcher)
    if isinstance(leaf, W3LeafMatcher) and type(leaf.format) is Positions:
        # Positions.decode_positions, without its per-position Python loop.
        value = leaf.value()
        if not value.endswith(b"."):
            value += b"."
        return list(accumulate(loads(value[_INT_SIZE:])))  # noqa: S301 (our index)
    return matcher.value_as("positions")


def _leaf(matcher):
    """The posting reader under boost wrappers (moving it moves them)."""
    while isinstance(matcher, WrappingMatcher):
        matcher = matcher.child
    return matcher


def _skip_to(matcher, docnum: int) -> bool:
    """Move to ``docnum`` (ascending calls); whether the matcher has it."""
    matcher = _leaf(matcher)
    if isinstance(matcher, W3LeafMatcher):
        if not matcher.is_active():
            return False
        if docnum > matcher._maxid:
            matcher._skip_to_block(lambda: docnum > matcher._maxid)
            if not matcher.is_active():
                return False
        if matcher._ids is None:
            matcher._read_ids()
        matcher._i = bisect_left(matcher._ids, docnum, matcher._i, matcher._blocklength)
        if matcher._i == matcher._blocklength:  # past this block's ids
            matcher._next_block()
            return matcher.is_active() and matcher.id() == docnum
        return matcher._ids[matcher._i] == docnum
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return matcher.is_active() and matcher.id() == docnum


def _size(matcher) -> float:
    """Bytes of a posting list (its length in postings, roughly)."""
    leaf = _leaf(matcher)
    if isinstance(leaf, ListMatcher):  # inlined: a rare term (codec.INLINE_LIMIT)
        return 0
    length = getattr(leaf, "_length", None) if isinstance(leaf, W3LeafMatcher) else None
    if isinstance(length, tuple):  # whoosh-reloaded keeps struct.unpack's tuple
        length = length[0] if length else None
    return length if isinstance(length, int) else float("inf")


def evaluate(
    matchers: list, offsets: tuple[int, ...], within: set[int] | None = None
) -> ListMatcher:
    """All documents (of ``within``, if given) where every matcher occurs at its
    offset from one start, scored by the sum of the matchers' scores, as a ready
    list.

    Evaluated at once rather than document by document through Whoosh's matcher
    tree: the rarest posting list (or ``within``) leads, the others jump to its
    documents (whole blocks skipped on their maximum id), and positions are
    decoded only where every term is present.
    """
    found: list[int] = []
    scores: list[float] = []
    hits: list[set[int]] = []
    if within is not None:
        for docnum in sorted(within):
            if all(_skip_to(m, docnum) for m in matchers):
                starts = _aligned_starts(matchers, offsets, docnum)
                if starts:
                    found.append(docnum)
                    scores.append(_score(matchers, docnum))
                    hits.append(starts)
            elif not all(m.is_active() for m in matchers):
                break
        return _hits(found, scores, hits)
    order = sorted(range(len(matchers)), key=lambda i: _size(matchers[i]))
    lead = matchers[order[0]]
    others = [matchers[i] for i in order[1:]]
    while lead.is_active():
        docnum = lead.id()
        for other in others:
            if not _skip_to(other, docnum):
                break
        else:
            starts = _aligned_starts(matchers, offsets, docnum)
            if starts:
                found.append(docnum)
                scores.append(_score(matchers, docnum))
                hits.append(starts)
            lead.next()
            continue
        if not other.is_active():
            break
        _skip_to(lead, other.id())  # leapfrog to where the other one is
    return _hits(found, scores, hits)


def _hits(found: list[int], scores: list[float], hits: list[set[int]]):
    if not found:
        return NullMatcher()
    return SequenceHits(array("I", found), weights=array("f", scores), values=hits)


def _score(matchers, docnum: int) -> float:
    """The sum of the matchers' scores; BM25's document length looked up once
    (the terms of a sequence are in one field)."""
    total = 0.0
    length = None
    for matcher in matchers:
        boost = matcher.boost if isinstance(matcher, WrappingMatcher) else 1.0
        scorer = getattr(_leaf(matcher), "scorer", None)
        if not isinstance(scorer, WeightLengthScorer):
            total += matcher.score()
            continue
        if length is None:
            length = scorer.dfl(docnum)
        total += boost * scorer._score(_leaf(matcher).weight(), length)
    return total


def _aligned_starts(matchers, offsets, docnum: int) -> set[int]:
    starts = None
    for matcher, offset in zip(matchers, offsets, strict=True):
        shifted = {p - offset for p in _positions(matcher, docnum)}
        starts = shifted if starts is None else starts & shifted
        if not starts:
            return set()
    return starts


class SequenceHits(ListMatcher):
    """:func:`evaluate`'s result; ``value()`` is the set of starts in a document."""


class Adjacent(wq.Query):
    """The words of one Han run, all required, each in any column (or as one of
    its ``extras``, e.g. synonyms), scored ``1 + bonus`` times higher where they
    stand at their ``offsets`` in one column, i.e. where the run occurs as typed.

    ``columns[i][c]`` is word *i* in column *c*. The adjacency is read from the
    words' own positions, so the run costs no second pass over its pairs.
    """

    def __init__(self, columns, offsets, extras=None, bonus: float = 1.0):
        self.columns = [list(word) for word in columns]
        self.offsets = tuple(offsets)
        self.extras = list(extras) if extras else [None] * len(self.columns)
        self.bonus = bonus

    def __repr__(self) -> str:
        return f"Adjacent({self.columns!r}, offsets={self.offsets!r})"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Adjacent)
            and self.columns == other.columns
            and self.offsets == other.offsets
            and self.extras == other.extras
            and self.bonus == other.bonus
        )

    def __hash__(self) -> int:
        return hash(
            (tuple(tuple(w) for w in self.columns), self.offsets, tuple(self.extras))
        )

    def is_leaf(self) -> bool:
        return False

    def children(self):
        return [q for word in self.columns for q in word] + [
            q for q in self.extras if q is not None
        ]

    def apply(self, fn):
        return self.__class__(
            [[fn(q) for q in word] for word in self.columns],
            self.offsets,
            [None if q is None else fn(q) for q in self.extras],
            self.bonus,
        )

    def estimate_size(self, ixreader) -> int:
        return min(
            sum(q.estimate_size(ixreader) for q in word) for word in self.columns
        )

    def estimate_min_size(self, ixreader) -> int:
        return 0

    def matcher(self, searcher, context=None):
        plans = [
            [q.term_matchers(searcher, context) for q in word] for word in self.columns
        ]
        grid = self._evaluate(
            plans,
            lambda i: [q.term_matchers(searcher, context) for q in self.columns[i]],
        )
        if grid is None:
            return NullMatcher()
        words = []
        for row, extra in zip(grid, self.extras, strict=True):
            alternatives = [m for m in row if m.is_active()]
            if extra is not None:
                extra_matcher = extra.matcher(searcher, context)
                if extra_matcher.is_active():
                    alternatives.append(extra_matcher)
            if not alternatives:
                return NullMatcher()
            words.append(make_binary_tree(binary.UnionMatcher, alternatives))
        child = make_binary_tree(binary.IntersectionMatcher, words)
        return AdjacentMatcher(child, grid, self.offsets, self.bonus)

    def _evaluate(self, plans, fresh) -> list[list] | None:
        """Every word in every column as a matcher for the intersection.

        A one-pair word stays a posting reader: the intersection skips it to
        the candidates. Longer words are evaluated (:func:`evaluate`) in order
        of rarity, each within the documents found so far, which start from
        the ids of the rarest word (every word is required, so no document
        outside them can match). A word with extras may match through them, so
        it does not narrow the candidates. ``fresh(i)`` gives word *i*'s
        matchers again (posting readers cannot be copied).
        """
        size = [
            sum(min(map(_size, ms)) for ms in plan if ms is not None) for plan in plans
        ]
        order = sorted(range(len(plans)), key=size.__getitem__)
        grid: list[list] = [[] for _ in plans]
        within = None
        rarest = next((i for i in order if self.extras[i] is None), None)
        longer = any(not _one_pair(plan) for plan in plans)
        if longer and rarest is not None and _one_pair(plans[rarest]):
            within = {d for ms in fresh(rarest) if ms is not None for d in _ids(ms[0])}
            if not within:
                return None
        for i in order:
            if _one_pair(plans[i]):
                grid[i] = [NullMatcher() if ms is None else ms[0] for ms in plans[i]]
                continue
            grid[i] = [
                NullMatcher() if ms is None else evaluate(ms, q.offsets, within)
                for ms, q in zip(plans[i], self.columns[i], strict=True)
            ]
            if self.extras[i] is None:
                found = {d for m in grid[i] if m.is_active() for d in m.all_ids()}
                if not found:
                    return None
                within = found if within is None else within & found
        return grid


def _one_pair(plan) -> bool:
    return all(ms is None or len(ms) == 1 for ms in plan)


def _ids(matcher) -> array:
    """Every document number of a fresh matcher (whole blocks at a time)."""
    leaf = _leaf(matcher)
    ids = array("i")
    if isinstance(leaf, W3LeafMatcher):
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            ids.extend(leaf._ids[leaf._i : leaf._blocklength])
            leaf._next_block()
        return ids
    ids.extend(leaf.all_ids())
    return ids


def _starts(matcher, docnum: int) -> set[int] | None:
    """Where a word's matcher has the word start in the current document."""
    if not matcher.is_active() or matcher.id() != docnum:
        return None
    if isinstance(_leaf(matcher), SequenceHits):
        return matcher.value()
    return set(_positions(matcher, docnum))


class AdjacentMatcher(WrappingMatcher):
    def __init__(self, child, grid, offsets, bonus) -> None:
        super().__init__(child)
        self.grid = grid
        self.offsets = offsets
        self.bonus = bonus

    def _replacement(self, newchild):
        return self.__class__(newchild, self.grid, self.offsets, self.bonus)

    def copy(self):
        raise NotImplementedError("Whoosh's posting readers cannot be copied")

    def supports_block_quality(self) -> bool:
        return False  # the bonus is not in the child's quality bounds

    def aligned(self) -> bool:
        docnum = self.child.id()
        for column in range(len(self.grid[0])):
            starts = None
            for row, offset in zip(self.grid, self.offsets, strict=True):
                found = _starts(row[column], docnum)
                if not found:
                    starts = None
                    break
                shifted = {p - offset for p in found}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    break
            if starts:
                return True
        return False

    def score(self) -> float:
        score = self.child.score()
        return score * (1 + self.bonus) if self.aligned() else score
