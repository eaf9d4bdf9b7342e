"""Chinese text analysis for the Whoosh search backend.

Every text goes through :func:`normalize` (NFKC, traditional → simplified, lower
case) and is split into runs of Han characters and runs of other word characters.

The index stores Han runs as overlapping character pairs (one per character, the
last character of a run as itself) at sequential positions, and Latin/digit runs as
words. That is independent of how a sentence would be segmented, so a word is
found wherever it occurs as a substring: jieba cuts 碳中和 as 碳中/和 alone but
碳/中/和 after 碳达峰, which is where stock jieba indexes lose documents.

Queries are segmented with jieba: its words are what a query's terms are ANDed
over (``个人信息处理者`` finds 个人信息的处理者), and each word is matched as its
chain of pairs at consecutive positions.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

# Han ideographs (BMP, extension A, compatibility, extensions B–G) and 〇.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>[^\W{HAN}]+(?:\.[^\W{HAN}]+)*)")

#: Separates the values of a multi-valued text field (Whoosh would take a list as
#: ready-made tokens); phrases never span two values, they are this far apart:
VALUE_SEPARATOR = "\x1e"
VALUE_POSITION_GAP = 100
#: Longest token worth indexing (longer runs are base64 blobs, hashes and such).
MAX_TOKEN_LENGTH = 64
#: Autocomplete indexes prefixes of Latin words and substrings of Han runs up to:
AUTOCOMPLETE_MAX_LATIN = 20
AUTOCOMPLETE_MAX_HAN = 10

#: Words jieba's default dictionary lacks or cuts badly; kept short on purpose:
#: recall does not depend on them (bigrams do that), they only improve ranking.
USER_WORDS = [
    "三会一课",
    "主题党日",
    "两学一做",
    "组织生活会",
    "民主评议",
    "党支部书记",
    "党小组",
    "学习强国",
]

SYNONYMS_SETTING = "ZHIXUE_SEARCH_SYNONYMS_PROVIDER"
#: The provider is asked again after this many seconds (it should cache itself).
SYNONYMS_CACHE_SECONDS = 5


# Normalisation ---------------------------------------------------------------

_init_lock = threading.Lock()
_converter = None
_tokenizer = None


def _t2s(text: str) -> str:
    global _converter
    if _converter is None:
        import opencc

        with _init_lock:
            if _converter is None:
                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, lower case."""
    return _t2s(unicodedata.normalize("NFKC", text)).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Like :func:`normalize`, plus a map from normalised to original offsets.

    The map is ``None`` when every character maps to exactly one character (almost
    always), so offsets are the same in both strings.
    """
    normalized = normalize(text)
    if len(normalized) == len(text):
        return normalized, None
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        pieces.append(piece)
        offsets.extend([index] * len(piece))
    joined = "".join(pieces)
    converted = _t2s(joined)
    if len(converted) != len(joined):
        # A phrase conversion changed the length: convert character by character.
        converted = "".join(_t2s_char(ch) for ch in joined)
    return converted, offsets


def _t2s_char(char: str) -> str:
    converted = _t2s(char)
    return converted if len(converted) == 1 else char


# Segmentation ----------------------------------------------------------------


def _jieba():
    """jieba's tokenizer with our user words, initialised once per process."""
    global _tokenizer
    if _tokenizer is None:
        with _init_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in USER_WORDS:
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def warm_up() -> None:
    """Load jieba's dictionary and OpenCC's tables now (about a second together),
    so that the first search of a process does not pay for them."""
    _jieba()
    normalize("預熱")


def warm_up_in_background() -> threading.Thread:
    """:func:`warm_up` in a daemon thread: for web and worker processes at start."""
    thread = threading.Thread(target=warm_up, name="search-warm-up", daemon=True)
    thread.start()
    return thread


def cut(run: str) -> list[str]:
    """Segment a run of Han characters into words (jieba's accurate mode)."""
    if len(run) == 1:
        return [run]
    if len(run) <= _CACHED_RUN_LENGTH:
        return list(_cut_cached(run))
    return _cut(run)


def _cut(run: str) -> list[str]:
    return [w for w in _jieba().cut(run, HMM=True) if w]


# Official texts repeat their short clauses: memoise them (a big saving in indexing).
_CACHED_RUN_LENGTH = 24
_cut_cached = lru_cache(maxsize=20_000)(lambda run: tuple(_cut(run)))


@dataclass
class Segment:
    """A maximal run in normalised text: Han characters or one Latin/digit word."""

    kind: str  # "han" or "word"
    text: str
    start: int
    words: list[str] = field(default_factory=list)


def segments(normalized: str, *, words: bool = True) -> Iterator[Segment]:
    """The runs of ``normalized``; Han runs cut into jieba's words if ``words``."""
    for match in _RUNS.finditer(normalized):
        text = match.group()
        if match.lastgroup == "han":
            yield Segment("han", text, match.start(), cut(text) if words else [])
        elif len(text) <= MAX_TOKEN_LENGTH:
            yield Segment("word", text, match.start(), [text])


def bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


@dataclass
class IndexToken:
    text: str
    position: int
    startchar: int
    endchar: int


def index_tokens(text: str, start_pos: int = 0) -> Iterator[IndexToken]:
    """The tokens indexed for ``text``, one per position."""
    for term, position, startchar, endchar in _index_terms(text, start_pos):
        yield IndexToken(term, position, startchar, endchar)


def _index_terms(text: str, start_pos: int) -> Iterator[tuple[str, int, int, int]]:
    """Han runs as overlapping character pairs, Latin/digit runs as words.

    A Han character at position *p* stands for the pair it starts (or, the last of
    its run, for itself), so every character has one position and a word of *n*
    characters is *n − 1* pairs at consecutive positions, wherever it occurs and
    however jieba would cut the sentence. No segmentation happens here: jieba runs
    at 1.2 MB/s on one core, which alone would use up the indexing budget.
    """
    position = start_pos
    for match in _RUNS.finditer(normalize(text)):
        run = match.group()
        start = match.start()
        if match.lastgroup == "han":
            last = len(run) - 1
            for i in range(last):
                yield run[i : i + 2], position + i, start + i, start + i + 2
            yield run[last], position + last, start + last, start + last + 1
            position += len(run)
        elif len(run) <= MAX_TOKEN_LENGTH:
            yield run, position, start, match.end()
            position += 1


def index_positions(value) -> dict[str, list[int]]:
    """term → its positions in a (multi-valued) text: what the index stores.

    The fast path of :func:`_index_terms` for indexing (no token objects, no
    offsets); multi-valued text keeps :data:`VALUE_POSITION_GAP` between values.
    """
    positions: dict[str, list[int]] = {}
    get = positions.get
    position = 0
    runs = _RUNS.finditer
    for text in _values(value):
        for match in runs(normalize(text)):
            run = match.group()
            if match.lastgroup == "han":
                last = len(run) - 1
                for i in range(last):
                    gram = run[i : i + 2]
                    found = get(gram)
                    if found is None:
                        positions[gram] = [position + i]
                    else:
                        found.append(position + i)
                found = get(run[last])
                if found is None:
                    positions[run[last]] = [position + last]
                else:
                    found.append(position + last)
                position += last + 1
            elif len(run) <= MAX_TOKEN_LENGTH:
                found = get(run)
                if found is None:
                    positions[run] = [position]
                else:
                    found.append(position)
                position += 1
        position += VALUE_POSITION_GAP
    return positions


def autocomplete_tokens(text: str) -> Iterator[str]:
    """Prefixes of Latin words; substrings of Han runs (typed text matches anywhere)."""
    for segment in segments(normalize(text), words=False):
        value = segment.text
        if segment.kind == "word":
            for size in range(1, min(len(value), AUTOCOMPLETE_MAX_LATIN) + 1):
                yield value[:size]
        else:
            for i in range(len(value)):
                for size in range(1, min(len(value) - i, AUTOCOMPLETE_MAX_HAN) + 1):
                    yield value[i : i + size]


def autocomplete_query_terms(text: str) -> list[str]:
    """The terms an autocomplete query must all find (matching the index side)."""
    terms = []
    for segment in segments(normalize(text), words=False):
        value = segment.text
        if segment.kind == "word":
            terms.append(value[:AUTOCOMPLETE_MAX_LATIN])
        else:
            size = AUTOCOMPLETE_MAX_HAN
            starts = range(0, max(len(value) - size, 0) + 1, size)
            terms.extend(value[i : i + size] for i in starts)
            if len(value) > size and len(value) % size:
                terms.append(value[-size:])
    return list(dict.fromkeys(terms))


def query_words(segment: Segment) -> list[str]:
    """The words a query segment is matched by: jieba's, a single Han character
    joined to its neighbour (alone it would match thousands of pairs)."""
    if segment.kind != "han" or len(segment.words) < 2:
        return segment.words
    words: list[str] = []
    pending = ""
    for word in segment.words:
        word = pending + word
        pending = ""
        if len(word) == 1:
            pending = word
        else:
            words.append(word)
    if pending:
        words[-1] += pending
    return words


def query_segments(text: str) -> list[Segment]:
    """Segments of a query string, analysed exactly like indexed text."""
    return list(segments(normalize(text)))


# Whoosh glue -------------------------------------------------------------------


def join_values(values: Iterable[str]) -> str:
    """One string for a multi-valued text field (see :data:`VALUE_SEPARATOR`)."""
    return VALUE_SEPARATOR.join(v.replace(VALUE_SEPARATOR, " ") for v in values)


def _values(value) -> Iterable[str]:
    if isinstance(value, (list, tuple)):
        return value
    return value.split(VALUE_SEPARATOR)


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`index_tokens`, for :func:`join_values` text."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for text in _values(value):
            last = position - 1
            for term, pos, startchar, endchar in _index_terms(text, position):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = term
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + startchar
                    token.endchar = start_char + endchar
                last = pos
                yield token
            position = last + 1 + VALUE_POSITION_GAP


class AutocompleteTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`autocomplete_tokens` (no positions needed)."""

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        token = Token(positions, chars, mode=mode, **kwargs)
        position = 0
        for text in _values(value):
            for term in dict.fromkeys(autocomplete_tokens(text)):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = position
                    position += 1
                if chars:
                    token.startchar = token.endchar = 0
                yield token


class ExactTokenizer(Tokenizer):
    """The value as one token, unchanged: for filter fields holding strings.

    (Whoosh indexes a list value item by item without calling the analyzer.)
    """

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        token = Token(positions, chars, mode=mode, **kwargs)
        values = value if isinstance(value, (list, tuple)) else [value]
        for position, text in enumerate(values):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            if chars:
                token.startchar, token.endchar = 0, len(text)
            yield token


# Synonyms --------------------------------------------------------------------

logger = logging.getLogger(__name__)
_synonym_cache: dict[str, tuple[float, dict[str, list[str]]]] = {}


def clear_synonym_cache() -> None:
    """Forget the synonym groups loaded in this process (call after editing them)."""
    _synonym_cache.clear()


def _synonym_groups(provider_path: str) -> dict[str, list[str]]:
    """normalised term → its group, from the provider (reread every few seconds)."""
    cached = _synonym_cache.get(provider_path)
    now = time.monotonic()
    if cached and now - cached[0] < SYNONYMS_CACHE_SECONDS:
        return cached[1]
    from django.utils.module_loading import import_string

    lookup: dict[str, list[str]] = {}
    try:
        groups = import_string(provider_path)()
    except Exception:
        # A broken provider (or a missing table) must not break searching.
        logger.exception("Synonym provider %s failed", provider_path)
        return {}
    for group in groups:
        terms = list(dict.fromkeys(t.strip() for t in group if t and t.strip()))
        for term in terms:
            members = lookup.setdefault(normalize(term), [])
            members.extend(t for t in terms if t not in members)
    _synonym_cache[provider_path] = (now, lookup)
    return lookup


def expand_synonyms(term: str) -> list[str]:
    """``term`` followed by its synonyms.

    The groups come from the callable named by the ``ZHIXUE_SEARCH_SYNONYMS_PROVIDER``
    setting (a dotted path; it returns a list of groups of equivalent terms, e.g.
    ``[["三会一课", "支部党员大会", "支委会", "党小组会", "党课"]]``). Terms compare
    after :func:`normalize`, so traditional or full-width input finds its group.
    Without the setting the list is just ``[term]``.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        provider_path = getattr(settings, SYNONYMS_SETTING, None)
    except ImproperlyConfigured:
        provider_path = None
    if not provider_path:
        return [term]
    key = normalize(term.strip())
    group = _synonym_groups(provider_path).get(key, [])
    return [term] + [other for other in group if normalize(other) != key]
