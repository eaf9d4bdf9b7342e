"""A bank, a paper and an exam to sit (exams tests and the browser test)."""

import io
from datetime import timedelta

from openpyxl import Workbook

from exams.importers import parse_xlsx
from exams.models import PaperKind, Question
from exams.services.attempts import answer_save
from exams.services.exams import exam_create, exam_publish
from exams.services.imports import bank_ensure, questions_import
from exams.services.papers import DrawnQuestion, paper_create, paper_set_items

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值"]
ROWS = [
    ["单选", "党的最高理想是", "共产主义", "小康", "富强", "民主", "A", "党章总纲", 2],
    ["多选", "四个意识包括", "政治意识", "大局意识", "核心意识", "享乐意识", "ABC",
     "", 4],
    ["判断", "党员必须按期交纳党费", "", "", "", "", "对", "", 1],
    ["填空", "____是党的根本宗旨，党的性质是____", "", "", "", "",
     "全心全意为人民服务｜先锋队/先锋", "", 2],
    ["简答", "谈谈你对从严治党的认识", "", "", "", "", "参考：全面从严治党", "", 5],
]  # fmt: skip


def sheet_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def exam_paper(tree):
    """A fixed paper of five questions, one of each type (14 points)."""
    bank = bank_ensure(name="考试题库", by=tree.examiner, owner_unit=tree.group)
    result = parse_xlsx(sheet_bytes())
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name="考试.xlsx", by=tree.examiner)
    paper = paper_create(
        by=tree.examiner, bank=bank, title="党章测试", kind=PaperKind.FIXED
    )
    ordered = [
        Question.objects.get(bank=bank, type=t)
        for t in ("single", "multiple", "truefalse", "blank", "essay")
    ]
    paper_set_items(by=tree.examiner, paper=paper, items=[(q, None) for q in ordered])
    return paper


def make_exam(tree, paper, now, **options):
    defaults = {
        "title": "党章知识考试",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(hours=3),
        "duration_minutes": 60,
        "pass_mark": 8,
        "target_units": [tree.company_a],
    }
    defaults.update(options)
    exam = exam_create(by=tree.examiner, paper=paper, unit=tree.group, **defaults)
    return exam_publish(by=tree.examiner, exam=exam)


def by_type(attempt) -> dict[str, tuple[int, DrawnQuestion]]:
    """{type: (position, drawn question)} of an attempt."""
    types = dict(Question.objects.values_list("pk", "type"))
    out = {}
    for position, entry in enumerate(attempt.draw, start=1):
        drawn = DrawnQuestion.from_dict(entry)
        out[types[drawn.question_id]] = (position, drawn)
    return out


def letters(drawn: DrawnQuestion, keys: str) -> str:
    """The letters the candidate saw for the stored keys."""
    return "".join(drawn.original_to_display(k) for k in keys)


def answer_all_right(attempt, now, revision=1):
    questions = by_type(attempt)
    pos, drawn = questions["single"]
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "A"),
                revision=revision, now=now)  # fmt: skip
    pos, drawn = questions["multiple"]
    answer_save(attempt=attempt, position=pos, response=list(letters(drawn, "ABC")),
                revision=revision, now=now)  # fmt: skip
    pos, _drawn = questions["truefalse"]
    answer_save(attempt=attempt, position=pos, response=True, revision=revision,
                now=now)  # fmt: skip
    pos, _drawn = questions["blank"]
    answer_save(attempt=attempt, position=pos, revision=revision, now=now,
                response=["全心全意 为人民服务", "先　锋 "])  # fmt: skip
