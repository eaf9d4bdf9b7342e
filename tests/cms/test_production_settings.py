"""cms.settings.production, loaded in a fresh process as a deployment would load it."""

import json
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# db.invalid never resolves, so a passing `check --deploy` also shows that the
# check does not connect to the database.
PRODUCTION_ENV = {
    "ALLOWED_HOSTS": "zhixue.example.com",
    "DATABASE_URL": "postgres://zhixue:db-password@db.invalid:5432/zhixue",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://zhixue.example.com",
}
REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"]


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def _run(args: list[str], env: dict[str, str], tmp_path: Path):
    """Run with only the given variables (plus PATH/HOME), nothing from this shell."""
    clean_env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Keep anything the settings write (the local secret key file) out of var/.
        "ZHIXUE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _output(result) -> str:
    code, out, err = result.returncode, result.stdout, result.stderr
    return f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"


def test_deploy_check_passes_with_the_documented_variables(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": _secret_key()}
    result = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert result.returncode == 0, _output(result)
    assert "System check identified no issues" in result.stdout, _output(result)
    assert "WARNINGS" not in result.stdout + result.stderr, _output(result)


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_settings_refuse_to_load_without_a_required_variable(
    tmp_path, missing
):
    env = {**PRODUCTION_ENV, "SECRET_KEY": _secret_key()}
    del env[missing]
    result = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert result.returncode != 0, _output(result)
    assert "ImproperlyConfigured" in result.stderr, _output(result)
    assert f"{missing} must be set in production" in result.stderr, _output(result)


def test_an_empty_secret_key_counts_as_missing(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert result.returncode != 0, _output(result)
    assert "SECRET_KEY must be set in production" in result.stderr, _output(result)


def test_production_uses_the_environment_and_redis(tmp_path):
    key = _secret_key()
    script = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "print(json.dumps({\n"
        "    'debug': settings.DEBUG,\n"
        "    'secret_key': settings.SECRET_KEY,\n"
        "    'allowed_hosts': settings.ALLOWED_HOSTS,\n"
        "    'db_engine': settings.DATABASES['default']['ENGINE'],\n"
        "    'db_host': settings.DATABASES['default']['HOST'],\n"
        "    'cache': settings.CACHES['default']['BACKEND'],\n"
        "    'cache_location': settings.CACHES['default']['LOCATION'],\n"
        "    'broker': settings.CELERY_BROKER_URL,\n"
        "    'eager': settings.CELERY_TASK_ALWAYS_EAGER,\n"
        "}))\n"
    )
    result = _run(["-c", script], {**PRODUCTION_ENV, "SECRET_KEY": key}, tmp_path)
    assert result.returncode == 0, _output(result)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "debug": False,
        "secret_key": key,
        "allowed_hosts": ["zhixue.example.com"],
        "db_engine": "django.db.backends.postgresql",
        "db_host": "db.invalid",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "cache_location": "redis://127.0.0.1:6379/0",
        "broker": "redis://127.0.0.1:6379/0",
        "eager": False,
    }
