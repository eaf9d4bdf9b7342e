"""Reads for the question bank (题库). Everything starts from
``org.scope.examiner_units``: an examiner sees the banks owned by the units of
the subtrees they examine (platform admins: all); anything else is "not found".

Stems come from imported files, so they are shown only through
:func:`display_html`, which keeps an allowlist of harmless tags and drops the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

from bs4 import Tag
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.http import Http404
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from wagtail.whitelist import (
    DEFAULT_ELEMENT_RULES,
    Whitelister,
    allow_without_attributes,
    attribute_rule,
    check_url,
)

from org import scope
from org.models import User

from ..models import (
    Paper,
    PaperItem,
    PaperKind,
    PaperRule,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionImport,
    QuestionType,
    QuestionVersion,
)
from ..services.papers import (
    RuleSpec,
    paper_draw,
    paper_in_use,
    rule_label,
    rule_shortage_message,
    rules_fill,
    rules_shared_message,
)

PAGE_SIZE = 50
BANK_PAGE_SIZE = 50
IMPORT_HISTORY_SIZE = 10
ARCHIVED_CHOICES = ("no", "yes", "all")


# --- banks ----------------------------------------------------------------------


def visible_banks(*, viewer: User) -> QuerySet[QuestionBank]:
    """The banks whose owning unit is in a subtree the viewer examines."""
    return QuestionBank.objects.filter(owner_unit__in=scope.examiner_units(viewer))


def access_bank(*, viewer: User, bank_id) -> QuestionBank:
    try:
        return visible_banks(viewer=viewer).select_related("owner_unit").get(pk=bank_id)
    except (QuestionBank.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _type_counts() -> dict:
    live = Q(questions__archived_at__isnull=True)
    return {
        f"count_{kind.value}": Count("questions", filter=live & Q(questions__type=kind))
        for kind in QuestionType
    }


def bank_page(*, viewer: User, page_number) -> Page:
    """Visible banks with their live questions per type and their last import."""
    last_import = QuestionImport.objects.filter(bank=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    banks = (
        visible_banks(viewer=viewer)
        .select_related("owner_unit")
        .annotate(
            **_type_counts(),
            question_count=Count(
                "questions", filter=Q(questions__archived_at__isnull=True)
            ),
            last_import_at=Subquery(last_import.values("created_at")[:1]),
            last_import_name=Subquery(last_import.values("file_name")[:1]),
        )
        .order_by("name", "pk")
    )
    page = Paginator(banks, BANK_PAGE_SIZE).get_page(page_number)
    for bank in page:
        bank.type_counts = [
            (kind, getattr(bank, f"count_{kind.value}")) for kind in QuestionType
        ]
    return page


def bank_type_counts(*, bank: QuestionBank) -> list[tuple[QuestionType, int]]:
    """Live (not archived) questions of the bank per type, every type listed."""
    rows = (
        Question.objects.filter(bank=bank, archived_at__isnull=True)
        .values_list("type")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    return [(kind, counts.get(kind.value, 0)) for kind in QuestionType]


def bank_imports(
    *, bank: QuestionBank, limit: int = IMPORT_HISTORY_SIZE
) -> list[QuestionImport]:
    return list(
        QuestionImport.objects.filter(bank=bank)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- categories -------------------------------------------------------------------


def bank_categories(*, bank: QuestionBank) -> list[QuestionCategory]:
    """The bank's category tree in tree order; each node carries ``question_count``
    (its own live questions), ``indent`` (0 for a top-level category) and
    ``label``, the name indented for a ``<select>``."""
    nodes = list(
        QuestionCategory.objects.filter(bank=bank)
        .annotate(
            question_count=Count(
                "questions", filter=Q(questions__archived_at__isnull=True)
            )
        )
        .order_by("path")
    )
    for node in nodes:
        node.indent = node.depth - 1
        node.label = "\u3000" * node.indent + ("└ " if node.indent else "") + node.name
    return nodes


def category_paths(categories: list[QuestionCategory]) -> dict[int, list[str]]:
    """Each category's names from its bank's root down, in one query."""
    steplen = QuestionCategory.steplen
    prefixes = {
        c.path[:end]
        for c in categories
        for end in range(steplen, len(c.path) + 1, steplen)
    }
    names = dict(
        QuestionCategory.objects.filter(path__in=prefixes).values_list("path", "name")
    )
    return {
        c.pk: [names[c.path[:end]] for end in range(steplen, len(c.path) + 1, steplen)]
        for c in categories
    }


def bank_category_queryset(*, bank: QuestionBank) -> QuerySet[QuestionCategory]:
    return QuestionCategory.objects.filter(bank=bank).order_by("path")


def access_category(*, bank: QuestionBank, category_id) -> QuestionCategory:
    try:
        return QuestionCategory.objects.get(bank=bank, pk=category_id)
    except (QuestionCategory.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def bank_knowledge_points(*, bank: QuestionBank, limit: int = 300) -> list[str]:
    return list(
        Question.objects.filter(bank=bank)
        .exclude(knowledge_point="")
        .order_by("knowledge_point")
        .values_list("knowledge_point", flat=True)
        .distinct()[:limit]
    )


def bank_tags(*, bank: QuestionBank, limit: int = 300) -> list[str]:
    """The tags of the bank's live questions, sorted, in one query."""
    tags: set[str] = set()
    for row in (
        Question.objects.filter(bank=bank, archived_at__isnull=True)
        .exclude(tags=[])
        .values_list("tags", flat=True)
    ):
        tags.update(t for t in row or [] if isinstance(t, str) and t)
    return sorted(tags)[:limit]


# --- questions ----------------------------------------------------------------------


def _int(value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@dataclass
class QuestionFilters:
    """The bank page's filters, read leniently from the query string: a value that
    makes no sense (an unknown type, another bank's category) is ignored."""

    q: str = ""
    type: str = ""
    category: QuestionCategory | None = None
    difficulty: int | None = None
    knowledge_point: str = ""
    tag: str = ""
    archived: str = "no"

    @classmethod
    def from_params(cls, params: Mapping, *, bank: QuestionBank) -> QuestionFilters:
        kind = params.get("type") or ""
        archived = params.get("archived") or "no"
        category = None
        category_id = _int(params.get("category"), 1, 2**63 - 1)
        if category_id:
            category = QuestionCategory.objects.filter(
                bank=bank, pk=category_id
            ).first()
        return cls(
            q=" ".join((params.get("q") or "").split())[:100],
            type=kind if kind in QuestionType.values else "",
            category=category,
            difficulty=_int(params.get("difficulty"), 1, 5),
            knowledge_point=(params.get("knowledge_point") or "").strip()[:100],
            tag=(params.get("tag") or "").strip()[:100],
            archived=archived if archived in ARCHIVED_CHOICES else "no",
        )

    @property
    def params(self) -> dict[str, str]:
        """The filters as query parameters (only those that are set)."""
        values = {
            "q": self.q,
            "type": self.type,
            "category": str(self.category.pk) if self.category else "",
            "difficulty": str(self.difficulty or ""),
            "knowledge_point": self.knowledge_point,
            "tag": self.tag,
            "archived": "" if self.archived == "no" else self.archived,
        }
        return {key: value for key, value in values.items() if value}

    @property
    def query_string(self) -> str:
        return urlencode(self.params)

    @property
    def is_filtered(self) -> bool:
        return bool(self.params)


def _tag_q(tag: str) -> Q:
    """Questions whose tags hold ``tag`` (any case). Neither SQLite nor Django
    has a portable "JSON list contains", so the JSON text is searched for the
    quoted tag: SQLite keeps it as Django wrote it (``\\u`` escapes), PostgreSQL's
    jsonb gives it back with the characters themselves."""
    return Q(tags__icontains=json.dumps(tag)) | Q(
        tags__icontains=json.dumps(tag, ensure_ascii=False)
    )


def bank_questions(
    *, viewer: User, bank: QuestionBank, params: Mapping | QuestionFilters
) -> QuerySet[Question]:
    """The bank's questions matching the filters, newest first.

    ``q`` is a case-insensitive substring of the name or the current stem;
    ``category`` includes its descendants; ``tag`` is one whole tag; archived
    questions are left out unless asked for.
    """
    filters = (
        params
        if isinstance(params, QuestionFilters)
        else QuestionFilters.from_params(params, bank=bank)
    )
    questions = Question.objects.filter(
        bank=bank, bank__in=visible_banks(viewer=viewer)
    )
    if filters.q:
        questions = questions.filter(
            Q(name__icontains=filters.q) | Q(current__stem__icontains=filters.q)
        )
    if filters.type:
        questions = questions.filter(type=filters.type)
    if filters.category is not None:
        questions = questions.filter(
            category__bank=bank, category__path__startswith=filters.category.path
        )
    if filters.difficulty:
        questions = questions.filter(difficulty=filters.difficulty)
    if filters.knowledge_point:
        questions = questions.filter(knowledge_point__icontains=filters.knowledge_point)
    if filters.tag:
        questions = questions.filter(_tag_q(filters.tag))
    if filters.archived == "no":
        questions = questions.filter(archived_at__isnull=True)
    elif filters.archived == "yes":
        questions = questions.filter(archived_at__isnull=False)
    return questions.select_related("current", "category").order_by(
        "-created_at", "-pk"
    )


def bank_question_page(
    *, viewer: User, bank: QuestionBank, params: Mapping | QuestionFilters, page_number
) -> Page:
    """One page (50) of :func:`bank_questions`: two queries whatever the page."""
    questions = bank_questions(viewer=viewer, bank=bank, params=params)
    return Paginator(questions, PAGE_SIZE).get_page(page_number)


def access_question(*, viewer: User, bank: QuestionBank, question_id) -> Question:
    try:
        return (
            Question.objects.filter(bank=bank, bank__in=visible_banks(viewer=viewer))
            .select_related("current", "category", "created_by")
            .get(pk=question_id)
        )
    except (Question.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def selected_questions(
    *, viewer: User, bank: QuestionBank, ids: list
) -> QuerySet[Question]:
    """The questions of ``bank`` among ``ids`` (others' ids are simply not found)."""
    clean = [i for i in (_int(v, 1, 2**63 - 1) for v in ids) if i]
    return (
        Question.objects.filter(
            bank=bank, bank__in=visible_banks(viewer=viewer), pk__in=clean
        )
        .select_related("current", "category")
        .order_by("-created_at", "-pk")
    )


# --- showing a question -----------------------------------------------------------


class _Sanitiser(Whitelister):
    """Wagtail's allowlist (p, br, b, i, strong, em, sub, sup, lists, headings,
    links and images with checked URLs) plus what question stems use: tables,
    spans, underline, code. Unknown tags are unwrapped (their text stays, escaped);
    script-like tags are dropped with their content; every attribute not listed
    (``on*``, ``style`` …) is removed."""

    cell = attribute_rule({"colspan": True, "rowspan": True})
    element_rules = {
        **DEFAULT_ELEMENT_RULES,
        **dict.fromkeys(
            "u s del ins span code pre blockquote small big caption table thead tbody "
            "tfoot tr".split(),
            allow_without_attributes,
        ),
        "td": cell,
        "th": cell,
        "a": attribute_rule({"href": check_url, "title": True}),
        "img": attribute_rule(
            {"src": check_url, "width": True, "height": True, "alt": True}
        ),
    }
    dropped = frozenset(
        "script style iframe frame frameset object embed applet noscript template "
        "textarea select option button input form svg math link meta base title "
        "head".split()
    )

    def clean_tag_node(self, doc, tag: Tag):
        if tag.name in self.dropped:
            tag.decompose()
            return
        super().clean_tag_node(doc, tag)


_sanitiser = _Sanitiser()


def display_html(text: str, fmt: str = "html") -> SafeString:
    """Stored question text as safe HTML: ``html`` and ``moodle`` (HTML with line
    breaks) through the allowlist, anything else (plain, markdown) escaped."""
    if not text:
        return mark_safe("")
    if fmt in ("html", "moodle"):
        cleaned = _sanitiser.clean(text)
        if fmt == "moodle":
            cleaned = cleaned.replace("\n", "<br>")
        return mark_safe(cleaned)  # noqa: S308 (allowlisted above)
    return mark_safe(linebreaks(escape(text)))  # noqa: S308 (escaped)


@dataclass
class ChoiceView:
    key: str
    html: SafeString
    correct: bool
    fraction: str
    feedback: SafeString


@dataclass
class QuestionView:
    """What the detail page shows of a question's current version."""

    question: Question
    version: QuestionVersion | None
    category_path: list[str]
    stem: SafeString
    choices: list[ChoiceView]
    truth: bool | None
    blanks: list[list[dict]]
    case_sensitive: bool
    reference: SafeString
    keywords: list[str]
    explanation: SafeString
    feedback: list[tuple[str, SafeString]]
    hints: list[SafeString]
    versions: list[QuestionVersion]


def _percent(fraction) -> str:
    try:
        value = float(fraction) * 100
    except (TypeError, ValueError):
        return ""
    return f"{value:g}%"


def question_view(*, question: Question) -> QuestionView:
    version = question.current
    fmt = version.stem_format if version else "html"
    answer = version.answer if version else []
    choices = []
    truth = None
    blanks: list[list[dict]] = []
    case_sensitive = False
    reference = display_html("")
    keywords: list[str] = []
    if version and question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        keys = set(answer) if isinstance(answer, list) else set()
        choices = [
            ChoiceView(
                key=c.get("key", ""),
                html=display_html(c.get("text", ""), fmt),
                correct=c.get("key") in keys,
                fraction=_percent(c.get("fraction", 0)),
                feedback=display_html(c.get("feedback", ""), fmt),
            )
            for c in version.choices
        ]
    elif version and question.type == QuestionType.TRUEFALSE:
        truth = bool(answer)
    elif version and question.type == QuestionType.BLANK and isinstance(answer, dict):
        blanks = [
            [
                {"text": a.get("text", ""), "fraction": _percent(a.get("fraction", 1))}
                for a in blank
            ]
            for blank in answer.get("blanks", [])
        ]
        case_sensitive = bool(answer.get("case_sensitive"))
    elif version and isinstance(answer, dict):
        reference = display_html(answer.get("reference", ""), "html")
        keywords = list(answer.get("keywords", []))
    stored_feedback = version.feedback if version else {}
    feedback = [
        (key, display_html(stored_feedback[key], fmt))
        for key in ("true", "false", "correct", "partially_correct", "incorrect")
        if stored_feedback.get(key)
    ]
    category_path = (
        category_paths([question.category])[question.category.pk]
        if question.category
        else []
    )
    return QuestionView(
        question=question,
        version=version,
        category_path=category_path,
        stem=display_html(version.stem if version else "", fmt),
        choices=choices,
        truth=truth,
        blanks=blanks,
        case_sensitive=case_sensitive,
        reference=reference,
        keywords=keywords,
        explanation=display_html(version.explanation if version else "", fmt),
        feedback=feedback,
        hints=[display_html(h, fmt) for h in stored_feedback.get("hints", [])],
        versions=list(
            question.versions.select_related("created_by").order_by("-number")
        ),
    )


# --- papers (试卷) -------------------------------------------------------------------


def visible_papers(*, viewer: User) -> QuerySet[Paper]:
    """The papers of the banks the viewer examines."""
    return Paper.objects.filter(bank__in=visible_banks(viewer=viewer))


def bank_papers(*, viewer: User, bank: QuestionBank) -> list[Paper]:
    """The bank's papers, each with ``question_count`` and ``total`` (full marks),
    in a fixed number of queries."""
    items = PaperItem.objects.filter(paper=OuterRef("pk")).values("paper")
    rules = PaperRule.objects.filter(paper=OuterRef("pk")).values("paper")
    zero = Value(
        Decimal("0"), output_field=DecimalField(max_digits=9, decimal_places=2)
    )
    papers = (
        visible_papers(viewer=viewer)
        .filter(bank=bank)
        .annotate(
            item_count=Subquery(items.annotate(n=Count("pk")).values("n")),
            item_total=Subquery(items.annotate(s=Sum("score")).values("s")),
            rule_count=Subquery(rules.annotate(n=Sum("count")).values("n")),
            rule_total=Subquery(
                rules.annotate(s=Sum(F("score") * F("count"))).values("s")
            ),
        )
        .order_by("-created_at", "-pk")
    )
    out = list(papers)
    for paper in out:
        fixed = paper.kind == PaperKind.FIXED
        paper.question_count = (paper.item_count if fixed else paper.rule_count) or 0
        paper.total = (paper.item_total if fixed else paper.rule_total) or zero.value
    return out


def access_paper(*, viewer: User, paper_id, bank: QuestionBank | None = None) -> Paper:
    """A paper of a bank the viewer examines (of ``bank`` when given), else 404."""
    papers = visible_papers(viewer=viewer).select_related("bank", "bank__owner_unit")
    if bank is not None:
        papers = papers.filter(bank=bank)
    try:
        return papers.get(pk=paper_id)
    except (Paper.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def paper_items(*, paper: Paper) -> list[PaperItem]:
    return list(
        paper.items.select_related("question", "question__category").order_by("order")
    )


def paper_rules(*, paper: Paper) -> list[PaperRule]:
    return list(paper.rules.select_related("category").order_by("order"))


def paper_rule_specs(*, paper: Paper) -> list[RuleSpec]:
    """The paper's rules as :class:`RuleSpec` (to add or remove one and set all)."""
    return [
        RuleSpec(
            type=r.type,
            count=r.count,
            score=r.score,
            category=r.category,
            difficulty_min=r.difficulty_min,
            difficulty_max=r.difficulty_max,
        )
        for r in paper_rules(paper=paper)
    ]


def paper_item_pairs(*, paper: Paper) -> list[tuple[Question, Decimal]]:
    """The paper's items as ``(question, score)`` pairs in paper order."""
    return [(item.question, item.score) for item in paper_items(paper=paper)]


def access_paper_item(*, paper: Paper, question_id) -> PaperItem:
    """The item of ``question_id`` on the paper, else 404."""
    try:
        return paper.items.select_related("paper").get(question_id=int(question_id))
    except (PaperItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def access_paper_rule(*, paper: Paper, number) -> PaperRule:
    """The rule shown as ``number`` (its order) on the paper, else 404."""
    try:
        return paper.rules.select_related("paper").get(order=int(number))
    except (PaperRule.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def paper_picker_filters(*, params: Mapping, bank: QuestionBank) -> QuestionFilters:
    """The bank page's filters for the question picker: live questions only."""
    return replace(QuestionFilters.from_params(params, bank=bank), archived="no")


def paper_picker_page(
    *, viewer: User, paper: Paper, filters: QuestionFilters, page_number
) -> Page:
    """The bank page's question list (:func:`bank_questions`, same filters) for
    picking questions of a fixed paper: live questions only, 50 a page, each
    with ``on_paper``; two queries whatever the page."""
    on_paper = PaperItem.objects.filter(paper=paper, question=OuterRef("pk"))
    questions = (
        bank_questions(
            viewer=viewer, bank=paper.bank, params=replace(filters, archived="no")
        )
        .filter(current__isnull=False)  # with archived="no": live_questions
        .annotate(on_paper=Exists(on_paper))
    )
    return Paginator(questions, PAGE_SIZE).get_page(page_number)


@dataclass
class TypeTotal:
    type: QuestionType
    count: int
    score: Decimal


@dataclass
class PaperTotals:
    """Questions and points of a paper, per type (in type order) and overall."""

    types: list[TypeTotal]
    count: int
    score: Decimal


def paper_totals(
    *, items: list[PaperItem] | None = None, rules: list[PaperRule] | None = None
) -> PaperTotals:
    """From the fixed paper's loaded items (``question`` loaded) or the random
    paper's rules: no query."""
    counts: dict[str, int] = {}
    scores: dict[str, Decimal] = {}
    entries = [(i.question.type, 1, i.score) for i in items or []] + [
        (r.type, r.count, r.score * r.count) for r in rules or []
    ]
    for kind, count, score in entries:
        counts[kind] = counts.get(kind, 0) + count
        scores[kind] = scores.get(kind, Decimal("0")) + score
    types = [
        TypeTotal(type=kind, count=counts[kind.value], score=scores[kind.value])
        for kind in QuestionType
        if kind.value in counts
    ]
    return PaperTotals(
        types=types,
        count=sum(t.count for t in types),
        score=sum((t.score for t in types), Decimal("0")),
    )


def paper_rules_checked(*, paper: Paper) -> tuple[list[PaperRule], list[str]]:
    """The random paper's rules, each with ``available`` (live questions matching
    it now) and ``short`` (fewer than it draws), and the warnings to show when
    the bank can no longer fill them (questions archived or moved since)."""
    rules = paper_rules(paper=paper)
    fill = rules_fill(bank=paper.bank, rules=rules)
    warnings = []
    for rule, available in zip(rules, fill.available, strict=True):
        rule.available = available
        rule.short = available < rule.count
        if rule.short:
            warnings.append(
                rule_shortage_message(
                    rule, label=rule_label(rule.order), available=available
                )
            )
    if fill.short and not warnings:
        warnings.append(rules_shared_message(rules, fill.short))
    return rules, warnings


@dataclass
class PaperUse:
    """Who uses a paper: the exams on it the viewer manages, how many exams in
    all (others' too), and whether candidates have started (it is frozen)."""

    exams: list
    count: int
    in_use: bool


def paper_use(*, viewer: User, paper: Paper) -> PaperUse:
    from .results import managed_exams

    return PaperUse(
        exams=list(managed_exams(viewer=viewer).filter(paper=paper)),
        count=paper.exams.count(),
        in_use=paper_in_use(paper),
    )


@dataclass
class PreviewQuestion:
    order: int
    question: Question
    score: Decimal
    stem: SafeString
    choices: list[tuple[str, SafeString]]  # (letter shown, option text)


def paper_preview(*, paper: Paper, seed: str) -> list[PreviewQuestion]:
    """One draw of the paper as a candidate would see it (letters re-lettered
    after the option shuffle). Raises ValidationError when the bank cannot fill it."""
    drawn = paper_draw(paper=paper, seed=seed)
    questions = Question.objects.in_bulk([d.question_id for d in drawn])
    versions = QuestionVersion.objects.in_bulk([d.version_id for d in drawn])
    out = []
    for entry in drawn:
        version = versions[entry.version_id]
        texts = {c.get("key"): c.get("text", "") for c in version.choices}
        out.append(
            PreviewQuestion(
                order=entry.order,
                question=questions[entry.question_id],
                score=entry.score,
                stem=display_html(version.stem, version.stem_format),
                choices=[
                    (
                        entry.original_to_display(key),
                        display_html(texts.get(key, ""), version.stem_format),
                    )
                    for key in entry.option_order
                ],
            )
        )
    return out


def exams_with_question(*, viewer: User, question: Question):
    """Exams in the viewer's subtrees whose submitted attempts drew ``question``
    (where a corrected key can be applied by regrading)."""
    from ..models import Attempt, Exam

    candidates = Exam.objects.filter(
        unit__in=scope.examiner_units(viewer), paper__bank=question.bank_id
    )
    drew = set()
    for exam_id, draw in Attempt.objects.filter(
        exam__in=candidates, submitted_at__isnull=False
    ).values_list("exam_id", "draw"):
        if exam_id not in drew and any(
            entry["question_id"] == question.pk for entry in draw
        ):
            drew.add(exam_id)
    return candidates.filter(pk__in=drew).order_by("-opens_at")
