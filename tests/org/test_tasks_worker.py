"""The member import run by a real Celery worker process, not in eager mode.

The worker is started as ``celery -A cms worker`` with the test settings, pointed at
the test database through DATABASE_URL and at the same broker as this process (the
filesystem transport's test folder, or Redis when REDIS_URL/CELERY_BROKER_URL are
set). Data is committed (``transactional_db``) so the worker can see it.
"""

import datetime
import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from cms.celery import app as celery_app
from org.models import ImportJob, ImportStatus, Member, Role, Unit, User
from org.services.import_jobs import import_job_create, import_job_run
from org.services.roles import role_grant
from org.tasks import import_job_run_task
from tests.factories import MEMBER_HEADERS, make_member, make_unit, xlsx_bytes

WORKER_START_TIMEOUT = 60
JOB_TIMEOUT = 60
FINISHED = {ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED}
PHONE_COLUMN = "手机号（G）"  # how the importer names a column


# --- the worker process ------------------------------------------------------


def _test_database_url() -> str:
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


def _purge_broker() -> None:
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

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()  # SIGTERM: Celery's warm shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _start_worker(log_path: Path) -> Worker:
    celery = Path(sys.executable).parent / "celery"
    env = dict(os.environ)  # REDIS_URL / CELERY_BROKER_URL / CELERY_QUEUE_DIR pass
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL=_test_database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
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


@pytest.fixture
def worker(transactional_db, settings, tmp_path) -> Iterator[Worker]:
    """A real worker, started per test.

    Per test rather than per module: the database fixture is per test, and on the
    Redis pass the autouse cache fixture's cache.clear() is a FLUSHDB of the database
    the broker shares, which would also remove the bindings a longer-lived worker
    declared when it started.
    """
    # The worker loads the settings module as it is, so uploads must go where the
    # settings module (not the per-test override in conftest) puts them.
    settings_module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    settings.MEDIA_ROOT = settings_module.MEDIA_ROOT
    _purge_broker()
    started = _start_worker(tmp_path / "worker.log")
    try:
        started.wait_for_log(" ready.", WORKER_START_TIMEOUT)
        scheme = django_settings.CELERY_BROKER_URL.split("://", 1)[0]
        assert f"Connected to {scheme}://" in started.output(), (
            f"the worker is not on this process's broker ({scheme}). "
            f"{started.describe()}"
        )
        yield started
    finally:
        started.stop()
        for job in ImportJob.objects.all():
            job.file.delete(save=False)


def _wait_until_finished(job: ImportJob, worker: Worker) -> ImportJob:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        job.refresh_from_db()
        if job.status in FINISHED:
            return job
        assert worker.alive(), f"the worker died, job {job.status}. {worker.describe()}"
        assert time.monotonic() < deadline, (
            f"job {job.pk} still {job.status} after {JOB_TIMEOUT}s. {worker.describe()}"
        )
        time.sleep(0.25)


# --- data --------------------------------------------------------------------


def _sheet(rows: list[list[object]]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "党员名单.xlsx",
        xlsx_bytes(MEMBER_HEADERS, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@dataclass
class Org:
    branch_1: Unit
    branch_2: Unit
    admin: User


def _org() -> Org:
    root = make_unit(None, "测试集团党委", code="WG", unit_type="committee")
    branch_1 = make_unit(root, "一支部", code="WB1")
    branch_2 = make_unit(root, "二支部", code="WB2")
    admin = make_member(root, "平台管理员").user
    role_grant(user=admin, role=Role.PLATFORM_ADMIN, unit=None)
    return Org(branch_1, branch_2, admin)


def _two_members() -> list[list[object]]:
    return [
        ["张伟", "男", "1985-03-12", "2010-07-01", "正式党员", "书记",
         "13800138001", "W0001", "WB1"],
        ["李娜", "女", datetime.date(1990, 5, 4), "2015/6/30", "预备党员", "",
         "13800138002", "W0002", "WB2"],
    ]  # fmt: skip


def _upload(org: Org, rows: list[list[object]]) -> ImportJob:
    with transaction.atomic():  # the task is enqueued when this block commits
        job = import_job_create(kind="members", upload=_sheet(rows), by=org.admin)
    return job


# --- tests -------------------------------------------------------------------


@pytest.mark.worker
def test_worker_imports_an_uploaded_member_sheet(worker):
    org = _org()
    job = _wait_until_finished(_upload(org, _two_members()), worker)

    context = (
        f"job: status={job.status} errors={job.errors} "
        f"failure={job.failure_reason!r}. {worker.describe()}"
    )
    assert job.status == ImportStatus.DONE, context
    assert (job.created_count, job.updated_count, job.progress) == (2, 0, 100), context
    assert job.finished_at is not None
    imported = Member.objects.filter(employee_no__in=["W0001", "W0002"])
    members = {m.employee_no: m for m in imported.select_related("user", "unit")}
    assert sorted(members) == ["W0001", "W0002"], context
    zhang, li = members["W0001"], members["W0002"]
    assert (zhang.user.real_name, zhang.unit.code, zhang.user.phone) == (
        "张伟", "WB1", "13800138001",
    )  # fmt: skip
    assert (li.user.real_name, li.unit.code, li.status) == (
        "李娜", "WB2", "probationary",
    )  # fmt: skip
    assert li.birth_date == datetime.date(1990, 5, 4)
    assert li.joined_party_on == datetime.date(2015, 6, 30)
    assert zhang.user.must_change_password


@pytest.mark.worker
def test_worker_rejects_a_sheet_with_a_bad_row_and_imports_nothing(worker):
    org = _org()
    rows = _two_members()
    rows[1][6] = "12345"  # row 3 of the sheet, column G (手机号)
    job = _wait_until_finished(_upload(org, rows), worker)

    context = f"job: status={job.status} errors={job.errors}. {worker.describe()}"
    assert job.status == ImportStatus.REJECTED, context
    where = [(e["row"], e["column"]) for e in job.errors]
    assert where == [(3, PHONE_COLUMN)], context
    assert "12345" in job.errors[0]["message"]
    assert (job.created_count, job.updated_count) == (0, 0)
    assert not Member.objects.filter(employee_no__in=["W0001", "W0002"]).exists()
    assert not User.objects.filter(username__in=["W0001", "W0002"]).exists()


@pytest.mark.worker
def test_worker_running_a_finished_job_again_changes_nothing(worker):
    org = _org()
    job = _wait_until_finished(_upload(org, _two_members()), worker)
    assert job.status == ImportStatus.DONE, f"{job.errors}. {worker.describe()}"
    members_before = list(Member.objects.values_list("pk", "updated_at"))

    # The broker redelivers (acks_late after a crash) or someone enqueues it twice.
    result = import_job_run_task.delay(job.pk)
    worker.wait_for_log(f"[{result.id}] succeeded", JOB_TIMEOUT)

    again = ImportJob.objects.get(pk=job.pk)
    assert (again.status, again.created_count, again.updated_count) == (
        ImportStatus.DONE, 2, 0,
    )  # fmt: skip
    assert again.finished_at == job.finished_at
    assert list(Member.objects.values_list("pk", "updated_at")) == members_before


def test_running_a_finished_job_again_is_harmless(db):
    """The same guarantee without a worker: the task body on a finished job."""
    org = _org()
    job = import_job_create(kind="members", upload=_sheet(_two_members()), by=org.admin)
    # Under the `db` fixture the on_commit enqueue never fires: run it here.
    assert import_job_run_task.apply(args=[job.pk]).get() == ImportStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    members_before = list(Member.objects.values_list("pk", "unit_id", "updated_at"))

    assert import_job_run_task.apply(args=[job.pk]).get() == ImportStatus.DONE
    assert import_job_run(job_id=job.pk).status == ImportStatus.DONE

    again = ImportJob.objects.get(pk=job.pk)
    assert (again.status, again.created_count, again.updated_count) == (
        ImportStatus.DONE, 2, 0,
    )  # fmt: skip
    assert (again.finished_at, again.errors) == (job.finished_at, job.errors)
    members = list(Member.objects.values_list("pk", "unit_id", "updated_at"))
    assert members == members_before
