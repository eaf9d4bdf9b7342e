"""Exam-day benchmark: N candidates sit one exam through gunicorn + PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 with trust auth, as for
``scripts/test``; Redis on 127.0.0.1:6379 is used when it is there)::

    .venv/bin/python bench/exam_day.py                       # 1,000 candidates, 4 min
    .venv/bin/python bench/exam_day.py --candidates 2000     # the issue's goal
    .venv/bin/python bench/exam_day.py --candidates 50 --duration 90 \\
        --start-window 20 --submit-window 20                 # a quick check

What it does
------------
1. Creates a throwaway database ``zhixue_bench_<pid>`` and the environment exactly as
   ``bench/heartbeat_bench.py`` does (its functions are imported, not copied): the
   settings, ``ZHIXUE_VAR_DIR``, one 党委 → 党支部 with one member and DRF token per
   candidate (``heartbeat_bench.seed``), plus a probe member and an examiner
   (``role_grant(EXAMINER)`` on the 党委).  The examiner imports a question bank
   written here in GIFT (``parse_gift`` + ``questions_import``: 60 单选, 30 多选 with
   two or three right options of five, 30 判断, 10 填空; every stem starts with
   ``第n题`` so the client knows each question's key) and builds a random paper of
   50 questions (25 单选 × 2, 10 多选 × 3, 10 判断 × 1, 5 填空 × 2 = 100 points).
2. Starts gunicorn as heartbeat_bench does (``bench.heartbeat_bench:
   server_application()``: ``cms.wsgi`` with the ceiling views; ``--workers``
   default CPUs + 1, ``--threads`` 4 = gthread, ``DB_CONN_MAX_AGE=600``,
   ``cms.settings.production`` when Redis answers) and waits until it is idle.
3. Creates and publishes the exam just before the load: open since a minute ago,
   closing at T0 + ``--duration`` (T0 = when the first candidate may start), with
   ``duration_minutes = ceil(duration / 60)``, so every candidate's deadline is the
   close, as on a real exam day; 多选 with partial credit (0.5 for a right subset),
   results released on submit (the defaults otherwise).  The probe member then
   starts, saves twice and submits through Django's test client in this process to
   count the SQL statements of each endpoint (``CaptureQueriesContext``).
4. The exam (one asyncio loop, one keep-alive connection per candidate and a
   second one for its submit, raw HTTP/1.1 through heartbeat_bench's
   ``Connection``, ``Authorization: Token``):

   - every candidate starts (``POST /api/v1/exams/<id>/attempts/``) at a random
     moment of the first ``--start-window`` seconds;
   - it then saves (``PUT /api/v1/attempts/<id>/answers/<position>/``, ``revision``
     +1 per question each time) on a random schedule spread from its start to the
     moment it stops: every question once in order, each 填空 first as typed (its
     first character) then whole, and 30% of the questions again later (chosen
     afresh: the answer may change).  Each candidate has a skill in 0.35–0.95:
     the probability of a right answer; a wrong 多选 is half the time a right
     subset (partial credit), half a set with a wrong option; a right 填空 is
     sometimes typed with spaces (the grader's normalisation must accept it).
     Responses use the letters of the sheet the candidate got (options shuffled);
   - ``1 - --no-submit`` of them submit (``POST /api/v1/attempts/<id>/submit/``) at a
     random moment of the last ``--submit-window`` seconds; the others stop there
     and never submit;
   - saves go through a queue like the page's (``exams/static/exams/attempt.js``):
     a change replaces the unsent one of the same question, one request at a time
     per candidate, oldest question first; 200 or 400 takes it off the queue, 409
     closes the sheet, a network error, a timeout (``--timeout``) or a 5xx is
     retried after 1, 2, 4, 8, 15 s.  Before submitting, the candidate waits up
     to 15 s for its queue to empty (the page does); a candidate who walks away
     leaves its queue unsent.  A start or submit that fails the same way is
     retried with the same backoff (a reload, a second tap).  The client keeps,
     per question, the last response and revision it got a 200 for, and every
     revision it sent without getting an answer.
5. The ceiling: ``--ceiling-connections`` (64) of the candidates hammer ``GET
   /bench/ceiling/`` (DRF with the project's token authentication, a constant
   answer) for 2 + ``--ceiling-seconds`` s (heartbeat_bench's ``run_phase``).
6. After the deadline plus the grace (``ZHIXUE_EXAM["grace_seconds"]``, 30 s) it runs
   the sweeper, ``exams.services.attempts.attempts_close_overdue``, in this process
   (the Celery beat task calls it every minute), then checks the database through
   the ORM against what the client knows, prints a table and the goal check, one
   JSON line, stops gunicorn and drops the database (also after an error or Ctrl-C).

Figures
-------
- per endpoint (start, save, submit, ceiling): ``requests`` = good answers (the
  expected 2xx with JSON); ``requests_per_s`` = those / the endpoint's active span
  (first request sent → last answer read; the ceiling: its measured window);
  ``p50_ms`` / ``p99_ms`` / ``max_ms``: nearest-rank percentiles of their latencies
  (request written → answer read, a reconnect included); ``errors`` = every
  failed request (HTTP error, timeout, refused…) by kind; ``retries``;
  ``gave_up``.  For saves also ``change_to_saved_p50_ms`` / ``_p99_ms``: from a
  change of an answer to the 200 of that revision or a later one (the queue's
  wait included: what the candidate's "saved" indicator shows), and
  ``unsaved_changes``: changes never confirmed (queued when the candidate walked
  away or submitted).
- ``offered_saves_per_s``: the changes of the schedules / the span they cover
  (the queue may send fewer: changes to a question still queued are merged).
- ``cpu``: cores busy (machine, gunicorn workers, PostgreSQL backends of the bench
  database, this client) and CPU ms per good request, for the whole exam and for
  the steady middle (after the start window, before the submit window: saves
  only); ``cpu_bound_per_s`` = CPUs × 1000 / (worker + backend ms per request).
- ``ratio``: save requests/s over ceiling requests/s (how far the exam's load is
  from what the same workers serve at most for a trivial call), and the same for
  the CPU bounds (what a save costs next to the trivial call).
- verification (the ORM, after the sweeper):

  - ``lost_answers``: questions whose last 200 the stored ``AttemptAnswer`` does
    not hold: no row, an older revision, or the same revision with another
    response (the letters the candidate saw mapped to stored keys through the
    attempt's draw).  Must be 0.  A newer stored revision that the client sent but
    got no answer for counts as ``applied_unconfirmed``; anything else stored is
    ``unexpected``;
  - ``not_submitted``: attempts still open (must be 0); ``by_candidate``: submitted
    in time by a candidate who submitted; ``timed_out``: closed by time (by the
    sweeper, or by the first request after the deadline and the grace: a late save
    answers 409 and submits the attempt), of those ``late_submit`` had asked to
    submit but too late; ``submitted_unasked``: submitted in time by a candidate
    who never asked (must be 0);
  - ``wrongly_graded``: attempts whose ``score`` differs from (a) the sum over
    their stored answers of ``grading.response_fraction`` × the drawn score (to
    the cent), or (b) the client's own score from the keys it seeded and its last
    confirmed responses; or with marks pending.  Must be 0.

Goal (the issue): on this 2-core machine 2,000 concurrent candidates with p99 ≤ 200
ms for saves and 0 lost answers.  PASS here means: at the requested number of
candidates, every candidate started, save p99 ≤ 200 ms, 0 lost answers, 0 wrongly
graded, every attempt submitted; ``at_goal_concurrency`` says whether that number
was at least 2,000.  The exam is compressed into minutes, so the offered save rate
is much higher than a real exam's of the same size (a 60-minute exam with the same
saves per candidate offers 1/15 of a 4-minute one's): read ``offered_saves_per_s``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as bench/exam_day.py
    sys.path.insert(0, str(REPO))

from bench.heartbeat_bench import (  # noqa: E402 (needs the repository on the path)
    CEILING_PATHS,
    DEFAULT_POSTGRES,
    DEFAULT_REDIS,
    FAILURES,
    Connection,
    CpuProbe,
    Phase,
    Viewer,
    _postgres,
    _tail,
    check_postgres,
    children,
    django_environment,
    free_port,
    percentile,
    redis_answers,
    run_phase,
    seed,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
    wait_idle,
    wait_ready,
    with_database,
)

GOAL_CANDIDATES = 2000
GOAL_SAVE_P99_MS = 200
QUESTIONS = 50
REVISIT = 0.3  # share of the questions answered a second time
RETRY_S = (1, 2, 4, 8, 15)  # the page's backoff (exams/static/exams/attempt.js)
FLUSH_S = 15  # how long the page waits for its queue before submitting
SKILL = (0.35, 0.95)  # a candidate's chance of a right answer
PARTIAL_CREDIT = Decimal("0.5")
CENT = Decimal("0.01")
_NOTHING = object()

# The bank (counts) and the paper (drawn, points each).
BANK = {"single": 60, "multiple": 30, "truefalse": 30, "blank": 10}
PAPER = {"single": (25, 2), "multiple": (10, 3), "truefalse": (10, 1), "blank": (5, 2)}
LABELS = {"single": "单选", "multiple": "多选", "truefalse": "判断", "blank": "填空"}
TERMS = [
    "民主集中制", "实事求是", "群众路线", "独立自主", "全心全意为人民服务",
    "三会一课", "批评与自我批评", "理论联系实际", "密切联系群众", "从严治党",
]  # fmt: skip
WORDS = "甲乙丙丁戊"


# The question bank --------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """What the bench knows of question ``第n题`` (``n`` is read from the stem)."""

    type: str
    right: frozenset[str] = frozenset()  # option texts (单选, 多选)
    truth: bool | None = None  # 判断
    blank: str = ""  # 填空


def bank_gift(rng: random.Random) -> tuple[str, dict[int, Key]]:
    """The bank as a GIFT file, and the key of every question by number."""
    blocks, keys = [], {}
    number = 0
    for qtype, count in BANK.items():
        for _ in range(count):
            number += 1
            name = f"::{LABELS[qtype]}{number}:: 第{number}题 "
            if qtype == "single":
                options = [f"{w}{number}" for w in WORDS[:4]]
                right = rng.choice(options)
                answers = " ".join(("=" if o == right else "~") + o for o in options)
                blocks.append(f"{name}下列说法正确的一项是 {{{answers}}}")
                keys[number] = Key(qtype, right=frozenset([right]))
            elif qtype == "multiple":
                options = [f"{w}{number}" for w in WORDS]
                right = set(rng.sample(options, rng.choice([2, 3])))
                weight = "50" if len(right) == 2 else "33.33333"
                answers = " ".join(
                    f"~%{weight if o in right else '-100'}%{o}" for o in options
                )
                blocks.append(f"{name}下列说法正确的有 {{{answers}}}")
                keys[number] = Key(qtype, right=frozenset(right))
            elif qtype == "truefalse":
                truth = rng.random() < 0.5
                blocks.append(f"{name}这一说法是正确的。 {{{'T' if truth else 'F'}}}")
                keys[number] = Key(qtype, truth=truth)
            else:
                term = TERMS[number % len(TERMS)]
                blocks.append(f"{name}请填写：党的一项基本原则是____。 {{={term}}}")
                keys[number] = Key(qtype, blank=term)
    return "\n\n".join(blocks) + "\n", keys


@dataclass
class Seeded:
    exam_paper: int
    examiner: int  # user ids
    probe: str  # the probe member's token
    branch: int  # the unit the exam is for
    root: int  # the organising unit
    tokens: list[str]  # one per candidate
    users: list[int]
    keys: dict[int, Key]


def seed_exam(candidates: int, rng: random.Random) -> Seeded:
    """Members (heartbeat_bench.seed), an examiner, the bank and the paper."""
    from rest_framework.authtoken.models import Token

    from exams.importers import parse_gift
    from exams.services.imports import bank_ensure, questions_import
    from exams.services.papers import RuleSpec, paper_create, paper_set_rules
    from org.models import Role, Unit
    from org.services.roles import role_grant

    members = seed(candidates + 2)  # the candidates, the probe, the examiner
    user_of = dict(Token.objects.values_list("key", "user_id"))
    root, branch = Unit.objects.get(code="BENCH"), Unit.objects.get(code="BENCH1")
    examiner = Token.objects.select_related("user").get(key=members.tokens[-1]).user
    role_grant(user=examiner, role=Role.EXAMINER, unit=root)
    bank = bank_ensure(name="考试日题库", by=examiner, owner_unit=root)
    gift, keys = bank_gift(rng)
    result = parse_gift(gift.encode())
    if not result.ok:
        raise RuntimeError(f"the generated GIFT does not parse: {result.errors[:3]}")
    questions_import(bank=bank, result=result, file_name="考试日.gift", by=examiner)
    paper = paper_create(by=examiner, bank=bank, title="考试日随机卷", kind="random")
    paper_set_rules(
        by=examiner,
        paper=paper,
        rules=[
            RuleSpec(type=t, count=count, score=score)
            for t, (count, score) in PAPER.items()
        ],
    )
    tokens = members.tokens[:candidates]
    return Seeded(
        exam_paper=paper.pk,
        examiner=examiner.pk,
        probe=members.tokens[candidates],
        branch=branch.pk,
        root=root.pk,
        tokens=tokens,
        users=[user_of[t] for t in tokens],
        keys=keys,
    )


def exam_open(seeded: Seeded, closes_at: datetime, duration: float) -> int:
    """Create and publish the exam (it closes at ``closes_at``)."""
    from exams.models import MultiplePolicy, Paper
    from exams.services.exams import exam_create, exam_publish
    from org.models import Unit, User

    examiner = User.objects.get(pk=seeded.examiner)
    exam = exam_create(
        by=examiner,
        paper=Paper.objects.get(pk=seeded.exam_paper),
        unit=Unit.objects.get(pk=seeded.root),
        title="考试日基准测试",
        opens_at=closes_at - timedelta(seconds=duration + 60),
        closes_at=closes_at,
        duration_minutes=max(1, math.ceil(duration / 60)),
        pass_mark=60,
        target_units=[Unit.objects.get(pk=seeded.branch)],
        attempts_allowed=1,
        multiple_policy=MultiplePolicy.PARTIAL,
        partial_credit=PARTIAL_CREDIT,
    )
    return exam_publish(by=examiner, exam=exam).pk


def count_queries(token: str, exam_id: int) -> dict:
    """SQL statements of a start, a first save, a second save of the same question,
    a submit and a ceiling request (the probe member, Django's test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    out = {}

    def run(name, method, path, body=None, expect=200):
        with CaptureQueriesContext(connection) as queries:
            if method == "put":
                answer = client.put(path, body, content_type="application/json")
            else:
                answer = getattr(client, method)(path)
        if answer.status_code != expect:
            raise RuntimeError(f"{name} answered {answer.status_code}: {answer}")
        out[name] = len(queries)
        return answer.json()

    sheet = run("start", "post", f"/api/v1/exams/{exam_id}/attempts/", expect=201)
    first = sheet["questions"][0]
    response = {"single": "A", "multiple": ["A"], "truefalse": True}.get(
        first["type"], [""] * first["blanks"]
    )
    path = f"/api/v1/attempts/{sheet['attempt']}/answers/1/"
    run("save_first", "put", path, {"response": response, "revision": 1})
    run("save", "put", path, {"response": response, "revision": 2})
    run("submit", "post", f"/api/v1/attempts/{sheet['attempt']}/submit/")
    run("ceiling", "get", CEILING_PATHS["trivial"])
    return out


# The client ----------------------------------------------------------------------


def api_request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    """Raw HTTP/1.1 (heartbeat_bench's ``http_request`` sends a body with POST only)."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {token}\r\nAccept: application/json\r\n"
        "User-Agent: zhixue-exam-day-bench\r\n"
    )
    if method != "GET":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


@dataclass
class Endpoint:
    name: str
    done: list[float] = field(default_factory=list)  # completion times
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    retries: int = 0
    gave_up: int = 0
    first_sent: float | None = None
    last_done: float = 0.0
    #: saves: a change made → that revision (or a later one) confirmed
    delays: list[float] = field(default_factory=list)
    unsaved: int = 0  # saves: changes never confirmed (walked away, time up)

    def between(self, start: float, end: float) -> int:
        return sum(1 for at in self.done if start <= at < end)

    def summary(self) -> dict:
        samples = [s * 1000 for s in self.latencies]
        span = self.last_done - self.first_sent if self.first_sent else 0.0

        def pct(values, p):
            return round(percentile(values, p), 2) if values else None

        return {
            "requests": len(samples),
            "requests_per_s": round(len(samples) / span, 1) if span > 0 else None,
            "span_s": round(span, 1),
            "p50_ms": pct(samples, 50),
            "p90_ms": pct(samples, 90),
            "p99_ms": pct(samples, 99),
            "max_ms": round(max(samples), 2) if samples else None,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "retries": self.retries,
            "gave_up": self.gave_up,
            "change_to_saved_p50_ms": pct([x * 1000 for x in self.delays], 50),
            "change_to_saved_p99_ms": pct([x * 1000 for x in self.delays], 99),
            "unsaved_changes": self.unsaved,
        }


@dataclass
class Item:
    """One question of a candidate's sheet, with what the bench knows of it."""

    position: int
    type: str
    score: Decimal
    key: Key
    letters: dict[str, str]  # letter shown → option text


@dataclass
class Candidate:
    index: int
    token: str
    user: int
    connection: Connection  # saves (and the start, before them)
    rng: random.Random
    skill: float
    start_at: float  # seconds after T0
    stop_at: float  # when it submits, or walks away
    submits: bool
    attempt: int | None = None
    items: list[Item] = field(default_factory=list)
    revision: Counter = field(default_factory=Counter)
    confirmed: dict[int, tuple[object, int]] = field(default_factory=dict)
    #: position → {revision: response} sent without a definite answer
    unconfirmed: dict[int, dict[int, object]] = field(default_factory=dict)
    drafts: dict[int, object] = field(default_factory=dict)  # 填空 being typed
    #: the page's save queue: position → (response, revision), oldest first
    queue: dict[int, tuple[object, int]] = field(default_factory=dict)
    changed: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False  # submitted, walked away, or told the time is up
    submitted: bool = False
    #: a second connection for the submit, as a browser opens one while a save
    #: is still in flight on the first
    other: Connection | None = None
    revision_mismatch: int = 0  # a 200 whose kept revision is not the one sent


async def send(
    connection: Connection,
    stats: Endpoint,
    raw: bytes,
    *,
    expect: int,
    timeout: float,
) -> tuple[int | None, dict | None]:
    """One request: (status or None after a network error or timeout, the JSON
    answer when the status is ``expect``)."""
    began = time.perf_counter()
    if stats.first_sent is None:
        stats.first_sent = began
    try:
        status, answer = await asyncio.wait_for(connection.request(raw), timeout)
        data = json.loads(answer) if status == expect else None
    except FAILURES as exc:
        connection.close()
        stats.errors[type(exc).__name__] += 1
        return None, None
    done = time.perf_counter()
    stats.last_done = max(stats.last_done, done)
    if isinstance(data, dict):
        stats.latencies.append(done - began)
        stats.done.append(done)
        return status, data
    stats.errors[f"HTTP {status}"] += 1
    return status, None


async def call(
    candidate: Candidate,
    connection: Connection,
    stats: Endpoint,
    method: str,
    path: str,
    *,
    expect: int,
    give_up_at: float,
    timeout: float,
) -> dict | None:
    """Start or submit: retried after a network error, a timeout or a 5xx (a
    candidate reloading the page, pressing again)."""
    raw = api_request(method, path, candidate.token)
    failures = 0
    while True:
        status, data = await send(
            connection, stats, raw, expect=expect, timeout=timeout
        )
        if data is not None or (status is not None and status < 500):
            return data
        wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
        if time.perf_counter() + wait > give_up_at:
            stats.gave_up += 1
            return None
        failures += 1
        stats.retries += 1
        await asyncio.sleep(wait)


def choose(candidate: Candidate, item: Item):
    """A response in the letters the candidate saw (right with its skill)."""
    rng, key = candidate.rng, item.key
    right_answer = rng.random() < candidate.skill
    right = sorted(x for x, text in item.letters.items() if text in key.right)
    wrong = sorted(x for x, text in item.letters.items() if text not in key.right)
    if item.type == "single":
        return rng.choice(right if right_answer else wrong)
    if item.type == "multiple":
        if right_answer:
            return right
        if rng.random() < 0.5:  # a right subset: partial credit
            return sorted(rng.sample(right, rng.randint(1, len(right) - 1)))
        chosen = [*rng.sample(right, rng.randint(0, len(right))), rng.choice(wrong)]
        return sorted(chosen)
    if item.type == "truefalse":
        return key.truth if right_answer else not key.truth
    if not right_answer:
        return ["不记得了"]
    if rng.random() < 0.3:  # typed with spaces: 填空 normalisation must accept it
        return [f" {key.blank[:2]} {key.blank[2:]}　"]
    return [key.blank]


def client_fraction(item: Item, response) -> Decimal:
    """What ``response`` earns by the bench's own key (exams.services.grading's
    rules restated, so the check does not rest on the grader it checks)."""
    key = item.key
    if response is None:
        return Decimal(0)
    if item.type == "single":
        return Decimal(1) if item.letters.get(response) in key.right else Decimal(0)
    if item.type == "multiple":
        texts = {item.letters[x] for x in response}
        if texts == key.right:
            return Decimal(1)
        return PARTIAL_CREDIT if texts and texts < key.right else Decimal(0)
    if item.type == "truefalse":
        return Decimal(1) if response is key.truth else Decimal(0)
    return Decimal(1) if "".join(response[0].split()) == key.blank else Decimal(0)


def client_score(candidate: Candidate, applied: dict[int, object]) -> Decimal:
    total = Decimal(0)
    for item in candidate.items:
        fraction = client_fraction(item, applied.get(item.position))
        total += (fraction * item.score).quantize(CENT, ROUND_HALF_UP)
    return total


def read_sheet(candidate: Candidate, sheet: dict, keys: dict[int, Key]) -> None:
    candidate.attempt = int(sheet["attempt"])
    for question in sheet["questions"]:
        number = int(re.search(r"第(\d+)题", question["stem"]).group(1))
        candidate.items.append(
            Item(
                position=int(question["position"]),
                type=question["type"],
                score=Decimal(question["score"]),
                key=keys[number],
                letters={o["letter"]: o["text"].strip() for o in question["options"]},
            )
        )


def schedule(candidate: Candidate, begin: float, end: float) -> list[tuple]:
    """(time, position, stage) of every save, in order of time."""
    rng = candidate.rng
    events = []
    for item in candidate.items:
        if item.type == "blank":
            events.append((item.position, "typing"))
        events.append((item.position, "answer"))
    positions = [item.position for item in candidate.items]
    revisited = rng.sample(positions, round(len(positions) * REVISIT))
    events += [(position, "revise") for position in revisited]
    times = sorted(rng.uniform(begin, max(end, begin + 1)) for _ in events)
    return [
        (at, position, stage)
        for at, (position, stage) in zip(times, events, strict=True)
    ]


@dataclass
class Run:
    exam: int
    t0: float  # perf_counter of T0
    duration: float
    grace: float
    timeout: float
    keys: dict[int, Key]
    stats: dict[str, Endpoint]
    planned_saves: int = 0
    plan_first: float = math.inf
    plan_last: float = 0.0
    sweeper: dict = field(default_factory=dict)


async def sleep_until(at: float) -> None:
    delay = at - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


def change(candidate: Candidate, position: int, response) -> None:
    """The candidate changed an answer: queued with the next revision, replacing
    an unsent one of the same question (the page's debounced ``enqueue``)."""
    candidate.revision[position] += 1
    revision = candidate.revision[position]
    candidate.queue[position] = (response, revision)
    candidate.changed.setdefault(position, []).append((revision, time.perf_counter()))
    candidate.wake.set()


async def sender(run: Run, candidate: Candidate) -> None:
    """The page's ``send``: the oldest queued question, one request at a time;
    200 or 400 takes it off the queue (unless changed meanwhile), 409 closes the
    sheet, anything else is retried after 1, 2, 4, 8, 15 s."""
    stats, failures = run.stats["save"], 0
    while not candidate.closed:
        if not candidate.queue:
            candidate.wake.clear()
            await candidate.wake.wait()
            continue
        position = next(iter(candidate.queue))
        response, revision = candidate.queue[position]
        sent = candidate.unconfirmed.setdefault(position, {})
        sent[revision] = response
        body = json.dumps({"response": response, "revision": revision}).encode()
        path = f"/api/v1/attempts/{candidate.attempt}/answers/{position}/"
        status, data = await send(
            candidate.connection,
            stats,
            api_request("PUT", path, candidate.token, body),
            expect=200,
            timeout=run.timeout,
        )
        if data is not None:
            del sent[revision]
            candidate.confirmed[position] = (response, revision)
            if data.get("revision") != revision:
                candidate.revision_mismatch += 1
            now = time.perf_counter()
            waiting = candidate.changed.get(position, [])
            stats.delays.extend(now - at for rev, at in waiting if rev <= revision)
            candidate.changed[position] = [w for w in waiting if w[0] > revision]
        if status == 409:
            candidate.closed = True
            break
        if data is not None or status == 400:
            if candidate.queue.get(position, (None, 0))[1] == revision:
                del candidate.queue[position]
            failures = 0
            continue
        stats.retries += 1
        await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
        failures += 1


async def flushed(candidate: Candidate, limit: float) -> None:
    until = time.perf_counter() + limit
    while candidate.queue and time.perf_counter() < until:
        await asyncio.sleep(0.2)


async def sit(run: Run, candidate: Candidate) -> None:
    await sleep_until(run.t0 + candidate.start_at)
    sheet = await call(
        candidate,
        candidate.connection,
        run.stats["start"],
        "POST",
        f"/api/v1/exams/{run.exam}/attempts/",
        expect=201,
        give_up_at=run.t0 + run.duration,
        timeout=run.timeout,
    )
    if sheet is None:
        return  # verification counts it as never started
    read_sheet(candidate, sheet, run.keys)
    if not candidate.items:
        return  # counted as a wrong sheet
    begin = time.perf_counter() + 1.0  # reading the first question
    plan = schedule(candidate, begin, run.t0 + candidate.stop_at - 0.5)
    run.planned_saves += len(plan)
    run.plan_first = min(run.plan_first, plan[0][0])
    run.plan_last = max(run.plan_last, plan[-1][0])
    items = {item.position: item for item in candidate.items}
    sending = asyncio.ensure_future(sender(run, candidate))
    for at, position, stage in plan:
        await sleep_until(at)
        if candidate.closed:
            break
        item = items[position]
        if stage == "typing":
            candidate.drafts[position] = final = choose(candidate, item)
            response = [final[0][:1]]
        elif stage == "answer" and position in candidate.drafts:
            response = candidate.drafts.pop(position)
        else:
            response = choose(candidate, item)
        change(candidate, position, response)
    await sleep_until(run.t0 + candidate.stop_at)
    if candidate.submits and not candidate.closed:
        await flushed(candidate, FLUSH_S)  # as the page does before submitting
        candidate.other = Connection(candidate.connection.port)
        sheet = await call(
            candidate,
            candidate.other,
            run.stats["submit"],
            "POST",
            f"/api/v1/attempts/{candidate.attempt}/submit/",
            expect=200,
            give_up_at=run.t0 + run.duration + run.grace,
            timeout=run.timeout,
        )
        candidate.submitted = bool(sheet and sheet.get("submitted"))
    # submitted, or the tab is closed: what is still queued is never sent
    candidate.closed = True
    candidate.wake.set()
    await sending
    run.stats["save"].unsaved += sum(len(w) for w in candidate.changed.values())


async def progress(run: Run, candidates: list[Candidate], every: float) -> None:
    while True:
        await asyncio.sleep(every)
        now = time.perf_counter()
        saves = run.stats["save"]
        recent = saves.between(now - every, now)
        errors = sum(sum(s.errors.values()) for s in run.stats.values())
        started = sum(1 for c in candidates if c.attempt)
        print(
            f"  t={now - run.t0:5.0f} s: {started} started, {len(saves.latencies)} "
            f"saves ({recent / every:.0f}/s lately), "
            f"{len(run.stats['submit'].latencies)} submitted, {errors} errors",
            flush=True,
        )


async def exam_day(
    run: Run, candidates: list[Candidate], probe: CpuProbe, args
) -> dict:
    """The candidates' tasks, and CPU probes over the whole exam and its middle."""
    load = asyncio.gather(*(sit(run, c) for c in candidates))
    ticker = asyncio.ensure_future(progress(run, candidates, args.progress))
    await sleep_until(run.t0)
    whole = await asyncio.to_thread(probe.snapshot)
    steady_from = run.t0 + args.start_window + 2
    steady_to = run.t0 + run.duration - args.submit_window
    steady = None
    if steady_to - steady_from >= 5:
        await sleep_until(steady_from)
        before = await asyncio.to_thread(probe.snapshot)
        await sleep_until(steady_to)
        counts = {
            name: s.between(steady_from, steady_to) for name, s in run.stats.items()
        }
        steady = await asyncio.to_thread(
            probe.usage, before, sum(counts.values()), args.conn_max_age > 0
        )
        steady["requests"] = counts
    await load
    ticker.cancel()
    good = sum(len(s.latencies) for s in run.stats.values())
    overall = await asyncio.to_thread(probe.usage, whole, good, args.conn_max_age > 0)
    for candidate in candidates:
        candidate.connection.close()
        if candidate.other is not None:
            candidate.other.close()
    return {"exam": overall, "steady": steady}


# Verification --------------------------------------------------------------------


def stored_form(item: Item, drawn, response):
    """A response as ``answer_save`` stores it: choices in the draw's keys."""
    if item.type in ("single", "multiple"):
        letters = [response] if isinstance(response, str) else response
        return sorted({drawn.display_to_original(x) for x in letters})
    return response


def verify(exam_id: int, candidates: list[Candidate]) -> dict:
    from exams.models import Attempt, AttemptAnswer, Exam, Question, QuestionVersion
    from exams.services.grading import response_fraction
    from exams.services.papers import DrawnQuestion

    exam = Exam.objects.get(pk=exam_id)
    attempts = {a.pk: a for a in Attempt.objects.filter(exam=exam)}
    rows = {
        (a.attempt_id, a.position): a
        for a in AttemptAnswer.objects.filter(attempt__exam=exam).only(
            "attempt_id", "position", "response", "revision", "score"
        )
    }
    versions = QuestionVersion.objects.in_bulk(
        {d["version_id"] for a in attempts.values() for d in a.draw}
    )
    types = dict(Question.objects.values_list("pk", "type"))
    out = Counter()
    examples: list[str] = []

    def note(kind: str, text: str) -> None:
        out[kind] += 1
        if len(examples) < 10:
            examples.append(f"{kind}: {text}")

    scores = []
    for c in candidates:
        if c.attempt is None:
            note("not_started", f"candidate {c.index}")
            continue
        attempt = attempts.get(c.attempt)
        if attempt is None or attempt.user_id != c.user:
            note("foreign_attempt", f"candidate {c.index}: attempt {c.attempt}")
            continue
        if len(c.items) != len(attempt.draw) or len(c.items) != QUESTIONS:
            note("wrong_sheet", f"attempt {attempt.pk}: {len(c.items)} questions")
        drawn = [DrawnQuestion.from_dict(d) for d in attempt.draw]
        applied: dict[int, object] = {}
        recomputed = Decimal(0)
        for item in c.items:
            pos, question = item.position, drawn[item.position - 1]
            row = rows.get((attempt.pk, pos))
            confirmed, pending = c.confirmed.get(pos), c.unconfirmed.get(pos, {})
            where = f"attempt {attempt.pk} #{pos}"
            kept = 0 if confirmed is None else confirmed[1]
            if confirmed is not None:
                out["confirmed_questions"] += 1
                response, revision = confirmed
                if row is None:
                    note("lost_answers", f"{where}: no row (rev {revision} saved)")
                elif row.revision < revision or (
                    row.revision == revision
                    and row.response != stored_form(item, question, response)
                ):
                    note(
                        "lost_answers",
                        f"{where}: stored rev {row.revision} {row.response!r}, "
                        f"client got 200 for rev {revision} {response!r}",
                    )
                elif row.revision == revision:
                    applied[pos] = response
            if row is not None and row.revision > kept:
                # newer than any 200: only a save sent without an answer fits
                sent = pending.get(row.revision, _NOTHING)
                if sent is not _NOTHING and row.response == stored_form(
                    item, question, sent
                ):
                    out["applied_unconfirmed"] += 1
                    applied[pos] = sent
                else:
                    note(
                        "unexpected",
                        f"{where}: stored rev {row.revision} {row.response!r}",
                    )
            elif row is not None and confirmed is None and row.response is not None:
                note("unexpected", f"{where}: stored {row.response!r}, none sent")
            if row is None:
                out["missing_rows"] += int(attempt.submitted_at is not None)
                continue
            fraction = response_fraction(
                versions[question.version_id],
                types[question.question_id],
                row.response,
                policy=exam.multiple_policy,
                partial_credit=exam.partial_credit,
            )
            recomputed += (fraction * question.score).quantize(CENT, ROUND_HALF_UP)
        if attempt.submitted_at is None:
            note("not_submitted", f"attempt {attempt.pk}")
            continue
        if attempt.timed_out:
            out["timed_out"] += 1
            out["late_submit"] += int(c.submitted)
        else:
            out["by_candidate" if c.submitted else "submitted_unasked"] += 1
        expected = client_score(c, applied)
        wrong = []
        if attempt.score != recomputed:
            out["score_vs_grader"] += 1
            wrong.append(f"grader {recomputed}")
        if attempt.score != expected:
            out["score_vs_client"] += 1
            wrong.append(f"client {expected}")
        if attempt.pending_marks:
            wrong.append(f"{attempt.pending_marks} pending")
        if wrong:
            note("wrongly_graded", f"attempt {attempt.pk}: {attempt.score} ≠ {wrong}")
        scores.append(attempt.score)
    result = {
        kind: out[kind]
        for kind in (
            "not_started", "confirmed_questions", "lost_answers",
            "applied_unconfirmed", "unexpected", "missing_rows", "not_submitted",
            "by_candidate", "timed_out", "late_submit",
            "submitted_unasked", "wrongly_graded", "score_vs_grader",
            "score_vs_client", "foreign_attempt", "wrong_sheet",
        )
    }  # fmt: skip
    mine = {c.user for c in candidates}
    result["attempts"] = sum(1 for a in attempts.values() if a.user_id in mine)
    result["revision_mismatch"] = sum(c.revision_mismatch for c in candidates)
    result["mean_score"] = (
        float(round(sum(scores, Decimal(0)) / len(scores), 2)) if scores else None
    )
    result["examples"] = examples
    return result


# Reporting -------------------------------------------------------------------------


def _fmt(value, spec: str) -> str:
    width = int(re.match(r"\d*", spec).group() or 0)
    return f"{'n/a':>{width}}" if value is None else format(value, spec)


def goal_check(results: dict, checks: dict, args) -> dict:
    p99 = results["save"]["p99_ms"]
    passed = (
        p99 is not None
        and p99 <= GOAL_SAVE_P99_MS
        and checks["not_started"] == 0
        and checks["lost_answers"] == 0
        and checks["wrongly_graded"] == 0
        and checks["not_submitted"] == 0
        and checks["unexpected"] == 0
        and checks["wrong_sheet"] == 0
        and checks["foreign_attempt"] == 0
    )
    return {
        "candidates": args.candidates,
        "save_p99_ms": p99,
        "lost_answers": checks["lost_answers"],
        "wrongly_graded": checks["wrongly_graded"],
        "not_submitted": checks["not_submitted"],
        "passed": bool(passed),
        "at_goal_concurrency": args.candidates >= GOAL_CANDIDATES,
    }


def report(results, cpu, checks, queries, ratio, goal, run, args) -> None:
    print()
    print(
        f"{'endpoint':9} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>6} {'retries':>7} {'queries':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:9} {r['requests']:8d} {_fmt(r['requests_per_s'], '7.1f')} "
            f"{_fmt(r['p50_ms'], '8.1f')} {_fmt(r['p90_ms'], '8.1f')} "
            f"{_fmt(r['p99_ms'], '8.1f')} {_fmt(r['max_ms'], '8.1f')} "
            f"{r['errors']:6d} {r.get('retries', 0):7d} "
            f"{_fmt(queries.get(name), '7d')}"
        )
    print(
        "(req/s: good answers / the endpoint's active span; ceiling: "
        f"{args.ceiling_connections} connections on GET /bench/ceiling/; queries: "
        "SQL statements of one request, the save's on an answered question)"
    )
    for name, r in results.items():
        extra = []
        if r["error_kinds"]:
            extra.append(f"errors {r['error_kinds']}")
        if r.get("gave_up"):
            extra.append(f"gave up {r['gave_up']}")
        if r.get("change_to_saved_p99_ms") is not None:
            extra.append(
                f"change → saved p50 {r['change_to_saved_p50_ms']} ms, p99 "
                f"{r['change_to_saved_p99_ms']} ms; changes never saved "
                f"{r['unsaved_changes']}"
            )
        if extra:
            print(f"{name}: " + "; ".join(extra))
    print(
        f"Offered: {run.planned_saves} answer changes scheduled over "
        f"{run.plan_last - run.plan_first:.0f} s = "
        f"{ratio['offered_saves_per_s']:.1f}/s"
    )
    for label, usage in (
        ("exam", cpu["exam"]),
        ("steady (saves only)", cpu["steady"]),
        ("ceiling", results["ceiling"]["cpu"]),
    ):
        if not usage:
            continue
        print(
            f"CPU {label}: cores busy — machine {usage['machine_busy_cores']}, "
            f"gunicorn {usage['server_cores']}, postgres "
            f"{_fmt(usage['postgres_cores'], '')}, client {usage['client_cores']}; "
            f"per request gunicorn {_fmt(usage['server_cpu_ms_per_request'], '.2f')} "
            f"ms + postgres {_fmt(usage['postgres_cpu_ms_per_request'], '.2f')} ms; "
            f"CPU bound {_fmt(usage['cpu_bound_per_s'], '')}/s"
        )
    print(
        f"\nsave / ceiling: {_fmt(ratio['throughput'], '.3f')} of the requests/s; "
        f"{_fmt(ratio['cpu_bound'], '.3f')} of the CPU bound (what a save costs "
        "next to the trivial view)"
    )
    c = checks
    print(
        f"\nVerification: {c['attempts']} attempts for {args.candidates} "
        f"candidates ({c['not_started']} never started); {c['confirmed_questions']} "
        "questions with a confirmed save"
    )
    print(
        f"  lost answers: {c['lost_answers']}  (applied without an answer "
        f"{c['applied_unconfirmed']}, unexpected {c['unexpected']}, 200s keeping "
        f"another revision {c['revision_mismatch']})"
    )
    print(
        f"  submitted: {c['by_candidate']} by the candidate in time, "
        f"{c['timed_out']} closed by time ({c['late_submit']} of them had asked "
        f"too late; the sweeper closed {run.sweeper['closed']} in "
        f"{run.sweeper['seconds']:.1f} s, late requests the rest); not submitted "
        f"{c['not_submitted']}, submitted unasked {c['submitted_unasked']}"
    )
    print(
        f"  wrongly graded: {c['wrongly_graded']}  (≠ grader on stored answers "
        f"{c['score_vs_grader']}, ≠ client's key {c['score_vs_client']}; answer rows "
        f"missing {c['missing_rows']}); mean score {c['mean_score']} / 100"
    )
    for example in c["examples"]:
        print(f"  {example}")
    verdict = "PASS" if goal["passed"] else "MISS"
    where = (
        f"at {args.candidates} candidates"
        if goal["at_goal_concurrency"]
        else f"at {args.candidates} candidates, below the goal's {GOAL_CANDIDATES}"
    )
    print(
        f"Goal p99 of saves ≤ {GOAL_SAVE_P99_MS} ms, 0 lost answers, 0 wrongly "
        f"graded: {verdict} {where} (p99 {_fmt(goal['save_p99_ms'], '.1f')} ms, "
        f"{goal['lost_answers']} lost, {goal['wrongly_graded']} wrongly graded, "
        f"{goal['not_submitted']} not submitted)"
    )


# Main ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description="N candidates sit one exam through gunicorn + PostgreSQL on "
        "loopback; then the database is checked (see the module docstring).",
    )
    add = parser.add_argument
    add("--candidates", type=int, default=1000, help="concurrent candidates (1000)")
    add("--duration", type=float, default=240, help="seconds of the exam (240)")
    add(
        "--start-window",
        type=float,
        default=60,
        help="candidates start in the first S seconds (60)",
    )
    add(
        "--submit-window",
        type=float,
        default=60,
        help="and submit in the last S seconds (60)",
    )
    add(
        "--no-submit",
        type=float,
        default=0.05,
        help="share that never submits: the sweeper closes them (0.05)",
    )
    add("--seed", type=int, default=1, help="random seed of bank and candidates (1)")
    add(
        "--ceiling-seconds",
        type=float,
        default=10,
        help="measured seconds of the ceiling phase (10; 0 skips it)",
    )
    add(
        "--ceiling-connections",
        type=int,
        default=64,
        help="connections hammering the ceiling view (64)",
    )
    add(
        "--workers",
        type=int,
        default=cpus + 1,
        help=f"gunicorn workers (CPUs + 1 = {cpus + 1})",
    )
    add(
        "--threads",
        type=int,
        default=4,
        help="gunicorn threads per worker (4, gthread; 1: sync worker)",
    )
    add("--conn-max-age", type=int, default=600, help="DB_CONN_MAX_AGE (600)")
    add(
        "--settings",
        choices=["auto", "production", "dev"],
        default="auto",
        help="auto: cms.settings.production when Redis answers, else dev",
    )
    add(
        "--postgres",
        default=None,
        help="server for the throwaway database (default: DATABASE_URL when "
        f"PostgreSQL, else {DEFAULT_POSTGRES})",
    )
    add(
        "--redis",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS,
        help=f"REDIS_URL for the production settings ({DEFAULT_REDIS})",
    )
    add(
        "--timeout",
        type=float,
        default=60,
        help="seconds before a request fails (60; the page's fetch has none)",
    )
    add("--progress", type=float, default=15, help="seconds between progress lines")
    args = parser.parse_args(argv)
    if args.postgres is None:
        url = os.environ.get("DATABASE_URL", "")
        args.postgres = url if url.startswith(("postgres:", "postgresql:")) else None
        args.postgres = args.postgres or DEFAULT_POSTGRES
    if min(args.candidates, args.workers, args.threads, args.ceiling_connections) < 1:
        parser.error("--candidates, --workers, --threads must be positive")
    if min(args.start_window, args.submit_window) <= 0:
        parser.error("--start-window and --submit-window must be positive")
    if args.start_window + args.submit_window + 10 > args.duration:
        parser.error("--duration must leave 10 s between the two windows")
    if not 0 <= args.no_submit <= 1:
        parser.error("--no-submit is a share between 0 and 1")
    args.ceiling_connections = min(args.ceiling_connections, args.candidates)
    return args


def make_candidates(seeded: Seeded, args) -> list[Candidate]:
    rng = random.Random(args.seed)  # noqa: S311 (a load pattern, not a secret)
    quitters = set(
        rng.sample(range(args.candidates), round(args.candidates * args.no_submit))
    )
    low = args.duration - args.submit_window
    out = []
    for index, (token, user) in enumerate(
        zip(seeded.tokens, seeded.users, strict=True)
    ):
        own = random.Random(f"{args.seed}:{index}")  # noqa: S311
        out.append(
            Candidate(
                index=index,
                token=token,
                user=user,
                connection=None,  # set when the run starts (needs the port)
                rng=own,
                skill=own.uniform(*SKILL),
                start_at=own.uniform(0, args.start_window),
                stop_at=own.uniform(low, args.duration - 1),
                submits=index not in quitters,
            )
        )
    return out


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
    workdir = Path(tempfile.mkdtemp(prefix="zhixue-exam-day-bench-"))
    server = None
    created = False
    try:
        _postgres(args.postgres, "CREATE DATABASE {}", db_name)
        created = True
        os.environ.update(
            django_environment(args, with_database(args.postgres, db_name), workdir)
        )
        print(
            f"Exam-day benchmark: {args.candidates} candidates, {args.duration:g} s "
            f"exam (start in the first {args.start_window:g} s, submit in the last "
            f"{args.submit_window:g} s, {args.no_submit:.0%} never submit); "
            f"PostgreSQL {postgres_version}, database {db_name}; {settings_label}; "
            f"gunicorn {args.workers} workers × {args.threads} thread(s); "
            f"DB_CONN_MAX_AGE={args.conn_max_age}; {os.cpu_count()} CPUs, load "
            f"average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        started = time.monotonic()
        setup_django()
        from django.core.management import call_command
        from django.db import connections

        from exams.services.attempts import _grace, attempts_close_overdue

        call_command("migrate", verbosity=0, skip_checks=True)
        seeded = seed_exam(args.candidates, random.Random(args.seed))  # noqa: S311
        print(
            f"Migrated and seeded {args.candidates + 2} members, "
            f"{sum(BANK.values())} questions and a random paper of {QUESTIONS} in "
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
            f"gunicorn on 127.0.0.1:{port}: answering after {ready:.0f} s, workers "
            f"idle {waited:.0f} s later",
            flush=True,
        )
        candidates = make_candidates(seeded, args)
        for candidate in candidates:
            candidate.connection = Connection(port)
        lead = 5.0  # the exam is created and the probe sits it before T0
        t0_wall = time.time() + lead
        closes_at = datetime.fromtimestamp(t0_wall + args.duration, tz=UTC)
        exam_id = exam_open(seeded, closes_at, args.duration)
        queries = count_queries(seeded.probe, exam_id)
        connections.close_all()
        grace = _grace().total_seconds()
        run = Run(
            exam=exam_id,
            t0=time.perf_counter() + (t0_wall - time.time()),
            duration=args.duration,
            grace=grace,
            timeout=args.timeout,
            keys=seeded.keys,
            stats={name: Endpoint(name) for name in ("start", "save", "submit")},
        )
        print(
            f"Exam {exam_id} open, closes {closes_at:%H:%M:%S} UTC; candidates "
            f"start in {max(run.t0 - time.perf_counter(), 0):.0f} s",
            flush=True,
        )
        probe = CpuProbe(server.pid, db_name, args.postgres)
        load_before = os.getloadavg()[0]
        cpu = asyncio.run(exam_day(run, candidates, probe, args))
        results = {name: s.summary() for name, s in run.stats.items()}
        if args.ceiling_seconds > 0:
            print(
                f"… ceiling: {args.ceiling_connections} connections on "
                f"{CEILING_PATHS['trivial']} for {args.ceiling_seconds:g} s",
                flush=True,
            )
            ceiling_args = argparse.Namespace(
                warmup=2.0,
                seconds=args.ceiling_seconds,
                timeout=args.timeout,
                ceiling_path=CEILING_PATHS["trivial"],
                conn_max_age=args.conn_max_age,
                rate=0,
            )
            viewers = [
                Viewer(c.token, 0, Connection(port))
                for c in candidates[: args.ceiling_connections]
            ]
            results["ceiling"] = asyncio.run(
                run_phase(
                    Phase("ceiling"), viewers, ceiling_args, probe, kind="ceiling"
                )
            )
        else:
            results["ceiling"] = {
                **Endpoint("ceiling").summary(),
                "cpu": None,
            }
        load_after = os.getloadavg()[0]
        # The candidates who never submitted: after their deadline and the grace,
        # the sweeper (the beat task's function) closes them.
        wake = t0_wall + args.duration + grace + 1 - time.time()
        if wake > 0:
            print(f"… waiting {wake:.0f} s for the deadline + grace", flush=True)
            time.sleep(wake)
        started = time.monotonic()
        closed = attempts_close_overdue()
        run.sweeper = {"closed": closed, "seconds": time.monotonic() - started}
        started = time.monotonic()
        checks = verify(exam_id, candidates)
        print(f"Verified in {time.monotonic() - started:.0f} s", flush=True)
        span = run.plan_last - run.plan_first
        save_rate, ceiling_rate = (
            results["save"]["requests_per_s"],
            results["ceiling"]["requests_per_s"],
        )
        steady_bound = (cpu["steady"] or {}).get("cpu_bound_per_s")
        ceiling_bound = (results["ceiling"].get("cpu") or {}).get("cpu_bound_per_s")
        ratio = {
            "offered_saves_per_s": round(run.planned_saves / span, 1) if span else 0,
            "throughput": round(save_rate / ceiling_rate, 3)
            if save_rate and ceiling_rate
            else None,
            "cpu_bound": round(steady_bound / ceiling_bound, 3)
            if steady_bound and ceiling_bound
            else None,
        }
        goal = goal_check(results, checks, args)
        report(results, cpu, checks, queries, ratio, goal, run, args)
        if max(load_before, load_after) > (os.cpu_count() or 1) - 0.5:
            print(
                f"Note: load average {load_before:.2f} → {load_after:.2f} on "
                f"{os.cpu_count()} CPUs (this run included): the client shares the "
                "machine with the server, and other work competed as well."
            )
        if server.poll() is not None:
            print(f"gunicorn exited during the run:\n{_tail(log)}")
        # Left out: wait_ready's probe (no token) and the 409s of late saves.
        expected = ("Forbidden: /bench/ceiling/", "Conflict: /api/v1/attempts/")
        logged = log.read_text(errors="replace").splitlines()
        other = [line for line in logged if not any(e in line for e in expected)]
        if other:
            print("gunicorn's log ends with:\n" + "\n".join(other[-10:]))
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
        "benchmark": "exam_day",
        "candidates": args.candidates,
        "duration": args.duration,
        "start_window": args.start_window,
        "submit_window": args.submit_window,
        "no_submit": args.no_submit,
        "seed": args.seed,
        "questions": QUESTIONS,
        "settings": settings_label,
        "postgresql": postgres_version,
        "workers": args.workers,
        "threads": args.threads,
        "conn_max_age": args.conn_max_age,
        "cpus": os.cpu_count(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "queries": queries,
        "results": results,
        "cpu": cpu,
        "ratio": ratio,
        "verification": {k: v for k, v in checks.items() if k != "examples"},
        "sweeper": {"closed": closed, "seconds": round(run.sweeper["seconds"], 2)},
        "goal": {
            "target_candidates": GOAL_CANDIDATES,
            "target_save_p99_ms": GOAL_SAVE_P99_MS,
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
