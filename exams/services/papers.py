"""Papers (试卷): fixed papers (hand-picked questions and scores) and random
papers (rules: N questions of a type from a category and difficulty, S points
each), and the draw that gives one candidate their questions.

Only the examiners of the bank's owning unit (``org.scope.examiner_units``)
create and change papers. :func:`paper_draw` is deterministic: the same paper,
bank and seed give the same questions, order and option order, so an attempt can
store the draw (``DrawnQuestion.as_dict``) and review and statistics map the
letters a candidate saw back to the stored option keys.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

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
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give the paper a title.")})
    if kind not in PaperKind.values:
        raise ValidationError({"kind": _("Choose a fixed or a random paper.")})
    return Paper.objects.create(
        title=title[:200],
        bank=bank,
        kind=kind,
        shuffle_questions=shuffle_questions,
        shuffle_options=shuffle_options,
        created_by=by,
    )


def _locked_paper(by: User, paper: Paper, kind: str) -> Paper:
    paper = Paper.objects.select_for_update().select_related("bank").get(pk=paper.pk)
    require_bank_examiner(by, paper.bank)
    if paper.kind != kind:
        raise ValidationError(
            _("A fixed paper has questions, a random paper has rules.")
        )
    if paper.exams.filter(attempts__isnull=False).exists():
        # the attempts keep their draws, but candidates of one exam must all
        # get the same paper: copy it to change it
        raise ValidationError(
            _("This paper is in use: candidates have started an exam on it.")
        )
    return paper


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


def _rule_pool(rule: PaperRule | RuleSpec, bank: QuestionBank) -> QuerySet[Question]:
    questions = live_questions(bank=bank).filter(type=rule.type)
    if rule.category is not None:
        questions = questions.filter(
            category__bank=bank, category__path__startswith=rule.category.path
        )
    if rule.difficulty_min is not None:
        questions = questions.filter(difficulty__gte=rule.difficulty_min)
    if rule.difficulty_max is not None:
        questions = questions.filter(difficulty__lte=rule.difficulty_max)
    return questions


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


@transaction.atomic
def paper_set_rules(
    *, by: User, paper: Paper, rules: Iterable[RuleSpec | Mapping]
) -> list[PaperRule]:
    """Replace the rules of a random paper. Every rule must be possible now: the
    bank must hold enough live questions for it, and for all the rules together
    (a question is never drawn twice). Errors name the rule."""
    paper = _locked_paper(by, paper, PaperKind.RANDOM)
    specs = [r if isinstance(r, RuleSpec) else RuleSpec(**r) for r in rules]
    errors = []
    rows = []
    for number, spec in enumerate(specs, start=1):
        label = _("Rule %(number)s") % {"number": number}
        if spec.type not in QuestionType.values:
            errors.append(_("%(rule)s: choose a question type.") % {"rule": label})
            continue
        if spec.category is not None and spec.category.bank_id != paper.bank_id:
            errors.append(
                _("%(rule)s: the category belongs to another question bank.")
                % {"rule": label}
            )
            continue
        low, high = spec.difficulty_min, spec.difficulty_max
        if any(d is not None and not 1 <= d <= 5 for d in (low, high)) or (
            low is not None and high is not None and low > high
        ):
            errors.append(
                _("%(rule)s: difficulty goes from 1 to 5, lowest first.")
                % {"rule": label}
            )
            continue
        if not isinstance(spec.count, int) or spec.count < 1:
            errors.append(_("%(rule)s: draw at least one question.") % {"rule": label})
            continue
        try:
            score = _score(
                spec.score,
                error=_("%(rule)s: the score must be above 0.") % {"rule": label},
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        available = _rule_pool(spec, paper.bank).count()
        if available < spec.count:
            errors.append(
                _(
                    "%(rule)s: %(where)s has only %(available)s %(type)s "
                    "questions, %(count)s are needed."
                )
                % {
                    "rule": label,
                    "where": _where(spec),
                    "available": available,
                    "type": QuestionType(spec.type).label,
                    "count": spec.count,
                }
            )
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
    if not errors and rows:
        pools = [
            list(_rule_pool(r, paper.bank).values_list("pk", flat=True)) for r in rows
        ]
        short, _picks = _assign([r.count for r in rows], pools)
        if short:
            errors.append(
                _(
                    "The rules share questions: together they need %(count)s "
                    "different questions, the bank has only %(available)s for them."
                )
                % {
                    "count": sum(r.count for r in rows),
                    "available": sum(r.count for r in rows) - short,
                }
            )
    if errors:
        raise ValidationError(errors)
    paper.rules.all().delete()
    return PaperRule.objects.bulk_create(rows)


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
        pools = []
        for rule in rules:
            pool = list(
                _rule_pool(rule, paper.bank).order_by("pk").values_list("pk", flat=True)
            )
            rng.shuffle(pool)
            pools.append(pool)
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
