"""Papers (试卷): fixed papers (hand-picked questions and scores) and random
papers (rules: N questions of a type from a category and difficulty, S points
each), and the draw that gives one candidate their questions.

Only the examiners of the bank's owning unit (``org.scope.examiner_units``)
create and change papers. :func:`paper_draw` is deterministic: the same paper,
bank and seed give the same questions, order and option order, so an attempt can
store the draw (``DrawnQuestion.as_dict``) and review and statistics map the
letters a candidate saw back to the stored option keys.

A paper in use (:func:`paper_in_use`: an exam on it has attempts) keeps what
decides a draw — items, rules, their order and scores, the shuffle settings —
because every candidate of one exam must get the same paper; its title may still
change, and a copy (:func:`paper_copy`) can be changed freely.
"""

from __future__ import annotations

import hashlib
import operator
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Model,
    ProtectedError,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from org.models import User

from ..models import (
    Paper,
    PaperItem,
    PaperKind,
    PaperRule,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionType,
    QuestionVersion,
)
from .banks import require_bank_examiner
from .questions import LETTERS
from .versions import versions_by_id

CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})


def _score(value, *, error: str) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(error) from exc
    if not score.is_finite() or score <= 0 or score >= 1000:
        raise ValidationError(error)
    return score.quantize(Decimal("0.01"))


def live_questions(*, bank: QuestionBank) -> QuerySet[Question]:
    """What papers draw from: the bank's questions that are not archived and
    have a version."""
    return Question.objects.filter(
        bank=bank, archived_at__isnull=True, current__isnull=False
    )


# --- writing papers -------------------------------------------------------------


@transaction.atomic
def paper_create(
    *,
    by: User,
    bank: QuestionBank,
    title: str,
    kind: str,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> Paper:
    require_bank_examiner(by, bank)
    title = _title(title)
    if kind not in PaperKind.values:
        raise ValidationError({"kind": _("Choose a fixed or a random paper.")})
    return Paper.objects.create(
        title=title,
        bank=bank,
        kind=kind,
        shuffle_questions=shuffle_questions,
        shuffle_options=shuffle_options,
        created_by=by,
    )


def paper_in_use(paper: Paper) -> bool:
    """Whether candidates have started an exam on the paper: from then on what
    decides a draw may no longer change (the attempts keep their draws, but the
    candidates of one exam must all get the same paper: copy it to change it)."""
    return paper.exams.filter(attempts__isnull=False).exists()


def _in_use_error() -> ValidationError:
    return ValidationError(
        _("This paper is in use: candidates have started an exam on it.")
    )


def _locked_paper(by: User, paper: Paper, kind: str | None = None) -> Paper:
    """The paper locked for a change of what decides a draw (``kind``: of that
    kind only); refused while it is in use."""
    paper = Paper.objects.select_for_update().select_related("bank").get(pk=paper.pk)
    require_bank_examiner(by, paper.bank)
    if kind is not None and paper.kind != kind:
        raise ValidationError(
            _("A fixed paper has questions, a random paper has rules.")
        )
    if paper_in_use(paper):
        raise _in_use_error()
    return paper


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give the paper a title.")})
    return title[:200]


@transaction.atomic
def paper_set_items(
    *, by: User, paper: Paper, items: Iterable[tuple[Question, object]]
) -> list[PaperItem]:
    """Replace the questions of a fixed paper with ``items`` — ``(question,
    score)`` pairs in paper order; a score of ``None`` is the question's default
    score. Every question must be a live question of the paper's bank, once."""
    paper = _locked_paper(by, paper, PaperKind.FIXED)
    pairs = list(items)
    ids = [question.pk for question, _score_value in pairs]
    found = {q.pk: q for q in Question.objects.filter(pk__in=ids)}
    live = set(
        live_questions(bank=paper.bank).filter(pk__in=ids).values_list("pk", flat=True)
    )
    errors = []
    seen: set[int] = set()
    rows = []
    for number, (question, score) in enumerate(pairs, start=1):
        stored = found.get(question.pk)
        if stored is None or stored.bank_id != paper.bank_id:
            errors.append(
                _("Question %(number)s is not in this question bank.")
                % {"number": number}
            )
            continue
        if question.pk not in live:
            errors.append(
                _("Question %(number)s (%(name)s) is archived.")
                % {"number": number, "name": stored}
            )
            continue
        if question.pk in seen:
            errors.append(
                _("Question %(number)s (%(name)s) is already on the paper.")
                % {"number": number, "name": stored}
            )
            continue
        seen.add(question.pk)
        try:
            value = _score(
                stored.default_score if score is None else score,
                error=_("Question %(number)s: the score must be above 0.")
                % {"number": number},
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        rows.append(PaperItem(paper=paper, question=stored, score=value, order=number))
    if errors:
        raise ValidationError(errors)
    paper.items.all().delete()
    return PaperItem.objects.bulk_create(rows)


@dataclass(frozen=True)
class RuleSpec:
    """What :func:`paper_set_rules` takes for one rule (a mapping works too)."""

    type: str
    count: int
    score: object
    category: QuestionCategory | None = None
    difficulty_min: int | None = None
    difficulty_max: int | None = None


def _rule_q(rule: PaperRule | RuleSpec, bank: QuestionBank) -> Q:
    """Which live questions of ``bank`` the rule draws from (no join: it is
    also an annotation of :func:`rule_pools`)."""
    condition = Q(type=rule.type)
    if rule.category is not None:
        condition &= Q(
            category__in=QuestionCategory.objects.filter(
                bank=bank, path__startswith=rule.category.path
            )
        )
    if rule.difficulty_min is not None:
        condition &= Q(difficulty__gte=rule.difficulty_min)
    if rule.difficulty_max is not None:
        condition &= Q(difficulty__lte=rule.difficulty_max)
    return condition


def rule_pools(
    *, bank: QuestionBank, rules: Sequence[PaperRule | RuleSpec]
) -> list[list[int]]:
    """For each rule, the ids of the live questions it may draw, in id order, in
    one query whatever the number of rules."""
    if not rules:
        return []
    conditions = [_rule_q(rule, bank) for rule in rules]
    names = [f"rule_{number}" for number in range(len(rules))]
    rows = (
        live_questions(bank=bank)
        .filter(reduce(operator.or_, conditions))
        .annotate(
            **{
                name: ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in zip(names, conditions, strict=True)
            }
        )
        .order_by("pk")
        .values_list("pk", *names)
    )
    pools: list[list[int]] = [[] for _rule in rules]
    for pk, *matches in rows:
        for pool, match in zip(pools, matches, strict=True):
            if match:
                pool.append(pk)
    return pools


@dataclass(frozen=True)
class RulesFill:
    """Whether the bank can fill a list of rules now."""

    #: live questions matching each rule on its own
    available: list[int]
    #: questions missing for all the rules together (a question is never drawn
    #: twice); 0 when the bank can fill every rule
    short: int


def rules_fill(
    *, bank: QuestionBank, rules: Sequence[PaperRule | RuleSpec]
) -> RulesFill:
    pools = rule_pools(bank=bank, rules=rules)
    short, _picks = _assign([rule.count for rule in rules], pools)
    return RulesFill(available=[len(pool) for pool in pools], short=short)


def _where(rule: PaperRule | RuleSpec) -> str:
    parts = []
    if rule.category is not None:
        parts.append(_("category %(name)s") % {"name": rule.category.name})
    low, high = rule.difficulty_min, rule.difficulty_max
    if low is not None or high is not None:
        parts.append(
            _("difficulty %(low)s–%(high)s") % {"low": low or 1, "high": high or 5}
        )
    return _(", ").join(parts) if parts else _("the question bank")


def rule_label(number: int) -> str:
    """ "Rule 2": how messages name the rule of that order."""
    return _("Rule %(number)s") % {"number": number}


def rule_shortage_message(
    rule: PaperRule | RuleSpec, *, label: str, available: int
) -> str:
    """ "Rule 2: category 党章 has only 3 single choice questions, 5 are needed." """
    return _(
        "%(rule)s: %(where)s has only %(available)s %(type)s "
        "questions, %(count)s are needed."
    ) % {
        "rule": label,
        "where": _where(rule),
        "available": available,
        "type": QuestionType(rule.type).label,
        "count": rule.count,
    }


def rules_shared_message(rules: Sequence[PaperRule | RuleSpec], short: int) -> str:
    needed = sum(rule.count for rule in rules)
    return _(
        "The rules share questions: together they need %(count)s "
        "different questions, the bank has only %(available)s for them."
    ) % {"count": needed, "available": needed - short}


@transaction.atomic
def paper_set_rules(
    *, by: User, paper: Paper, rules: Iterable[RuleSpec | Mapping]
) -> list[PaperRule]:
    """Replace the rules of a random paper. Every rule must be possible now: the
    bank must hold enough live questions for it, and for all the rules together
    (a question is never drawn twice). Errors name the rule."""
    paper = _locked_paper(by, paper, PaperKind.RANDOM)
    specs = [r if isinstance(r, RuleSpec) else RuleSpec(**r) for r in rules]
    errors: list[tuple[int, str]] = []
    rows = []
    for number, spec in enumerate(specs, start=1):
        label = rule_label(number)
        if spec.type not in QuestionType.values:
            errors.append(
                (number, _("%(rule)s: choose a question type.") % {"rule": label})
            )
            continue
        if spec.category is not None and spec.category.bank_id != paper.bank_id:
            errors.append(
                (
                    number,
                    _("%(rule)s: the category belongs to another question bank.")
                    % {"rule": label},
                )
            )
            continue
        low, high = spec.difficulty_min, spec.difficulty_max
        if any(d is not None and not 1 <= d <= 5 for d in (low, high)) or (
            low is not None and high is not None and low > high
        ):
            errors.append(
                (
                    number,
                    _("%(rule)s: difficulty goes from 1 to 5, lowest first.")
                    % {"rule": label},
                )
            )
            continue
        if not isinstance(spec.count, int) or spec.count < 1:
            errors.append(
                (
                    number,
                    _("%(rule)s: draw at least one question.") % {"rule": label},
                )
            )
            continue
        try:
            score = _score(
                spec.score,
                error=_("%(rule)s: the score must be above 0.") % {"rule": label},
            )
        except ValidationError as exc:
            errors.extend((number, message) for message in exc.messages)
            continue
        rows.append(
            PaperRule(
                paper=paper,
                type=spec.type,
                category=spec.category,
                difficulty_min=low,
                difficulty_max=high,
                count=spec.count,
                score=score,
                order=number,
            )
        )
    fill = rules_fill(bank=paper.bank, rules=rows)
    for row, available in zip(rows, fill.available, strict=True):
        if available < row.count:
            label = rule_label(row.order)
            errors.append(
                (
                    row.order,
                    rule_shortage_message(row, label=label, available=available),
                )
            )
    if not errors and fill.short:
        errors.append((len(specs), rules_shared_message(rows, fill.short)))
    if errors:
        raise ValidationError(
            [message for _number, message in sorted(errors, key=lambda e: e[0])]
        )
    paper.rules.all().delete()
    return PaperRule.objects.bulk_create(rows)


# --- changing papers in place ------------------------------------------------------


@transaction.atomic
def paper_update(
    *,
    by: User,
    paper: Paper,
    title: str,
    shuffle_questions: bool,
    shuffle_options: bool,
) -> Paper:
    """Rename the paper and set its shuffling. The title may change while the
    paper is in use, the shuffling (which decides the draw) may not."""
    paper = Paper.objects.select_for_update().select_related("bank").get(pk=paper.pk)
    require_bank_examiner(by, paper.bank)
    paper.title = _title(title)
    shuffling = (bool(shuffle_questions), bool(shuffle_options))
    if shuffling != (paper.shuffle_questions, paper.shuffle_options):
        if paper_in_use(paper):
            raise ValidationError(
                _(
                    "This paper is in use: candidates have started an exam on "
                    "it, so its shuffling cannot change. Copy the paper to "
                    "change it."
                )
            )
        paper.shuffle_questions, paper.shuffle_options = shuffling
    paper.save(update_fields=["title", "shuffle_questions", "shuffle_options"])
    return paper


def _copy_title(title: str) -> str:
    suffix = _("%(title)s (copy)") % {"title": ""}
    return (_("%(title)s (copy)") % {"title": title[: 200 - len(suffix)]})[:200]


@transaction.atomic
def paper_copy(*, by: User, paper: Paper) -> Paper:
    """A new paper of the same bank with the same settings, items and rules,
    titled "… (副本)"; papers in use are copied to be changed. The copy keeps
    every item as it is (an archived question too: the page marks it)."""
    require_bank_examiner(by, paper.bank)
    copy = Paper.objects.create(
        title=_copy_title(paper.title),
        bank=paper.bank,
        kind=paper.kind,
        shuffle_questions=paper.shuffle_questions,
        shuffle_options=paper.shuffle_options,
        created_by=by,
    )
    PaperItem.objects.bulk_create(
        PaperItem(paper=copy, question_id=i.question_id, score=i.score, order=i.order)
        for i in paper.items.order_by("order")
    )
    PaperRule.objects.bulk_create(
        PaperRule(
            paper=copy,
            type=r.type,
            category_id=r.category_id,
            difficulty_min=r.difficulty_min,
            difficulty_max=r.difficulty_max,
            count=r.count,
            score=r.score,
            order=r.order,
        )
        for r in paper.rules.order_by("order")
    )
    return copy


def _used_by_exams(count: int) -> str:
    return ngettext(
        "This paper is used by an exam, so it cannot be deleted. Delete the "
        "exam first, or keep the paper.",
        "This paper is used by %(count)s exams, so it cannot be deleted. "
        "Delete the exams first, or keep the paper.",
        count,
    ) % {"count": count}


def paper_delete_refusal(paper: Paper) -> str | None:
    """Why :func:`paper_delete` would refuse the paper now (``None``: it would
    not): an exam uses it, even a draft without candidates."""
    count = paper.exams.count()
    return _used_by_exams(count) if count else None


@transaction.atomic
def paper_delete(*, by: User, paper: Paper) -> None:
    """Delete a paper no exam uses, with its items and rules (the questions stay
    in the bank)."""
    paper = Paper.objects.select_for_update().select_related("bank").get(pk=paper.pk)
    require_bank_examiner(by, paper.bank)
    refusal = paper_delete_refusal(paper)
    if refusal:
        raise ValidationError(refusal)
    try:
        paper.delete()
    except ProtectedError as exc:  # an exam created since the count
        raise ValidationError(_used_by_exams(1)) from exc


def _renumber(model: type[Model], rows: list) -> None:
    """Give ``rows`` (all the rows of one paper) the orders 1…n in list order.

    ``(paper, order)`` is unique and both SQLite and PostgreSQL check it row by
    row, so the rows first move past every order in use, then to their places."""
    if not rows:
        return
    offset = max(row.order for row in rows) + len(rows)
    model.objects.filter(pk__in=[row.pk for row in rows]).update(
        order=F("order") + offset
    )
    for number, row in enumerate(rows, start=1):
        row.order = number
    model.objects.bulk_update(rows, ["order"])


def _moved(rows: list, row_pk: int, position: int, *, missing: str) -> list:
    index = next((i for i, row in enumerate(rows) if row.pk == row_pk), None)
    if index is None:
        raise ValidationError(missing)
    moving = rows.pop(index)
    rows.insert(min(max(position, 1), len(rows) + 1) - 1, moving)
    return rows


@transaction.atomic
def paper_item_move(*, by: User, item: PaperItem, position: int) -> list[PaperItem]:
    """Move a question of a fixed paper to ``position`` (1 is the first; out of
    range goes to the nearest end); the others close up. Returns the items in
    their new order."""
    paper = _locked_paper(by, item.paper, PaperKind.FIXED)
    items = _moved(
        list(paper.items.order_by("order")),
        item.pk,
        position,
        missing=_("This question is no longer on the paper."),
    )
    _renumber(PaperItem, items)
    return items


@transaction.atomic
def paper_item_set_score(*, by: User, item: PaperItem, score) -> PaperItem:
    """Change the score of one question of a fixed paper."""
    paper = _locked_paper(by, item.paper, PaperKind.FIXED)
    stored = paper.items.filter(pk=item.pk).first()
    if stored is None:
        raise ValidationError(_("This question is no longer on the paper."))
    stored.score = _score(score, error=_("The score must be above 0 and below 1000."))
    stored.save(update_fields=["score"])
    return stored


@transaction.atomic
def paper_rule_move(*, by: User, rule: PaperRule, position: int) -> list[PaperRule]:
    """Move a rule of a random paper to ``position`` (as :func:`paper_item_move`).
    The order decides the sections of the draw, never whether the bank can fill
    the rules, so nothing else is checked."""
    paper = _locked_paper(by, rule.paper, PaperKind.RANDOM)
    rules = _moved(
        list(paper.rules.order_by("order")),
        rule.pk,
        position,
        missing=_("This rule is no longer on the paper."),
    )
    _renumber(PaperRule, rules)
    return rules


@transaction.atomic
def paper_rule_update(
    *, by: User, rule: PaperRule, count: int, score
) -> list[PaperRule]:
    """Change how many questions a rule draws and their score, checked like a
    new list of rules (:func:`paper_set_rules`)."""
    paper = _locked_paper(by, rule.paper, PaperKind.RANDOM)
    rules = list(paper.rules.select_related("category").order_by("order"))
    if rule.pk not in {r.pk for r in rules}:
        raise ValidationError(_("This rule is no longer on the paper."))
    specs = [
        RuleSpec(
            type=r.type,
            count=count if r.pk == rule.pk else r.count,
            score=score if r.pk == rule.pk else r.score,
            category=r.category,
            difficulty_min=r.difficulty_min,
            difficulty_max=r.difficulty_max,
        )
        for r in rules
    ]
    return paper_set_rules(by=by, paper=paper, rules=specs)


def paper_total(paper: Paper) -> Decimal:
    """The paper's full marks."""
    if paper.kind == PaperKind.FIXED:
        return sum((item.score for item in paper.items.all()), Decimal("0"))
    return sum((rule.score * rule.count for rule in paper.rules.all()), Decimal("0"))


# --- drawing a paper for one candidate ----------------------------------------------


@dataclass
class DrawnQuestion:
    """One question as one candidate gets it.

    ``option_order`` lists the stored option keys in the order shown: with
    ``["C", "A", "D", "B"]`` the candidate sees option C as "A". It is empty for
    questions without options (判断, 填空, 简答)."""

    question_id: int
    version_id: int
    score: Decimal
    order: int
    option_order: list[str] = field(default_factory=list)

    def display_to_original(self, letter: str) -> str:
        """The stored key of the option shown as ``letter``."""
        if not self.option_order:
            return letter
        index = LETTERS.find(letter) if len(letter) == 1 else -1
        if not 0 <= index < len(self.option_order):
            raise ValueError(f"no option {letter!r} on question {self.question_id}")
        return self.option_order[index]

    def original_to_display(self, key: str) -> str:
        """The letter the candidate saw for the stored option ``key``."""
        if not self.option_order:
            return key
        try:
            return LETTERS[self.option_order.index(key)]
        except ValueError as exc:
            raise ValueError(
                f"no option {key!r} on question {self.question_id}"
            ) from exc

    def as_dict(self) -> dict:
        return {
            "question_id": self.question_id,
            "version_id": self.version_id,
            "score": str(self.score),
            "order": self.order,
            "option_order": list(self.option_order),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> DrawnQuestion:
        return cls(
            question_id=int(data["question_id"]),
            version_id=int(data["version_id"]),
            score=Decimal(str(data["score"])),
            order=int(data["order"]),
            option_order=list(data.get("option_order") or []),
        )


def drawn_questions(draw: list[dict]) -> list[tuple[DrawnQuestion, QuestionVersion]]:
    """A stored draw's questions with the versions shown (``version.question``
    loaded, for its type), in order and in one query."""
    drawn = [DrawnQuestion.from_dict(d) for d in draw]
    versions = versions_by_id(d.version_id for d in drawn)
    return [(d, versions[d.version_id]) for d in drawn]


def _assign(counts: list[int], pools: list[list[int]]) -> tuple[int, list[list[int]]]:
    """Fill ``counts[i]`` slots of rule ``i`` with distinct questions of its pool.

    Each slot takes the next free question of its pool; when there is none it
    looks for an augmenting path (a question another rule could give up), so
    overlapping rules are solved whenever they can be. Pools are tried in their
    order: shuffle them first for a random pick. Returns the number of slots
    left empty and the picks per rule.
    """
    slots = [i for i, n in enumerate(counts) for _slot in range(n)]
    owner: dict[int, int] = {}  # question id -> slot
    cursor = [0] * len(counts)

    def augment(slot: int, visited: set[int]) -> bool:
        for qid in pools[slots[slot]]:
            if qid in visited:
                continue
            visited.add(qid)
            if qid not in owner or augment(owner[qid], visited):
                owner[qid] = slot
                return True
        return False

    empty = 0
    for slot, rule in enumerate(slots):
        pool = pools[rule]
        while cursor[rule] < len(pool) and pool[cursor[rule]] in owner:
            cursor[rule] += 1
        if cursor[rule] < len(pool):
            owner[pool[cursor[rule]]] = slot
        elif not augment(slot, set()):
            empty += 1
    picks: list[list[int]] = [[] for _rule in counts]
    for qid, slot in sorted(owner.items(), key=lambda pair: pair[1]):
        picks[slots[slot]].append(qid)
    return empty, picks


def _rng(seed: str) -> random.Random:
    return random.Random(hashlib.sha256(seed.encode()).digest())  # noqa: S311 (not crypto: a reproducible draw)


def _sections_shuffled(
    rng: random.Random, entries: list[tuple[Question, Decimal]]
) -> list[tuple[Question, Decimal]]:
    """Shuffle within each run of questions of the same type, so a paper keeps
    its sections (一、单选题 二、多选题 …) in the order the examiner set."""
    out: list[tuple[Question, Decimal]] = []
    run: list[tuple[Question, Decimal]] = []
    for entry in [*entries, None]:
        if run and (entry is None or entry[0].type != run[0][0].type):
            rng.shuffle(run)
            out.extend(run)
            run = []
        if entry is not None:
            run.append(entry)
    return out


def paper_draw(*, paper: Paper, seed: str) -> list[DrawnQuestion]:
    """The questions one candidate gets, decided by ``seed`` alone (for example
    ``f"{exam_id}:{user_id}"``) and the bank as it is now.

    A fixed paper gives its items; a random paper ``count`` distinct live
    questions per rule, never one question for two rules. Questions keep their
    paper order (items, or rules in order) unless the paper shuffles them, and
    then they are shuffled within each section of one type. Choice options are
    shuffled when the paper says so. Each question records its current version.
    """
    rng = _rng(seed)
    entries: list[tuple[Question, Decimal]] = []
    if paper.kind == PaperKind.FIXED:
        items = paper.items.select_related("question").order_by("order")
        entries = [(item.question, item.score) for item in items]
    else:
        rules = list(paper.rules.select_related("category").order_by("order"))
        pools = rule_pools(bank=paper.bank, rules=rules)
        for pool in pools:
            rng.shuffle(pool)
        short, picks = _assign([r.count for r in rules], pools)
        if short:
            raise ValidationError(
                _("The question bank no longer holds enough questions for this paper.")
            )
        wanted = {qid for pick in picks for qid in pick}
        questions = Question.objects.in_bulk(wanted)
        entries = [
            (questions[qid], rule.score)
            for rule, pick in zip(rules, picks, strict=True)
            for qid in pick
        ]
    if paper.shuffle_questions:
        entries = _sections_shuffled(rng, entries)
    versions = {
        q.pk: q
        for q in Question.objects.filter(
            pk__in=[q.pk for q, _s in entries]
        ).select_related("current")
    }
    drawn = []
    for order, (question, score) in enumerate(entries, start=1):
        current = versions[question.pk].current
        keys = []
        if question.type in CHOICE_TYPES and current is not None:
            keys = [c["key"] for c in current.choices]
            if paper.shuffle_options:
                rng.shuffle(keys)
        drawn.append(
            DrawnQuestion(
                question_id=question.pk,
                version_id=current.pk,
                score=score,
                order=order,
                option_order=keys,
            )
        )
    return drawn
