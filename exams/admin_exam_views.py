"""考试管理 in the Wagtail admin, for examiners: exams, their results and item
analysis, the 简答 marking queue, overrides and the 成绩表 export. Everything
starts from ``selectors.results.managed_exams`` (the subtrees the user
examines); the services check the scope again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org import scope
from org.http import xlsx_response
from org.models import Member

from .admin_views import require_examiner
from .exam_forms import ExamForm, MarkForm, OverrideForm
from .models import AttemptAnswer
from .selectors import results as selectors
from .services import attempts as attempt_services
from .services import exams as exam_services
from .services.results_export import results_workbook


def _exam(request, exam_id):
    require_examiner(request.user)
    return selectors.access_managed_exam(viewer=request.user, exam_id=exam_id)


def _detail_url(exam) -> str:
    return reverse("exams_exam_detail", kwargs={"exam_id": exam.pk})


def exam_list(request):
    require_examiner(request.user)
    page = Paginator(selectors.managed_exams(viewer=request.user), 50).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(request, "exams/admin/exam_list.html", {"page": page})


def exam_create(request):
    require_examiner(request.user)
    units = scope.examiner_units(request.user).order_by("path")
    form = ExamForm(
        request.POST or None,
        papers=selectors.exam_papers(viewer=request.user),
        units=units,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            exam = exam_services.exam_create(by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            form.add_error(None, _("You do not examine all of these units."))
        else:
            messages.success(request, _("The exam was created as a draft."))
            return redirect(_detail_url(exam))
    return TemplateResponse(request, "exams/admin/exam_form.html", {"form": form})


def exam_detail(request, exam_id: int):
    exam = _exam(request, exam_id)
    rows = selectors.exam_results(exam=exam)
    items = selectors.item_analysis(exam=exam)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "exam": exam,
        "summary": selectors.results_summary(rows),
        "bands": selectors.score_distribution(exam=exam, rows=rows),
        "units": selectors.unit_breakdown(exam=exam, rows=rows),
        "page": page,
        "items": items,
        "override_form": OverrideForm(),
        "overrides": exam.overrides.select_related("user").order_by("-created_at"),
    }
    return TemplateResponse(request, "exams/admin/exam_detail.html", context)


@require_POST
def exam_publish(request, exam_id: int):
    exam = _exam(request, exam_id)
    exam_services.exam_publish(by=request.user, exam=exam)
    messages.success(request, _("The exam is published."))
    return redirect(_detail_url(exam))


@require_POST
def exam_release(request, exam_id: int):
    exam = _exam(request, exam_id)
    exam_services.exam_results_release(by=request.user, exam=exam)
    messages.success(request, _("The results are released to the candidates."))
    return redirect(_detail_url(exam))


@require_POST
def exam_override(request, exam_id: int):
    exam = _exam(request, exam_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        member = selectors.exam_members(exam).filter(
            employee_no=data.pop("employee_no").strip()
        )
        member = member.first()
        if member is None:
            messages.error(request, _("No member of this exam has that number."))
        else:
            try:
                exam_services.override_set(
                    by=request.user, exam=exam, user=member.user, **data
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("The override is saved."))
    else:
        messages.error(request, _("Check the override: %s") % form.errors.as_text())
    return redirect(_detail_url(exam))


def exam_export(request, exam_id: int):
    exam = _exam(request, exam_id)
    rows = selectors.exam_results(exam=exam)
    content = results_workbook(
        exam=exam,
        rows=rows,
        items=selectors.item_analysis(exam=exam),
        units=selectors.unit_breakdown(exam=exam, rows=rows),
    )
    return xlsx_response(content, f"{exam.title}-成绩表.xlsx")


def exam_marking(request, exam_id: int):
    exam = _exam(request, exam_id)
    blind = request.GET.get("blind") == "1"
    if request.method == "POST":
        form = MarkForm(request.POST)
        if form.is_valid():
            answer = AttemptAnswer.objects.filter(
                pk=form.cleaned_data["answer"], attempt__exam=exam
            ).first()
            if answer is None:
                raise Http404
            try:
                attempt_services.essay_mark(
                    by=request.user,
                    answer=answer,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("The mark is saved."))
        else:
            messages.error(request, _("Give a mark."))
        url = reverse("exams_exam_marking", kwargs={"exam_id": exam.pk})
        return redirect(f"{url}?blind=1" if blind else url)
    queue = selectors.marking_queue(exam=exam)
    names = {}
    if not blind:
        users = [item.answer.attempt.user_id for item in queue]
        names = {
            m.user_id: m
            for m in Member.objects.filter(user_id__in=users).select_related("unit")
        }
    return TemplateResponse(
        request,
        "exams/admin/exam_marking.html",
        {
            "exam": exam,
            "blind": blind,
            "entries": [(i, names.get(i.answer.attempt.user_id)) for i in queue],
        },
    )
