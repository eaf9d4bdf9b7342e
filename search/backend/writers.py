"""Whoosh segment writers: postings pooled in memory, segments written in parallel.

Whoosh's ``PostingPool`` keeps every posting as a tuple, sorts them all at commit
and, past its memory limit, pickles them one by one to run files and merges those
with a heap. Profiled on a 15 MB rebuild, pickling, unpickling and merging took
half of the time. ``MemoryPostingPool`` groups postings per (field, term) in
lists as they arrive (documents come in order, so each term's postings are already
sorted) and sorts only the distinct terms; the caller starts a new
segment when :attr:`MemoryPostingPool.bytes` passes its budget.

:func:`write_segments` indexes a batch of documents in child processes, each
writing segments of its own, the way Whoosh's ``MpWriter`` does with
``multisegment``, and the parent adds them to the index under its write lock.
"""

from __future__ import annotations

import gc
import multiprocessing
from contextlib import contextmanager

from whoosh import writing

#: Rough bytes a pooled posting (its tuple, term and value bytes) and a term take.
POSTING_BYTES = 150
TERM_BYTES = 250


class MemoryPostingPool:
    """The ``PostingPool`` interface (``add``, ``iter_postings``, ``cleanup``,
    ``fieldnames``) over per-term lists held in memory."""

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bytes], list[tuple]] = {}
        self._unsorted: set[tuple[str, bytes]] = set()
        self.fieldnames: set[str] = set()
        self.bytes = 0

    def add(self, item) -> None:
        # item = (fieldname, btext, docnum, weight, value)
        key = item[:2]
        postings = self._terms.get(key)
        if postings is None:
            self._terms[key] = [item]
            self.fieldnames.add(item[0])
            self.bytes += TERM_BYTES
            return
        if item[2] < postings[-1][2]:
            self._unsorted.add(key)  # merged from another segment out of order
        postings.append(item)
        self.bytes += POSTING_BYTES

    def iter_postings(self):
        terms = self._terms
        for key in sorted(terms):
            postings = terms[key]
            if key in self._unsorted:
                postings = sorted(postings, key=lambda item: item[2])
            yield from postings

    def cleanup(self) -> None:
        self._terms.clear()
        self._unsorted.clear()
        self.bytes = 0


class SegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer over a :class:`MemoryPostingPool`."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.pool = MemoryPostingPool()


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while postings pile up: millions of
    new lists and tuples, none in a cycle, would make it rescan them again and
    again (a third of a large rebuild's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _index_share(storage, indexname, documents, budget, options) -> list:
    """In a child process: ``documents`` into one or more finished segments."""
    with collector_paused():
        return _write_share(storage, indexname, documents, budget, options)


def _write_share(storage, indexname, documents, budget, options) -> list:
    ix = storage.open_index(indexname)
    segments = []
    writer = None
    for document in documents:
        if writer is None:
            writer = SegmentWriter(ix, _lk=False, **options)
        writer.add_document(**document)
        if writer.pool.bytes > budget:
            segments.append(_finish_share(writer))
            writer = None
    if writer is not None:
        segments.append(_finish_share(writer))
    return segments


def _finish_share(writer: SegmentWriter):
    # Not writer._finish(): every writer of an index shares one temporary folder,
    # which the parent's writer removes once all the children are done.
    return writer._finalize_segment()


def write_segments(
    ix, documents: list[dict], *, procs: int, budget: int, options: dict
) -> None:
    """Add ``documents`` (new keys only) to ``ix`` as segments written by
    ``procs`` child processes; returns when they are committed."""
    shares = [documents[i::procs] for i in range(procs)]
    context = multiprocessing.get_context("fork")
    with context.Pool(procs) as pool:
        written = pool.starmap(
            _index_share,
            [(ix.storage, ix.indexname, share, budget, options) for share in shares],
        )
    writer = SegmentWriter(ix, **options)
    try:
        segments = writer._merge_segments(None, False, False)
        segments += [segment for share in written for segment in share]
        writer._close_segment()
        writer._commit_toc(segments)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
