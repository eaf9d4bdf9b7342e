"""Search benchmark: our Whoosh + jieba backend against Wagtail's own backends.

Run from the repository root (no server, no settings needed)::

    .venv/bin/python bench/search_bench.py                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/search_bench.py                # PostgreSQL
    .venv/bin/python bench/search_bench.py --scale 20000      # 20,000 sections
    .venv/bin/python bench/search_bench.py --backends zhixue,database,fallback
    .venv/bin/python bench/search_bench.py --check-queries    # only check labels

What it does
------------
1. Reads the corpus (``--corpus``, default ``../shared/corpus/policy_docs_zh``): every
   UTF-8 ``.txt`` file below it is one document, its file name (without ``.txt``)
   the title, its text the body.  With ``--scale N`` the files are cut into
   sections of 1–5 KB instead (see *Scaling* below) and replicated up to N.
2. Sets Django up with ``bench.settings`` (Wagtail-free: modelsearch and
   ``wagtail.search`` cannot be installed together), in a temporary folder that
   holds the SQLite file and the Whoosh index.  With ``DATABASE_URL`` pointing at
   PostgreSQL it creates a throwaway database ``zhixue_bench_<pid>`` on that
   server instead (the URL's own database is never written) and drops it at the
   end.  Tables come from ``migrate --run-syncdb``; the documents go in with
   ``bulk_create`` (no signals, nothing indexed yet, not timed).
3. For each backend of ``--backends`` (default ``zhixue,database``):

   - ``zhixue``: ours, ``search.backend`` (Whoosh + jieba, search/backend/);
   - ``database``: Wagtail's default, ``modelsearch.backends.database``, which is
     SQLite FTS5 or PostgreSQL full text depending on the connection;
   - ``fallback``: ``modelsearch.backends.database.fallback`` (``icontains``,
     no index, no ranking);

   it runs one search first (so one-off start-up work such as loading jieba's
   dictionary is not counted as indexing; reported as ``cold_query_ms``), then
   indexes every document the way ``rebuild_modelsearch_index`` does (the
   backend's rebuilder, ``add_items`` in chunks of 1,000 ordered by pk) and
   times it, then runs every query once (warm-up, and the results scored), then
   ``--repeat`` more times (timed).  A query is ``backend.search(query,
   BenchDocument)[:10]`` evaluated to a list: what a results page does, database
   fetch of the ten objects included.  The operator is the backend's default
   (AND for all three) unless ``--operator`` says otherwise.
4. Prints a table, the queries each backend misses, and one final JSON line.

Figures
-------
- ``indexing_mb_per_s``: UTF-8 bytes of title + body of all documents
  (10^6 bytes = 1 MB) divided by the wall time of the rebuild;
  ``indexing_docs_per_s`` likewise.  ``null`` for the fallback (it has no index).
- ``query_p50_ms`` / ``query_p95_ms``: nearest-rank percentiles over all timed
  runs (queries × ``--repeat``), warm.
- ``recall_at_10``: mean over queries of |relevant ∩ top 10| / min(|relevant|, 10),
  so a query with more than ten relevant documents can still score 1.
- ``mrr``: mean reciprocal rank of the first relevant document in the top 10
  (0 when none is there).
- ``zero_result_queries``: queries that return nothing at all.

Queries and relevance
---------------------
``--queries`` (default ``bench/search_queries.json``) is a JSON list of
``{"query": "...", "relevant": ["path/relative/to/corpus.txt", ...]}``, optionally
with ``variants`` (other written forms of the same term, e.g. 家庭联产承包为主的
责任制 for 家庭联产承包责任制); the other keys (``not_relevant``, ``kind``,
``note``) document the labelling and are ignored here.  The labelling rule is in
bench/README.md; ``--check-queries`` verifies that every labelled file exists and
contains the query's words (or a variant), and that every file containing them
is labelled one way or the other.

Query words are the whitespace-separated parts of the query; "contains" is
tested on text normalised by NFKC, OpenCC t2s (traditional → simplified) and
lower case, independently of any backend's analysis.

Scaling (``--scale N``)
-----------------------
Each file is cut at line (paragraph) boundaries into sections whose size is
drawn uniformly from 1–5 KB (UTF-8); a paragraph above 5 KB is first cut at
sentence ends, and a last piece under 1 KB joins the previous section if that
stays within 5 KB.  A
section's title is the file's title plus the heading it falls under (``# …``,
``第…章``, ``一、…``) or ``第k部分``; duplicates get a number, so titles are
distinct.  With N below the number of sections a seeded sample of N sections is
taken; above it, the sections are replicated in rounds, each copy perturbed
(one paragraph dropped, two neighbours swapped, ``（修订r）`` added to the
title) until there are N.  A section is relevant to a query when it comes from
a file labelled relevant AND contains every word of the query or a variant (after
the normalisation above).  Queries left with no relevant section are not scored.
The corpus (6.6 MB) gives about 2,030 sections; 20,000 sections are about 60 MB.

Everything (temporary folder, throwaway PostgreSQL database) is removed at the
end, also after an error; ``--keep`` keeps the folder for inspection.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "policy_docs_zh"
DEFAULT_QUERIES = REPO / "bench" / "search_queries.json"
BACKENDS = ("zhixue", "database", "fallback")
DEFAULT_BACKENDS = "zhixue,database"
TOP_K = 10
CHUNK_SIZE = 1000  # as rebuild_modelsearch_index
MIN_SECTION = 1024
MAX_SECTION = 5 * 1024
MB = 1_000_000

# Corpus ----------------------------------------------------------------------


@dataclass
class Doc:
    title: str
    body: str
    source: str  # corpus-relative path of the file it came from

    @property
    def size(self) -> int:
        return len(self.title.encode()) + len(self.body.encode())


_converter = None


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower case: what "contains" is tested on."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter.convert(unicodedata.normalize("NFKC", text)).lower()


def read_corpus(root: Path) -> list[Doc]:
    files = sorted(root.rglob("*.txt"))
    if not files:
        raise SystemExit(f"No .txt files under {root}")
    return [
        Doc(
            path.stem,
            path.read_text(encoding="utf-8"),
            path.relative_to(root).as_posix(),
        )
        for path in files
    ]


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_HEADING = re.compile(
    r"^(#+\s*\S|第[一二三四五六七八九十百零〇\d]+[章节编部分]|[一二三四五六七八九十]+、)"
)


def _size(text: str) -> int:
    return len(text.encode())


def _paragraphs(text: str) -> list[str]:
    """Non-empty lines; a line above MAX_SECTION is cut at sentence ends."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _size(line) <= MAX_SECTION:
            out.append(line)
            continue
        piece = ""
        for sentence in _SENTENCE_END.split(line):
            if piece and _size(piece + sentence) > MAX_SECTION:
                out.append(piece)
                piece = ""
            piece += sentence
        if piece:
            out.append(piece)
    return out


def cut_sections(doc: Doc, rng: random.Random) -> list[Doc]:
    sections: list[tuple[str | None, list[str]]] = []
    heading: str | None = None
    current: list[str] = []
    current_heading: str | None = None
    target = rng.randint(MIN_SECTION, MAX_SECTION)
    size = 0
    for paragraph in _paragraphs(doc.body):
        if len(paragraph) <= 40 and _HEADING.match(paragraph):
            heading = paragraph.lstrip("#").strip()
        if current and size + _size(paragraph) > MAX_SECTION:
            sections.append((current_heading, current))
            current, size = [], 0
            target = rng.randint(MIN_SECTION, MAX_SECTION)
        if not current:
            current_heading = heading
        current.append(paragraph)
        size += _size(paragraph) + 1
        if size >= target:
            sections.append((current_heading, current))
            current, size = [], 0
            target = rng.randint(MIN_SECTION, MAX_SECTION)
    if current:
        last_size = sum(_size(p) + 1 for p in current)
        previous_size = sum(_size(p) + 1 for p in sections[-1][1]) if sections else 0
        if (
            sections
            and last_size < MIN_SECTION
            and (previous_size + last_size <= MAX_SECTION)
        ):
            sections[-1][1].extend(current)
        else:
            sections.append((current_heading, current))
    out = []
    for number, (section_heading, paragraphs) in enumerate(sections, start=1):
        label = section_heading or f"第{number}部分"
        out.append(Doc(f"{doc.title}·{label}", "\n".join(paragraphs), doc.source))
    return out


def perturb(section: Doc, round_: int, rng: random.Random) -> Doc:
    paragraphs = section.body.split("\n")
    if len(paragraphs) >= 3:
        del paragraphs[rng.randrange(len(paragraphs))]
    if len(paragraphs) >= 2:
        i = rng.randrange(len(paragraphs) - 1)
        paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    return Doc(
        f"{section.title}（修订{round_}）", "\n".join(paragraphs), section.source
    )


def distinct_titles(docs: list[Doc]) -> None:
    seen: Counter = Counter()
    for doc in docs:
        seen[doc.title] += 1
        if seen[doc.title] > 1:
            doc.title = f"{doc.title}（{seen[doc.title]}）"


def scale_corpus(files: list[Doc], n: int, seed: int) -> tuple[list[Doc], int]:
    """N documents cut from ``files``; also returns the number of base sections."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sampling, not security)
    base = [section for doc in files for section in cut_sections(doc, rng)]
    distinct_titles(base)
    if n <= len(base):
        picked = sorted(rng.sample(range(len(base)), n))
        return [base[i] for i in picked], len(base)
    docs = list(base)
    round_ = 0
    while len(docs) < n:
        round_ += 1
        order = list(range(len(base)))
        rng.shuffle(order)
        for i in order[: n - len(docs)]:
            docs.append(perturb(base[i], round_, rng))
    distinct_titles(docs)
    return docs, len(base)


# Queries ---------------------------------------------------------------------


@dataclass
class Query:
    text: str
    relevant_files: list[str]
    variants: list[str] = field(default_factory=list)
    kind: str = ""
    relevant: set[int] = field(default_factory=set)  # document pks

    @property
    def word_sets(self) -> list[list[str]]:
        """The query's words, then those of each written variant of the term."""
        return [normalize(text).split() for text in [self.text, *self.variants]]

    def found_in(self, normalized_text: str) -> bool:
        return any(
            all(word in normalized_text for word in words) for words in self.word_sets
        )


def read_queries(path: Path) -> list[Query]:
    return [
        Query(
            item["query"],
            list(item["relevant"]),
            list(item.get("variants", [])),
            item.get("kind", ""),
        )
        for item in json.loads(path.read_text(encoding="utf-8"))
    ]


def label(queries: list[Query], docs: list[Doc], scaled: bool) -> None:
    """Fill ``Query.relevant`` with the pks (1-based list positions) of ``docs``."""
    normalized = [normalize(f"{d.title}\n{d.body}") for d in docs] if scaled else []
    by_source: dict[str, list[int]] = {}
    for pk, doc in enumerate(docs, start=1):
        by_source.setdefault(doc.source, []).append(pk)
    for query in queries:
        query.relevant = {
            pk
            for source in query.relevant_files
            for pk in by_source.get(source, [])
            if not scaled or query.found_in(normalized[pk - 1])
        }


def check_queries(corpus: Path, queries_path: Path) -> int:
    """Check the labels against the corpus; returns the number of problems."""
    files = {
        doc.source: normalize(f"{doc.title}\n{doc.body}") for doc in read_corpus(corpus)
    }
    data = json.loads(queries_path.read_text(encoding="utf-8"))
    problems = 0
    kinds: Counter = Counter()
    for item, query in zip(data, read_queries(queries_path), strict=True):
        relevant = set(item["relevant"])
        not_relevant = set(item.get("not_relevant", []))
        containing = {s for s, text in files.items() if query.found_in(text)}
        kinds[item.get("kind", "?")] += 1
        messages = []
        if not relevant:
            messages.append("no relevant file")
        if missing := sorted((relevant | not_relevant) - set(files)):
            messages.append(f"not in the corpus: {missing}")
        if lacking := sorted((relevant | not_relevant) & set(files) - containing):
            messages.append(f"labelled but lacking the words: {lacking}")
        if unlabelled := sorted(containing - relevant - not_relevant):
            messages.append(f"contain the words but unlabelled: {unlabelled}")
        if both := sorted(relevant & not_relevant):
            messages.append(f"both relevant and not: {both}")
        print(
            f"{'ok' if not messages else 'PROBLEM':7} {item['query']}: "
            f"{len(relevant)} relevant, {len(not_relevant)} not relevant, "
            f"{len(containing)} contain the words"
        )
        for message in messages:
            print(f"        {message}")
        problems += len(messages)
    print(f"{len(data)} queries ({dict(kinds)}), {problems} problem(s)")
    return problems


# Measuring -------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class QueryOutcome:
    query: Query
    top: list[int]
    seconds: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        found = len(self.query.relevant.intersection(self.top[:TOP_K]))
        return found / min(len(self.query.relevant), TOP_K)

    @property
    def reciprocal_rank(self) -> float:
        for rank, pk in enumerate(self.top[:TOP_K], start=1):
            if pk in self.query.relevant:
                return 1 / rank
        return 0.0


def index_all(backend, model) -> float:
    """Rebuild the model's index like rebuild_modelsearch_index; seconds taken."""
    started = time.perf_counter()
    index = backend.get_index_for_model(model)
    rebuilder = backend.rebuilder_class(index)
    index = rebuilder.start()
    index.add_model(model)
    queryset = model.get_indexed_objects().order_by("pk")
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:CHUNK_SIZE])
        if not chunk:
            break
        index.add_items(model, chunk)
        last_pk = chunk[-1].pk
    rebuilder.finish()
    return time.perf_counter() - started


@contextlib.contextmanager
def profiled(args, label: str):
    """With ``--profile DIR``: cProfile the block into DIR/<label>.prof and print
    its top functions (timings are then inflated by the profiler)."""
    if not args.profile:
        yield
        return
    import cProfile
    import pstats

    args.profile.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        path = args.profile / f"{label}.prof"
        profiler.dump_stats(path)
        print(f"Profile of {label}: {path}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def run_backend(
    name: str, params: dict, docs: list[Doc], queries: list[Query], args
) -> dict:
    from modelsearch.backends import get_search_backend

    from bench.searchapp.models import BenchDocument

    backend = get_search_backend(name, **params)
    result: dict = {"class": f"{type(backend).__module__}.{type(backend).__name__}"}

    def search(text: str) -> list[int]:
        results = backend.search(text, BenchDocument, operator=args.operator)
        return [obj.pk for obj in results[:TOP_K]]

    started = time.perf_counter()
    search(queries[0].text)
    result["cold_query_ms"] = round((time.perf_counter() - started) * 1000, 1)

    total_mb = sum(d.size for d in docs) / MB
    if backend.rebuilder_class is None:
        result.update(
            indexing_seconds=None, indexing_mb_per_s=None, indexing_docs_per_s=None
        )
    else:
        with profiled(args, f"{name}-indexing"):
            seconds = index_all(backend, BenchDocument)
        result.update(
            indexing_seconds=round(seconds, 2),
            indexing_mb_per_s=round(total_mb / seconds, 3),
            indexing_docs_per_s=round(len(docs) / seconds, 1),
        )

    scored = [q for q in queries if q.relevant]
    outcomes = [QueryOutcome(q, search(q.text)) for q in scored]
    with profiled(args, f"{name}-queries"):
        for _ in range(args.repeat):
            for outcome in outcomes:
                started = time.perf_counter()
                search(outcome.query.text)
                outcome.seconds.append(time.perf_counter() - started)
    samples = [s * 1000 for o in outcomes for s in o.seconds]
    result.update(
        query_p50_ms=round(percentile(samples, 50), 2),
        query_p95_ms=round(percentile(samples, 95), 2),
        recall_at_10=round(statistics.fmean(o.recall for o in outcomes), 3),
        mrr=round(statistics.fmean(o.reciprocal_rank for o in outcomes), 3),
        zero_result_queries=sum(1 for o in outcomes if not o.top),
        queries=len(outcomes),
    )
    result["_outcomes"] = outcomes
    return result


# Reporting -------------------------------------------------------------------


def _fmt(value, spec: str) -> str:
    width = int(spec.split(".")[0] or 0)
    return f"{'n/a':>{width}}" if value is None else format(value, spec)


def report(results: dict[str, dict], docs: list[Doc], args) -> None:
    titles = {pk: d.title for pk, d in enumerate(docs, start=1)}
    sources = {pk: d.source for pk, d in enumerate(docs, start=1)}
    print()
    print(
        f"{'backend':10} {'MB/s':>7} {'docs/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'recall@10':>9} {'MRR':>6} {'zero':>5}  class"
    )
    for name, r in results.items():
        if "error" in r:
            print(f"{name:10} ERROR: {r['error']}")
            continue
        print(
            f"{name:10} {_fmt(r['indexing_mb_per_s'], '7.3f')} "
            f"{_fmt(r['indexing_docs_per_s'], '8.1f')} {r['query_p50_ms']:8.2f} "
            f"{r['query_p95_ms']:8.2f} {r['recall_at_10']:9.3f} {r['mrr']:6.3f} "
            f"{r['zero_result_queries']:>2}/{r['queries']:<2}  {r['class']}"
        )
    for name, r in results.items():
        outcomes: list[QueryOutcome] = r.get("_outcomes", [])
        if not outcomes:
            continue
        zero = [o.query.text for o in outcomes if not o.top]
        imperfect = [
            o for o in outcomes if o.top and (o.recall < 1 or o.reciprocal_rank < 1)
        ]
        print(
            f"\n{name}: {len(zero)} zero-result queries"
            + (f": {' | '.join(zero)}" if zero else "")
        )
        for o in imperfect:
            missed = sorted(o.query.relevant - set(o.top))
            missed_sources = sorted({sources[pk] for pk in missed})
            first_wrong = next(
                (titles[pk] for pk in o.top if pk not in o.query.relevant), ""
            )
            line = (
                f"  {o.query.text}: recall {o.recall:.2f}, RR {o.reciprocal_rank:.2f}"
            )
            if missed_sources and not args.scale:
                line += (
                    f"; missed {', '.join(Path(s).stem[:24] for s in missed_sources)}"
                )
            elif missed:
                line += f"; {len(missed)} relevant not in the top 10"
            if o.reciprocal_rank < 1 and first_wrong:
                line += f"; #1 is not relevant: {first_wrong[:40]}"
            print(line)
        slowest = sorted(outcomes, key=lambda o: -statistics.median(o.seconds))[:3]
        print(
            "  slowest (median ms): "
            + ", ".join(
                f"{o.query.text} {statistics.median(o.seconds) * 1000:.1f}"
                for o in slowest
            )
        )
        if args.verbose:
            for o in outcomes:
                print(
                    f"  [{o.query.text}] "
                    + " | ".join(
                        ("✓" if pk in o.query.relevant else "✗") + titles[pk][:30]
                        for pk in o.top
                    )
                )


# Database and Django set-up ------------------------------------------------------


def _postgres_kwargs(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            f"DATABASE_URL: only PostgreSQL is supported, not {config['ENGINE']}"
        )
    kwargs = {
        "dbname": config["NAME"],
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": config.get("PORT"),
    }
    return {k: v for k, v in kwargs.items() if v not in (None, "")}


def _postgres(url: str, statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**_postgres_kwargs(url), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


def setup_django(workdir: Path, db_name: str | None) -> None:
    os.environ["ZHIXUE_BENCH_DIR"] = str(workdir)
    if db_name:
        os.environ["ZHIXUE_BENCH_DB_NAME"] = db_name
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        version = connection.pg_version
        return f"postgresql {version // 10000}.{version % 10000}"
    return connection.vendor


def load_documents(docs: list[Doc]) -> None:
    from bench.searchapp.models import BenchDocument

    BenchDocument.objects.bulk_create(
        [
            BenchDocument(pk=pk, title=d.title[:255], body=d.body, source=d.source)
            for pk, d in enumerate(docs, start=1)
        ],
        batch_size=500,
    )


def parse_options(pairs: list[str]) -> dict:
    options = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Index the same documents into several search backends and "
        "compare speed and quality (see the module docstring).",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder tree of UTF-8 .txt files (file name = title)",
    )
    parser.add_argument(
        "--queries",
        type=Path,
        default=DEFAULT_QUERIES,
        help="JSON list of {query, relevant: [corpus-relative paths]}",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="cut into 1-5 KB sections, replicated/perturbed up to N docs",
    )
    parser.add_argument(
        "--backends",
        default=DEFAULT_BACKENDS,
        help=f"comma-separated, from {', '.join(BACKENDS)} "
        f"(default {DEFAULT_BACKENDS})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="timed runs of every query after the warm-up (default 5)",
    )
    parser.add_argument(
        "--operator",
        choices=["and", "or"],
        default=None,
        help="search operator (default: each backend's own, AND)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="for --scale")
    parser.add_argument(
        "--zhixue-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra parameter for our backend, e.g. REBUILD_PROCS=2",
    )
    parser.add_argument(
        "--check-queries",
        action="store_true",
        help="only check the query labels against the corpus",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (SQLite file, Whoosh index)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="cProfile indexing and the timed queries into DIR (inflates timings)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every query's top 10"
    )
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := [b for b in args.backends if b not in BACKENDS]:
        parser.error(f"unknown backend(s): {', '.join(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = args.corpus.resolve()
    if args.check_queries:
        return 1 if check_queries(corpus, args.queries) else 0

    files = read_corpus(corpus)
    queries = read_queries(args.queries)
    if args.scale:
        docs, base_sections = scale_corpus(files, args.scale, args.seed)
    else:
        docs, base_sections = files, None
    label(queries, docs, scaled=bool(args.scale))
    unscored = [q.text for q in queries if not q.relevant]
    total_mb = sum(d.size for d in docs) / MB
    sizes = sorted(d.size for d in docs)

    database_url = os.environ.get("DATABASE_URL", "")
    db_name = f"zhixue_bench_{os.getpid()}" if database_url else None
    workdir = Path(tempfile.mkdtemp(prefix="zhixue-search-bench-"))
    results: dict[str, dict] = {}
    database = "?"
    load_before = load_after = None
    created = False
    try:
        if db_name:
            _postgres(database_url, "CREATE DATABASE {}", db_name)
            created = True
        setup_django(workdir, db_name)
        database = describe_database()
        load_documents(docs)
        print(
            f"Search benchmark: {len(docs)} documents ({total_mb:.2f} MB, "
            f"{sizes[0]}-{sizes[-1]} bytes, median {sizes[len(sizes) // 2]}) "
            f"from {corpus}"
            + (
                f", cut into {base_sections} sections and scaled to {args.scale}"
                if args.scale
                else ""
            )
        )
        rel_counts = sorted(len(q.relevant) for q in queries if q.relevant)
        print(
            f"{len(queries) - len(unscored)} scored queries from {args.queries} "
            f"(relevant per query {rel_counts[0]}-{rel_counts[-1]}, "
            f"median {rel_counts[len(rel_counts) // 2]})"
            + (
                f"; not scored (no relevant document): {' | '.join(unscored)}"
                if unscored
                else ""
            )
        )
        print(
            f"Database: {database}; {args.repeat} timed runs per query; top {TOP_K}; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        )
        load_before = os.getloadavg()[0]
        for name in args.backends:
            params = parse_options(args.zhixue_option) if name == "zhixue" else {}
            print(f"… {name}", flush=True)
            try:
                results[name] = run_backend(name, params, docs, queries, args)
            except Exception as exc:  # report and go on with the other backends
                traceback.print_exc()
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        load_after = os.getloadavg()[0]
        report(results, docs, args)
        if max(load_before, load_after) > (os.cpu_count() or 1) - 0.5:
            print(
                f"Note: load average {load_before:.2f} → {load_after:.2f} on "
                f"{os.cpu_count()} CPUs: other work competed, timings are inflated."
            )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if created:
            _postgres(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", db_name)
        if args.keep:
            print(f"Kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    summary = {
        "benchmark": "search",
        "corpus": str(corpus),
        "documents": len(docs),
        "megabytes": round(total_mb, 2),
        "scale": args.scale or None,
        "database": database,
        "queries": len(queries) - len(unscored),
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average": [
            None if x is None else round(x, 2) for x in (load_before, load_after)
        ],
        "backends": {
            name: {k: v for k, v in r.items() if not k.startswith("_")}
            for name, r in results.items()
        },
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
