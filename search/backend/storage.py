"""One Whoosh index on disk, in generations swapped by an atomic rename.

Layout of ``<PATH>/<index name>/``::

    CURRENT        name of the generation searches use (replaced with os.replace)
    gen-<id>/      a complete Whoosh index
    write.lock     held by every writer (see locking.py)
    rebuild.lock   held by a rebuild from start to finish
    BUILDING       name of the generation a rebuild is filling, while it runs
    journal        keys written by others while a rebuild runs, replayed before
                   the swap so the new generation loses none of them

A rebuild fills a new generation, then (holding write.lock) replays the journal
and points CURRENT at it. Searchers that opened the old generation keep reading
it: the previous generation is kept until the next swap.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from .codec import FastCodec
from .locking import exclusive, is_held_elsewhere
from .schema import make_schema
from .writers import SegmentWriter

#: Bumped whenever analysis.py or the schema index text differently: an index of
#: another version must be rebuilt (search.checks warns; seed_demo rebuilds).
#: 2: character pairs at sequential positions (1: jieba words with sub-terms).
ANALYSIS_VERSION = 2
ANALYSIS_FILE = "ANALYSIS"

_open_indexes: dict[str, whoosh_index.FileIndex] = {}
_open_lock = threading.Lock()
_searchers = threading.local()
_cached_searchers: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_cached_searchers() -> None:
    for searcher in list(_cached_searchers):
        searcher.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class IndexStore:
    def __init__(self, root: Path, name: str, lock_timeout: float = 60.0) -> None:
        self.dir = Path(root) / name
        self.lock_timeout = lock_timeout

    # Locks -------------------------------------------------------------------

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        with exclusive(self.dir / "write.lock", self.lock_timeout):
            yield

    @property
    def rebuild_lock_path(self) -> Path:
        return self.dir / "rebuild.lock"

    # Generations ---------------------------------------------------------------

    def _read_pointer(self, name: str) -> Path | None:
        try:
            generation = (self.dir / name).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self.dir / generation if generation else None

    def current(self) -> Path | None:
        return self._read_pointer("CURRENT")

    def create_generation(self) -> Path:
        """A new, empty generation (caller holds the write lock, so that no
        concurrent publish mistakes it for an old one)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        # Names sort by creation time: the hex of time_ns keeps its width.
        name = f"gen-{time.time_ns():016x}-{secrets.token_hex(3)}"
        path = self.dir / name
        path.mkdir()
        whoosh_index.create_in(str(path), make_schema())
        (path / ANALYSIS_FILE).write_text(str(ANALYSIS_VERSION), encoding="utf-8")
        return path

    def is_outdated(self) -> bool:
        """Whether the live generation was analysed differently from this code
        (it still answers searches, but ``update_index`` must rebuild it)."""
        generation = self.current()
        if generation is None or not generation.exists():
            return False
        try:
            version = (generation / ANALYSIS_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return True
        return version.strip() != str(ANALYSIS_VERSION)

    def publish(self, generation: Path) -> None:
        """Point CURRENT at ``generation`` (caller holds the write lock).

        The previous generation stays for the searchers still reading it; older
        ones (except one a rebuild is filling) are deleted.
        """
        previous = self.current()
        _write_atomically(self.dir / "CURRENT", generation.name)
        keep_from = min(generation.name, previous.name if previous else "~")
        building = self._read_pointer("BUILDING")
        for path in self.dir.glob("gen-*"):
            if path.name < keep_from and path != building:
                shutil.rmtree(path, ignore_errors=True)
                _forget(path)

    def open(self) -> whoosh_index.FileIndex:
        """The current generation, created empty on first use."""
        generation = self.current()
        if generation is None or not generation.exists():
            with self.write_lock():
                generation = self.current()
                if generation is None or not generation.exists():
                    generation = self.create_generation()
                    self.publish(generation)
        return open_generation(generation)

    def writer(self, ix=None, **kwargs):
        """A Whoosh writer on the current (or the given) index.

        Segments stay separate files: opening a compound segment copies each of
        its parts into memory, which made every search pay tens of milliseconds.
        The codec writes Whoosh's W3 format with a faster commit (codec.py), the
        writer pools postings in memory (writers.py).
        """
        return SegmentWriter(
            ix or self.open(), compound=False, codec=FastCodec(), **kwargs
        )

    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher on the latest commit, kept open per thread while no commit
        happens. (Whoosh's own ``refresh()`` reuses segment readers without their
        new deletions, so a changed index always gets a new searcher.)"""
        ix = self.open()
        cache = getattr(_searchers, "by_dir", None)
        if cache is None:
            cache = _searchers.by_dir = {}
        key = str(self.dir)
        cached = cache.pop(key, None)
        if (
            cached is not None
            and cached[0] is ix
            and cached[1].reader().generation() == ix.latest_generation()
        ):
            searcher = cached[1]
        else:
            if cached is not None:
                cached[1].close()
            searcher = ix.searcher()
        try:
            yield searcher
        except BaseException:
            searcher.close()
            raise
        cache[key] = (ix, searcher)
        _cached_searchers.add(searcher)

    def reset(self) -> None:
        """Swap in an empty generation."""
        with self.write_lock():
            self.publish(self.create_generation())

    # Rebuild bookkeeping -------------------------------------------------------

    def begin_build(self) -> Path:
        """A new generation for a rebuild; writes are journaled from now on."""
        with self.write_lock():
            generation = self.create_generation()
            (self.dir / "journal").unlink(missing_ok=True)
            _write_atomically(self.dir / "BUILDING", generation.name)
        return generation

    def end_build(self) -> None:
        (self.dir / "BUILDING").unlink(missing_ok=True)
        (self.dir / "journal").unlink(missing_ok=True)

    def building(self) -> Path | None:
        """The generation a live rebuild is filling (caller holds the write lock)."""
        generation = self._read_pointer("BUILDING")
        if generation is None:
            return None
        if not is_held_elsewhere(self.rebuild_lock_path):
            # The rebuild died: nobody will replay the journal.
            self.end_build()
            return None
        return generation

    def journal(self, entries: list[dict]) -> None:
        """Record writes for a running rebuild (caller holds the write lock)."""
        if not entries or self.building() is None:
            return
        with open(self.dir / "journal", "a", encoding="utf-8") as handle:
            for entry in entries:
                handle.write(json.dumps(entry) + "\n")

    def read_journal(self) -> list[dict]:
        try:
            lines = (self.dir / "journal").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]


def open_generation(path: Path) -> whoosh_index.FileIndex:
    key = str(path)
    ix = _open_indexes.get(key)
    if ix is None:
        with _open_lock:
            ix = _open_indexes.get(key)
            if ix is None:
                for stale in [k for k in _open_indexes if not os.path.exists(k)]:
                    del _open_indexes[stale]
                ix = whoosh_index.open_dir(key)
                _open_indexes[key] = ix
    return ix


def _forget(path: Path) -> None:
    with _open_lock:
        _open_indexes.pop(str(path), None)
