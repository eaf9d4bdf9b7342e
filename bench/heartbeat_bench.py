"""Heartbeat benchmark: study-time heartbeats through gunicorn + PostgreSQL on loopback.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 with trust auth, as for
``scripts/test``; Redis on 127.0.0.1:6379 is used when it is there)::

    .venv/bin/python bench/heartbeat_bench.py                 # 20 s per phase
    .venv/bin/python bench/heartbeat_bench.py --seconds 10
    .venv/bin/python bench/heartbeat_bench.py --workers 5 --threads 1   # sync workers
    .venv/bin/python bench/heartbeat_bench.py --ceiling me --rate 0

What it does
------------
1. Creates a throwaway database ``zhixue_bench_<pid>`` on the PostgreSQL server of
   ``--postgres`` (default: ``DATABASE_URL`` when it is PostgreSQL, else
   ``postgres://postgres@127.0.0.1:5432/postgres``; that URL's own database is never
   written), migrates it, and seeds one unit (党委 → 党支部), one member per viewer
   (``org.services.members.member_create``) with a DRF token each, and a course
   (课程中心 → course → chapter → three video lessons of 20 minutes, each with a ready
   ``MediaAsset``) as ``tests/courses/conftest.py`` builds it.  Everything else the
   settings would write (search index, cache files, uploads) goes to a temporary
   ``ZHIXUE_VAR_DIR``.
2. Starts gunicorn on a free port of 127.0.0.1: ``cms.wsgi`` (through
   ``server_application()`` below, which only adds the ceiling view in front of
   ``cms.urls``; heartbeats are answered by ``cms.wsgi``'s ``HeartbeatIntake`` in front
   of Django), ``--workers`` (default CPUs + 1) and ``--threads`` (default 4:
   gthread, which keeps connections alive; 1: gunicorn's sync worker, which opens a
   connection per request), as docs/operations.md runs it, access log off, with
   ``cms.settings.production`` (``DEBUG = False``) when Redis answers, else
   ``cms.settings.dev`` with ``DEBUG=false``.  It waits until the workers are idle
   (each loads jieba's dictionary at start).
3. Counts the SQL statements of one session start, one steady heartbeat and one
   ceiling request (``CaptureQueriesContext`` around Django's test client, in this
   process; a transaction's BEGIN and COMMIT count, they are round trips too).
4. Runs three phases, each ``--warmup`` seconds (not counted) then ``--seconds``:

   - **heartbeat**: ``--viewers`` members (default 64), each with its own
     connection, start a watch session (``POST /api/v1/lessons/<id>/sessions/``)
     and then send heartbeats back to back (closed loop): ``seq`` = previous + 1,
     the token of the previous answer, ``position`` advanced by the real time since
     that viewer's previous heartbeat (rate 1, playing, visible, present);
   - **ceiling**: the same viewers, same connections, hammering a trivial API view
     (``GET /bench/ceiling/``: the project's default DRF authentication and
     permission, i.e. one token query, and a constant answer); with
     ``--ceiling django`` a plain Django view instead (``GET /bench/plain/``: the
     middleware only), with ``--ceiling me`` ``GET /api/v1/me/``;
   - **heartbeat @ rate** (``--rate``, default 1000/s, the goal; 0 skips it): open
     loop, ``--paced-viewers`` (default 500) members, each sending one heartbeat
     every ``paced_viewers / rate`` seconds on a fixed schedule; latency is
     measured from the scheduled time, so a late answer also delays (and counts
     against) the next one.  Skipped when the closed loop stayed below ``--rate``
     (an open loop beyond capacity only grows its queue) unless ``--always-pace``.

   Authentication is ``Authorization: Token <key>`` (no session, no CSRF).
5. Prints a table, the ratio heartbeat / ceiling, the goal check and one JSON line,
   then stops gunicorn and drops the database (also after an error or Ctrl-C).

Figures
-------
- ``requests_per_s``: answers that count as good (HTTP 2xx and, for heartbeats,
  ``status == "ok"``) completed in the measured window, divided by its length.
- ``p50_ms`` / ``p90_ms`` / ``p99_ms`` / ``max_ms``: nearest-rank percentiles of
  their latencies (request written → answer read, reconnecting included; in the
  paced phase from the scheduled time).
- ``errors``: everything else completed in the window (HTTP errors, other statuses,
  timeouts, refused connections), by kind.  When the token chain is lost (no
  answer, HTTP error, ``closed``/``forged``/``replayed``) the viewer starts a new
  session; an answered ``seek_blocked`` or ``idle`` is an error too, but the chain
  goes on (from ``seek_to``, as the player does).  ``reasons`` counts the
  ``reasons`` of good heartbeats.  Positions follow real time, so ``seek`` and
  ``seek_blocked`` should not appear; they do when the server is so overloaded
  that its queueing delay varies by more than the 2 s tolerance between two
  heartbeats of one viewer (the server times arrivals, the client its sends).
- ``cpu``: cores busy during the window (from /proc): the whole machine, the
  gunicorn workers, the PostgreSQL backends of the bench database (only when none
  of them ended in the window: not with ``--conn-max-age 0``) and this client; and CPU
  milliseconds per good request for the workers and the backends.  These are far
  less sensitive to other work on the machine than the rates (contention for
  caches still inflates them).  ``cpu_bound_per_s`` = CPUs x 1000 / (worker +
  backend ms): what the whole machine could serve if it did nothing else.

Goal (the issue): on this 2-core machine at least 1,000 heartbeats/s with p99 at most
100 ms (30,000 members watching at once, one heartbeat every 30 s).  The check uses
the closed-loop rate and the p99 of the paced phase when it ran at >= 1,000/s (a
closed loop's p99 is mostly its own queue: viewers / rate), else the closed loop's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
URLCONF = "bench.heartbeat_bench"  # this module, as gunicorn and Django import it
CEILING_PATHS = {
    "trivial": "/bench/ceiling/",
    "django": "/bench/plain/",
    "me": "/api/v1/me/",
}
CEILING_LABELS = {
    "trivial": "trivial API view (token auth: one query)",
    "django": "plain Django view (no DRF, no auth, no query)",
    "me": "GET /api/v1/me/ (token auth + member and roles)",
}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
LESSONS = 3
LESSON_SECONDS = 1200
GOAL_RATE = 1000
GOAL_P99_MS = 100
CLK_TCK = os.sysconf("SC_CLK_TCK")


# The server side: imported by gunicorn's workers ------------------------------


def server_application():
    """gunicorn's app factory: ``cms.wsgi`` with the ceiling view in the URLs."""
    from django.conf import settings

    settings.ROOT_URLCONF = URLCONF
    from cms.wsgi import application

    return application


def _ceiling_view():
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class CeilingView(APIView):
        """The cheapest authenticated API call: the project's default
        authentication and permission classes, a constant answer."""

        def get(self, request):
            return Response({"ok": True})

    return CeilingView.as_view()


def _plain_view(request):
    """The cheapest Django answer: the middleware, no DRF, no authentication."""
    from django.http import JsonResponse

    return JsonResponse({"ok": True})


def __getattr__(name: str):
    """``urlpatterns`` for ``ROOT_URLCONF = "bench.heartbeat_bench"``: the ceiling
    view, then everything of ``cms.urls`` unchanged (built on first use only, so
    importing this module needs no Django)."""
    if name == "urlpatterns":
        from django.urls import path

        from cms.urls import urlpatterns

        ceiling = path(CEILING_PATHS["trivial"].lstrip("/"), _ceiling_view())
        plain = path(CEILING_PATHS["django"].lstrip("/"), _plain_view)
        return [ceiling, plain, *urlpatterns]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# PostgreSQL, Redis, settings ---------------------------------------------------


def _postgres_kwargs(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"--postgres: not a PostgreSQL URL: {url}")
    kwargs = {
        "dbname": config["NAME"] or "postgres",
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "connect_timeout": 5,
    }
    return {k: v for k, v in kwargs.items() if v not in (None, "")}


def _postgres(url: str, statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**_postgres_kwargs(url), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


def check_postgres(url: str) -> str:
    import psycopg

    try:
        with psycopg.connect(**_postgres_kwargs(url)) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {url} ({str(exc).strip()}).\n"
            "This benchmark needs a PostgreSQL server that lets it create a "
            "database, e.g. on 127.0.0.1:5432 with trust auth for user postgres "
            "(as scripts/test uses); pass another with --postgres URL."
        ) from None


def with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def django_environment(args, database_url: str, workdir: Path) -> dict[str, str]:
    """The variables the settings read, for this process and gunicorn."""
    env = {
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": str(args.conn_max_age),
        "ZHIXUE_VAR_DIR": str(workdir / "var"),
        # Named too, in case the shell sets them: nothing of a real site is written.
        "SEARCH_INDEX_DIR": str(workdir / "var" / "search-index"),
        "MEDIA_ROOT": str(workdir / "var" / "media"),
        "PROTECTED_MEDIA_ROOT": str(workdir / "var" / "protected"),
        "STATIC_ROOT": str(workdir / "var" / "static"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "memory://",  # nothing here queues tasks; never a real one
    }
    if args.settings == "production":
        env.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            REDIS_URL=args.redis,
            CACHE_KEY_PREFIX=f"zhixue_bench_{os.getpid()}",
        )
    else:
        env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", DEBUG="false")
    return env


def setup_django() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from django.conf import settings

    settings.ROOT_URLCONF = URLCONF
    import django

    django.setup()


# Seeding ---------------------------------------------------------------------


@dataclass
class Seed:
    tokens: list[str]  # one per member, in order
    lessons: list[int]


def seed(members: int) -> Seed:
    from rest_framework.authtoken.models import Token
    from wagtail.models import Collection

    from cms.models import HomePage
    from courses.models import (
        ChapterPage,
        CourseIndexPage,
        CoursePage,
        LessonKind,
        LessonPage,
    )
    from media.models import MediaAsset, MediaStatus
    from org.models import UnitType
    from org.services.members import member_create
    from org.services.units import unit_create

    committee = unit_create(
        parent=None, name="基准测试党委", code="BENCH", unit_type=UnitType.COMMITTEE
    )
    branch = unit_create(
        parent=committee,
        name="基准测试党支部",
        code="BENCH1",
        unit_type=UnitType.BRANCH,
    )
    users = [
        member_create(
            unit=branch,
            real_name=f"学员{i:05d}",
            employee_no=f"B{i:05d}",
            phone=f"139{i:08d}",
        ).user
        for i in range(1, members + 1)
    ]
    tokens = Token.objects.bulk_create(
        [Token(user=user, key=Token.generate_key()) for user in users]
    )

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        return type(page).objects.get(pk=page.pk)

    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    index = publish(HomePage.objects.get(), CourseIndexPage(title="课程中心"))
    course = publish(index, CoursePage(title="学习贯彻党章", credit_hours=2))
    chapter = publish(course, ChapterPage(title="第一章 总纲"))
    lessons = []
    for number in range(1, LESSONS + 1):
        asset = MediaAsset.objects.create(
            title=f"第{number}讲",
            type="video",
            duration=LESSON_SECONDS,
            file="lessons/sources/x.mp4",
            collection=collection,
            status=MediaStatus.READY,
            output_dir=f"lessons/{number}/v1",
            fallback="fallback.mp4",
        )
        lesson = publish(
            chapter,
            LessonPage(title=f"第{number}讲", kind=LessonKind.MEDIA, media=asset),
        )
        lessons.append(lesson.pk)
    return Seed([t.key for t in tokens], lessons)


def count_queries(token: str, lesson_id: int, ceiling_path: str) -> dict:
    """SQL statements of one session start, one steady heartbeat (the third; the
    first also creates the lesson progress) and one ceiling request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    out: dict = {}
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/api/v1/lessons/{lesson_id}/sessions/")
    if answer.status_code != 201:
        raise RuntimeError(f"session start answered {answer.status_code}")
    out["session_start"] = len(queries)
    data = answer.json()
    session, token_chain = data["session_id"], data["token"]
    started = time.monotonic()
    for seq in range(1, 4):
        time.sleep(0.05)
        body = {
            "seq": seq,
            "token": token_chain,
            "position": round(time.monotonic() - started, 3),
            "rate": 1,
            "paused": False,
            "hidden": False,
            "present": True,
            "event": "tick",
        }
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(
                f"/api/v1/sessions/{session}/heartbeats/",
                body,
                content_type="application/json",
            )
        if answer.status_code != 200 or answer.json()["status"] != "ok":
            raise RuntimeError(f"heartbeat answered {answer.status_code}: {answer}")
        token_chain = answer.json()["token"]
        out["first_heartbeat" if seq == 1 else "heartbeat"] = len(queries)
        out["_heartbeat_sql"] = [q["sql"] for q in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(ceiling_path)
    if answer.status_code != 200:
        raise RuntimeError(f"{ceiling_path} answered {answer.status_code}")
    out["ceiling"] = len(queries)
    return out


# gunicorn ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", f"{URLCONF}:server_application()",
        "--bind", f"127.0.0.1:{port}", "--chdir", str(REPO),
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--log-level", "warning", "--error-logfile", "-", "--timeout", "60",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop it ourselves
        )


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    request = b"GET /bench/ceiling/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(request)
                if sock.recv(12).startswith(b"HTTP/1."):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 120 s:\n{_tail(log)}")


# CPU accounting from /proc -------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_cpu(pids) -> float:
    """User + system CPU seconds of these processes (those that still exist)."""
    total = 0
    for pid in pids:
        fields = _proc_stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def wait_idle(pids: list[int], limit: float = 60) -> float:
    """Wait until the workers use under 5% of a CPU (jieba loaded); seconds waited."""
    started = time.monotonic()
    before = process_cpu(pids)
    while time.monotonic() - started < limit:
        time.sleep(0.5)
        now = process_cpu(pids)
        if now - before < 0.025:
            break
        before = now
    return time.monotonic() - started


class CpuProbe:
    """CPU used by the machine, the workers, the database backends and us."""

    def __init__(self, server_pid: int, database: str, admin_url: str):
        self.server_pid = server_pid
        self.database = database
        self.admin_url = admin_url

    def backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(**_postgres_kwargs(self.admin_url)) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s",
                [self.database],
            ).fetchall()
        return [row[0] for row in rows]

    def snapshot(self) -> dict:
        busy = machine_busy()[0]
        return {
            "workers": {pid: process_cpu([pid]) for pid in children(self.server_pid)},
            "backends": {pid: process_cpu([pid]) for pid in self.backends()},
            "client": time.process_time(),
            "busy": busy,
            "wall": time.perf_counter(),
        }

    def usage(self, before: dict, requests: int, persistent: bool) -> dict:
        after = self.snapshot()
        wall = after["wall"] - before["wall"]

        def used(kind: str) -> float:  # a process born in the window: all of it
            return sum(
                cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items()
            )

        workers, backends = used("workers"), used("backends")
        # A backend that ended in the window took its figures with it: with
        # DB_CONN_MAX_AGE=0 (one per request) or a connection that reached its
        # age, the backends' CPU is unknown.
        persistent = (
            persistent
            and bool(after["backends"])
            and before["backends"].keys() <= after["backends"].keys()
        )
        per = 1000 / requests if requests else None
        bound = None
        if requests and persistent and workers + backends > 0:
            bound = round((os.cpu_count() or 1) * requests / (workers + backends), 1)
        return {
            "machine_busy_cores": round((after["busy"] - before["busy"]) / wall, 2),
            "server_cores": round(workers / wall, 2),
            "postgres_cores": round(backends / wall, 2) if persistent else None,
            "client_cores": round((after["client"] - before["client"]) / wall, 2),
            "server_cpu_ms_per_request": round(workers * per, 3) if per else None,
            "postgres_cpu_ms_per_request": (
                round(backends * per, 3) if per and persistent else None
            ),
            "cpu_bound_per_s": bound,
        }


# The load client ---------------------------------------------------------------


class HTTPError(Exception):
    pass


# What a request can fail with (TimeoutError and connection errors are OSErrors;
# a bad JSON answer is a ValueError).
FAILURES = (OSError, asyncio.IncompleteReadError, ValueError, HTTPError)


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.close()
            if not reused or (
                isinstance(exc, asyncio.IncompleteReadError) and exc.partial
            ):
                raise
            return await self._exchange(raw)  # the server closed an idle connection

    async def _exchange(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port
            )
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = None, head.startswith(b"HTTP/1.0")
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                self.close()
                raise HTTPError("chunked answer")
        if length is None:
            body = await self.reader.read()
            close = True
        else:
            body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body


def http_request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {token}\r\nAccept: application/json\r\n"
        "User-Agent: zhixue-heartbeat-bench\r\n"
    )
    if method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


@dataclass
class Viewer:
    token: str
    lesson: int
    connection: Connection
    session: str | None = None
    chain: str = ""  # the token for the next heartbeat
    seq: int = 0
    position: float = 0.0
    last_at: float = 0.0  # when the previous heartbeat was sent (or the session began)


@dataclass
class Phase:
    name: str
    measure_from: float = 0.0
    measure_to: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    session_starts: int = 0

    def counts(self, at: float) -> bool:
        return self.measure_from <= at < self.measure_to

    def good(self, at: float, latency: float) -> None:
        if self.counts(at):
            self.latencies.append(latency)

    def bad(self, at: float, kind: str) -> None:
        if self.counts(at):
            self.errors[kind] += 1


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


async def start_session(viewer: Viewer, phase: Phase, timeout: float) -> bool:
    raw = http_request(
        "POST", f"/api/v1/lessons/{viewer.lesson}/sessions/", viewer.token
    )
    try:
        status, body = await asyncio.wait_for(viewer.connection.request(raw), timeout)
        data = json.loads(body) if status == 201 else None
    except FAILURES as exc:
        viewer.connection.close()
        phase.bad(time.perf_counter(), f"session start: {type(exc).__name__}")
        return False
    if data is None:
        phase.bad(time.perf_counter(), f"session start: HTTP {status}")
        return False
    phase.session_starts += 1
    viewer.session, viewer.chain, viewer.seq = data["session_id"], data["token"], 0
    viewer.position, viewer.last_at = 0.0, time.perf_counter()
    return True


async def heartbeat(viewer: Viewer, phase: Phase, timeout: float, scheduled=None):
    if viewer.session is None and not await start_session(viewer, phase, timeout):
        await asyncio.sleep(0.2)
        return
    sent = time.perf_counter()
    position = min(viewer.position + (sent - viewer.last_at), LESSON_SECONDS)
    body = json.dumps(
        {
            "seq": viewer.seq + 1,
            "token": viewer.chain,
            "position": round(position, 3),
            "rate": 1,
            "paused": False,
            "hidden": False,
            "present": True,
            "event": "tick",
        }
    ).encode()
    raw = http_request(
        "POST", f"/api/v1/sessions/{viewer.session}/heartbeats/", viewer.token, body
    )
    began = sent if scheduled is None else scheduled
    try:
        status, answer = await asyncio.wait_for(viewer.connection.request(raw), timeout)
        data = json.loads(answer) if status == 200 else None
    except FAILURES as exc:
        viewer.connection.close()
        viewer.session = None
        phase.bad(time.perf_counter(), type(exc).__name__)
        return
    done = time.perf_counter()
    if data is None or not data.get("token"):  # closed, forged, replayed, HTTP error
        kind = f"HTTP {status}" if data is None else f"status {data.get('status')}"
        phase.bad(done, kind)
        viewer.session = None  # the chain is broken: start again, as the page would
        return
    if data.get("status") == "ok":
        phase.good(done, done - began)
        if phase.counts(done):
            phase.reasons.update(data.get("reasons") or ["credited"])
    else:  # answered (seek_blocked, idle…) but not a good beat; the chain goes on
        phase.bad(done, f"status {data.get('status')}")
    viewer.seq += 1
    viewer.chain = data["token"]
    seek_to = data.get("seek_to")
    viewer.position = position if seek_to is None else float(seek_to)
    viewer.last_at = sent


async def ceiling_request(viewer: Viewer, phase: Phase, timeout: float, path: str):
    raw = http_request("GET", path, viewer.token)
    began = time.perf_counter()
    try:
        status, answer = await asyncio.wait_for(viewer.connection.request(raw), timeout)
        ok = status == 200 and isinstance(json.loads(answer), dict)
    except FAILURES as exc:
        viewer.connection.close()
        phase.bad(time.perf_counter(), type(exc).__name__)
        return
    done = time.perf_counter()
    if ok:
        phase.good(done, done - began)
    else:
        phase.bad(done, f"HTTP {status}")


async def run_phase(
    phase: Phase, viewers: list[Viewer], args, probe: CpuProbe, *, kind: str
) -> dict:
    """kind: "closed" (heartbeats back to back), "ceiling", or "paced"."""
    loop_start = time.perf_counter()
    if kind != "ceiling":  # sessions first (not timed; closes the previous ones)
        semaphore = asyncio.Semaphore(16)

        async def start(viewer):
            async with semaphore:
                await start_session(viewer, phase, args.timeout)

        await asyncio.gather(*(start(v) for v in viewers))
        loop_start = time.perf_counter()
    phase.measure_from = loop_start + args.warmup
    phase.measure_to = phase.measure_from + args.seconds
    interval = len(viewers) / args.rate if kind == "paced" else 0.0

    async def closed(viewer):
        while time.perf_counter() < phase.measure_to:
            if kind == "ceiling":
                await ceiling_request(viewer, phase, args.timeout, args.ceiling_path)
            else:
                await heartbeat(viewer, phase, args.timeout)

    async def paced(viewer, offset):
        scheduled = loop_start + offset
        # Stop at the end even when behind schedule (an overloaded server).
        while scheduled < phase.measure_to > time.perf_counter():
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await heartbeat(viewer, phase, args.timeout, scheduled)
            scheduled += interval

    async def measure():
        await asyncio.sleep(max(phase.measure_from - time.perf_counter(), 0))
        before = await asyncio.to_thread(probe.snapshot)
        await asyncio.sleep(max(phase.measure_to - time.perf_counter(), 0))
        return before

    if kind == "paced":
        tasks = [paced(v, i * interval / len(viewers)) for i, v in enumerate(viewers)]
    else:
        tasks = [closed(v) for v in viewers]
    measuring = asyncio.ensure_future(measure())
    load = asyncio.ensure_future(asyncio.gather(*tasks))
    load.add_done_callback(_retrieved)  # no "never retrieved" noise after Ctrl-C
    before = await measuring
    cpu = await asyncio.to_thread(
        probe.usage, before, len(phase.latencies), args.conn_max_age > 0
    )
    await load
    for viewer in viewers:
        viewer.connection.close()
    return summarise(phase, args.seconds, cpu)


def _retrieved(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


def summarise(phase: Phase, seconds: float, cpu: dict) -> dict:
    samples = [s * 1000 for s in phase.latencies]

    def pct(p):
        return round(percentile(samples, p), 2) if samples else None

    return {
        "requests": len(samples),
        "requests_per_s": round(len(samples) / seconds, 1),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(max(samples), 2) if samples else None,
        "errors": sum(phase.errors.values()),
        "error_kinds": dict(phase.errors),
        "reasons": dict(phase.reasons),
        "cpu": cpu,
    }


async def run_load(args, seeded: Seed, port: int, probe: CpuProbe) -> dict:
    def viewers(count):
        return [
            Viewer(
                seeded.tokens[i],
                seeded.lessons[i % len(seeded.lessons)],
                Connection(port),
            )
            for i in range(count)
        ]

    results = {}
    closed_viewers = viewers(args.viewers)
    print(f"… heartbeat: {args.viewers} viewers, closed loop", flush=True)
    results["heartbeat"] = await run_phase(
        Phase("heartbeat"), closed_viewers, args, probe, kind="closed"
    )
    print(f"… ceiling: {args.ceiling_label}", flush=True)
    results["ceiling"] = await run_phase(
        Phase("ceiling"), closed_viewers, args, probe, kind="ceiling"
    )
    reached = results["heartbeat"]["requests_per_s"]
    if args.rate and reached < args.rate and not args.always_pace:
        # Offered more than the server can do, the queue only grows: the p99
        # would measure the length of the phase, and requests would time out.
        args.paced_skipped = f"the closed loop reached only {reached:g}/s"
        print(
            f"… heartbeat @ {args.rate:g}/s: skipped ({args.paced_skipped}; "
            "--always-pace runs it anyway)",
            flush=True,
        )
    elif args.rate:
        print(
            f"… heartbeat @ {args.rate:g}/s: {args.paced_viewers} viewers, one "
            f"heartbeat every {args.paced_viewers / args.rate:.3g} s",
            flush=True,
        )
        results["heartbeat_paced"] = await run_phase(
            Phase("heartbeat_paced"), viewers(args.paced_viewers), args, probe,
            kind="paced",
        )  # fmt: skip
    return results


# Reporting -------------------------------------------------------------------


def _fmt(value, spec: str) -> str:
    width = int(spec.split(".")[0] or 0)
    return f"{'n/a':>{width}}" if value is None else format(value, spec)


def goal_check(results: dict, args) -> dict:
    rate = results["heartbeat"]["requests_per_s"]
    paced = results.get("heartbeat_paced")
    if paced and args.rate >= GOAL_RATE:
        p99, p99_from = paced["p99_ms"], f"paced at {args.rate:g}/s"
        errors = results["heartbeat"]["errors"] + paced["errors"]
    else:
        p99, p99_from = results["heartbeat"]["p99_ms"], "closed loop"
        if args.paced_skipped:
            p99_from += f"; paced phase skipped: {args.paced_skipped}"
        errors = results["heartbeat"]["errors"]
    passed = rate >= GOAL_RATE and p99 is not None and p99 <= GOAL_P99_MS
    return {
        "heartbeats_per_s": rate,
        "p99_ms": p99,
        "p99_from": p99_from,
        "errors": errors,
        "passed": bool(passed and not errors),
    }


def report(results: dict, queries: dict, goal: dict, args) -> None:
    labels = {
        "heartbeat": f"heartbeat ({args.viewers} viewers, closed loop)",
        "ceiling": f"ceiling: {args.ceiling_label}",
        "heartbeat_paced": (
            f"heartbeat @ {args.rate:g}/s ({args.paced_viewers} viewers)"
        ),
    }
    width = max(len(labels[name]) for name in results)
    print()
    print(
        f"{'phase':{width}} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6} {'queries':>7} {'srv CPU ms':>10} "
        f"{'pg CPU ms':>9}"
    )
    query_counts = {
        "heartbeat": queries["heartbeat"],
        "ceiling": queries["ceiling"],
        "heartbeat_paced": queries["heartbeat"],
    }
    for name, r in results.items():
        cpu = r["cpu"]
        print(
            f"{labels[name]:{width}} {r['requests_per_s']:8.1f} "
            f"{_fmt(r['p50_ms'], '8.1f')} {_fmt(r['p90_ms'], '8.1f')} "
            f"{_fmt(r['p99_ms'], '8.1f')} {_fmt(r['max_ms'], '8.1f')} "
            f"{r['errors']:6d} {query_counts[name]:7d} "
            f"{_fmt(cpu['server_cpu_ms_per_request'], '10.2f')} "
            f"{_fmt(cpu['postgres_cpu_ms_per_request'], '9.2f')}"
        )
    print(
        "(queries: SQL statements per request; srv/pg CPU ms: gunicorn workers' and "
        "PostgreSQL backends' CPU per good request)"
    )
    for name, r in results.items():
        cpu = r["cpu"]
        line = (
            f"{name}: cores busy — machine {cpu['machine_busy_cores']}, gunicorn "
            f"{cpu['server_cores']}, postgres {_fmt(cpu['postgres_cores'], '')}, "
            f"client {cpu['client_cores']}"
        )
        if cpu["cpu_bound_per_s"]:
            line += f"; CPU bound {cpu['cpu_bound_per_s']:g}/s"
        if r["error_kinds"]:
            line += f"; errors {r['error_kinds']}"
        if name != "ceiling":
            line += f"; reasons {r['reasons']}"
        print(line)
    hb, ceiling = results["heartbeat"], results["ceiling"]
    if ceiling["requests_per_s"]:
        ratio = hb["requests_per_s"] / ceiling["requests_per_s"]
        print(f"\nheartbeat / ceiling: {ratio:.2f} of the requests/s")
    print(
        f"Queries: session start {queries['session_start']}, first heartbeat "
        f"{queries['first_heartbeat']}, heartbeat {queries['heartbeat']}, "
        f"ceiling {queries['ceiling']}"
    )
    if args.verbose:
        for sql in queries["_heartbeat_sql"]:
            print(f"  {sql}")
    verdict = "PASS" if goal["passed"] else "MISS"
    print(
        f"Goal ≥ {GOAL_RATE} heartbeats/s with p99 ≤ {GOAL_P99_MS} ms: {verdict} "
        f"({goal['heartbeats_per_s']:.0f}/s closed loop; p99 "
        f"{_fmt(goal['p99_ms'], '.1f')} ms {goal['p99_from']}; "
        f"{goal['errors']} error(s))"
    )


# Main ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description="Heartbeats/s and latency of gunicorn + PostgreSQL on loopback, "
        "against a trivial API view (see the module docstring).",
    )
    parser.add_argument(
        "--seconds", type=float, default=20, help="measured seconds per phase (20)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3, help="unmeasured seconds first (3)"
    )
    parser.add_argument(
        "--viewers", type=int, default=64, help="closed-loop viewers (64)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=GOAL_RATE,
        help=f"heartbeats/s of the paced phase ({GOAL_RATE}; 0 skips it)",
    )
    parser.add_argument(
        "--paced-viewers", type=int, default=500, help="viewers of the paced phase"
    )
    parser.add_argument(
        "--always-pace",
        action="store_true",
        help="run the paced phase even when the closed loop stayed below --rate",
    )
    parser.add_argument(
        "--ceiling",
        choices=sorted(CEILING_PATHS),
        default="trivial",
        help="trivial: GET /bench/ceiling/ (DRF, token auth only; default); "
        "django: GET /bench/plain/ (a plain Django view); me: GET /api/v1/me/",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=cpus + 1,
        help=f"gunicorn workers (CPUs + 1 = {cpus + 1}, as docs/operations.md runs it)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="gunicorn threads per worker (4, gthread: keep-alive; 1: sync worker)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=600,
        help="DB_CONN_MAX_AGE: 600 keeps connections for the whole run (default); "
        "0 reconnects every request (the settings' own default)",
    )
    parser.add_argument(
        "--settings",
        choices=["auto", "production", "dev"],
        default="auto",
        help="cms.settings.production (needs Redis) or dev with DEBUG=false; "
        "auto: production when Redis answers",
    )
    parser.add_argument(
        "--postgres",
        default=None,
        help="server to create the throwaway database on (default: DATABASE_URL "
        f"when PostgreSQL, else {DEFAULT_POSTGRES})",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS,
        help=f"REDIS_URL for the production settings (default {DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--timeout", type=float, default=10, help="seconds before a request fails"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print a heartbeat's SQL"
    )
    args = parser.parse_args(argv)
    if args.postgres is None:
        url = os.environ.get("DATABASE_URL", "")
        args.postgres = url if url.startswith(("postgres:", "postgresql:")) else None
        args.postgres = args.postgres or DEFAULT_POSTGRES
    if min(args.viewers, args.workers, args.threads) < 1 or args.seconds <= 0:
        parser.error("--viewers, --workers, --threads and --seconds must be positive")
    if args.rate < 0 or (args.rate and args.paced_viewers < 1):
        parser.error("--rate must be >= 0 and --paced-viewers positive")
    args.paced_skipped = None
    args.ceiling_path = CEILING_PATHS[args.ceiling]
    args.ceiling_label = CEILING_LABELS[args.ceiling]
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    postgres_version = check_postgres(args.postgres)
    if args.settings == "auto":
        args.settings = "production" if redis_answers(args.redis) else "dev"
    elif args.settings == "production" and not redis_answers(args.redis):
        raise SystemExit(f"Redis does not answer at {args.redis} (--redis URL)")
    settings_label = (
        "cms.settings.production"
        if args.settings == "production"
        else "cms.settings.dev with DEBUG=false (no Redis)"
    )
    db_name = f"zhixue_bench_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="zhixue-heartbeat-bench-"))
    server = None
    created = False
    results: dict = {}
    try:
        _postgres(args.postgres, "CREATE DATABASE {}", db_name)
        created = True
        os.environ.update(
            django_environment(args, with_database(args.postgres, db_name), workdir)
        )
        members = max(args.viewers, args.paced_viewers if args.rate else 0) + 1
        print(
            f"Heartbeat benchmark: PostgreSQL {postgres_version}, database {db_name}; "
            f"{settings_label}; gunicorn {args.workers} workers × {args.threads} "
            f"thread(s); DB_CONN_MAX_AGE={args.conn_max_age}; {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        started = time.monotonic()
        setup_django()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, skip_checks=True)
        seeded = seed(members)
        print(
            f"Migrated and seeded {members} members, {LESSONS} lessons in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        port = free_port()
        log = workdir / "gunicorn.log"
        started = time.monotonic()
        server = start_gunicorn(args, port, log)
        wait_ready(server, port, log)
        ready = time.monotonic() - started
        waited = wait_idle([server.pid, *children(server.pid)])
        print(
            f"gunicorn on 127.0.0.1:{port}: answering after {ready:.0f} s, "
            f"workers idle {waited:.0f} s later",
            flush=True,
        )
        queries = count_queries(seeded.tokens[-1], seeded.lessons[0], args.ceiling_path)
        connections.close_all()
        probe = CpuProbe(server.pid, db_name, args.postgres)
        load_before = os.getloadavg()[0]
        results = asyncio.run(run_load(args, seeded, port, probe))
        load_after = os.getloadavg()[0]
        goal = goal_check(results, args)
        report(results, queries, goal, args)
        if max(load_before, load_after) > (os.cpu_count() or 1) - 0.5:
            print(
                f"Note: load average {load_before:.2f} → {load_after:.2f} on "
                f"{os.cpu_count()} CPUs (this run included): the machine was busy, "
                "rates are lower and latencies higher than on a quiet one."
            )
        if server.poll() is not None:
            print(f"gunicorn exited during the run:\n{_tail(log)}")
    finally:
        # A second Ctrl-C must not leave gunicorn or the database behind.
        previous = {
            sig: signal.signal(sig, signal.SIG_IGN)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        if server is not None:
            stop_gunicorn(server)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if created:
            _postgres(args.postgres, "DROP DATABASE IF EXISTS {} WITH (FORCE)", db_name)
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    summary = {
        "benchmark": "heartbeat",
        "seconds": args.seconds,
        "warmup": args.warmup,
        "viewers": args.viewers,
        "rate": args.rate or None,
        "paced_viewers": args.paced_viewers if args.rate else None,
        "paced_skipped": args.paced_skipped,
        "ceiling": args.ceiling_label,
        "settings": settings_label,
        "postgresql": postgres_version,
        "workers": args.workers,
        "threads": args.threads,
        "conn_max_age": args.conn_max_age,
        "cpus": os.cpu_count(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "queries": {k: v for k, v in queries.items() if not k.startswith("_")},
        "results": results,
        "ratio": (
            round(
                results["heartbeat"]["requests_per_s"]
                / results["ceiling"]["requests_per_s"],
                3,
            )
            if results["ceiling"]["requests_per_s"]
            else None
        ),
        "goal": {
            "target_heartbeats_per_s": GOAL_RATE,
            "target_p99_ms": GOAL_P99_MS,
            **goal,
        },
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted; gunicorn stopped, database dropped.", file=sys.stderr)
        sys.exit(130)
