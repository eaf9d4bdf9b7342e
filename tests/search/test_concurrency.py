"""Several processes writing one index: they queue, and nothing is lost."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from whoosh.index import LockError

from search.backend import SearchBackend
from search.backend.locking import LockTimeout

PROJECT = Path(__file__).resolve().parents[2]

# A writer process: minimal Django settings, then the backend's own index object.
PRELUDE = """
import sys, time
from pathlib import Path
import django
from django.conf import settings
settings.configure(USE_TZ=True)
django.setup()
from search.backend import SearchBackend

def live_index(path):
    backend = SearchBackend({"PATH": path})
    return backend.index_class(backend, "docs")

def doc(key, body):
    return {"pk": key, "ct": ["test.doc"], "t__body": body}

def wait_for(path):
    deadline = time.monotonic() + 60
    while not Path(path).exists():
        if time.monotonic() > deadline:
            sys.exit("gave up waiting for " + str(path))
        time.sleep(0.002)
"""


def spawn(script: str, *args) -> subprocess.Popen:
    code = PRELUDE + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return stdout


def keys(index) -> set[str]:
    with index.searcher() as searcher:
        return {fields["pk"] for fields in searcher.all_stored_fields()}


@pytest.fixture
def index(tmp_path):
    backend = SearchBackend({"PATH": tmp_path / "index"})
    return backend.index_class(backend, "docs")


WRITER = """
path, prefix, count, ready, go = sys.argv[1:6]
index = live_index(path)
index.store.open()
Path(ready).touch()
wait_for(go)
started = time.time()
for i in range(int(count)):
    index.add_documents([doc(f"{prefix}{i}", f"进程{prefix}第{i}条：党员学习培训")])
print(started, time.time())
"""


def test_two_processes_writing_at_once_lose_nothing(index, tmp_path):
    count = 40
    go = tmp_path / "go"
    ready = {p: tmp_path / f"ready-{p}" for p in "ab"}
    path = index.store.dir.parent
    writers = [spawn(WRITER, path, p, count, ready[p], go) for p in "ab"]
    while not all(r.exists() for r in ready.values()):
        time.sleep(0.01)
    go.touch()  # both have started up: let them write at the same time
    spans = [tuple(map(float, finish(w).split())) for w in writers]

    (a_start, a_end), (b_start, b_end) = spans
    assert a_start < b_end and b_start < a_end, "the writers did not overlap"
    expected = {f"{p}{i}" for p in "ab" for i in range(count)}
    assert keys(index) == expected


def test_whoosh_alone_refuses_a_second_writer(index):
    """Why the backend has its own lock: Whoosh's is a try-lock."""
    ix = index.store.open()
    first = ix.writer()
    try:
        with pytest.raises(LockError):
            ix.writer(timeout=0)
    finally:
        first.cancel()


HOLDER = """
from search.backend.locking import exclusive
path, seconds, held = sys.argv[1:4]
with exclusive(Path(path) / "docs" / "write.lock"):
    Path(held).touch()
    time.sleep(float(seconds))
"""


def test_a_writer_waits_for_another_process_holding_the_lock(index, tmp_path):
    held = tmp_path / "held"
    holder = spawn(HOLDER, index.store.dir.parent, 1.0, held)
    while not held.exists():
        time.sleep(0.01)
    started = time.monotonic()
    index.add_documents([{"pk": "1", "ct": ["test.doc"], "t__body": "学习"}])
    assert time.monotonic() - started > 0.5
    finish(holder)
    assert keys(index) == {"1"}


def test_a_writer_gives_up_after_the_lock_timeout(tmp_path):
    backend = SearchBackend({"PATH": tmp_path / "index", "LOCK_TIMEOUT": 0.2})
    index = backend.index_class(backend, "docs")
    index.store.open()
    held = tmp_path / "held"
    holder = spawn(HOLDER, tmp_path / "index", 1.5, held)
    while not held.exists():
        time.sleep(0.01)
    with pytest.raises(LockTimeout):
        index.add_documents([{"pk": "1", "ct": ["test.doc"], "t__body": "学习"}])
    finish(holder)


REBUILDER = """
from search.backend.index import AtomicRebuilder
path, started, writes_done = sys.argv[1:4]
rebuilder = AtomicRebuilder(live_index(path))
building = rebuilder.start()
Path(started).touch()
building.add_documents([doc(f"r{i}", "重建的文档") for i in range(10)])
wait_for(writes_done)
rebuilder.finish()
"""


def test_writes_from_another_process_during_a_rebuild_are_kept(index, tmp_path):
    index.add_documents([{"pk": "before", "ct": ["test.doc"], "t__body": "旧文档"}])
    started, writes_done = tmp_path / "started", tmp_path / "done"
    rebuild = spawn(REBUILDER, index.store.dir.parent, started, writes_done)
    while not started.exists():
        time.sleep(0.01)
    for i in range(20):
        index.add_documents([{"pk": f"w{i}", "ct": ["test.doc"], "t__body": "新写入"}])
    writes_done.touch()
    finish(rebuild)
    expected = {f"r{i}" for i in range(10)} | {f"w{i}" for i in range(20)}
    assert keys(index) == expected  # "before" was not in the rebuilt data
