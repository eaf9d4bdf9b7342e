"""Wagtail-free settings for bench/search_bench.py.

modelsearch (Wagtail's search engine since 7.2) and ``wagtail.search`` must not be
installed together, so the benchmark has its own settings: modelsearch, content
types and one tiny app (``bench.searchapp``) holding ``BenchDocument``.

The benchmark sets these environment variables before ``django.setup()``:

- ``ZHIXUE_BENCH_DIR``: a temporary folder for the SQLite file and the Whoosh
  index (default: a new temporary folder);
- ``ZHIXUE_BENCH_DB_NAME``: with ``DATABASE_URL`` set, the name of the throwaway
  database it created on that server (the URL's own database is never touched).
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(
    os.environ.get("ZHIXUE_BENCH_DIR") or tempfile.mkdtemp(prefix="zhixue-bench-")
)
VAR_DIR = BENCH_DIR

SECRET_KEY = "search-benchmark-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "bench.searchapp",
    "modelsearch",
    "django.contrib.contenttypes",
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    DATABASES["default"]["NAME"] = os.environ.get(
        "ZHIXUE_BENCH_DB_NAME", DATABASES["default"]["NAME"]
    )
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        INSTALLED_APPS.append("django.contrib.postgres")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BENCH_DIR / "bench.sqlite3"),
            # The same options as cms/settings/base.py, so the database backend
            # is measured as the site runs it.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Backends by the names search_bench.py --backends uses.
MODELSEARCH_BACKENDS = {
    # Ours: Whoosh + jieba (search/backend/), index in the temporary folder.
    "zhixue": {"BACKEND": "search.backend", "PATH": str(BENCH_DIR / "whoosh")},
    # Wagtail's default: SQLite FTS5 or PostgreSQL full text, by the connection.
    "database": {"BACKEND": "modelsearch.backends.database"},
    # Wagtail's icontains fallback (no index, no ranking).
    "fallback": {"BACKEND": "modelsearch.backends.database.fallback"},
}
MODELSEARCH_BACKENDS["default"] = MODELSEARCH_BACKENDS["database"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = False
USE_TZ = True
