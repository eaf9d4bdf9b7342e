"""Blocking, re-entrant file locks shared by threads and processes.

Whoosh's own write lock is a try-lock: a second writer gets ``LockError`` at once.
Every write to the index takes :func:`exclusive` first, which waits (with
back-off) until the lock is free, so concurrent writers queue instead of failing
and no update is lost. The lock is an ``fcntl.flock`` on a file next to the
index, released by the kernel if the holder dies; inside one process a
``threading.RLock`` serialises threads and lets the holder re-enter.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockTimeout(TimeoutError):
    pass


class _HeldLock:
    def __init__(self) -> None:
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_held: dict[str, _HeldLock] = {}
_registry = threading.Lock()


def _entry(path: Path) -> _HeldLock:
    key = str(path.resolve())
    with _registry:
        if key not in _held:
            _held[key] = _HeldLock()
        return _held[key]


def _flock(path: Path, deadline: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockTimeout(f"Timed out waiting for {path}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


@contextmanager
def exclusive(path: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the lock file ``path`` exclusively, waiting up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    entry = _entry(path)
    if not entry.rlock.acquire(timeout=max(timeout, 0)):
        raise LockTimeout(f"Timed out waiting for {path}")
    try:
        if entry.depth == 0:
            entry.fd = _flock(path, deadline)
        entry.depth += 1
        try:
            yield
        finally:
            entry.depth -= 1
            if entry.depth == 0 and entry.fd is not None:
                fcntl.flock(entry.fd, fcntl.LOCK_UN)
                os.close(entry.fd)
                entry.fd = None
    finally:
        entry.rlock.release()


def is_held_elsewhere(path: Path) -> bool:
    """Whether some open file (in any process) holds ``path`` locked right now."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


class HeldFileLock:
    """A lock held across method calls (a rebuild holds one from start to finish)."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.fd: int | None = _flock(path, time.monotonic() + timeout)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __del__(self) -> None:
        self.release()
