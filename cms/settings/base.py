"""Settings shared by every environment; everything that differs comes from the
environment (see docs/operations.md for the full list)."""

import os
import secrets
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("ZHIXUE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def local_secret_key() -> str:
    """A key generated once per checkout, kept in var/ (never used in production)."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


INSTALLED_APPS = [
    "cms",
    "org",
    "library",
    "courses",
    "exams",
    "assessments",
    "media",
    "search",
    "wagtailmedia",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "treebeard",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: the lesson upload limit must be in place
    # before any upload handler sees a byte (media/upload_handlers.py).
    "media.upload_handlers.MediaUploadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "org.middleware.ForcePasswordChangeMiddleware",
    "courses.middleware.DailyLoginPointsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhixue.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + immediate transactions let the web server and the Celery worker
    # share the file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: Redis when REDIS_URL is set, embedded otherwise -------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "zhixue"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_QUEUE_DIR = Path(
    os.environ.get("CELERY_QUEUE_DIR", VAR_DIR / "celery" / "queue")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        # broadcast/control messages (worker pings, revokes); else it uses ./control
        "control_folder": str(CELERY_QUEUE_DIR.parent / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    # Redis redelivers an unacknowledged (acks_late) task after visibility_timeout,
    # 1 h by default: keep it above the longest transcode plus its queue wait
    # (media.services.processing ignores a redelivery while the run is alive).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(
            os.environ.get("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)
        ),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives in one place: cms/celery.py (BEAT_SCHEDULE).

# Wagtail's own background jobs (reference index, file deletion) use django-tasks.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}

# --- Auth ------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["org.auth_backends.UsernameOrPhoneBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
# Failed logins allowed per account and per client IP within the window.
LOGIN_THROTTLE = {
    "per_account": int(os.environ.get("LOGIN_THROTTLE_PER_ACCOUNT", "5")),
    "per_ip": int(os.environ.get("LOGIN_THROTTLE_PER_IP", "20")),
    "window_seconds": int(os.environ.get("LOGIN_THROTTLE_WINDOW", "900")),
}

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and uploaded files ----------------------------------------------
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Front-end packages come from npm (package.json; scripts/_bootstrap.sh runs
# `npm ci`), never copied into the repository.
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    ("vendor/hls.js", BASE_DIR / "node_modules" / "hls.js" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
# Not BASE_DIR / "media": that is the video pipeline app's package.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Micro-lesson video and audio (media/): wagtailmedia's admin over our own model.
WAGTAILMEDIA = {
    "MEDIA_MODEL": "media.MediaAsset",
    "MEDIA_FORM_BASE": "media.forms.MediaAssetForm",
}
ZHIXUE_MEDIA_MAX_MINUTES = float(os.environ.get("ZHIXUE_MEDIA_MAX_MINUTES", 60))
ZHIXUE_MEDIA_LESSON_MINUTES = 20
# Study-time rules (courses/services/rules.py has the defaults; docs/courses.md).
ZHIXUE_STUDY = {
    "max_rate": float(os.environ.get("ZHIXUE_STUDY_MAX_RATE", 1.5)),
    "complete_coverage": float(os.environ.get("ZHIXUE_STUDY_COMPLETE_COVERAGE", 0.9)),
    "idle_seconds": int(os.environ.get("ZHIXUE_STUDY_IDLE_SECONDS", 600)),
    "block_seek_until_complete": env_bool("ZHIXUE_STUDY_BLOCK_SEEK", True),
}
# Annual 学时 targets: "default", and keywords looked for in a member's post.
ZHIXUE_STUDY_TARGETS = {"default": 32, "书记": 56, "委员": 56}
# Largest lesson upload; nginx's client_max_body_size must allow this plus 1 MB.
ZHIXUE_MEDIA_MAX_UPLOAD_MB = int(os.environ.get("ZHIXUE_MEDIA_MAX_UPLOAD_MB", 2048))
# Transcoded lessons live outside MEDIA_ROOT (which a web server may serve to
# anyone) and reach members only through media.views.asset_file, which checks the
# login; behind nginx set X_ACCEL_REDIRECT_PREFIX to an `internal` location
# aliased to this folder and nginx sends the bytes (docs/media.md).
PROTECTED_MEDIA_ROOT = Path(
    os.environ.get("PROTECTED_MEDIA_ROOT", VAR_DIR / "protected")
)
X_ACCEL_REDIRECT_PREFIX = os.environ.get("X_ACCEL_REDIRECT_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ---------------------------------------------------------------
WAGTAIL_SITE_NAME = "智学"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
# Chinese full-text search: our Whoosh + jieba backend (docs/search.md). For very
# large sites, Wagtail's Elasticsearch/OpenSearch backends can replace it here.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "search.backend",
        "PATH": os.environ.get("SEARCH_INDEX_DIR", str(VAR_DIR / "search-index")),
    }
}
ZHIXUE_SEARCH_SYNONYMS_PROVIDER = "search.synonyms.synonym_groups"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]

# --- REST API --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # TokenAuthentication that also gives the daily-login 积分
        "courses.api.authentication.DailyPointsTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cms.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "智学 Zhixue API",
    "DESCRIPTION": "Zhixue REST API for mobile and mini-program clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.api.exclude_non_api_paths"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PoliticalStatusEnum": "org.models.PoliticalStatus",
        "ImportStatusEnum": "org.models.ImportStatus",
        "ImportKindEnum": "org.models.ImportKind",
        "LessonMediaKindEnum": ["video", "audio"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security defaults (production.py tightens them) -------------------------
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", False)

# Public Chinese documents that seed_demo loads into the libraries when present.
DEMO_CORPUS_DIR = Path(
    os.environ.get(
        "DEMO_CORPUS_DIR", BASE_DIR.parent / "shared" / "corpus" / "policy_docs_zh"
    )
)

# Member import uploads older than this are removed by the housekeeping task.
ORG_IMPORT_RETENTION_DAYS = int(os.environ.get("ORG_IMPORT_RETENTION_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
    },
}

# Extra channels for in-site notifications (dotted paths, comma separated), e.g.
# "cms.notifications.EmailBackend"; an SMS channel is a class of the same shape
# (docs/courses.md). Email needs EMAIL_HOST and DEFAULT_FROM_EMAIL.
ZHIXUE_NOTIFY_BACKENDS = env_list("ZHIXUE_NOTIFY_BACKENDS")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhixue@localhost")
