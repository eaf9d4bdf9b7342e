"""Admin screens of one question of a bank (题库): its page with the version
history, 新建试题 and 编辑 by hand (a change of the content is the next version),
更正答案 (the quick key form) and regrading the exams that drew it.

The bank lookup and the examiner gate are admin_views' (``_bank``): a bank
outside the subtrees one examines is "not found", and so is a question of it.
URLs are in exams/wagtail_hooks.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import selectors
from .admin_views import _bank
from .models import QuestionType
from .question_forms import QuestionForm
from .services import questions as question_services
from .services.exports import parsed_question

CHANGE_LABELS = {
    "stem": gettext_lazy("Stem"),
    "choices": gettext_lazy("Options"),
    "answer": gettext_lazy("Answer"),
    "explanation": gettext_lazy("Explanation"),
    "feedback": gettext_lazy("Feedback"),
}


def _question(request, bank_id, question_id):
    bank = _bank(request, bank_id)
    return bank, selectors.access_question(
        viewer=request.user, bank=bank, question_id=question_id
    )


def _detail(question) -> str:
    return reverse(
        "exams_question_detail",
        kwargs={"bank_id": question.bank_id, "question_id": question.pk},
    )


def _history(versions) -> list[dict]:
    """The versions newest first, each with what it changed over the one before."""
    ordered = sorted(versions, key=lambda v: v.number)
    rows = []
    for before, version in zip([None, *ordered], ordered, strict=False):
        changes = question_services.version_changes(before, version)
        rows.append(
            {"version": version, "changes": [str(CHANGE_LABELS[c]) for c in changes]}
        )
    return rows[::-1]


def question_detail(request, bank_id: int, question_id: int):
    bank, question = _question(request, bank_id, question_id)
    view = selectors.question_view(question=question)
    return TemplateResponse(
        request,
        "exams/admin/question_detail.html",
        {
            "bank": bank,
            "view": view,
            "history": _history(view.versions),
            "exams": selectors.exams_with_question(
                viewer=request.user, question=question
            ),
        },
    )


def _form_page(request, bank, form, *, question=None):
    return TemplateResponse(
        request,
        "exams/admin/question_form.html",
        {
            "bank": bank,
            "form": form,
            "question": question,
            "kind": form.kind if form else None,
            "types": list(QuestionType),
            "knowledge_points": selectors.bank_knowledge_points(bank=bank),
        },
    )


def question_create(request, bank_id: int):
    """新建试题: first the type (``?type=``), then the form for it."""
    bank = _bank(request, bank_id)
    kind = request.GET.get("type")
    if kind not in QuestionType.values:
        return _form_page(request, bank, None)
    form = QuestionForm(
        request.POST or None,
        kind=QuestionType(kind),
        categories=selectors.bank_category_queryset(bank=bank),
    )
    if request.method == "POST" and form.is_valid():
        try:
            question = question_services.question_create(
                by=request.user,
                bank=bank,
                parsed=form.parsed(),
                category=form.cleaned_data["category"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("The question “%(name)s” was created.") % {"name": question}
            )
            if request.POST.get("next") == "another":
                url = reverse("exams_question_create", kwargs={"bank_id": bank.pk})
                return redirect(f"{url}?type={kind}")
            return redirect(_detail(question))
    if request.method == "POST":
        messages.error(request, _("The question was not saved: see the errors below."))
    return _form_page(request, bank, form)


def question_edit(request, bank_id: int, question_id: int):
    bank, question = _question(request, bank_id, question_id)
    version = question.current
    sizes = {
        "kind": QuestionType(question.type),
        "categories": selectors.bank_category_queryset(bank=bank),
        "options": len(version.choices) if version else 0,
        "blanks": len(version.answer.get("blanks", []))
        if version and isinstance(version.answer, dict)
        else 0,
    }
    if request.method != "POST":
        form = QuestionForm(
            parsed=parsed_question(question) if version else None,
            category=question.category,
            base_version=version.number if version else None,
            **sizes,
        )
        return _form_page(request, bank, form, question=question)
    form = QuestionForm(request.POST, **sizes)
    if form.is_valid():
        try:
            saved = question_services.question_edit(
                by=request.user,
                question=question,
                parsed=form.parsed(),
                category=form.cleaned_data["category"],
                base_version=form.cleaned_data["base_version"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            if "base_version" in getattr(exc, "error_dict", {}):
                # the next save replaces the newer version, knowingly
                form.data = form.data.copy()
                form.data["base_version"] = question.current.number
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _saved_message(request, saved))
            return redirect(_detail(question))
    messages.error(request, _("The question was not saved: see the errors below."))
    return _form_page(request, bank, form, question=question)


def _saved_message(request, saved) -> str:
    if saved.version is None:
        if saved.changed:
            return _("Saved. The content did not change, so there is no new version.")
        return _("Nothing was changed.")
    if selectors.exams_with_question(
        viewer=request.user, question=saved.question
    ).exists():
        return _("Saved as a new version. Regrade the exams below to apply it.")
    return _(
        "Saved as version %(number)s. Attempts made before keep the version "
        "they showed."
    ) % {"number": saved.version.number}


@require_POST
def question_key(request, bank_id: int, question_id: int):
    """Correct the key (and 解析) of a 单选 / 多选 / 判断: the next version."""
    _bank_obj, question = _question(request, bank_id, question_id)
    truth = request.POST.get("truth")
    try:
        question_services.question_key_correct(
            by=request.user,
            question=question,
            keys=request.POST.getlist("keys"),
            truth=None if truth is None else truth == "true",
            explanation=request.POST.get("explanation"),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request,
            _("Saved as a new version. Regrade the exams below to apply it."),
        )
    return redirect(_detail(question))


@require_POST
def question_regrade(request, bank_id: int, question_id: int):
    _bank_obj, question = _question(request, bank_id, question_id)
    exam = get_object_or_404(
        selectors.exams_with_question(viewer=request.user, question=question),
        pk=request.POST.get("exam"),
    )
    try:
        count = question_services.question_regrade(
            by=request.user, question=question, exam=exam
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request,
            _("%(count)s attempts of “%(exam)s” were regraded.")
            % {"count": count, "exam": exam.title},
        )
    return redirect(_detail(question))
