"""Demo courses: 课程中心 with a required course built from the demo micro-lessons,
an elective of reading lessons, a booked offline training with the demo member
among its attendees, a 主题党日 open for QR check-in today and some points, so
我的学习 has something to show. Idempotent: pages are found by slug."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cms.models import HomePage
from org.models import User

from .models import (
    Assignment,
    ChapterPage,
    CourseCategory,
    CourseIndexPage,
    CoursePage,
    LessonKind,
    LessonPage,
    StudyHourEntry,
    StudyKind,
    TrainingLength,
    TrainingSession,
)
from .services.assignments import assignment_create
from .services.points import points_for_login
from .services.training import (
    attendance_add,
    training_session_create,
    training_session_post,
)

CATEGORIES = ["党章党规", "理论学习", "党务实务"]

READINGS = [
    (
        "党章总纲导读",
        "<p>中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队，"
        "是中国特色社会主义事业的领导核心。</p><p>本课时请通读党章总纲，"
        "思考“四个意识”“四个自信”“两个维护”的内涵。</p>",
    ),
    (
        "党员的义务和权利",
        "<p>党章第一章规定了党员的八项义务和八项权利。党员必须认真学习，"
        "积极参加党的组织生活，按期交纳党费。</p>",
    ),
]


def _child(parent, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
    return page


def seed_courses(lessons) -> int:
    """The demo courses; returns how many lessons they hold."""
    home = HomePage.objects.first()
    categories = {
        name: CourseCategory.objects.get_or_create(
            name=name, defaults={"sort_order": i}
        )[0]
        for i, name in enumerate(CATEGORIES)
    }
    index = _child(
        home,
        CourseIndexPage,
        "courses",
        title="课程中心",
        intro="<p>必修课计入年度学时，选修课按兴趣学习。</p>",
    )
    ready = [lesson for lesson in lessons if lesson.status == "ready"]
    required = _child(
        index,
        CoursePage,
        "branch-work-basics",
        title="支部工作入门",
        summary="用几节微党课讲清楚“三会一课”和党费交纳，适合新任支部委员。",
        category=categories["党务实务"],
        credit_hours=Decimal("1.0"),
        required=True,
        author="集团党委组织部",
    )
    chapter = _child(required, ChapterPage, "chapter-1", title="第一章 组织生活")
    for number, asset in enumerate(ready[:2], start=1):
        _child(
            chapter,
            LessonPage,
            f"lesson-{number}",
            title=asset.title.replace("微党课示例：", ""),
            kind=LessonKind.MEDIA,
            media=asset,
        )
    elective = _child(
        index,
        CoursePage,
        "party-constitution",
        title="学习党章",
        summary="逐章学习党章，读原文、悟原理。",
        category=categories["党章党规"],
        credit_hours=Decimal("0.5"),
        required=False,
        author="集团党委宣传部",
    )
    readings = _child(elective, ChapterPage, "chapter-1", title="第一章 总纲与党员")
    for number, (title, body) in enumerate(READINGS, start=1):
        _child(
            readings,
            LessonPage,
            f"reading-{number}",
            title=title,
            kind=LessonKind.ARTICLE,
            body=body,
            reading_minutes=5,
        )
    _child(
        readings,
        LessonPage,
        "reading-online",
        title="延伸阅读：共产党员网",
        kind=LessonKind.LINK,
        link_url="https://www.12371.cn/",
    )
    _seed_ledger()
    _seed_task(required)
    return LessonPage.objects.descendant_of(index).count()


def _seed_ledger() -> None:
    """A booked half-day training with the member among the attendees, a 主题党日
    today with QR check-in open, and a week of daily-login points."""
    member = User.objects.filter(username="member").first()
    admin = User.objects.filter(username="unitadmin1").first()
    if member is None or admin is None:
        return
    branch = member.member.unit
    today = timezone.localdate()
    spring = datetime.date(today.year, 3, 15)
    _seed_training(
        title="集团党委春季集中培训",
        held_on=spring if spring < today else today - datetime.timedelta(days=1),
        length=TrainingLength.HALF_DAY,
        unit=branch,
        admin=admin,
        attendees=[member.member, *branch.members.exclude(user=member)[:11]],
        book=True,
    )
    _seed_training(
        title="支部主题党日：重温入党誓词",
        held_on=today,
        length=TrainingLength.HOURS,
        clock_hours=Decimal(2),
        unit=branch,
        admin=admin,
        attendees=list(branch.members.exclude(user=member)[:5]),
        book=False,
        kind=StudyKind.GROUP,
    )
    for days_ago in range(1, 7):
        points_for_login(user=member, day=today - datetime.timedelta(days=days_ago))


def _seed_task(course: CoursePage) -> None:
    """A 学习任务 for the member's company, due in three weeks."""
    admin = User.objects.filter(username="unitadmin1").first()
    member = User.objects.filter(username="member").first()
    title = "本季度必修：支部工作入门"
    if admin is None or member is None or Assignment.objects.filter(title=title):
        return
    company = member.member.unit.get_ancestors().filter(depth=2).first()
    today = timezone.localdate()
    assignment_create(
        by=admin,
        title=title,
        description="新任支部委员请在截止日期前学完全部课时。",
        courses=[course],
        starts_on=today - datetime.timedelta(days=7),
        due_on=today + datetime.timedelta(days=21),
        owner_unit=company,
        units=[company],
    )


def _seed_training(*, title, held_on, unit, admin, attendees, book, **fields):
    if TrainingSession.objects.filter(title=title, unit=unit).exists():
        return
    if StudyHourEntry.objects.filter(source__startswith=title).exists():
        return  # an older demo booked it straight into the ledger
    session = training_session_create(
        by=admin,
        title=title,
        kind=fields.pop("kind", StudyKind.TRAINING),
        unit=unit,
        held_on=held_on,
        location="项目部会议室",
        **fields,
    )
    for attendee in attendees:
        attendance_add(session=session, member=attendee, by=admin)
    if book:
        training_session_post(session=session, by=admin)


HISTORY_SOURCE = "演示：学习记录"


def seed_study_history(*, seed: int = 7) -> int:
    """A year of study for every demo member (some keen, most occasional), so
    that the leaderboards have something for every period: 学时 through the
    ledger and daily-login 积分 through the points engine. Returns the number of
    ledger entries made (0 when the history is there already)."""
    import random

    from org.models import Member

    from .services.ledger import ledger_record

    if StudyHourEntry.objects.filter(source=HISTORY_SOURCE).exists():
        return 0
    admin = User.objects.filter(username="admin").first()
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    span = (today - year_start).days
    made = 0
    for member in Member.objects.select_related("user").order_by("pk"):
        keen = rng.betavariate(1.2, 3.0)  # most members study now and then
        for _entry in range(2 + int(keen * 40)):
            back = int(span * rng.random() ** 1.6)  # more of it lately
            ledger_record(
                member=member.user,
                kind=rng.choice([StudyKind.SELF, StudyKind.GROUP, StudyKind.ONLINE]),
                hours=Decimal(rng.choice(["0.5", "1", "1.5", "2", "2.5"])),
                studied_on=today - datetime.timedelta(days=back),
                source=HISTORY_SOURCE,
                by=admin or member.user,
            )
            made += 1
        logins = min(int(keen * 20), max(span - 1, 0))
        for back in rng.sample(range(1, max(span, 2)), k=logins):
            points_for_login(
                user=member.user, day=today - datetime.timedelta(days=back)
            )
    return made
