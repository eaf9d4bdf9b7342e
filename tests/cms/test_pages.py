import datetime

from django.core.management import call_command
from django.utils import timezone

from courses.models import PointsEntry, StudyHourEntry, TrainingSession
from courses.selectors.assignments import tasks_for
from exams.models import Exam, Question
from exams.selectors.attempts import exams_for
from exams.services.papers import paper_total
from org.models import Member, Role, RoleAssignment, Unit


def test_home_requires_login(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_simplified_chinese_and_fits_a_phone(db, client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录智学" in html and "用户名或手机号" in html
    assert 'name="viewport"' in html and "width=device-width" in html


def test_home_page_greets_the_member_with_their_unit_path(tree, client_for):
    html = client_for(tree.member_a.user).get("/").content.decode()
    assert "欢迎您，李红梅" in html
    assert "测试集团党委 › 子分公司A党委 › A一项目部党支部 › 第一党小组" in html
    for label in ("学习", "考试", "资料库", "排行", "我的"):
        assert f">{label}<" in html or f"</span>{label}<" in html


def test_profile_page_shows_member_facts_and_transfers(tree, client_for):
    from org.services.members import member_transfer

    member_transfer(member=tree.member_a, to_unit=tree.branch_a2, by=tree.admin_a)
    html = client_for(tree.member_a.user).get("/me/").content.decode()
    assert "个人信息" in html and "正式党员" in html
    assert tree.member_a.employee_no in html
    assert "第一党小组 → A二项目部党支部" in html


def test_unknown_pages_are_a_chinese_404(tree, client_for):
    response = client_for(tree.member_a.user).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_seed_demo_builds_a_realistic_group_and_is_idempotent(db, capsys, settings):
    settings.DEMO_CORPUS_DIR = "/nonexistent"  # the corpus part is slow to index
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (
        Unit.objects.count(),
        Member.objects.count(),
        RoleAssignment.objects.count(),
        TrainingSession.objects.count(),
        StudyHourEntry.objects.count(),
        PointsEntry.objects.count(),
        Exam.objects.count(),
        Question.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Unit.objects.count(),
        Member.objects.count(),
        RoleAssignment.objects.count(),
        TrainingSession.objects.count(),
        StudyHourEntry.objects.count(),
        PointsEntry.objects.count(),
        Exam.objects.count(),
        Question.objects.count(),
    ) == counts
    # an exam open to the whole group, drawn from the demo bank
    (row,) = exams_for(viewer=Member.objects.get(user__username="member").user)
    assert row["state"] == "open" and row["attempts_left"] == 2
    assert paper_total(row["exam"].paper) == 40 and Question.objects.count() == 13
    # the member's half-day training is booked through the real service: 4 学时
    member = Member.objects.get(user__username="member")
    training = StudyHourEntry.objects.get(user=member.user, kind="training")
    assert training.hours == 4 and training.attendance.session.attendance.count() > 1
    open_today = TrainingSession.objects.get(posted_at__isnull=True)
    assert open_today.checkin_open and open_today.attendance.count() == 5
    # a week of daily logins (the year's study history adds more), one a day
    logins = PointsEntry.objects.filter(user=member.user, action="daily_login")
    days = list(logins.values_list("awarded_on", flat=True))
    assert len(days) == len(set(days)) >= 6
    week = {timezone.localdate() - datetime.timedelta(days=n) for n in range(1, 7)}
    assert week <= set(days)
    (task,) = tasks_for(viewer=member.user)
    assert (
        task.assignment.title == "本季度必修：支部工作入门" and not task.progress.done
    )
    assert Unit.objects.filter(depth=1).count() == 1
    assert Unit.objects.filter(depth=2).count() == 3
    assert 8 <= Unit.objects.filter(depth=3).count() <= 10
    assert Unit.objects.filter(unit_type="group").exists()
    assert 290 <= Member.objects.count() <= 320
    assert Member.objects.filter(post="支部书记").count() >= 8
    assert {"full", "probationary", "activist"} <= set(
        Member.objects.values_list("status", flat=True)
    )
    for role in Role.values:
        assert RoleAssignment.objects.filter(role=role).exists()
    for login in ("admin", "unitadmin1", "unitadmin2", "editor", "examiner", "member"):
        assert login in first
    assert "Zhixue@2026" in first


def test_demo_accounts_log_in_with_the_printed_password(db, client, settings):
    settings.DEMO_CORPUS_DIR = "/nonexistent"
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"identifier": "unitadmin1", "password": "Zhixue@2026"}
    )
    assert response["Location"] == "/"
    assert "周建华" in client.get("/").content.decode()


def test_demo_libraries_are_searchable_in_chinese(db, client, settings):
    from library.models import CasePage, DocumentPage

    settings.DEMO_CORPUS_DIR = "/nonexistent"
    call_command("seed_demo")
    assert DocumentPage.objects.live().count() + CasePage.objects.live().count() >= 30
    client.post("/accounts/login/", {"identifier": "member", "password": "Zhixue@2026"})

    def titles(q):
        return [
            r["title"]
            for r in client.get("/api/v1/search/", {"q": q}).json()["results"]
        ]

    assert "关于进一步加强党员教育培训工作的实施意见" in titles("学习培训")
    assert "关于进一步加强党员教育培训工作的实施意见" in titles("學習培訓")
    assert "个人信息保护工作规范" in titles("个人信息 处理者")
    # this word is only inside a DOCX attachment
    assert titles("塔吊防碰撞监测") == ["微党课制作指南（手机拍摄篇）"]
