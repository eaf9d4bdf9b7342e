"""Admin screens 试卷 of the 题库 admin: a bank's papers; a paper's page (its
totals, settings, copy and delete; a fixed paper's questions with the question
picker, a random paper's rules); moving, rescoring and removing items and rules;
a preview draw.

Scoped like the banks (``admin_views._bank``: examiners only, a bank outside the
subtrees one examines is "not found"); every change goes through one service of
``services/papers.py``, which also refuses changes to a paper in use.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .admin_views import _bank
from .forms import (
    ItemsAddForm,
    PaperForm,
    PaperSettingsForm,
    RuleChangeForm,
    RuleForm,
)
from .models import Difficulty, PaperKind, QuestionType
from .services import papers as paper_services


def _paper(request, bank_id, paper_id):
    bank = _bank(request, bank_id)
    return bank, selectors.access_paper(
        viewer=request.user, bank=bank, paper_id=paper_id
    )


def _paper_url(paper, query: str = "") -> str:
    url = reverse(
        "exams_paper_detail", kwargs={"bank_id": paper.bank_id, "paper_id": paper.pk}
    )
    return f"{url}?{query}" if query else url


def _picker_query(filters: selectors.QuestionFilters, page) -> str:
    """The picker's filters and page as a query string."""
    query = QueryDict(mutable=True)
    query.update(filters.params)
    page = str(page or "")
    if page.isdigit() and page != "1":
        query["page"] = page[:6]
    return query.urlencode()


def _back(request, paper) -> str:
    """The paper page with the picker's filters and page the form came from
    (re-read, not echoed)."""
    params = QueryDict(request.POST.get("back", ""))
    filters = selectors.paper_picker_filters(params=params, bank=paper.bank)
    return _paper_url(paper, _picker_query(filters, params.get("page")))


def _run(request, call) -> bool:
    """Run one paper service; its ValidationError messages go to the page."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    except PermissionDenied as exc:
        raise Http404 from exc
    return True


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}: " if field is not None else ""
        messages.error(request, label + " ".join(errors))


def _position(request) -> int:
    try:
        return int(request.POST.get("position", ""))
    except ValueError as exc:
        raise Http404 from exc


# --- the list and a new paper ----------------------------------------------------


def paper_list(request, bank_id: int):
    bank = _bank(request, bank_id)
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            paper = paper_services.paper_create(
                by=request.user, bank=bank, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The paper was created."))
            return redirect(_paper_url(paper))
    return TemplateResponse(
        request,
        "exams/admin/paper_list.html",
        {
            "bank": bank,
            "papers": selectors.bank_papers(viewer=request.user, bank=bank),
            "form": form,
        },
    )


# --- a paper's page ---------------------------------------------------------------


def _rule_form(bank, data=None):
    return RuleForm(data, categories=selectors.bank_category_queryset(bank=bank))


def _paper_page(request, bank, paper, *, rule_form=None):
    use = selectors.paper_use(viewer=request.user, paper=paper)
    context = {
        "bank": bank,
        "paper": paper,
        "fixed": paper.kind == PaperKind.FIXED,
        "use": use,
        "editable": not use.in_use,
        "settings_form": PaperSettingsForm(),
    }
    if paper.kind == PaperKind.FIXED:
        items = selectors.paper_items(paper=paper)
        filters = selectors.paper_picker_filters(params=request.GET, bank=bank)
        context.update(
            items=items,
            totals=selectors.paper_totals(items=items),
            filters=filters,
            query_string=filters.query_string,
            back=_picker_query(filters, request.GET.get("page")),
            candidates=selectors.paper_picker_page(
                viewer=request.user,
                paper=paper,
                filters=filters,
                page_number=request.GET.get("page"),
            ),
            categories=selectors.bank_categories(bank=bank),
            knowledge_points=selectors.bank_knowledge_points(bank=bank),
            tags=selectors.bank_tags(bank=bank),
            types=list(QuestionType),
            difficulties=Difficulty.choices,
        )
    else:
        rules, warnings = selectors.paper_rules_checked(paper=paper)
        context.update(
            rules=rules,
            warnings=warnings,
            totals=selectors.paper_totals(rules=rules),
            rule_form=rule_form or _rule_form(bank),
        )
    return TemplateResponse(request, "exams/admin/paper_detail.html", context)


def paper_detail(request, bank_id: int, paper_id: int):
    bank, paper = _paper(request, bank_id, paper_id)
    return _paper_page(request, bank, paper)


@require_POST
def paper_settings(request, bank_id: int, paper_id: int):
    """Rename the paper, and set its shuffling; problems come back as messages
    on the paper's page."""
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    form = PaperSettingsForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(
        request,
        lambda: paper_services.paper_update(
            by=request.user, paper=paper, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The paper was saved."))
    return redirect(_paper_url(paper))


@require_POST
def paper_copy(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    try:
        copy = paper_services.paper_copy(by=request.user, paper=paper)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request, _("“%(title)s” was created: a copy to change.") % {"title": copy}
    )
    return redirect(_paper_url(copy))


def paper_delete(request, bank_id: int, paper_id: int):
    """A confirmation page first; a paper an exam uses is never deleted."""
    bank, paper = _paper(request, bank_id, paper_id)
    if request.method == "POST":
        try:
            paper_services.paper_delete(by=request.user, paper=paper)
        except ValidationError:
            pass  # the page says why (paper_delete_refusal)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("The paper “%(title)s” was deleted.") % {"title": paper}
            )
            return redirect("exams_paper_list", bank_id=bank.pk)
    return TemplateResponse(
        request,
        "exams/admin/paper_delete.html",
        {
            "bank": bank,
            "paper": paper,
            "use": selectors.paper_use(viewer=request.user, paper=paper),
            "refusal": paper_services.paper_delete_refusal(paper),
            "totals": selectors.paper_totals(
                items=selectors.paper_items(paper=paper),
                rules=selectors.paper_rules(paper=paper),
            ),
        },
    )


# --- random papers: rules -----------------------------------------------------------


@require_POST
def paper_rule_add(request, bank_id: int, paper_id: int):
    bank, paper = _paper(request, bank_id, paper_id)
    form = _rule_form(bank, request.POST)
    if not form.is_valid():
        return _paper_page(request, bank, paper, rule_form=form)
    rules = [
        *selectors.paper_rule_specs(paper=paper),
        paper_services.RuleSpec(**form.cleaned_data),
    ]
    if not _run(
        request,
        lambda: paper_services.paper_set_rules(
            by=request.user, paper=paper, rules=rules
        ),
    ):
        return _paper_page(request, bank, paper, rule_form=form)
    messages.success(request, _("The rule was added."))
    return redirect(_paper_url(paper))


@require_POST
def paper_rule_remove(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    rules = selectors.paper_rule_specs(paper=paper)
    try:
        index = int(request.POST.get("rule", "")) - 1
    except ValueError as exc:
        raise Http404 from exc
    if not 0 <= index < len(rules):
        raise Http404
    del rules[index]
    if _run(
        request,
        lambda: paper_services.paper_set_rules(
            by=request.user, paper=paper, rules=rules
        ),
    ):
        messages.success(request, _("The rule was removed."))
    return redirect(_paper_url(paper))


@require_POST
def paper_rule_move(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    rule = selectors.access_paper_rule(paper=paper, number=request.POST.get("rule"))
    position = _position(request)
    if _run(
        request,
        lambda: paper_services.paper_rule_move(
            by=request.user, rule=rule, position=position
        ),
    ):
        messages.success(request, _("The rule was moved."))
    return redirect(_paper_url(paper))


@require_POST
def paper_rule_change(request, bank_id: int, paper_id: int):
    """A rule's number of questions and score each."""
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    rule = selectors.access_paper_rule(paper=paper, number=request.POST.get("rule"))
    form = RuleChangeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_paper_url(paper))
    if _run(
        request,
        lambda: paper_services.paper_rule_update(
            by=request.user, rule=rule, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The rule was saved."))
    return redirect(_paper_url(paper))


# --- fixed papers: items ------------------------------------------------------------


@require_POST
def paper_items_add(request, bank_id: int, paper_id: int):
    bank, paper = _paper(request, bank_id, paper_id)
    back = _back(request, paper)
    form = ItemsAddForm(
        request.POST, questions=paper_services.live_questions(bank=bank)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    score = form.cleaned_data["score"]
    added = sorted(form.cleaned_data["question"], key=lambda q: q.pk)
    items = [
        *selectors.paper_item_pairs(paper=paper),
        *((question, score) for question in added),
    ]
    if _run(
        request,
        lambda: paper_services.paper_set_items(
            by=request.user, paper=paper, items=items
        ),
    ):
        messages.success(request, _("%(n)s questions added.") % {"n": len(added)})
    return redirect(back)


@require_POST
def paper_item_remove(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError as exc:
        raise Http404 from exc
    pairs = selectors.paper_item_pairs(paper=paper)
    items = [(q, s) for q, s in pairs if q.pk != question_id]
    if len(items) == len(pairs):
        raise Http404
    if _run(
        request,
        lambda: paper_services.paper_set_items(
            by=request.user, paper=paper, items=items
        ),
    ):
        messages.success(request, _("The question was removed from the paper."))
    return redirect(_back(request, paper))


@require_POST
def paper_item_move(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    item = selectors.access_paper_item(
        paper=paper, question_id=request.POST.get("question")
    )
    position = _position(request)
    if _run(
        request,
        lambda: paper_services.paper_item_move(
            by=request.user, item=item, position=position
        ),
    ):
        messages.success(request, _("The question was moved."))
    return redirect(_back(request, paper))


@require_POST
def paper_item_score(request, bank_id: int, paper_id: int):
    _bank_obj, paper = _paper(request, bank_id, paper_id)
    item = selectors.access_paper_item(
        paper=paper, question_id=request.POST.get("question")
    )
    if _run(
        request,
        lambda: paper_services.paper_item_set_score(
            by=request.user, item=item, score=request.POST.get("score", "")
        ),
    ):
        messages.success(request, _("The score was saved."))
    return redirect(_back(request, paper))


# --- preview ----------------------------------------------------------------------


def paper_preview(request, bank_id: int, paper_id: int):
    bank, paper = _paper(request, bank_id, paper_id)
    seed = request.GET.get("seed", "")[:64] or secrets.token_hex(4)
    try:
        drawn = selectors.paper_preview(paper=paper, seed=seed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_paper_url(paper))
    return TemplateResponse(
        request,
        "exams/admin/paper_preview.html",
        {
            "bank": bank,
            "paper": paper,
            "seed": seed,
            "drawn": drawn,
            "total": sum((d.score for d in drawn), Decimal("0")),
        },
    )
