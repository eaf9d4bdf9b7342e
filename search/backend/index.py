"""modelsearch index objects: live writes, and rebuilds into a new generation."""

from __future__ import annotations

import shutil

from modelsearch.backends.base import BaseIndex
from modelsearch.index import class_is_indexed

from search.analysis import warm_up

from . import schema
from .documents import DocumentBuilder, document_key
from .locking import HeldFileLock
from .storage import IndexStore, open_generation


def build_documents(model, items) -> list[dict]:
    builder = DocumentBuilder(model)
    return [builder.build(item) for item in items]


def _apply(writer, operations: list[dict]) -> None:
    """Apply journal-style operations, the last one per key winning."""
    last: dict[str, dict] = {}
    for operation in operations:
        last.pop(operation["pk"], None)  # keep the order of the final writes
        last[operation["pk"]] = operation
    for key, operation in last.items():
        writer.delete_by_term(schema.PK, key)
        if operation["op"] == "add":
            writer.add_document(**operation["doc"])


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


class BuildingIndex(WhooshIndex):
    """A new generation that a rebuild fills through a single writer."""

    def __init__(self, live: WhooshIndex, generation) -> None:
        super().__init__(live.backend, live.name)
        self.generation = generation
        self.writer = None
        self.keys: set[str] = set()

    def _writer(self):
        if self.writer is None:
            self.writer = self.store.writer(
                open_generation(self.generation),
                limitmb=self.backend.writer_mb,
                procs=self.backend.rebuild_procs,
            )
            self.keys = set()
        return self.writer

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.commit()
            self.writer = None

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None

    def add_documents(self, documents: list[dict]) -> None:
        for document in documents:
            key = document[schema.PK]
            if key in self.keys:
                self.flush()  # a writer does not see its own uncommitted documents
            self._writer().update_document(**document)
            self.keys.add(key)

    def delete_keys(self, keys: list[str]) -> None:
        self.replay([{"op": "delete", "pk": key} for key in keys])

    def replay(self, operations: list[dict]) -> None:
        self.flush()
        if operations:
            _apply(self._writer(), operations)
            self.flush()


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
