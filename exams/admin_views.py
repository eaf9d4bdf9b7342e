"""Admin screens 题库: the banks an examiner manages, their questions (filters,
bulk archive/move, Excel and GIFT export) and importing a file (always a preview
first, then 确认导入). One question's screens (its page, 新建试题, 编辑, 更正答案)
are in exams/admin_question_views.py.

Only examiners and platform admins get here; a bank outside the subtrees one
examines is "not found". URLs and the menu item are in exams/wagtail_hooks.py.

Between the preview and the confirmation the uploaded file waits in the protected
storage (never served by the web server) under a random token that only the
uploader's session knows; it is deleted once imported, when another preview
replaces it, or after :data:`PENDING_HOURS` by the next upload's sweep.
"""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from media.storage import protected_storage
from org import scope
from org.http import xlsx_response
from org.models import Role

from . import selectors
from .forms import BankForm, BulkForm, ImportForm
from .importers import (
    ParseResult,
    parse_aiken,
    parse_gift,
    parse_moodle_xml,
    parse_xlsx,
)
from .importers.gift import GiftExportError
from .importers.xlsx import XlsxExportError, template_xlsx
from .models import Difficulty, QuestionType
from .services import banks as bank_services
from .services import bulk
from .services import categories as category_services
from .services.exports import questions_export_gift, questions_export_xlsx
from .services.imports import questions_import

PARSERS = {
    "xlsx": parse_xlsx,
    "gift": parse_gift,
    "xml": parse_moodle_xml,
    "aiken": parse_aiken,
}
PENDING_DIR = "exams/pending-imports"
PENDING_SESSION_KEY = "exams_pending_imports"
PENDING_HOURS = 6
PREVIEW_SAMPLE = 20


def require_examiner(user) -> None:
    if not scope.has_role(user, Role.EXAMINER):
        raise Http404


def _bank(request, bank_id):
    require_examiner(request.user)
    return selectors.access_bank(viewer=request.user, bank_id=bank_id)


def _bank_url(bank, query: str = "") -> str:
    url = reverse("exams_bank_detail", kwargs={"bank_id": bank.pk})
    return f"{url}?{query}" if query else url


def _back(request, bank) -> str:
    """The bank page with the filters the form came from (re-read, not echoed)."""
    params = QueryDict(request.POST.get("back", ""))
    return _bank_url(
        bank, selectors.QuestionFilters.from_params(params, bank=bank).query_string
    )


# --- banks --------------------------------------------------------------------------


def bank_list(request):
    require_examiner(request.user)
    page = selectors.bank_page(viewer=request.user, page_number=request.GET.get("page"))
    return TemplateResponse(
        request,
        "exams/admin/bank_list.html",
        {"banks": page, "types": list(QuestionType)},
    )


def bank_create(request):
    require_examiner(request.user)
    units = scope.examiner_units(request.user).order_by("path")
    form = BankForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            bank = bank_services.bank_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The question bank was created."))
            return redirect(_bank_url(bank))
    return TemplateResponse(request, "exams/admin/bank_form.html", {"form": form})


@require_POST
def category_change(request, bank_id: int):
    """Add (``parent`` may be empty), rename or delete a category of the bank."""
    bank = _bank(request, bank_id)
    action = request.POST.get("action")

    def category(field: str, *, required: bool = True):
        value = request.POST.get(field)
        if not value and not required:
            return None
        return selectors.access_category(bank=bank, category_id=value)  # else 404

    try:
        if action == "add":
            category_services.category_add(
                by=request.user,
                bank=bank,
                name=request.POST.get("name", ""),
                parent=category("parent", required=False),
            )
            messages.success(request, _("The category was added."))
        elif action == "rename":
            category_services.category_rename(
                by=request.user,
                category=category("category"),
                name=request.POST.get("name", ""),
            )
            messages.success(request, _("The category was renamed."))
        elif action == "delete":
            category_services.category_delete(
                by=request.user, category=category("category")
            )
            messages.success(request, _("The category was deleted."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect(_bank_url(bank))


@require_POST
def bank_practice(request, bank_id: int):
    bank = _bank(request, bank_id)
    try:
        bank_services.bank_set_practice(
            by=request.user, bank=bank, practice=request.POST.get("practice") == "1"
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    if bank.practice:
        messages.success(request, _("Members can now practise with this bank."))
    else:
        messages.success(request, _("The bank is closed for practice."))
    return redirect(_bank_url(bank))


def bank_detail(request, bank_id: int):
    bank = _bank(request, bank_id)
    filters = selectors.QuestionFilters.from_params(request.GET, bank=bank)
    page = selectors.bank_question_page(
        viewer=request.user,
        bank=bank,
        params=filters,
        page_number=request.GET.get("page"),
    )
    return TemplateResponse(
        request,
        "exams/admin/bank_detail.html",
        {
            "bank": bank,
            "filters": filters,
            "query_string": filters.query_string,
            "questions": page,
            "categories": selectors.bank_categories(bank=bank),
            "knowledge_points": selectors.bank_knowledge_points(bank=bank),
            "type_counts": selectors.bank_type_counts(bank=bank),
            "imports": selectors.bank_imports(bank=bank),
            "types": list(QuestionType),
            "difficulties": Difficulty.choices,
        },
    )


# --- bulk actions and exports ----------------------------------------------------


@require_POST
def bulk_action(request, bank_id: int):
    bank = _bank(request, bank_id)
    form = BulkForm(
        request.POST,
        questions=selectors.bank_questions(
            viewer=request.user, bank=bank, params={"archived": "all"}
        ),
        categories=selectors.bank_category_queryset(bank=bank),
    )
    back = _back(request, bank)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    action = form.cleaned_data["action"]
    questions = list(form.cleaned_data["question"])
    try:
        if action == "archive":
            if not form.cleaned_data["confirm"]:
                return TemplateResponse(
                    request,
                    "exams/admin/bulk_archive.html",
                    {
                        "bank": bank,
                        "questions": questions,
                        "back": request.POST.get("back", ""),
                        "back_url": back,
                    },
                )
            done = bulk.questions_archive(by=request.user, questions=questions)
            messages.success(request, _("%(n)s questions archived.") % {"n": done})
        elif action == "restore":
            done = bulk.questions_restore(by=request.user, questions=questions)
            messages.success(request, _("%(n)s questions restored.") % {"n": done})
        else:
            category = form.cleaned_data["category"]
            if category is None:
                messages.error(request, _("Choose the category to move them to."))
                return redirect(back)
            done = bulk.questions_move(
                by=request.user, questions=questions, category=category
            )
            messages.success(
                request,
                _("%(n)s questions moved to “%(category)s”.")
                % {"n": done, "category": category.name},
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect(back)


def _export_name(bank, suffix: str) -> str:
    return f"{bank.name}-{timezone.localdate():%Y%m%d}.{suffix}"


def export_xlsx(request, bank_id: int):
    bank = _bank(request, bank_id)
    questions = selectors.bank_questions(
        viewer=request.user, bank=bank, params=request.GET
    )
    try:
        content = questions_export_xlsx(questions)
    except XlsxExportError as exc:
        messages.error(request, str(exc))
        return redirect(_bank_url(bank, request.GET.urlencode()))
    return xlsx_response(content, _export_name(bank, "xlsx"))


def export_gift(request, bank_id: int):
    bank = _bank(request, bank_id)
    questions = selectors.bank_questions(
        viewer=request.user, bank=bank, params=request.GET
    )
    try:
        content = questions_export_gift(questions)
    except GiftExportError as exc:
        messages.error(request, str(exc))
        return redirect(_bank_url(bank, request.GET.urlencode()))
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _export_name(bank, "gift.txt")
    )
    return response


def import_template(request):
    require_examiner(request.user)
    return xlsx_response(template_xlsx(), "题库导入模板.xlsx")


# --- import: preview, then confirm ------------------------------------------------


def _parse(data: bytes, fmt: str) -> ParseResult:
    return PARSERS[fmt](data)


def _pending(request) -> dict:
    return request.session.get(PENDING_SESSION_KEY, {})


def _pending_sweep() -> None:
    """Delete uploads nobody confirmed within PENDING_HOURS (any session's)."""
    storage = protected_storage()
    try:
        _dirs, files = storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(hours=PENDING_HOURS)
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue


def _pending_discard(request, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry:
        protected_storage().delete(entry["path"])
        request.session[PENDING_SESSION_KEY] = pending


def _pending_save(request, bank, data: bytes, file_name: str, fmt: str) -> str:
    """Keep the previewed file until it is confirmed; one per bank and session."""
    _pending_sweep()
    for token, entry in list(_pending(request).items()):
        if entry["bank"] == bank.pk:
            _pending_discard(request, token)
    token = secrets.token_urlsafe(24)
    path = protected_storage().save(f"{PENDING_DIR}/{token}", ContentFile(data))
    pending = _pending(request)
    pending[token] = {
        "bank": bank.pk,
        "path": path,
        "file_name": file_name,
        "format": fmt,
    }
    request.session[PENDING_SESSION_KEY] = pending
    return token


def _pending_load(request, bank, token: str) -> tuple[dict, bytes] | None:
    entry = _pending(request).get(token)
    if not entry or entry["bank"] != bank.pk:
        return None
    try:
        with protected_storage().open(entry["path"], "rb") as handle:
            return entry, handle.read()
    except FileNotFoundError:
        return None


def _preview(request, bank, form, outcome, *, file_name, token=None):
    result = outcome.result
    return TemplateResponse(
        request,
        "exams/admin/import.html",
        {
            "bank": bank,
            "form": form,
            "outcome": outcome,
            "result": result,
            "file_name": file_name,
            "token": token,
            "counts": [
                (QuestionType(kind), n) for kind, n in outcome.counts.items() if n
            ],
            "total": sum(outcome.counts.values()),
            "sample": [
                (QuestionType(q.type).label, q)
                for q in result.questions[:PREVIEW_SAMPLE]
            ],
        },
    )


def import_questions(request, bank_id: int):
    bank = _bank(request, bank_id)
    if request.method == "POST" and request.POST.get("token"):
        return _import_confirm(request, bank, request.POST["token"])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = form.cleaned_data["format"]
        data = upload.read()
        outcome = questions_import(
            bank=bank,
            result=_parse(data, fmt),
            file_name=upload.name,
            by=request.user,
            dry_run=True,
        )
        token = None
        if outcome.result.ok and outcome.result.to_import:
            token = _pending_save(request, bank, data, upload.name, fmt)
        return _preview(
            request, bank, ImportForm(), outcome, file_name=upload.name, token=token
        )
    return TemplateResponse(
        request,
        "exams/admin/import.html",
        {"bank": bank, "form": form, "outcome": None},
    )


def _import_confirm(request, bank, token: str):
    loaded = _pending_load(request, bank, token)
    if loaded is None:
        messages.error(
            request,
            _(
                "The uploaded file is no longer there (it was imported or expired). "
                "Upload it again."
            ),
        )
        return redirect("exams_bank_import", bank_id=bank.pk)
    entry, data = loaded
    outcome = questions_import(
        bank=bank,
        result=_parse(data, entry["format"]),
        file_name=entry["file_name"],
        by=request.user,
    )
    _pending_discard(request, token)
    if not outcome.result.ok:
        return _preview(
            request, bank, ImportForm(), outcome, file_name=entry["file_name"]
        )
    messages.success(
        request,
        _("%(n)s questions imported from “%(file)s”.")
        % {"n": outcome.imported, "file": entry["file_name"]},
    )
    return redirect(_bank_url(bank))
