"""Practice as the member sees it: the practice home and a round's sheet (the key
and 解析 of each question once it is answered: it is practice)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from org.models import User

from ..models import PracticeRound, QuestionCategory, RoundKind
from ..services.papers import drawn_questions
from ..services.practice import practice_questions, wrong_book
from . import display_html
from .attempts import answer_key, question_face, shown_response


def access_round(*, viewer: User, round_id) -> PracticeRound:
    try:
        return PracticeRound.objects.get(pk=int(round_id), user_id=viewer.pk)
    except (PracticeRound.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def practice_home(*, viewer: User) -> dict:
    today = PracticeRound.objects.filter(
        user=viewer, kind=RoundKind.DAILY, day=timezone.localdate()
    ).first()
    counts = dict(
        practice_questions(user=viewer)
        .exclude(category=None)
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    categories = [
        (category, counts[category.pk])
        for category in QuestionCategory.objects.filter(pk__in=counts)
        .select_related("bank")
        .order_by("bank__name", "path")
    ]
    return {
        "today": today,
        "today_answered": len(today.answers) if today else 0,
        "today_total": len(today.draw) if today else 0,
        "has_questions": practice_questions(user=viewer).exists(),
        "wrong_book": wrong_book(user=viewer),
        "categories": categories,
    }


def round_sheet(*, round: PracticeRound) -> dict:
    drawn = drawn_questions(round.draw)
    questions = []
    for position, (question, version) in enumerate(drawn, start=1):
        qtype = version.question.type
        answer = round.answers.get(str(position))
        item = question_face(position, question, version)
        item["answered"] = answer is not None
        if answer is not None:
            item["response"] = shown_response(question, qtype, answer["response"])
            item["correct"] = answer_key(question, qtype, version)
            item["right"] = Decimal(answer["fraction"]) == 1
            item["explanation"] = str(display_html(version.explanation))
        questions.append(item)
    return {
        "round": round.pk,
        "kind": round.kind,
        "day": round.day.isoformat() if round.day else None,
        "completed": round.completed_at is not None,
        "answered": len(round.answers),
        "total": len(drawn),
        "right": sum(1 for q in questions if q.get("right")),
        "questions": questions,
    }
