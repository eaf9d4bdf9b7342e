"""Snapshots of member boards: every ranked value of one board (scope × period ×
metric), sorted, and its top rows, kept in this process for one boards revision.

A board changes only when the totals or the exclusions do (each fold batch, a
member leaving or rejoining the boards, a repath, a rebuild: each adds a
``BoardsRevision``; the highest id is the current revision). Until then every
viewer of a board reads the same ranking, so the first view builds the snapshot
with one statement and the others find "my rank" by bisection (1 + how many
values are strictly higher) instead of counting a 集团's hundred thousand rows
each time. Snapshots of an older revision are dropped as soon as a newer one is
seen (and one built from an older revision than the cache holds is not kept);
the cache keeps at most ``MAX_BOARDS`` boards and ``MAX_VALUES`` values (least
recently used go).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..models import BoardsRevision

MAX_BOARDS = 256
MAX_VALUES = 4_000_000
#: values are kept as integers: 学时 have three decimals
SCALE = 1000


def _scaled(value) -> int:
    return int(Decimal(value) * SCALE)


@dataclass(frozen=True)
class Snapshot:
    #: (user_id, value) of the best ``kept`` members, best first
    top: list[tuple[int, object]]
    kept: int
    #: every ranked value, scaled, lowest first
    ascending: array

    @property
    def ranked(self) -> int:
        return len(self.ascending)

    def rank_of(self, value) -> int:
        """Competition rank of ``value``: 1 + the members strictly ahead."""
        return 1 + len(self.ascending) - bisect_right(self.ascending, _scaled(value))


_lock = threading.Lock()
_cache: OrderedDict[tuple, Snapshot] = OrderedDict()
_state = {"revision": None, "values": 0}


def boards_revision() -> int:
    latest = BoardsRevision.objects.order_by("-pk").values_list("pk", flat=True)
    return next(iter(latest[:1]), 0)


def _build(pairs: Iterable[tuple[int, object]], kept: int) -> Snapshot:
    top, values = [], []
    for user_id, value in pairs:  # best first
        if len(top) < kept:
            top.append((user_id, value))
        values.append(_scaled(value))
    values.reverse()
    return Snapshot(top=top, kept=kept, ascending=array("q", values))


def _store(key: tuple, revision: int, snapshot: Snapshot) -> None:
    with _lock:
        current = _state["revision"]
        if current is not None and revision < current:
            return  # built from an older revision than the cache holds
        if revision != current:  # the boards changed: all go
            _cache.clear()
            _state.update(revision=revision, values=0)
        old = _cache.pop(key, None)
        if old is not None:
            _state["values"] -= old.ranked
        _cache[key] = snapshot
        _state["values"] += snapshot.ranked
        while len(_cache) > 1 and (
            len(_cache) > MAX_BOARDS or _state["values"] > MAX_VALUES
        ):
            _key, dropped = _cache.popitem(last=False)
            _state["values"] -= dropped.ranked


def board_snapshot(
    key: tuple, rows: Callable[[], Iterable[tuple[int, object]]], kept: int
) -> Snapshot:
    """The snapshot of the board ``key``, built from ``rows()`` ((user_id, value)
    best first) when this revision has none with at least ``kept`` top rows."""
    revision = boards_revision()
    with _lock:
        snapshot = _cache.get(key) if revision == _state["revision"] else None
        if snapshot is not None:
            _cache.move_to_end(key)
    if snapshot is None or snapshot.kept < kept:
        snapshot = _build(rows(), kept)
        _store(key, revision, snapshot)
    return snapshot


def board_snapshots_forget() -> None:
    """Drop every snapshot (tests roll the database back under them)."""
    with _lock:
        _cache.clear()
        _state.update(revision=None, values=0)
