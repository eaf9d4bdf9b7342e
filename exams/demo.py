"""Demo exam data: a small bank of Party-knowledge questions written for the demo,
a random paper drawn from it and an exam open to the whole group this week
(safe to run again)."""

from datetime import timedelta

from django.utils import timezone

from org.models import Unit, User

from .importers import parse_gift
from .models import Exam, QuestionType, ResultsRelease, ReviewAnswers
from .services.banks import bank_set_practice
from .services.exams import exam_create, exam_publish
from .services.imports import bank_ensure, questions_import
from .services.papers import RuleSpec, paper_create, paper_set_rules

BANK = "集团党建知识题库"
EXAM = "党章党规知识测试（演示）"

QUESTIONS = """
$CATEGORY: $course$/top/党章党规

::宗旨:: 党的根本宗旨是什么？ {=全心全意为人民服务 ~实现共产主义 ~发展生产力 ~维护社会稳定}

::最高理想:: 党的最高理想和最终目标是 {=实现共产主义 ~全面建成小康社会 ~实现现代化 ~实现祖国统一}

::预备期:: 预备党员的预备期为 {=一年 ~半年 ~两年 ~三年}

::党费:: 党员应按期交纳党费，连续几个月不交纳又没有正当理由的，视为自行脱党？ {=六个月 ~三个月 ~一年 ~两个月}

::党小组:: 党支部党员人数较多的，可以划分若干个 {=党小组 ~党委 ~总支 ~工作组}

::组织原则:: 党的根本组织原则是 {=民主集中制 ~集体领导 ~少数服从多数 ~个人服从组织}

::四个意识:: "四个意识"包括 {~%25%政治意识 ~%25%大局意识 ~%25%核心意识 ~%25%看齐意识 ~%-100%宣传意识}

::三会一课:: "三会一课"中的"三会"指 {~%33.33333%支部党员大会 ~%33.33333%支部委员会 ~%33.33333%党小组会 ~%-100%民主生活会}

::四个自信:: "四个自信"包括 {~%25%道路自信 ~%25%理论自信 ~%25%制度自信 ~%25%文化自信 ~%-100%历史自信}

::入党誓词:: 入党宣誓是党员的一项基本权利和义务。 {T}

::主题党日:: 主题党日一般每季度开展一次。 {F}

::党员权利:: 党员有权在党的会议上和党报党刊上参加关于党的政策问题的讨论。 {T}

::党的性质:: 中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的____。 {=先锋队}
"""  # noqa: E501 (one question per line, as a GIFT file has them)


def seed_exams() -> Exam | None:
    """The demo bank, paper and exam; None when the demo group isn't there."""
    root = Unit.objects.filter(code="HX").first()
    examiner = User.objects.filter(username="examiner").first()
    if root is None or examiner is None:
        return None
    existing = Exam.objects.filter(title=EXAM).first()
    if existing is not None:
        return existing
    bank = bank_ensure(name=BANK, by=examiner, owner_unit=root)
    bank_set_practice(by=examiner, bank=bank, practice=True)  # 每日答题 from it too
    if not bank.questions.exists():
        result = parse_gift(QUESTIONS.encode())
        questions_import(
            bank=bank, result=result, file_name="演示题库.gift", by=examiner
        )
    paper = paper_create(by=examiner, bank=bank, title="党章党规随机卷", kind="random")
    paper_set_rules(
        by=examiner,
        paper=paper,
        rules=[
            RuleSpec(type=QuestionType.SINGLE, count=5, score=4),
            RuleSpec(type=QuestionType.MULTIPLE, count=2, score=5),
            RuleSpec(type=QuestionType.TRUEFALSE, count=2, score=2),
            RuleSpec(type=QuestionType.BLANK, count=1, score=6),
        ],
    )
    now = timezone.now()
    exam = exam_create(
        by=examiner,
        paper=paper,
        unit=root,
        title=EXAM,
        description="随机抽取 10 道题，满分 40 分，24 分及格；可作答两次，取最高分。",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        duration_minutes=20,
        pass_mark=24,
        attempts_allowed=2,
        review_answers=ReviewAnswers.AFTER_SUBMIT,
        results_release=ResultsRelease.IMMEDIATELY,
        target_units=[root],
    )
    return exam_publish(by=examiner, exam=exam)
