"""A real Celery worker process for tests (``@pytest.mark.worker``), not eager mode.

The worker is started as ``celery -A cms worker`` with the test settings, pointed at
the test database through DATABASE_URL and at the same broker as this process (the
filesystem transport's test folder, or Redis when REDIS_URL/CELERY_BROKER_URL are
set). Tests using it need committed data (``transactional_db``).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings as django_settings
from django.db import connection

from cms.celery import app as celery_app

WORKER_START_TIMEOUT = 60


def test_database_url() -> str:
    """The database this test process uses, as a URL the worker's settings read."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        assert name and ":memory:" not in name and "mode=memory" not in name, (
            f"the worker cannot open an in-memory SQLite test database ({name!r})"
        )
        return "sqlite:///" + name
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"
    raise AssertionError(f"no worker database URL for {db['ENGINE']}")


def _uses_filesystem_broker() -> bool:
    return django_settings.CELERY_BROKER_URL.startswith("filesystem://")


def purge_broker() -> None:
    if _uses_filesystem_broker():
        queue_dir = Path(django_settings.CELERY_QUEUE_DIR)
        shutil.rmtree(queue_dir, ignore_errors=True)
        queue_dir.mkdir(parents=True, exist_ok=True)
    else:
        celery_app.control.purge()


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def describe(self) -> str:
        state = "running" if self.alive() else f"exited {self.process.returncode}"
        return f"worker ({state}) output:\n{self.output()}"

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.alive(), f"the worker died. {self.describe()}"
            assert time.monotonic() < deadline, (
                f"no {text!r} in the worker log after {timeout}s. {self.describe()}"
            )
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer would: no shutdown, no ack."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def wait_ready(self) -> None:
        self.wait_for_log(" ready.", WORKER_START_TIMEOUT)
        scheme = django_settings.CELERY_BROKER_URL.split("://", 1)[0]
        assert f"Connected to {scheme}://" in self.output(), (
            f"the worker is not on this process's broker ({scheme}). {self.describe()}"
        )

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()  # SIGTERM: Celery's warm shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_worker(log_path: Path, extra_env: dict | None = None) -> Worker:
    celery = Path(sys.executable).parent / "celery"
    env = dict(os.environ)  # REDIS_URL / CELERY_BROKER_URL / CELERY_QUEUE_DIR pass
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL=test_database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
        **(extra_env or {}),
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "cms",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"zhixue-test-{os.getpid()}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Worker(process, log_path)
