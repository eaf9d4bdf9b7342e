"""modelsearch index objects: live writes, and rebuilds into a new generation."""

from __future__ import annotations

import multiprocessing
import shutil

from modelsearch.backends.base import BaseIndex
from modelsearch.index import class_is_indexed

from search.analysis import warm_up

from . import schema
from .codec import FastCodec
from .documents import DocumentBuilder, document_key
from .locking import HeldFileLock
from .storage import IndexStore, open_generation
from .writers import SegmentWriter, collector_paused, write_segments


def build_documents(model, items) -> list[dict]:
    builder = DocumentBuilder(model)
    return [builder.build(item) for item in items]


class WhooshIndex(BaseIndex):
    """The index of one root model and its subclasses, in its own directory."""

    def __init__(self, backend, name: str) -> None:
        super().__init__(backend)
        self.name = name
        self.store = IndexStore(backend.path, name, backend.lock_timeout)

    def get_key(self):
        return self.name

    def __str__(self) -> str:
        return self.name

    def searcher(self):
        """A new searcher on the latest commit (close it when done)."""
        return self.store.open().searcher()

    def searching(self):
        """Context manager: this thread's cached searcher, refreshed."""
        return self.store.searcher()

    def add_model(self, model) -> None:
        """Nothing to do: the glob fields take every model's columns."""

    def refresh(self) -> None:
        """Nothing to do: every search opens a reader on the latest commit."""

    def reset(self) -> None:
        self.store.reset()

    # modelsearch API -------------------------------------------------------------

    def add_items(self, model, items) -> None:
        if not class_is_indexed(model):
            return
        # Read everything from the database before taking the lock.
        self.add_documents(build_documents(model, items))

    def add_item(self, obj) -> None:
        self.add_items(type(obj), [obj])

    def delete_item(self, item) -> None:
        self.delete_keys([document_key(item)])

    # Documents -------------------------------------------------------------------

    def add_documents(self, documents: list[dict]) -> None:
        """Add or replace documents (dicts of Whoosh field → value, with ``pk``)."""
        if documents:
            warm_up()  # load jieba before taking the write lock, not while holding it
            self._write(
                [{"op": "add", "pk": d[schema.PK], "doc": d} for d in documents]
            )

    def delete_keys(self, keys: list[str]) -> None:
        if keys:
            self._write([{"op": "delete", "pk": key} for key in keys])

    def _write(self, operations: list[dict]) -> None:
        with self.store.write_lock():
            writer = self.store.writer(
                timeout=self.backend.lock_timeout, limitmb=self.backend.writer_mb
            )
            try:
                for operation in operations:
                    if operation["op"] == "add":
                        writer.update_document(**operation["doc"])
                    else:
                        writer.delete_by_term(schema.PK, operation["pk"])
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            # A running rebuild replays these on its new generation before the swap.
            self.store.journal(operations)


#: A rebuild batch smaller than this is written in one process.
PARALLEL_MIN_DOCUMENTS = 200


def writer_processes(wanted: int, batch: int) -> int:
    """How many writer processes a rebuild batch gets.

    Parallel writers are child processes: not worth forking for a few documents,
    and impossible inside a daemonic process (a Celery prefork child).
    """
    if wanted <= 1 or batch < PARALLEL_MIN_DOCUMENTS:
        return 1
    if multiprocessing.current_process().daemon:
        return 1
    return wanted


def _text_bytes(document: dict) -> int:
    """About how many UTF-8 bytes of text a document holds (Han: 3 a character)."""
    return sum(3 * len(v) for v in document.values() if isinstance(v, str))


class BuildingIndex(WhooshIndex):
    """A new generation that a rebuild fills.

    Documents are buffered up to ``REBUILD_BATCH_MB`` of text, then written in
    ``REBUILD_PROCS`` processes at once, each analysing its share and writing its
    own segments (writers.write_segments): indexing and commit both run in
    parallel, and a few large segments keep searches fast.
    """

    def __init__(self, live: WhooshIndex, generation) -> None:
        super().__init__(live.backend, live.name)
        self.generation = generation
        self.pending: dict[str, dict] = {}
        self.pending_bytes = 0
        self.written: set[str] = set()

    def _options(self) -> dict:
        return {
            "limitmb": self.backend.writer_mb,
            "compound": False,
            "codec": FastCodec(),
        }

    def add_documents(self, documents: list[dict]) -> None:
        for document in documents:
            key = document[schema.PK]
            self.pending.pop(key, None)  # the last version of a key wins
            self.pending[key] = document
            self.pending_bytes += _text_bytes(document)
        if self.pending_bytes >= self.backend.rebuild_batch_bytes:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        documents = list(self.pending.values())
        self.pending, self.pending_bytes = {}, 0
        ix = open_generation(self.generation)
        again = [d[schema.PK] for d in documents if d[schema.PK] in self.written]
        if again:
            self._commit(ix, [{"op": "delete", "pk": key} for key in again])
        procs = writer_processes(self.backend.rebuild_procs, len(documents))
        if procs > 1:
            write_segments(
                ix,
                documents,
                procs=procs,
                budget=self.backend.writer_mb * 1024 * 1024,
                options=self._options(),
            )
        else:
            self._commit(ix, [{"op": "add", "doc": d} for d in documents])
        self.written.update(d[schema.PK] for d in documents)

    def _commit(self, ix, operations: list[dict]) -> None:
        """Apply operations in this process, a new segment whenever the
        writer's postings pass the memory budget."""
        with collector_paused():
            self._apply(ix, operations)

    def _apply(self, ix, operations: list[dict]) -> None:
        budget = self.backend.writer_mb * 1024 * 1024
        writer = None
        try:
            for operation in operations:
                if writer is None:
                    writer = SegmentWriter(ix, **self._options())
                if operation["op"] == "add":
                    writer.add_document(**operation["doc"])
                else:
                    writer.delete_by_term(schema.PK, operation["pk"])
                if writer.pool.bytes > budget:
                    writer.commit(merge=False)
                    writer = None
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        if writer is not None:
            writer.commit(merge=False)

    def cancel(self) -> None:
        self.pending, self.pending_bytes = {}, 0

    def delete_keys(self, keys: list[str]) -> None:
        self.replay([{"op": "delete", "pk": key} for key in keys])

    def replay(self, operations: list[dict]) -> None:
        self.flush()
        if operations:
            ix = open_generation(self.generation)
            last: dict[str, dict] = {}
            for operation in operations:
                last.pop(operation["pk"], None)  # keep the order of the final writes
                last[operation["pk"]] = operation
            deletes = [{"op": "delete", "pk": key} for key in last]
            adds = [op for op in last.values() if op["op"] == "add"]
            self._commit(ix, deletes + adds)
            self.written.update(op["pk"] for op in adds)


class AtomicRebuilder:
    """Rebuilds into a sibling generation, then swaps it in atomically.

    Searches keep using the live generation all along; writes made meanwhile by
    other processes are journaled and replayed onto the new one before the swap.
    """

    def __init__(self, index: WhooshIndex) -> None:
        self.index = index
        self.building: BuildingIndex | None = None
        self.rebuild_lock: HeldFileLock | None = None

    def start(self) -> BuildingIndex:
        store = self.index.store
        store.dir.mkdir(parents=True, exist_ok=True)
        # One rebuild at a time: a second one waits for the first to finish.
        self.rebuild_lock = HeldFileLock(
            store.rebuild_lock_path, self.index.backend.rebuild_timeout
        )
        generation = store.begin_build()
        self.building = BuildingIndex(self.index, generation)
        return self.building

    def finish(self) -> None:
        store = self.index.store
        building = self.building
        try:
            building.flush()
            with store.write_lock():
                building.replay(store.read_journal())
                store.publish(building.generation)
                self.building = None  # live now: never abandon it
                store.end_build()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Drop a half-built generation (the live one is untouched)."""
        building, self.building = self.building, None
        if building is not None:
            building.cancel()
            shutil.rmtree(building.generation, ignore_errors=True)
        if self.rebuild_lock is not None:
            self.rebuild_lock.release()

    def __del__(self) -> None:
        self.abandon()


class InPlaceRebuilder:
    """Empties the live index, then refills it (``ATOMIC_REBUILD: False``)."""

    def __init__(self, index: WhooshIndex) -> None:
        self.index = index

    def start(self) -> WhooshIndex:
        self.index.reset()
        return self.index

    def finish(self) -> None:
        self.index.refresh()
