"""Whoosh + jieba search backend for modelsearch / Wagtail.

Settings (``WAGTAILSEARCH_BACKENDS`` or ``MODELSEARCH_BACKENDS``)::

    "default": {
        "BACKEND": "search.backend",
        "PATH": VAR_DIR / "search-index",  # default: <VAR_DIR or BASE_DIR/var>/…
        "LOCK_TIMEOUT": 60,        # seconds a writer waits for the write lock
        "REBUILD_TIMEOUT": 3600,   # seconds a rebuild waits for another rebuild
        "WRITER_MEMORY_MB": 1024,  # postings a writer process pools per segment
        "REBUILD_PROCS": 2,        # writer processes in a rebuild (default: CPUs, ≤ 4)
        "REBUILD_BATCH_MB": 64,    # text a rebuild buffers before writing it
        "ATOMIC_REBUILD": True,    # rebuild beside the live index, then swap
    }
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from modelsearch.backends.base import BaseSearchBackend, get_model_root

from .compiler import WhooshAutocompleteQueryCompiler, WhooshSearchQueryCompiler
from .index import AtomicRebuilder, InPlaceRebuilder, WhooshIndex
from .results import WhooshSearchResults
from .storage import IndexStore

#: Default cap on rebuild writer processes (each holds WRITER_MEMORY_MB of buffer).
MAX_REBUILD_PROCS = 4


def default_path() -> Path:
    var_dir = getattr(settings, "VAR_DIR", None)
    if var_dir is None:
        base_dir = getattr(settings, "BASE_DIR", None)
        var_dir = Path(base_dir) / "var" if base_dir else Path.cwd() / "var"
    return Path(var_dir) / "search-index"


class WhooshSearchBackend(BaseSearchBackend):
    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    results_class = WhooshSearchResults
    index_class = WhooshIndex
    rebuilder_class = AtomicRebuilder

    def __init__(self, params):
        super().__init__(params)
        self.path = Path(params.get("PATH") or default_path())
        self.lock_timeout = float(params.get("LOCK_TIMEOUT", 60))
        self.rebuild_timeout = float(params.get("REBUILD_TIMEOUT", 3600))
        self.writer_mb = int(params.get("WRITER_MEMORY_MB", 1024))
        self.rebuild_procs = int(
            params.get("REBUILD_PROCS", min(os.cpu_count() or 1, MAX_REBUILD_PROCS))
        )
        self.rebuild_batch_bytes = int(
            float(params.get("REBUILD_BATCH_MB", 64)) * 1024 * 1024
        )
        if not params.get("ATOMIC_REBUILD", True):
            self.rebuilder_class = InPlaceRebuilder

    def outdated_indexes(self) -> list[str]:
        """Names of the indexes built by another analysis version (rebuild them)."""
        if not self.path.is_dir():
            return []
        return sorted(
            store.dir.name
            for store in (
                IndexStore(self.path, child.name)
                for child in self.path.iterdir()
                if (child / "CURRENT").exists()
            )
            if store.is_outdated()
        )

    def get_index_for_model(self, model):
        root = get_model_root(model)
        return self.index_class(self, f"{root._meta.app_label}_{root._meta.model_name}")


SearchBackend = WhooshSearchBackend

__all__ = ["SearchBackend", "WhooshSearchBackend", "default_path"]
