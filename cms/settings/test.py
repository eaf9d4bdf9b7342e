import os
from pathlib import Path

# Tests get their own broker folder, so a demo worker on the same checkout never
# takes a test's task (and the reverse).
_var = Path(
    os.environ.get("ZHIXUE_VAR_DIR", Path(__file__).resolve().parents[2] / "var")
)
os.environ.setdefault("CELERY_QUEUE_DIR", str(_var / "test-celery" / "queue"))

from .base import *  # noqa: E402, F403
from .base import DATABASES, VAR_DIR, WAGTAILSEARCH_BACKENDS  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "test-media"))
# Never the demo's index (each test also gets an empty one: tests/conftest.py).
WAGTAILSEARCH_BACKENDS["default"]["PATH"] = os.environ.get(
    "SEARCH_INDEX_DIR", str(VAR_DIR / "test-search-index")
)
# A file, not :memory:, so a real Celery worker process can open the test database;
# named per process so two test runs on one checkout never share a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_zhixue_{os.getpid()}"}
if not os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
