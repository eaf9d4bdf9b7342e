"""The candidate's pages under /exams/: my exams, and the answer sheet (taking,
then the result and review as the exam allows). Saving and submitting go through
the candidate API (exams/api/), from exams/static/exams/attempt.js."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .selectors.attempts import access_attempt, access_exam, attempt_sheet, exams_for
from .selectors.images import question_image
from .selectors.practice import access_round, practice_home, round_sheet
from .services import practice as practice_services
from .services.attempts import attempt_start


@login_required
def my_exams_view(request):
    rows = exams_for(viewer=request.user)
    return render(request, "exams/my_exams.html", {"rows": rows, "section": "exams"})


@login_required
@require_POST
def exam_start_view(request, exam_id: int):
    row = access_exam(viewer=request.user, exam_id=exam_id)
    try:
        attempt = attempt_start(user=request.user, exam=row["exam"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("section_exams")
    return redirect("exam_attempt", attempt_id=attempt.pk)


def _answered(response) -> bool:
    return response not in (None, "", [])


def _correct_text(question: dict) -> str:
    correct = question.get("correct")
    if question["type"] == "truefalse":
        return _("True") if correct else _("False")
    if question["type"] == "blank":
        return "；".join(" / ".join(alternatives) for alternatives in correct)
    if isinstance(correct, list):
        return "".join(correct)
    return correct or ""


def _presented(sheet: dict) -> dict:
    """What the template needs on top of the sheet (no logic of its own)."""
    if sheet.get("result"):
        seconds = sheet["result"]["time_used_seconds"]
        sheet["result"]["minutes_used"] = round(seconds / 60, 1)
    for question in sheet["questions"]:
        question.setdefault("answered", _answered(question.get("response")))
        if question["type"] == "blank":
            typed = list(question.get("response") or [])
            question["blank_values"] = [
                typed[i] if i < len(typed) else "" for i in range(question["blanks"])
            ]
        if sheet.get("review") or "correct" in question:
            question["correct_text"] = _correct_text(question)
    return sheet


@login_required
def attempt_view(request, attempt_id: int):
    attempt = access_attempt(viewer=request.user, attempt_id=attempt_id)
    sheet = _presented(attempt_sheet(attempt=attempt, viewer=request.user))
    state = {
        "attempt": attempt.pk,
        "deadline": sheet["deadline"],
        "server_now": sheet["server_now"],
        "submitted": sheet["submitted"],
        "total": sheet["total"],
        "answer_url": reverse("attempt-answer", args=[attempt.pk, 0]),
        "submit_url": reverse("attempt-submit", args=[attempt.pk]),
        "events_url": reverse("attempt-events", args=[attempt.pk]),
        "text": {
            "saving": _("Saving…"),
            "saved": _("All answers saved"),
            "offline": _(
                "Offline: answers are kept here and sent when the network is back"
            ),
            "confirm": _("Submit your answers? You cannot change them afterwards."),
            "unanswered": _("%(n)s questions are not answered yet."),
            "time_up": _("Time is up: your answers were submitted."),
        },
    }
    return render(
        request,
        "exams/attempt.html",
        {"sheet": sheet, "exam": attempt.exam, "state": state, "section": "exams"},
    )


@require_safe
@login_required
def question_image_view(request, bank_id: int, name: str):
    """A picture in a question, for those who may see the bank's questions."""
    path = question_image(viewer=request.user, bank_id=bank_id, name=name)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", my_exams_view, name="section_exams"),
    path(
        "images/<int:bank_id>/<str:name>",
        question_image_view,
        name="exams_question_image",
    ),
    path("<int:exam_id>/start/", exam_start_view, name="exam_start"),
    path("attempts/<int:attempt_id>/", attempt_view, name="exam_attempt"),
]


# --- practice -------------------------------------------------------------------


def _form_response(request, question: dict):
    """A practice answer from the posted form, in the letters shown."""
    name = f"q{question['position']}"
    if question["type"] in ("multiple", "blank"):
        return request.POST.getlist(name)
    value = request.POST.get(name)
    if question["type"] == "truefalse":
        return None if value is None else value == "true"
    return value


@login_required
def practice_view(request):
    context = {**practice_home(viewer=request.user), "section": "exams"}
    return render(request, "exams/practice.html", context)


@login_required
@require_POST
def practice_start_view(request, kind: str):
    try:
        round = practice_services.round_start(
            user=request.user, kind=kind, category_id=request.POST.get("category")
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("exams_practice")
    return redirect("exams_practice_round", round_id=round.pk)


@login_required
def practice_round_view(request, round_id: int):
    round = access_round(viewer=request.user, round_id=round_id)
    sheet = round_sheet(round=round)
    if request.method == "POST":
        try:
            position = int(request.POST.get("position", ""))
            question = sheet["questions"][position - 1]
        except (ValueError, IndexError):
            messages.error(request, _("There is no such question."))
            return redirect("exams_practice_round", round_id=round.pk)
        try:
            practice_services.round_answer(
                round=round,
                position=position,
                response=_form_response(request, question),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        url = reverse("exams_practice_round", args=[round.pk])
        return redirect(f"{url}#q{position}")
    return render(
        request,
        "exams/practice_round.html",
        {"sheet": _presented(sheet), "section": "exams"},
    )


urlpatterns += [
    path("practice/", practice_view, name="exams_practice"),
    path(
        "practice/start/<slug:kind>/", practice_start_view, name="exams_practice_start"
    ),
    path(
        "practice/rounds/<int:round_id>/",
        practice_round_view,
        name="exams_practice_round",
    ),
]
