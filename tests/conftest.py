from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from org.models import Member, Role, Unit, UnitType, User
from org.services.roles import role_grant

from .factories import make_member, make_unit


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login throttling counts live in the cache (Redis on the second pass); the
    per-process question versions, board snapshots and login-point marks go too
    (a rolled-back test reuses ids and revisions)."""
    forget = _versions_forget()
    cache.clear()
    forget()
    yield
    cache.clear()
    forget()


def _versions_forget():
    from django.apps import apps

    if not apps.is_installed("exams"):  # the search conformance settings
        return lambda: None
    from assessments.selectors.board_snapshots import board_snapshots_forget
    from courses.api.authentication import login_points_forget
    from exams.services.versions import versions_forget

    def forget():
        versions_forget()
        board_snapshots_forget()
        login_points_forget()

    return forget


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PROTECTED_MEDIA_ROOT = tmp_path / "protected"


@pytest.fixture(autouse=True)
def _search_index(settings, tmp_path):
    """Each test gets an empty search index, as it gets an empty database."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "search.backend", "PATH": str(tmp_path / "index")}
    }


@dataclass
class Tree:
    group: Unit
    company_a: Unit
    company_b: Unit
    branch_a1: Unit
    branch_a2: Unit
    branch_b1: Unit
    team_a1: Unit
    platform_admin: User
    admin_a: User
    admin_b: User
    member_a: Member
    member_b: Member
    editor: User
    examiner: User


@pytest.fixture
def tree(db) -> Tree:
    """集团党委 → 子分公司A/B党委 → 项目部党支部 → 党小组, one account per role."""
    group = make_unit(None, "测试集团党委", code="G", unit_type=UnitType.COMMITTEE)
    company_a = make_unit(
        group, "子分公司A党委", code="A", unit_type=UnitType.COMMITTEE
    )
    company_b = make_unit(
        group, "子分公司B党委", code="B", unit_type=UnitType.COMMITTEE
    )
    branch_a1 = make_unit(company_a, "A一项目部党支部", code="A1")
    branch_a2 = make_unit(company_a, "A二项目部党支部", code="A2")
    branch_b1 = make_unit(company_b, "B一项目部党支部", code="B1")
    team_a1 = make_unit(branch_a1, "第一党小组", code="A1T1", unit_type=UnitType.GROUP)

    platform_admin = make_member(group, "平台管理员").user
    role_grant(user=platform_admin, role=Role.PLATFORM_ADMIN, unit=None)
    admin_a = make_member(company_a, "周管理").user
    role_grant(user=admin_a, role=Role.UNIT_ADMIN, unit=company_a)
    admin_b = make_member(company_b, "吴管理").user
    role_grant(user=admin_b, role=Role.UNIT_ADMIN, unit=company_b)
    editor = make_member(group, "林编辑").user
    role_grant(user=editor, role=Role.EDITOR, unit=group)
    examiner = make_member(group, "郑考官").user
    role_grant(user=examiner, role=Role.EXAMINER, unit=group)
    member_a = make_member(team_a1, "李红梅")
    member_b = make_member(branch_b1, "王建国")
    return Tree(
        group,
        company_a,
        company_b,
        branch_a1,
        branch_a2,
        branch_b1,
        team_a1,
        platform_admin,
        admin_a,
        admin_b,
        member_a,
        member_b,
        editor,
        examiner,
    )


@pytest.fixture
def client_for(db):
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db):
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def deliver_now(monkeypatch):
    """Notification channels run in a Celery task: run it in this process (the
    task body itself, without a broker) when the queued delivery is sent."""
    from cms.tasks import notifications_deliver_task

    monkeypatch.setattr(
        notifications_deliver_task, "delay", lambda ids: notifications_deliver_task(ids)
    )
