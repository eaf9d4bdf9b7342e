"""学习任务: who is assigned (down the tree, posts, individuals, as of now), progress
by hours and by lessons, the report per unit, reminders, Excel, the member's
pages and API, and scope."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from openpyxl import load_workbook

from cms.models import Notification
from courses.models import (
    Assignment,
    AssignmentReminder,
    AssignmentTarget,
    ChapterPage,
    CoursePage,
    LessonKind,
    LessonPage,
    StudyHourEntry,
)
from courses.selectors.assignments import (
    assigned_members,
    assignment_report,
    task_detail,
    tasks_for,
    visible_assignments,
)
from courses.services.assignments import (
    assignment_cancel,
    assignment_create,
    assignment_remind,
    assignment_update,
)
from courses.services.ledger import ledger_correct
from courses.services.tracking import (
    Beat,
    heartbeat_record,
    watch_session_close,
    watch_session_start,
)
from org.services.members import member_transfer
from tests.factories import make_member

from .conftest import publish


class BrokenChannel:
    """An extra channel whose provider is down."""

    def send(self, notifications):
        raise ConnectionError("SMS gateway unreachable")


def today() -> datetime.date:
    return timezone.localdate()


def make_task(by, courses, **fields) -> Assignment:
    fields.setdefault("title", "学习贯彻党章专题")
    fields.setdefault("starts_on", today() - datetime.timedelta(days=5))
    fields.setdefault("due_on", today() + datetime.timedelta(days=10))
    return assignment_create(by=by, courses=courses, **fields)


def study(user, lesson, clock, seconds: float) -> None:
    """Study a lesson for ``seconds`` through real heartbeats, then leave it (the
    time is booked in the 学时 ledger when the session closes)."""
    session = watch_session_start(viewer=user, lesson=lesson)
    seq, token, position = 0, session.token, 0.0
    while position < seconds:
        clock.advance(15)
        seq += 1
        position = min(position + 15, seconds)
        result = heartbeat_record(
            session_id=session.pk,
            beat=Beat(seq=seq, token=token, position=position, present=True),
        )
        token = result.token or token
    watch_session_close(viewer=user, session_id=session.pk)


def complete(user, course, clock) -> None:
    """Complete both lessons of the fixture's course (110 of 120 s of video,
    the article's two minutes of reading)."""
    study(user, course.video, clock, 110)
    study(user, course.article, clock, 120)


def names(members) -> set[str]:
    return {m.user.real_name for m in members}


def other_course(course) -> CoursePage:
    other = publish(course.index, CoursePage(title="党史学习教育"))
    chapter = publish(other, ChapterPage(title="第一章"))
    publish(
        chapter,
        LessonPage(title="阅读：党的历史", kind=LessonKind.ARTICLE, body="<p>史</p>"),
    )
    return other


# --- who is assigned ----------------------------------------------------------


def test_a_task_to_a_unit_reaches_every_unit_below_it(tree, course):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    assigned = names(assigned_members(assignment=task))
    assert "李红梅" in assigned  # team_a1, two levels below company_a
    assert "王建国" not in assigned  # company_b
    assert [t.assignment for t in tasks_for(viewer=tree.member_a.user)] == [task]
    assert tasks_for(viewer=tree.member_b.user) == []


def test_a_member_who_joins_the_subtree_later_has_the_task(tree, course):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    newcomer = make_member(tree.branch_a2, "赵新来")
    assert [t.assignment for t in tasks_for(viewer=newcomer.user)] == [task]
    member_transfer(member=tree.member_b, to_unit=tree.branch_a1)
    assert "王建国" in names(assigned_members(assignment=task))
    assert [t.assignment for t in tasks_for(viewer=tree.member_b.user)] == [task]
    member_transfer(member=tree.member_a, to_unit=tree.branch_b1)  # moves away
    assert tasks_for(viewer=tree.member_a.user) == []


def test_a_post_reaches_the_members_of_the_owner_unit_holding_it(tree, course):
    secretary = make_member(tree.branch_a1, "孙书记", post="支部书记")
    combined = make_member(tree.team_a1, "钱书记", post="党支部书记兼组织委员")
    make_member(tree.branch_a2, "周委员", post="组织委员")
    elsewhere = make_member(tree.branch_b1, "郑书记", post="支部书记")
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     posts=["支部书记"])  # fmt: skip
    assert names(assigned_members(assignment=task)) == {"孙书记", "钱书记"}
    assert [t.assignment for t in tasks_for(viewer=secretary.user)] == [task]
    assert [t.assignment for t in tasks_for(viewer=combined.user)] == [task]
    assert tasks_for(viewer=elsewhere.user) == []
    assert tasks_for(viewer=tree.member_a.user) == []


def test_a_task_given_to_one_member_reaches_only_them(tree, course):
    neighbour = make_member(tree.team_a1, "陈同组")
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     users=[tree.member_a.user])  # fmt: skip
    assert names(assigned_members(assignment=task)) == {"李红梅"}
    assert tasks_for(viewer=neighbour.user) == []
    assert task_detail(viewer=tree.member_a.user, assignment_id=task.pk)


def test_units_posts_and_members_combine(tree, course):
    make_member(tree.branch_a2, "孙书记", post="支部书记")
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.team_a1], posts=["支部书记"],
                     users=[tree.admin_a])  # fmt: skip
    assert names(assigned_members(assignment=task)) == {"李红梅", "孙书记", "周管理"}
    assert AssignmentTarget.objects.filter(assignment=task).count() == 3


def test_cancelled_future_and_long_past_tasks_are_not_listed(tree, course):
    def given(**fields):
        return make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                         units=[tree.company_a], **fields)  # fmt: skip

    current = given(title="本月任务")
    given(title="下月任务", starts_on=today() + datetime.timedelta(days=3),
          due_on=today() + datetime.timedelta(days=30))  # fmt: skip
    given(title="去年任务", starts_on=today() - datetime.timedelta(days=400),
          due_on=today() - datetime.timedelta(days=300))  # fmt: skip
    cancelled = given(title="撤回的任务")
    assignment_cancel(assignment=cancelled, by=tree.admin_a)
    assert [t.assignment for t in tasks_for(viewer=tree.member_a.user)] == [current]
    with pytest.raises(Http404):
        task_detail(viewer=tree.member_a.user, assignment_id=cancelled.pk)


# --- validation and scope -----------------------------------------------------


def test_a_task_needs_courses_targets_a_window_and_live_courses(tree, course):
    draft = CoursePage(title="未发布课程")
    course.index.add_child(instance=draft)
    draft.unpublish()
    with pytest.raises(ValidationError) as excinfo:
        assignment_create(
            by=tree.admin_a,
            title=" ",
            courses=[draft],
            starts_on=today(),
            due_on=today() - datetime.timedelta(days=1),
            required_hours=Decimal(0),
            owner_unit=tree.company_a,
        )
    assert set(excinfo.value.message_dict) == {
        "title",
        "courses",
        "due_on",
        "required_hours",
        "units",
    }
    assert not Assignment.objects.exists()


def test_an_admin_cannot_create_a_task_for_another_subtree(tree, course):
    with pytest.raises(ValidationError) as excinfo:
        make_task(tree.admin_b, [course.course], owner_unit=tree.company_a,
                  units=[tree.company_a])  # fmt: skip
    assert "owner_unit" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        make_task(tree.admin_b, [course.course], owner_unit=tree.company_b,
                  units=[tree.company_a], users=[tree.member_a.user])  # fmt: skip
    assert {"units", "users"} <= set(excinfo.value.message_dict)
    assert not Assignment.objects.exists()


def test_another_companys_admin_cannot_see_change_or_remind_a_task(
    tree, course, client_for
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    assert list(visible_assignments(tree.admin_b)) == []
    assert list(visible_assignments(tree.admin_a)) == [task]
    assert list(visible_assignments(tree.platform_admin)) == [task]
    client = client_for(tree.admin_b)
    listing = client.get("/admin/study-tasks/")
    assert listing.status_code == 200 and task.title not in listing.content.decode()
    base = f"/admin/study-tasks/{task.pk}"
    for url in ("/", "/edit/", "/cancel/", "/remind/", "/export/"):
        assert client.get(base + url).status_code == 404, url
        assert client.post(base + url, {"title": "改"}).status_code == 404, url
    for action in (assignment_cancel, assignment_remind):
        with pytest.raises(PermissionDenied):
            action(assignment=task, by=tree.admin_b)
    with pytest.raises(PermissionDenied):
        assignment_update(assignment=task, by=tree.admin_b, title="改",
                          courses=[course.course], starts_on=task.starts_on,
                          due_on=task.due_on, owner_unit=tree.company_b,
                          units=[tree.company_b])  # fmt: skip
    task.refresh_from_db()
    assert task.cancelled_at is None and task.title == "学习贯彻党章专题"
    assert not Notification.objects.exists()
    assert client_for(tree.member_a.user).get("/admin/study-tasks/").status_code in (
        302,
        403,
        404,
    )
    assert client_for(tree.editor).get("/admin/study-tasks/").status_code == 404


def test_a_report_for_a_unit_outside_the_task_or_scope_is_not_found(tree, course):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.branch_a1,
                     units=[tree.branch_a1])  # fmt: skip
    for unit in (tree.branch_b1, tree.branch_a2, tree.company_a):
        with pytest.raises(Http404):
            assignment_report(viewer=tree.admin_a, assignment=task, unit=unit.pk)
    with pytest.raises(Http404):
        assignment_report(viewer=tree.admin_b, assignment=task)


# --- progress -----------------------------------------------------------------


def test_progress_by_hours_counts_the_tasks_courses_within_its_window(
    tree, course, clock
):
    user = tree.member_a.user
    other = other_course(course)
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a], title="本月任务",
                     required_hours=Decimal("0.04"))  # fmt: skip
    earlier = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                        units=[tree.company_a], title="上月任务",
                        starts_on=today() - datetime.timedelta(days=25),
                        due_on=today() - datetime.timedelta(days=15),
                        required_hours=Decimal("0.04"))  # fmt: skip

    def progress():
        mine = {t.assignment: t.progress for t in tasks_for(viewer=user)}
        rows = assignment_report(viewer=tree.admin_a, assignment=task).members
        (row,) = [r for r in rows if r.member.user == user]
        assert row.progress.hours == mine[task].hours  # the report counts the same
        return mine[task], mine[earlier]

    clock.advance(-20 * 86400)  # in the earlier task's window, not this one's
    study(user, course.video, clock, 60)
    clock.advance(20 * 86400)
    study(user, other.get_descendants().type(LessonPage).first().specific, clock, 90)
    now, before = progress()
    assert now.hours == 0 and now.share == 0
    assert before.hours == Decimal("0.017")
    study(user, course.article, clock, 120)  # 0.033 of 0.04 hours
    now, before = progress()
    assert now.hours == Decimal("0.033") and before.hours == Decimal("0.017")
    assert now.share == pytest.approx(0.825) and not now.done
    study(user, course.video, clock, 110)  # the 50 s not watched yet: enough
    now, _before = progress()
    assert now.share == 1.0 and now.done
    assert now.hours > task.required_hours


def test_a_correction_of_a_lessons_hours_counts_for_the_task(tree, course, clock):
    user = tree.member_a.user
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a],
                     required_hours=Decimal("0.04"))  # fmt: skip
    study(user, course.article, clock, 120)
    entry = StudyHourEntry.objects.get(user=user)
    ledger_correct(entry=entry, hours=Decimal("0.01"), by=tree.admin_a,
                   note="核减重复计时")  # fmt: skip
    (mine,) = tasks_for(viewer=user)
    assert mine.progress.hours == Decimal("0.010")
    report = assignment_report(viewer=tree.admin_a, assignment=task)
    (row,) = [r for r in report.members if r.member.user == user]
    assert row.progress.hours == Decimal("0.010")


def test_progress_by_lessons_is_the_share_of_lessons_completed(tree, course, clock):
    user = tree.member_a.user
    make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
              units=[tree.company_a])  # fmt: skip
    (start,) = tasks_for(viewer=user)
    assert (start.progress.lessons_done, start.progress.lessons_total) == (0, 2)
    study(user, course.video, clock, 110)
    (half,) = tasks_for(viewer=user)
    assert half.progress.share == 0.5 and not half.progress.done
    study(user, course.article, clock, 120)
    (done,) = tasks_for(viewer=user)
    assert done.progress.done and done.progress.lessons_done == 2


def test_a_study_plan_of_several_courses_counts_all_of_them(tree, course, clock):
    user = tree.member_a.user
    other = other_course(course)
    make_task(tree.admin_a, [course.course, other], owner_unit=tree.company_a,
              units=[tree.company_a])  # fmt: skip
    complete(user, course, clock)
    (task,) = tasks_for(viewer=user)
    assert (task.progress.lessons_done, task.progress.lessons_total) == (2, 3)
    detail = task_detail(viewer=user, assignment_id=task.assignment.pk)
    assert [(c.course.title, c.lessons_done, c.lessons_total) for c in detail.courses]\
        == [("学习贯彻党章", 2, 2), ("党史学习教育", 0, 1)]  # fmt: skip


def test_days_left_and_overdue(tree, course):
    make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
              units=[tree.company_a], title="已过期",
              starts_on=today() - datetime.timedelta(days=20),
              due_on=today() - datetime.timedelta(days=2))  # fmt: skip
    make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
              units=[tree.company_a], title="三天后",
              due_on=today() + datetime.timedelta(days=3))  # fmt: skip
    overdue, soon = tasks_for(viewer=tree.member_a.user)
    assert (overdue.assignment.title, overdue.overdue, overdue.days_left) == (
        "已过期",
        True,
        -2,
    )
    assert (soon.overdue, soon.days_left) == (False, 3)


def test_the_members_tasks_are_read_in_a_fixed_number_of_queries(
    tree, course, django_assert_num_queries
):
    other = other_course(course)

    def given(n):
        for i in range(n):
            make_task(tree.admin_a, [course.course, other], owner_unit=tree.company_a,
                      units=[tree.company_a], title=f"任务{i}")  # fmt: skip

    given(1)
    user = tree.member_a.user
    tasks_for(viewer=user)
    with django_assert_num_queries(6) as one:
        tasks_for(viewer=user)
    given(4)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(tasks_for(viewer=user)) == 5


# --- report, reminders, Excel -------------------------------------------------


@pytest.fixture
def staffed(tree):
    """Company A with more members: two in branch A1 (one in its team), one in
    branch A2, and admin A in the company itself."""
    return {
        "a1": make_member(tree.branch_a1, "刘支部"),
        "a2": make_member(tree.branch_a2, "何二支"),
    }


def test_the_report_counts_completion_per_child_unit(
    tree, course, clock, staffed, django_assert_max_num_queries
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    complete(tree.member_a.user, course, clock)
    complete(staffed["a2"].user, course, clock)
    study(staffed["a1"].user, course.video, clock, 110)  # half done
    with django_assert_max_num_queries(10):
        report = assignment_report(viewer=tree.admin_a, assignment=task)
    rows = [(r.unit.name, r.assigned, r.done, r.direct) for r in report.rows]
    assert rows == [  # in the tree's order (by pinyin: A二 before A一)
        ("子分公司A党委", 1, 0, True),  # 周管理, a member of the company itself
        ("A二项目部党支部", 1, 1, False),
        ("A一项目部党支部", 2, 1, False),  # 刘支部 + 李红梅 (in its team)
    ]
    assert (report.assigned, report.done) == (4, 2)
    assert report.percent == 50
    behind = [(r.member.user.real_name, r.progress.share) for r in report.behind]
    assert behind == [("周管理", 0.0), ("刘支部", 0.5)]
    drill = assignment_report(viewer=tree.admin_a, assignment=task, unit=tree.branch_a1)
    assert [(r.unit.name, r.assigned, r.done) for r in drill.rows] == [
        ("A一项目部党支部", 1, 0),
        ("第一党小组", 1, 1),
    ]
    assert [u.name for u in drill.trail] == ["子分公司A党委", "A一项目部党支部"]


def test_the_report_reads_many_members_in_few_queries(
    tree, course, django_assert_num_queries
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    assignment_report(viewer=tree.admin_a, assignment=task)
    with django_assert_num_queries(10) as few:
        assignment_report(viewer=tree.admin_a, assignment=task)
    for i in range(15):
        make_member(tree.branch_a2 if i % 2 else tree.team_a1, f"党员{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert assignment_report(viewer=tree.admin_a, assignment=task).assigned == 17


def test_a_reminder_goes_only_to_those_behind_and_by_email(
    deliver_now,
    tree,
    course,
    clock,
    staffed,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.ZHIXUE_NOTIFY_BACKENDS = ["cms.notifications.EmailBackend"]
    for member, email in (
        (tree.member_a, "li@example.cn"),
        (staffed["a1"], "liu@x.cn"),
    ):
        member.user.email = email
        member.user.save(update_fields=["email"])
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.branch_a1, tree.branch_a2])  # fmt: skip
    complete(tree.member_a.user, course, clock)  # done: not reminded
    with django_capture_on_commit_callbacks(execute=True):
        sent = assignment_remind(assignment=task, by=tree.admin_a)
    assert sent == 2
    reminded = Notification.objects.filter(title__contains=task.title)
    assert {n.user.real_name for n in reminded} == {"刘支部", "何二支"}
    assert all(n.url == f"/study/tasks/{task.pk}/" and n.read_at is None
               for n in reminded)  # fmt: skip
    assert [m.to for m in mail.outbox] == [["liu@x.cn"]]  # 何二支 has no address
    assert task.title in mail.outbox[0].subject
    assert f"/study/tasks/{task.pk}/" in mail.outbox[0].body
    log = AssignmentReminder.objects.get()
    assert (log.assignment, log.sent_by, log.recipients) == (task, tree.admin_a, 2)
    # a second reminder straight away is refused, naming when the next may go
    with pytest.raises(ValidationError) as refused:
        assignment_remind(assignment=task, by=tree.admin_a, only_behind=False)
    assert "每 12 小时最多提醒一次" in refused.value.messages[0]
    assert AssignmentReminder.objects.count() == 1
    earlier = timezone.now() - datetime.timedelta(hours=13)
    AssignmentReminder.objects.update(sent_at=earlier)
    everyone = assignment_remind(assignment=task, by=tree.admin_a, only_behind=False)
    assert everyone == 3


def test_a_failing_channel_keeps_the_in_site_reminders(
    deliver_now, tree, course, settings, django_capture_on_commit_callbacks, caplog
):
    settings.ZHIXUE_NOTIFY_BACKENDS = [
        "tests.courses.test_assignments.BrokenChannel",
        "cms.notifications.EmailBackend",
    ]
    tree.member_a.user.email = "li@example.cn"
    tree.member_a.user.save(update_fields=["email"])
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.team_a1])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment_remind(assignment=task, by=tree.admin_a) == 1
    assert Notification.objects.filter(user=tree.member_a.user).count() == 1
    assert [m.to for m in mail.outbox] == [["li@example.cn"]]  # the next one ran
    assert "BrokenChannel failed" in caplog.text


def test_a_cancelled_task_needs_no_reminder(tree, course):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    assignment_cancel(assignment=task, by=tree.admin_a)
    assignment_cancel(assignment=task, by=tree.admin_a)  # twice is harmless
    with pytest.raises(ValidationError):
        assignment_remind(assignment=task, by=tree.admin_a)
    assert not Notification.objects.exists()


def test_announcing_a_new_task_notifies_everyone_assigned(tree, course):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.branch_a1], announce=True)  # fmt: skip
    assert [n.user for n in Notification.objects.all()] == [tree.member_a.user]
    assert Notification.objects.get().url == f"/study/tasks/{task.pk}/"


def test_the_excel_report_has_a_sheet_per_unit_and_one_per_member(
    tree, course, clock, staffed, client_for
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.branch_a1, tree.branch_a2],
                     required_hours=Decimal("0.05"))  # fmt: skip
    staffed["a1"].post = "组织委员"
    staffed["a1"].save(update_fields=["post"])
    complete(tree.member_a.user, course, clock)
    study(staffed["a1"].user, course.article, clock, 120)
    response = client_for(tree.admin_a).get(f"/admin/study-tasks/{task.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    units, members = workbook.worksheets
    unit_rows = [row for row in units.values if row and row[0]]
    assert unit_rows[1:3] == [
        ("A二项目部党支部", 1, 0, 0),
        ("A一项目部党支部", 2, 1, 0.5),
    ]
    assert unit_rows[3][1:3] == (3, 1)  # the total
    rows = {row[0]: row for row in list(members.values)[1:]}
    assert set(rows) == {"李红梅", "刘支部", "何二支"}
    li, liu = rows["李红梅"], rows["刘支部"]
    assert (li[2], li[4], li[7]) == ("第一党小组", 1, "是")
    assert (liu[2], liu[3], liu[5]) == ("A一项目部党支部", "组织委员", 0.033)
    assert liu[4] == pytest.approx(0.66) and liu[7] == "否"


# --- the member's pages and API -----------------------------------------------


def test_the_task_pages_show_progress_deadline_and_courses(
    tree, course, clock, client_for
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    study(tree.member_a.user, course.video, clock, 110)
    client = client_for(tree.member_a.user)
    html = client.get("/study/tasks/").content.decode()
    assert task.title in html and f"/study/tasks/{task.pk}/" in html
    assert 'value="50"' in html
    detail = client.get(f"/study/tasks/{task.pk}/")
    assert detail.status_code == 200
    assert course.course.url in detail.content.decode()
    other = client_for(tree.member_b.user)
    assert other.get(f"/study/tasks/{task.pk}/").status_code == 404
    empty = other.get("/study/tasks/").content.decode()
    assert task.title not in empty and "empty-state" in empty


def test_an_overdue_task_is_marked(tree, course, client_for):
    make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
              units=[tree.company_a], starts_on=today() - datetime.timedelta(days=9),
              due_on=today() - datetime.timedelta(days=1))  # fmt: skip
    html = client_for(tree.member_a.user).get("/study/tasks/").content.decode()
    assert "is-overdue" in html and "badge-overdue" in html


def test_a_course_the_member_may_not_open_is_shown_without_a_link(
    tree, course, client_for
):
    hidden = publish(
        course.index, CoursePage(title="B公司内部课程", audience_unit=tree.branch_b1)
    )
    task = make_task(tree.admin_a, [hidden], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    detail = task_detail(viewer=tree.member_a.user, assignment_id=task.pk)
    assert [c.openable for c in detail.courses] == [False]
    html = client_for(tree.member_a.user).get(f"/study/tasks/{task.pk}/")
    assert hidden.url not in html.content.decode()


def test_the_task_api_lists_and_details_the_callers_tasks(tree, course, clock, api_for):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a],
                     required_hours=Decimal("0.05"))  # fmt: skip
    study(tree.member_a.user, course.article, clock, 120)
    api = api_for(tree.member_a.user)
    (item,) = api.get("/api/v1/me/tasks/").json()
    assert item["id"] == task.pk and item["title"] == task.title
    assert item["required_hours"] == "0.05" and item["days_left"] == 10
    assert item["progress"]["hours"] == "0.033" and not item["progress"]["done"]
    assert item["overdue"] is False and item["course_count"] == 1
    detail = api.get(f"/api/v1/me/tasks/{task.pk}/").json()
    assert detail["courses"] == [
        {
            "id": course.course.pk,
            "title": "学习贯彻党章",
            "url": course.course.url,
            "lessons_total": 2,
            "lessons_done": 1,
            "openable": True,
        }
    ]
    outsider = api_for(tree.member_b.user)
    assert outsider.get("/api/v1/me/tasks/").json() == []
    assert outsider.get(f"/api/v1/me/tasks/{task.pk}/").status_code == 404


def test_the_task_api_is_in_the_schema(tree, client_for):
    schema = client_for(tree.member_a.user).get("/api/schema/?format=json").json()
    assert "/api/v1/me/tasks/" in schema["paths"]
    assert "/api/v1/me/tasks/{assignment_id}/" in schema["paths"]


# --- admin screens ------------------------------------------------------------


def test_an_admin_creates_edits_and_cancels_a_task(tree, course, client_for):
    secretary = make_member(tree.branch_a2, "孙书记", post="支部书记")
    client = client_for(tree.admin_a)
    form = client.get("/admin/study-tasks/new/").content.decode()
    assert "学习贯彻党章" in form and "李红梅" in form and "王建国" not in form
    fields = {
        "title": "七一专题学习",
        "courses": [course.course.pk],
        "starts_on": today().isoformat(),
        "due_on": (today() + datetime.timedelta(days=30)).isoformat(),
        "required_hours": "",
        "owner_unit": tree.company_a.pk,
        "units": [tree.team_a1.pk],
        "posts": "支部书记\n",
        "members": [],
        "announce": "on",
    }
    bad = client.post(
        "/admin/study-tasks/new/", {**fields, "units": [tree.branch_b1.pk]}
    )
    assert bad.status_code == 200 and not Assignment.objects.exists()
    created = client.post("/admin/study-tasks/new/", fields)
    task = Assignment.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/admin/study-tasks/{task.pk}/"
    assert names(assigned_members(assignment=task)) == {"李红梅", "孙书记"}
    assert Notification.objects.count() == 2  # announced
    report = client.get(created["Location"]).content.decode()
    assert "七一专题学习" in report and "李红梅" in report

    edit = client.get(f"/admin/study-tasks/{task.pk}/edit/").content.decode()
    assert "支部书记</textarea>" in edit
    changed = client.post(
        f"/admin/study-tasks/{task.pk}/edit/",
        {**fields, "title": "七一专题学习（修订）", "posts": "",
         "members": [secretary.pk], "required_hours": "2"},
    )  # fmt: skip
    assert changed.status_code == 302
    task.refresh_from_db()
    assert task.title == "七一专题学习（修订）" and task.required_hours == Decimal(2)
    assert names(assigned_members(assignment=task)) == {"李红梅", "孙书记"}
    assert not task.targets.filter(post="支部书记").exists()

    confirm = client.get(f"/admin/study-tasks/{task.pk}/cancel/")
    assert confirm.status_code == 200 and task.title in confirm.content.decode()
    task.refresh_from_db()
    assert task.cancelled_at is None  # nothing happens before the confirmation
    assert client.post(f"/admin/study-tasks/{task.pk}/cancel/").status_code == 302
    task.refresh_from_db()
    assert task.cancelled_at is not None
    assert tasks_for(viewer=tree.member_a.user) == []
    assert client.get(f"/admin/study-tasks/{task.pk}/edit/").status_code == 302


def test_the_reminder_button_confirms_then_says_how_many_were_notified(
    tree, course, client_for
):
    task = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                     units=[tree.company_a])  # fmt: skip
    client = client_for(tree.admin_a)
    report = client.get(f"/admin/study-tasks/{task.pk}/").content.decode()
    assert f"/admin/study-tasks/{task.pk}/remind/" in report
    confirm = client.get(f"/admin/study-tasks/{task.pk}/remind/")
    assert confirm.status_code == 200 and not Notification.objects.exists()
    assert confirm.context["behind_count"] == 2  # 周管理 and 李红梅
    done = client.post(f"/admin/study-tasks/{task.pk}/remind/", follow=True)
    assert Notification.objects.count() == 2
    (message,) = [str(m) for m in done.context["messages"]]
    assert "2" in message
    assert done.context["report"].reminders[0].recipients == 2


def test_the_task_list_is_paginated_in_few_queries(
    tree, course, client_for, django_assert_max_num_queries
):
    for number in range(23):
        make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                  units=[tree.branch_a1], posts=["支部书记"],
                  title=f"第{number:02d}期学习任务",
                  due_on=today() + datetime.timedelta(days=number))  # fmt: skip
    client = client_for(tree.admin_a)
    client.get("/admin/study-tasks/")  # warm up the admin's caches
    with django_assert_max_num_queries(20):
        page = client.get("/admin/study-tasks/")
    html = page.content.decode()
    assert "第22期学习任务" in html and "第00期学习任务" not in html
    assert "A一项目部党支部" in html and "支部书记" in html
    second = client.get("/admin/study-tasks/", {"page": 2}).content.decode()
    assert "第00期学习任务" in second


def test_the_menu_shows_study_tasks_to_org_admins(tree, client_for):
    assert (
        "/admin/study-tasks/"
        in client_for(tree.admin_a).get("/admin/").content.decode()
    )
    assert (
        "/admin/study-tasks/"
        not in client_for(tree.editor).get("/admin/").content.decode()
    )
