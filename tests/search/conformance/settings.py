"""Wagtail-free settings for modelsearch's own BackendTests against search.backend.

Run (set DATABASE_URL for PostgreSQL):

    .venv/bin/pytest --ds=tests.search.conformance.settings tests/search/conformance
 Modelled on modelsearch/test/settings.py:
``wagtail.search`` must not be installed next to ``modelsearch``.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("ZHIXUE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "conformance-tests-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "testserver"]

INSTALLED_APPS = [
    "modelsearch.test.testapp",
    "modelsearch",
    "taggit",
    # tests/conftest.py imports org.models at import time, so the project's
    # organisation app (which needs no Wagtail) has to be importable here.
    "org",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]
AUTH_USER_MODEL = "org.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "modelsearch.test.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Named per process, so parallel runs on one checkout never share a database.
_pid = os.getpid()
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / f'conformance-{_pid}.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-conformance-{_pid}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_conformance_{_pid}"}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        INSTALLED_APPS.append("django.contrib.postgres")

# The fixture BackendTests loads (fixtures = ["search"]); the wheel does not ship it.
FIXTURE_DIRS = [Path(__file__).resolve().parent / "fixtures"]

_index_dir = tempfile.mkdtemp(prefix="zhixue-conformance-index-")
atexit.register(shutil.rmtree, _index_dir, ignore_errors=True)
MODELSEARCH_BACKENDS = {"default": {"BACKEND": "search.backend", "PATH": _index_dir}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "conformance-static"
MEDIA_ROOT = VAR_DIR / "conformance-media"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
