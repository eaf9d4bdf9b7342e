"""The member import run by a real Celery worker process (tests/workers.py)."""

import datetime
import importlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from org.models import ImportJob, ImportStatus, Member, Role, Unit, User
from org.services.import_jobs import import_job_create, import_job_run
from org.services.roles import role_grant
from org.tasks import import_job_run_task
from tests.factories import MEMBER_HEADERS, make_member, make_unit, xlsx_bytes
from tests.workers import Worker, purge_broker, start_worker

JOB_TIMEOUT = 60
FINISHED = {ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED}
PHONE_COLUMN = "手机号（G）"  # how the importer names a column


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
    purge_broker()
    started = start_worker(tmp_path / "worker.log")
    try:
        started.wait_ready()
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
